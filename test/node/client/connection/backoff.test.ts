/**
 * Backoff: full jitter within [0, min(cap, base * 2^n)), doubling per failure, capped at 30 s,
 * reset after a successful open; and the connection actually waits those delays.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Backoff, backoffCeiling, backoffDelay } from '../../../../src/client/index.js';
import { createRig } from '../../../../src/testing/index.js';
import { expectState, stateOf, statusOf } from '../../helpers/client-status.js';

describe('backoffDelay', () => {
  it('stays within [0, base * 2^attempt) for any random value', () => {
    for (let attempt = 0; attempt < 7; attempt++) {
      const ceiling = Math.min(30_000, 1000 * 2 ** attempt);
      assert.equal(backoffDelay(attempt, { random: () => 0 }), 0);
      const top = backoffDelay(attempt, { random: () => 0.999999 });
      assert.ok(top < ceiling && top >= ceiling - 2, `attempt ${attempt}: ${top}`);
      assert.equal(backoffDelay(attempt, { random: () => 0.5 }), ceiling / 2);
    }
  });

  it('doubles the window per attempt and caps it at 30 s', () => {
    const ceilings = Array.from({ length: 8 }, (_, n) => backoffCeiling(n, 1000, 30_000));
    assert.deepEqual(ceilings, [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    assert.equal(backoffCeiling(5000, 1000, 30_000), 30_000); // 2^5000 overflows; still capped
    assert.ok(backoffDelay(200, { random: () => 0.999 }) < 30_000);
  });

  it('uses reconnectInterval as the base', () => {
    assert.equal(backoffDelay(2, { base: 250, random: () => 0.5 }), 500);
  });

  it('spreads many clients over the whole window (no reconnect storm)', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const delays = Array.from({ length: 1000 }, () => backoffDelay(5, { random }));
    const buckets = new Array<number>(10).fill(0);
    for (const d of delays) buckets[Math.floor(d / 3000)]! += 1;
    // Each tenth of the 30 s window gets roughly a tenth of the clients.
    for (const count of buckets) assert.ok(count > 60 && count < 140, `bucket ${count}`);
  });

  it('clamps a misbehaving random source into the window', () => {
    assert.equal(backoffDelay(0, { random: () => 7 }), 1000);
    assert.equal(backoffDelay(0, { random: () => -1 }), 0);
  });
});

describe('Backoff', () => {
  it('counts failures and resets', () => {
    const backoff = new Backoff({ random: () => 0.5 });
    assert.deepEqual([backoff.next(), backoff.next(), backoff.next()], [500, 1000, 2000]);
    assert.equal(backoff.attempt, 3);
    backoff.reset();
    assert.equal(backoff.next(), 500);
  });
});

describe('Connection backoff timing', () => {
  it('waits the jittered delays between failed attempts, up to the cap', async () => {
    const rig = createRig();
    rig.server.refuseConnections(true);
    const delays: number[] = [];
    const client = rig.client();
    client.onStatus((s) => {
      if (s.state === 'reconnecting') delays.push(s.nextRetryAt - rig.clock.now());
    });
    await rig.clock.flush();
    for (let i = 0; i < 8; i++) await rig.clock.advance(30_000);
    // random() = 0.5 => half of 1, 2, 4, 8, 16, 30, 30... seconds (first failure happened at once).
    assert.deepEqual(delays.slice(0, 8), [500, 1000, 2000, 4000, 8000, 15000, 15000, 15000]);
    rig.close();
  });

  it('does not retry before the delay is over', async () => {
    const rig = createRig();
    rig.server.refuseConnections(true);
    const client = rig.client();
    await rig.clock.flush();
    assert.equal(stateOf(client), 'reconnecting');
    rig.server.refuseConnections(false);
    await rig.clock.advance(499);
    assert.equal(stateOf(client), 'reconnecting');
    await rig.clock.advance(1);
    assert.equal(stateOf(client), 'open');
    rig.close();
  });

  it('resets the delay after a successful open', async () => {
    const rig = createRig();
    rig.server.refuseConnections(true);
    const client = rig.client();
    await rig.clock.flush();
    await rig.clock.advance(500 + 1000 + 2000); // three more failures
    assert.equal(stateOf(client), 'reconnecting');
    assert.equal(expectState(client, 'reconnecting').attempt, 4);
    rig.server.refuseConnections(false);
    await rig.clock.advance(4000);
    assert.equal(stateOf(client), 'open');
    rig.server.dropConnections();
    await rig.clock.flush();
    const status = statusOf(client);
    assert.equal(status.state, 'reconnecting');
    assert.equal(status.state === 'reconnecting' && status.nextRetryAt - rig.clock.now(), 500);
    assert.equal(status.state === 'reconnecting' && status.attempt, 1);
    rig.close();
  });

  it('gives up after maxReconnectAttempts with status offline, and retryNow revives it', async () => {
    const rig = createRig();
    rig.server.refuseConnections(true);
    let sockets = 0;
    const client = rig.client({
      maxReconnectAttempts: 3,
      socketFactory: (url) => (sockets++, rig.server.socketFactory(url)),
    });
    await rig.clock.flush();
    await rig.clock.advance(60_000);
    const status = expectState(client, 'offline');
    assert.equal(status.gaveUpAfter, 3);
    assert.match(status.lastError ?? '', /closed|refused/);
    assert.equal(sockets, 4); // the first try and 3 retries
    await rig.clock.advance(10 * 60_000);
    assert.equal(sockets, 4, 'no more tries on its own');
    client.retryNow(); // the user asks again: a fresh round of attempts
    await rig.clock.flush();
    assert.equal(sockets, 5);
    assert.equal(stateOf(client), 'reconnecting');
    rig.server.refuseConnections(false);
    await rig.clock.advance(60_000);
    assert.equal(stateOf(client), 'open');
    rig.close();
  });

  it('after giving up, the network coming back tries again at once', async () => {
    const rig = createRig();
    rig.server.refuseConnections(true);
    const client = rig.client({ maxReconnectAttempts: 2 });
    await rig.clock.advance(60_000);
    assert.equal(expectState(client, 'offline').gaveUpAfter, 2);
    rig.server.refuseConnections(false);
    rig.env.setOnline(false);
    assert.equal(statusOf(client).state, 'offline');
    rig.env.setOnline(true);
    await rig.clock.flush();
    assert.equal(stateOf(client), 'open');
    rig.close();
  });

  it('retries forever by default', async () => {
    const rig = createRig();
    rig.server.refuseConnections(true);
    const client = rig.client();
    await rig.clock.flush();
    await rig.clock.advance(60 * 60_000);
    assert.equal(stateOf(client), 'reconnecting');
    assert.ok(expectState(client, 'reconnecting').attempt > 100);
    rig.close();
  });
});

describe('restart herd: after bye, retries spread out', () => {
  it('a bye round: first try within reconnectMs, a failed one waits out the window, then doubles from it', () => {
    const backoff = new Backoff({ random: () => 0.5 });
    assert.equal(backoff.afterBye(5000, 0), 2500);
    // Failed at 2.5 s: 2.5 s left of the window, then half of a 5 s ceiling.
    assert.equal(backoff.next(2500), 2500 + 2500);
    assert.equal(backoff.next(10_000), 5000, 'past the window: half of 10 s');
    backoff.reset();
    assert.equal(backoff.next(20_000), 500, 'a welcome ends the round');
  });

  /** A deterministic random source per client (Park–Miller), so the run is the same every time. */
  function seeded(seed: number): () => number {
    let s = seed % 2147483647 || 1;
    return () => (s = (s * 16807) % 2147483647) / 2147483647;
  }

  it('1,000 clients over a 2.6 s restart: no 1 s window above 25 %, all back within 8 s, none faster than its backoff', async () => {
    const rig = createRig();
    const N = 1000;
    const RECONNECT_MS = 5000;
    const DOWN_MS = 2600;
    const attempts: number[][] = Array.from({ length: N }, () => []);
    const backAt: (number | undefined)[] = Array.from({ length: N }, () => undefined);
    let byeAt = Infinity;
    const clients = Array.from({ length: N }, (_, i) => {
      const client = rig.client({ random: seeded(i * 7919 + 13) });
      client.onStatus((s) => {
        const now = rig.clock.now();
        if (now < byeAt) return;
        if (s.state === 'connecting') attempts[i]!.push(now);
        if (s.state === 'open' && backAt[i] === undefined) backAt[i] = now;
      });
      return client;
    });
    await rig.clock.flush();
    assert.ok(clients.every((c) => c.status.state === 'open'));

    byeAt = rig.clock.now();
    rig.server.bye(RECONNECT_MS);
    rig.server.refuseConnections(true);
    await rig.clock.advance(DOWN_MS);
    const upAt = rig.clock.now();
    rig.server.refuseConnections(false);
    for (let i = 0; i < 10 && backAt.some((t) => t === undefined); i++) {
      await rig.clock.advance(5000);
    }

    const back = backAt.map((t, i) => {
      assert.ok(t !== undefined, `client ${i} never came back`);
      return t - upAt;
    });
    back.sort((a, b) => a - b);
    let worst = 0;
    for (let i = 0, j = 0; i < N; i++) {
      while (back[i]! - back[j]! >= 1000) j++;
      worst = Math.max(worst, i - j + 1);
    }
    assert.ok(worst <= N * 0.25, `${worst} of ${N} clients came back within one second`);
    assert.ok(back[N - 1]! <= 8000, `the last client came back ${back[N - 1]} ms after the server`);
    // A client that failed while the server was down waits out the announced restart window
    // before trying again: the server's reconnectMs is the least its backoff allows.
    for (const times of attempts) {
      for (let k = 1; k < times.length; k++) {
        assert.ok(times[k]! >= byeAt + RECONNECT_MS, `retry at ${times[k]! - byeAt} ms after bye`);
      }
    }
    rig.close();
  });
});
