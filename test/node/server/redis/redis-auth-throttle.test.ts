/**
 * Failed handshakes are counted per client address for the whole deployment on Redis: a client
 * that presents bad tokens to each process in turn gets the same allowance as one that sticks to
 * one process, not one allowance per process.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { badHandshake } from '../../helpers/server-client.js';
import { startCluster, type Cluster } from './cluster.js';

const SECRET = 'test-secret-of-sufficient-length-for-hs256';

describe('failed handshakes throttled across processes', () => {
  let cluster: Cluster | undefined;
  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
  });

  it('refuses an address on every process once its failures on all of them used the allowance', async () => {
    cluster = await startCluster(3, {
      auth: { jwtSecret: SECRET },
      limits: { failedHandshakeBurst: 3, failedHandshakesPerMinute: 6 },
    });
    const urls = cluster.nodes.map((node) => node.url);
    // One failure on each process: three in all, the whole allowance.
    for (const url of urls) assert.deepEqual(await badHandshake(url), { closed: 1008 });
    for (const url of urls) assert.deepEqual(await badHandshake(url), { status: 429 }, url);
    // Six a minute for the address, not six a minute per process: one more try after ten
    // seconds, wherever it lands, and then none.
    cluster.clock.advance(10_000);
    assert.deepEqual(await badHandshake(urls[1]!), { closed: 1008 });
    for (const url of urls) assert.deepEqual(await badHandshake(url), { status: 429 }, url);
  });
});
