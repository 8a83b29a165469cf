/**
 * A room's replay log: what it costs while quiet, and that it replays what a plain list of the
 * same events would, however it grows, wraps and empties.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { LocalBus } from '../../../src/server/local-bus.js';
import { RoomLog } from '../../../src/server/room-log.js';
import { PreparedFrame } from '../../../src/server/wire.js';
import { ManualClock } from '../../../src/testing/manual-clock.js';

const gc = (): void => {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
};

function frame(room: string, seq: number): PreparedFrame {
  return PreparedFrame.of({ type: 'event', room, seq, event: 'e', payload: null, at: 0 });
}

/** An in-memory bus on a manual clock with a 1,000-event, 2-minute replay window. */
function busOf(maxIdleRooms?: number) {
  const clock = new ManualClock();
  const bus = new LocalBus({
    clock,
    replayEvents: 1000,
    replayMillis: 120_000,
    maxFrameBytes: 65536,
    ...(maxIdleRooms === undefined ? {} : { maxIdleRooms }),
  });
  return { clock, bus };
}

describe('room log', () => {
  test('a room joined and left without events costs less than 2 KB until swept, not its whole replay window', async () => {
    // Every join makes a room; a client joining and leaving room after room (25 a second within
    // the message rate) leaves each behind until the sweep, minutes later. A room sized for its
    // whole replay window (1,000 slots) from the start made that 8 KB a room: 6,000 rooms a
    // connection, a hundred connections a user, gigabytes.
    const { bus } = busOf();
    const rooms = 2000;
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < rooms; i++) {
      const room = `junk:${i}`;
      const unsubscribe = bus.subscribe(room, () => {});
      await bus.resume(room, undefined);
      unsubscribe();
    }
    gc();
    const perRoom = (process.memoryUsage().heapUsed - before) / rooms;
    assert.equal(bus.roomCount, rooms, 'the rooms are kept until swept');
    assert.ok(perRoom < 2048, `an idle room costs ${Math.round(perRoom)} bytes`);
    await bus.close();
  });

  test('rooms without subscribers past the bound are forgotten longest idle first; held ones never', async () => {
    // Without a bound, a hundred connections of one user joining and leaving distinct rooms kept
    // 2,200 rooms a second until the sweep, minutes later.
    const { clock, bus } = busOf(100);
    const held = bus.subscribe('held:1', () => {});
    const heldSeq = (await bus.resume('held:1', undefined)).seq;
    const seqs: number[] = [];
    for (let i = 0; i < 300; i++) {
      const unsubscribe = bus.subscribe(`junk:${i}`, () => {});
      seqs.push((await bus.resume(`junk:${i}`, undefined)).seq);
      unsubscribe();
    }
    assert.equal(bus.roomCount, 101, 'the held room and the 100 idle most recently');
    clock.advanceSync(1);
    assert.equal((await bus.resume('held:1', heldSeq)).resume, 'replayed');
    assert.equal((await bus.resume('junk:299', seqs[299])).resume, 'replayed');
    // Forgotten, so made again from now: a `since` from before says nothing, answered `gap`.
    assert.equal((await bus.resume('junk:0', seqs[0])).resume, 'gap');
    held();
    await bus.close();
  });

  test('a bound of 0 keeps every idle room, as 0 means no ceiling for every other limit', async () => {
    const { bus } = busOf(0);
    const seqs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const unsubscribe = bus.subscribe(`idle:${i}`, () => {});
      seqs.push((await bus.resume(`idle:${i}`, undefined)).seq);
      unsubscribe();
    }
    assert.equal(bus.roomCount, 3);
    assert.equal((await bus.resume('idle:0', seqs[0])).resume, 'replayed');
    await bus.close();
  });

  test('replays what a list of the same events would, through growth, wrap, trims and drops', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('append' as const), gap: fc.integer({ min: 0, max: 50 }) }),
      fc.record({ kind: fc.constant('trim' as const), gap: fc.integer({ min: 0, max: 400 }) }),
      fc.record({ kind: fc.constant('drop' as const) }),
      fc.record({ kind: fc.constant('after' as const), back: fc.integer({ min: 0, max: 40 }) }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20 }),
        fc.array(op, { maxLength: 300 }),
        (capacity, ops) => {
          const base = 1000;
          let now = 0;
          const maxAge = 300;
          const log = new RoomLog(base, now, capacity, maxAge);
          // The model: every kept event, oldest first.
          let kept: { seq: number; at: number }[] = [];
          let seq = base;
          for (const o of ops) {
            if (o.kind === 'append') {
              now += o.gap;
              seq++;
              const event = log.append(now, (s) => frame('r', s));
              assert.equal(event.seq, seq);
              if (capacity > 0) {
                kept.push({ seq, at: now });
                if (kept.length > capacity) kept.shift();
              }
            } else if (o.kind === 'trim') {
              now += o.gap;
              log.trim(now);
              kept = kept.filter((e) => e.at >= now - maxAge);
            } else if (o.kind === 'drop') {
              log.dropOldest();
              kept.shift();
            } else {
              const since = Math.max(base, seq - o.back);
              const window = log.after(since, now);
              kept = kept.filter((e) => e.at >= now - maxAge);
              const first = kept[0]?.seq ?? seq + 1;
              if (since + 1 < first) {
                assert.equal(window.covered, false);
              } else {
                assert.ok(window.covered);
                assert.deepEqual(
                  window.events.map((e) => e.seq),
                  kept.filter((e) => e.seq > since).map((e) => e.seq),
                );
              }
            }
            assert.equal(log.head, seq);
            assert.equal(log.oldestAt, kept[0]?.at);
          }
        },
      ),
      { seed: 20261207, numRuns: 300 },
    );
  });
});
