/**
 * The replay window is bounded in bytes (per room and in total), and a replay that would not fit
 * in what a socket may buffer is answered `gap` instead of dropping a healthy client. Sizes are
 * scaled down through the limits so each case stays quick.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { ServerLimits } from '../../../src/server/config.js';
import { publishBlobs } from '../helpers/server-client.js';
import { alice, bob, startHarness, type Harness } from '../helpers/server-harness.js';

describe('replay bounded in bytes', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  async function start(limits: Partial<ServerLimits>): Promise<Harness> {
    h = await startHarness({ limits: { maxMessagesPerSecond: 10_000, ...limits } });
    return h;
  }

  test('a replay larger than a socket may buffer is a gap, and the client stays connected', async () => {
    const harness = await start({
      maxBufferedBytes: 256 * 1024,
      replayRoomBytes: 64 * 1024 * 1024,
      replayTotalBytes: 64 * 1024 * 1024,
    });
    const publisher = await harness.connect(alice);
    await publisher.join('deal:1');
    const seqs = await publishBlobs(publisher, 'deal:1', 120); // ~7 MB, 28 times the buffer limit
    const reader = await harness.connect(bob);
    const joined = await reader.join('deal:1', { since: seqs[0]! - 1 });
    assert.equal(joined.resume, 'gap');
    assert.equal(joined.missed, 120);
    assert.equal(reader.ofType('event').length, 0, 'nothing replayed');
    await reader.sync(); // still connected and answering
    assert.equal(harness.server.metrics.slowConsumers, 0);
  });

  // A join with `since` is a small frame and its replay up to half a send buffer; joining again
  // (to resume, or to switch between watching and being present) replays again.
  test('a user joining again and again is replayed up to a budget a minute, then answered gap', async () => {
    const harness = await start({ maxBufferedBytes: 1024 * 1024 }); // 4 MiB of replay a minute
    const publisher = await harness.connect(alice);
    await publisher.join('deal:9');
    const seqs = await publishBlobs(publisher, 'deal:9', 5); // ~300 KB
    const since = seqs[0]! - 1;
    const reader = await harness.connect(bob);
    const resumes: string[] = [];
    for (let i = 0; i < 30 && !resumes.includes('gap'); i++) {
      resumes.push((await reader.join('deal:9', { since, watch: i % 2 === 0 })).resume);
    }
    const replayed = resumes.filter((r) => r === 'replayed').length;
    assert.deepEqual(resumes.at(-1), 'gap', `${replayed} replays and no gap`);
    assert.ok(replayed >= 10 && replayed <= 14, `${replayed} replays of ~300 KB in 4 MiB`);
    // Another socket of the same user gets no more; another user has a budget of their own.
    const again = await harness.connect(bob, 'bob-other-device');
    assert.equal((await again.join('deal:9', { since })).resume, 'gap');
    assert.equal((await publisher.join('deal:9', { since })).resume, 'replayed');
    // A minute later the budget is back.
    harness.clock.advanceSync(60_000);
    assert.equal((await reader.join('deal:9', { since })).resume, 'replayed');
    await reader.sync();
    assert.equal(harness.server.metrics.slowConsumers, 0);
  });

  test('a room keeps at most replayRoomBytes of events for replay', async () => {
    const harness = await start({ replayRoomBytes: 300_000 });
    const publisher = await harness.connect(alice);
    await publisher.join('deal:2');
    const seqs = await publishBlobs(publisher, 'deal:2', 20); // ~1.2 MB
    const early = await harness.connect(bob);
    assert.equal((await early.join('deal:2', { since: seqs[0]! - 1 })).resume, 'gap');
    const late = await harness.connect(bob);
    const joined = await late.join('deal:2', { since: seqs[16]! });
    assert.equal(joined.resume, 'replayed');
    assert.deepEqual(
      late.ofType('event').map((e) => e.seq),
      seqs.slice(17),
    );
  });

  test(
    // On Redis the bound holds in Redis, for all processes together.
    'all rooms together keep at most replayTotalBytes, the oldest events going first',
    async () => {
      const harness = await start({ replayRoomBytes: 1024 * 1024, replayTotalBytes: 400_000 });
      const publisher = await harness.connect(alice);
      await publisher.join('deal:a');
      await publisher.join('deal:b');
      const a = await publishBlobs(publisher, 'deal:a', 5);
      const b = await publishBlobs(publisher, 'deal:b', 5);
      const reader = await harness.connect(bob);
      assert.equal((await reader.join('deal:a', { since: a[0]! - 1 })).resume, 'gap');
      const joinedB = await reader.join('deal:b', { since: b[0]! - 1 });
      assert.equal(joinedB.resume, 'replayed', 'the newest room keeps its events');
      assert.equal(reader.ofType('event').filter((e) => e.room === 'deal:b').length, 5);
    },
  );
});
