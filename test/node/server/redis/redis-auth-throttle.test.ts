/**
 * Failed handshakes are counted per client address for the whole deployment on Redis: a client
 * that presents bad tokens to each process in turn gets the same allowance as one that sticks to
 * one process, not one allowance per process.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { PROTOCOL_VERSION } from '../../../../src/protocol/index.js';
import { startCluster, type Cluster } from './cluster.js';

const SECRET = 'test-secret-of-sufficient-length-for-hs256';

/** Opens a socket and presents a forged token; resolves with the upgrade status or the close. */
function badHandshake(url: string): Promise<{ status: number } | { closed: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      res.resume();
    });
    ws.on('open', () =>
      ws.send(
        JSON.stringify({
          type: 'hello',
          id: 'h1',
          v: PROTOCOL_VERSION,
          clientId: 'c1',
          token: 'forged.token.value',
        }),
      ),
    );
    ws.on('close', (code) => resolve({ closed: code }));
    ws.on('error', (error) => {
      if (!/Unexpected server response/.test(String(error))) reject(error);
    });
  });
}

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
