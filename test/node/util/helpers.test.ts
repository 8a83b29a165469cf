/**
 * The shared dependency-free helpers in src/util (every layer imports them) and the ManualClock
 * that tests, stories and users' own tests drive them with.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { ManualClock } from '../../../src/testing/index.js';
import { realClock } from '../../../src/util/clock.js';
import { sameJson } from '../../../src/util/same-json.js';
import { LOG_PREFIX, warn, warnOnceFor } from '../../../src/util/warn.js';

describe('sameJson', () => {
  test('compares JSON values deeply, whatever the key order', () => {
    assert.equal(sameJson({ a: [1, { b: 2 }], c: null }, { c: null, a: [1, { b: 2 }] }), true);
    assert.equal(sameJson('x', 'x'), true);
    assert.equal(sameJson(NaN, NaN), true);
  });

  test('a missing key, a reordered array, an array against an object and null differ', () => {
    assert.equal(sameJson({ a: 1 }, { a: 1, b: undefined }), false);
    assert.equal(sameJson({ a: 1, b: undefined }, { a: 1, c: undefined }), false);
    assert.equal(sameJson([1, 2], [2, 1]), false);
    assert.equal(sameJson([], {}), false);
    assert.equal(sameJson(null, {}), false);
    assert.equal(sameJson({ a: { b: [1] } }, { a: { b: [2] } }), false);
  });
});

describe('warnings', () => {
  let calls: unknown[][];
  const original = console.warn;
  beforeEach(() => {
    calls = [];
    console.warn = (...args: unknown[]) => void calls.push(args);
  });
  afterEach(() => {
    console.warn = original;
  });

  test('every warning starts with the one prefix, details follow the message', () => {
    const error = new Error('boom');
    warn('something failed:', error);
    assert.equal(LOG_PREFIX, 'crm-realtime:');
    assert.deepEqual(calls, [['crm-realtime: something failed:', error]]);
  });

  test('warnOnceFor says each key once, with its scope before the message', () => {
    const warnOnce = warnOnceFor('<crm-x>');
    warnOnce('max', 'max="0" is not valid; using 5.');
    warnOnce('max', 'max="0" is not valid; using 5.');
    warnOnce('max', 'a different message under the same key');
    warnOnce('mode', 'mode="x" is not valid.');
    assert.deepEqual(calls, [
      ['crm-realtime: <crm-x> max="0" is not valid; using 5.'],
      ['crm-realtime: <crm-x> mode="x" is not valid.'],
    ]);
  });

  test('two warners keep their own keys (one element never silences another)', () => {
    const first = warnOnceFor('<crm-a>');
    const second = warnOnceFor();
    first('k', 'from a');
    second('k', 'from b:', 42);
    first('k', 'from a');
    second('k', 'from b:', 42);
    assert.deepEqual(calls, [['crm-realtime: <crm-a> from a'], ['crm-realtime: from b:', 42]]);
  });
});

describe('clocks', () => {
  test('realClock reads Date.now and runs and cancels real timers', async () => {
    const before = Date.now();
    assert.ok(realClock.now() >= before);
    let cancelledRan = false;
    const cancelled = realClock.setTimeout(() => (cancelledRan = true), 0);
    realClock.clearTimeout(cancelled);
    await new Promise<void>((resolve) => realClock.setTimeout(resolve, 0));
    assert.equal(cancelledRan, false);
  });

  test('ManualClock runs due timers in time order, and only when advanced', async () => {
    const clock = new ManualClock(1000);
    const ran: string[] = [];
    clock.setTimeout(() => ran.push('b'), 200);
    clock.setTimeout(() => ran.push('a'), 100);
    const dropped = clock.setTimeout(() => ran.push('dropped'), 150);
    clock.clearTimeout(dropped);
    assert.equal(clock.pending, 2);
    await clock.advance(150);
    assert.deepEqual(ran, ['a']);
    assert.equal(clock.now(), 1150);
    await clock.advance(50);
    assert.deepEqual(ran, ['a', 'b']);
    assert.equal(clock.pending, 0);
  });

  test('advanceSync runs timers scheduled meanwhile, each at its own time, without awaiting', () => {
    const clock = new ManualClock(0);
    const ran: string[] = [];
    clock.setTimeout(() => {
      ran.push(`first@${clock.now()}`);
      clock.setTimeout(() => ran.push(`chained@${clock.now()}`), 10);
    }, 10);
    clock.setTimeout(() => ran.push(`same-time@${clock.now()}`), 10);
    clock.setTimeout(() => ran.push('later'), 100);
    clock.advanceSync(50);
    assert.deepEqual(ran, ['first@10', 'same-time@10', 'chained@20']);
    assert.equal(clock.now(), 50);
    assert.equal(clock.pending, 1);
  });

  test('advance drains promise callbacks between timers; advanceSync leaves them queued', async () => {
    const schedule = (clock: ManualClock, ran: string[]): void => {
      clock.setTimeout(() => {
        void Promise.resolve().then(() => {
          clock.setTimeout(() => ran.push('after the promise'), 5);
        });
      }, 10);
    };
    const asyncClock = new ManualClock(0);
    const asyncRan: string[] = [];
    schedule(asyncClock, asyncRan);
    await asyncClock.advance(20);
    assert.deepEqual(asyncRan, ['after the promise']);

    const syncClock = new ManualClock(0);
    const syncRan: string[] = [];
    schedule(syncClock, syncRan);
    syncClock.advanceSync(20);
    assert.deepEqual(syncRan, []);
    await syncClock.flush();
    assert.equal(syncClock.pending, 1);
  });
});
