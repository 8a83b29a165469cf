/**
 * Failed handshakes are throttled per client address: an address that keeps presenting bad
 * tokens is refused at the upgrade (429) until its allowance refills, while the throttle's memory
 * stays bounded however many addresses try.
 */
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { afterEach, describe, test } from 'node:test';
import { badHandshake, metrics, until } from '../helpers/server-client.js';
import { AuthThrottle } from '../../../src/server/auth-throttle.js';
import { startHarness, type Harness } from '../helpers/server-harness.js';

const SECRET = 'test-secret-of-sufficient-length-for-hs256';

describe('failed handshakes throttled per address', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  test('after the burst of failures an address gets 429 until its allowance refills', async () => {
    h = await startHarness({
      auth: { jwtSecret: SECRET },
      limits: { failedHandshakeBurst: 3, failedHandshakesPerMinute: 6 },
    });
    for (let i = 0; i < 3; i++) assert.deepEqual(await badHandshake(h.url), { closed: 1008 });
    assert.deepEqual(await badHandshake(h.url), { status: 429 });
    assert.deepEqual(await badHandshake(h.url), { status: 429 });
    assert.match(await metrics(h.server.port), /^crm_handshakes_throttled_total 2$/m);
    // Six a minute: one more try after ten seconds.
    h.clock.advanceSync(10_000);
    assert.deepEqual(await badHandshake(h.url), { closed: 1008 });
    assert.deepEqual(await badHandshake(h.url), { status: 429 });
  });

  test('a socket its client closes before welcome counts as a failed handshake', async () => {
    h = await startHarness({
      auth: { jwtSecret: SECRET },
      limits: { failedHandshakeBurst: 3, failedHandshakesPerMinute: 6 },
    });
    // Sockets that never say hello, closed by the client before the handshake timeout: without
    // counting them an address could hold such sockets round after round, never throttled.
    for (let i = 0; i < 3; i++) {
      const ws = new WebSocket(h.url);
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      ws.close();
      await new Promise((resolve) => ws.once('close', resolve));
    }
    // The server has closed them all (and so counted them) once it holds no connection.
    const server = h.server;
    await until(() => server.stats().connections === 0, 5000, 'the sockets closed on the server');
    assert.deepEqual(await badHandshake(h.url), { status: 429 });
  });

  test('tracks at most maxAddresses, forgetting the least recently failed', () => {
    const throttle = new AuthThrottle({ burst: 2, perMinute: 1, maxAddresses: 3 });
    for (const address of ['a', 'b', 'c', 'd', 'e']) {
      throttle.failed(address, 0);
      throttle.failed(address, 0);
    }
    assert.equal(throttle.size, 3);
    assert.equal(throttle.allows('e', 0), false);
    assert.equal(throttle.allows('a', 0), true, 'forgotten, so allowed again');
    // A success does not reset the bucket; only time does.
    assert.equal(throttle.allows('e', 60_000), true);
  });

  test('forgets the addresses whose allowance has refilled since they last failed', () => {
    const throttle = new AuthThrottle({ burst: 20, perMinute: 30, maxAddresses: 10_000 });
    for (let i = 0; i < 500; i++) throttle.failed(`10.0.${i >> 8}.${i & 255}`, 0);
    assert.equal(throttle.size, 500);
    // 20 failures' worth refill in 40 s: the early ones are as good as never seen.
    throttle.failed('10.9.9.9', 39_999);
    assert.equal(throttle.size, 501, 'not before their allowance is whole again');
    throttle.failed('10.9.9.8', 40_000);
    assert.equal(throttle.size, 2, 'only the addresses that failed lately');
    assert.equal(throttle.allows('10.0.0.1', 40_000), true);
  });
});
