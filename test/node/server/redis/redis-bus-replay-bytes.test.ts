/**
 * The replay window's byte bounds on Redis, with several processes: the total over all rooms
 * holds for the whole deployment (the windows live in Redis, not in any process), and a room's
 * byte count starts again when its window expired while idle.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { alice, bob, carol } from '../../helpers/server-harness.js';
import { publishBlobs, until } from '../../helpers/server-client.js';
import { startCluster, type Cluster } from './cluster.js';

describe('replay bytes on Redis across processes', () => {
  let cluster: Cluster | undefined;
  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
  });

  it('keeps at most replayTotalBytes over all rooms of all processes, the oldest events going first', async () => {
    cluster = await startCluster(2, {
      limits: {
        maxMessagesPerSecond: 10_000,
        replayRoomBytes: 1024 * 1024,
        replayTotalBytes: 400_000,
      },
    });
    const [p1, p2] = cluster.nodes;
    // Each process alone stays under the bound (~300 KB); together they are over it.
    const a = await p1!.connect(alice);
    await a.join('deal:a');
    const seqsA = await publishBlobs(a, 'deal:a', 5);
    cluster.clock.advance(1000);
    const b = await p2!.connect(bob);
    await b.join('deal:b');
    const seqsB = await publishBlobs(b, 'deal:b', 5);

    const reader = await p1!.connect(carol);
    const joinedA = await reader.join('deal:a', { since: seqsA[0]! - 1 });
    assert.equal(joinedA.resume, 'gap', 'the older room lost its oldest events');
    const joinedB = await reader.join('deal:b', { since: seqsB[0]! - 1 });
    assert.equal(joinedB.resume, 'replayed', 'the newest room keeps its events');
    assert.equal(reader.ofType('event').filter((e) => e.room === 'deal:b').length, 5);
    // The newest events of the older room are still there for a client that saw the rest.
    const late = await p2!.connect(carol, 'carol-phone');
    const joinedLate = await late.join('deal:a', { since: seqsA[3]! });
    assert.equal(joinedLate.resume, 'replayed');
  });

  it('counts a room from zero again once its idle window expired', async () => {
    cluster = await startCluster(2, {
      // Redis expires an idle window after replayMillis of its own time: short, so the test
      // can wait for it (the manual clock keeps every event young for the replay check).
      limits: { maxMessagesPerSecond: 10_000, replayRoomBytes: 300_000, replayMillis: 300 },
    });
    const [p1, p2] = cluster.nodes;
    const redis = new Redis(cluster.redis.url);
    try {
      const a = await p1!.connect(alice);
      await a.join('deal:idle');
      await publishBlobs(a, 'deal:idle', 5); // fills the room's 300 KB
      const logKey = 'crm:log:deal:idle';
      let exists = 1;
      await until(
        () => {
          void redis.exists(logKey).then((n) => (exists = n));
          return exists === 0;
        },
        10_000,
        'the idle window expired',
        20,
      );
      const fresh = await publishBlobs(a, 'deal:idle', 3);
      const reader = await p2!.connect(bob);
      const joined = await reader.join('deal:idle', { since: fresh[0]! - 1 });
      assert.equal(joined.resume, 'replayed', 'the window holds the events since it expired');
      assert.deepEqual(
        reader.ofType('event').map((e) => e.seq),
        fresh,
      );
    } finally {
      redis.disconnect();
    }
  });
});
