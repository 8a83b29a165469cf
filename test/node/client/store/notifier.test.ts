/**
 * The one notifier every client store uses: batched (one call per listener per batch, with the
 * newest snapshot), a throwing listener does not starve the others, and `deliverNow` for the
 * stores whose listeners must see every state (live data, the outbox).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deliverNow, Notifier } from '../../../../src/client/store/notifier.js';

/** A frame scheduler run by hand. */
function frames() {
  const queued: (() => void)[] = [];
  return {
    schedule: (callback: () => void) => void queued.push(callback),
    run() {
      for (const callback of queued.splice(0)) callback();
    },
    get pending() {
      return queued.length;
    },
  };
}

describe('Notifier', () => {
  it('calls each listener once per batch, with the newest snapshot', () => {
    const frame = frames();
    let state = 0;
    const notifier = new Notifier(frame.schedule, () => state);
    const seen: number[] = [];
    notifier.subscribe((s) => seen.push(s));
    for (let i = 1; i <= 200; i++) {
      state = i;
      notifier.changed();
    }
    assert.equal(frame.pending, 1, 'one batch scheduled for 200 changes');
    assert.deepEqual(seen, [], 'nothing before the batch runs');
    frame.run();
    assert.deepEqual(seen, [200]);
    assert.equal(notifier.notifications, 1);
    state = 201;
    notifier.changed();
    frame.run();
    assert.deepEqual(seen, [200, 201], 'the next change schedules the next batch');
  });

  it('keeps notifying the others when a listener throws, and reports the error', () => {
    const frame = frames();
    const notifier = new Notifier(frame.schedule, () => 'x');
    const reached: string[] = [];
    notifier.subscribe(() => {
      throw new Error('broken widget');
    });
    notifier.subscribe((s) => reached.push(s));
    // The error is rethrown in a microtask, like an uncaught one: catch that rethrow here.
    const reported: unknown[] = [];
    const original = globalThis.queueMicrotask;
    globalThis.queueMicrotask = (task) => {
      try {
        task();
      } catch (error) {
        reported.push(error);
      }
    };
    try {
      notifier.changed();
      frame.run();
    } finally {
      globalThis.queueMicrotask = original;
    }
    assert.deepEqual(reached, ['x']);
    assert.deepEqual(
      reported.map((e) => (e as Error).message),
      ['broken widget'],
    );
  });

  it('does not read the snapshot when nobody listens, and stops calling after unsubscribe', () => {
    const frame = frames();
    let reads = 0;
    const notifier = new Notifier(frame.schedule, () => ++reads);
    notifier.changed();
    frame.run();
    assert.equal(reads, 0);
    const seen: number[] = [];
    const off = notifier.subscribe((s) => seen.push(s));
    notifier.changed();
    off();
    frame.run();
    assert.deepEqual(seen, []);
    assert.equal(notifier.size, 0);
  });

  it('with deliverNow, delivers every change before changed() returns', () => {
    let state = 0;
    const notifier = new Notifier(deliverNow, () => state);
    const seen: number[] = [];
    notifier.subscribe((s) => seen.push(s));
    state = 1;
    notifier.changed();
    state = 2;
    notifier.changed();
    assert.deepEqual(seen, [1, 2]);
  });
});
