/**
 * The default environment reads `window`, `document` and `navigator` when they exist and is inert
 * (online, visible) where they do not; the manual clock runs timers in order.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { browserEnvironment, PresenceStore } from '../../../../src/client/index.js';
import { ManualClock } from '../../../../src/testing/index.js';
import type { Person } from '../../../../src/protocol/index.js';

const g = globalThis as Record<string, unknown>;
const saved = ['window', 'document', 'navigator'].map(
  (key) => [key, Object.getOwnPropertyDescriptor(globalThis, key)] as const,
);

afterEach(() => {
  for (const [key, descriptor] of saved) {
    if (descriptor) Object.defineProperty(globalThis, key, descriptor);
    else delete g[key];
  }
});

function fakeBrowser() {
  const win = new EventTarget();
  const doc = Object.assign(new EventTarget(), { visibilityState: 'visible' });
  const nav = { onLine: true };
  for (const [key, value] of [
    ['window', win],
    ['document', doc],
    ['navigator', nav],
  ] as const) {
    Object.defineProperty(globalThis, key, { value, configurable: true, writable: true });
  }
  return { win, doc, nav };
}

describe('browserEnvironment', () => {
  it('is online and visible where there is no browser', () => {
    for (const key of ['window', 'document', 'navigator']) {
      Object.defineProperty(globalThis, key, { value: undefined, configurable: true });
    }
    const env = browserEnvironment();
    assert.equal(env.isOnline(), true);
    assert.equal(env.isVisible(), true);
    const off = env.onOnlineChange(() => {});
    off(); // no throw without a window
  });

  it('follows online/offline, visibility and user input, and unsubscribes', () => {
    const { win, doc, nav } = fakeBrowser();
    const env = browserEnvironment();
    const seen: string[] = [];
    const offs = [
      env.onOnlineChange((online) => seen.push(online ? 'online' : 'offline')),
      env.onVisibilityChange((visible) => seen.push(visible ? 'visible' : 'hidden')),
      env.onUserActivity(() => seen.push('input')),
    ];
    nav.onLine = false;
    assert.equal(env.isOnline(), false);
    win.dispatchEvent(new Event('offline'));
    doc.visibilityState = 'hidden';
    assert.equal(env.isVisible(), false);
    doc.dispatchEvent(new Event('visibilitychange'));
    win.dispatchEvent(new Event('keydown'));
    win.dispatchEvent(new Event('pointermove'));
    assert.deepEqual(seen, ['offline', 'hidden', 'input', 'input']);
    offs.forEach((off) => off());
    win.dispatchEvent(new Event('online'));
    win.dispatchEvent(new Event('keydown'));
    assert.equal(seen.length, 4);
  });
});

describe('ManualClock', () => {
  it('runs due timers in time order, including ones scheduled meanwhile', async () => {
    const clock = new ManualClock(0);
    const order: string[] = [];
    clock.setTimeout(() => order.push('b@20'), 20);
    clock.setTimeout(() => {
      order.push('a@10');
      clock.setTimeout(() => order.push('c@15'), 5);
    }, 10);
    const cancelled = clock.setTimeout(() => order.push('never'), 12);
    clock.clearTimeout(cancelled);
    clock.setTimeout(() => order.push('late@30'), 30);
    await clock.advance(20);
    assert.deepEqual(order, ['a@10', 'c@15', 'b@20']);
    assert.equal(clock.now(), 20);
    assert.equal(clock.pending, 1);
    clock.advanceSync(10);
    assert.deepEqual(order.at(-1), 'late@30');
  });

  it('keeps insertion order for timers due at the same time', () => {
    const clock = new ManualClock(0);
    const order: number[] = [];
    for (let i = 0; i < 5; i++) clock.setTimeout(() => order.push(i), 10);
    clock.advanceSync(10);
    assert.deepEqual(order, [0, 1, 2, 3, 4]);
  });

  it('runAll refuses to spin forever on a self-rescheduling timer', async () => {
    const clock = new ManualClock(0);
    const tick = () => void clock.setTimeout(tick, 1000);
    tick();
    await assert.rejects(clock.runAll(50), /still 1 timers/);
  });
});

describe('PresenceStore', () => {
  const person = (id: string, since: number, name = id): Person => ({
    user: { id, name },
    status: 'online',
    activity: { kind: 'viewing' },
    connections: 1,
    devices: 1,
    since,
    updatedAt: since,
  });

  it('orders people by arrival, finds self, and applies diffs by user id', () => {
    let selfId: string | undefined = undefined;
    const frames: (() => void)[] = [];
    const store = new PresenceStore('customer:1', {
      selfId: () => selfId,
      scheduleFrame: (cb) => void frames.push(cb),
    });
    store.replace([person('c', 3), person('a', 1), person('b', 2)]);
    assert.deepEqual(
      store.snapshot().people.map((p) => p.user.id),
      ['a', 'b', 'c'],
    );
    assert.equal(store.snapshot().self, undefined);
    selfId = 'b';
    store.refreshSelf();
    assert.equal(store.snapshot().self?.user.id, 'b');
    store.apply([{ ...person('a', 1), status: 'away' }, person('d', 4)], ['c']);
    assert.deepEqual(
      store.snapshot().people.map((p) => `${p.user.id}:${p.status}`),
      ['a:away', 'b:online', 'd:online'],
    );
    assert.equal(frames.length, 1); // one frame scheduled for all of it
    assert.equal(store.size, 3);
  });

  it('a throwing listener does not starve the others', () => {
    const frames: (() => void)[] = [];
    const store = new PresenceStore('customer:1', {
      selfId: () => undefined,
      scheduleFrame: (cb) => void frames.push(cb),
    });
    let calls = 0;
    store.subscribe(() => {
      throw new Error('broken widget');
    });
    store.subscribe(() => calls++);
    // The error is re-thrown in a microtask (reported like any uncaught error); catch it there.
    const original = globalThis.queueMicrotask;
    const queued: (() => void)[] = [];
    globalThis.queueMicrotask = (fn) => void queued.push(fn);
    try {
      store.replace([person('a', 1)]);
      frames.shift()!();
    } finally {
      globalThis.queueMicrotask = original;
    }
    assert.equal(calls, 1);
    assert.equal(queued.length, 1);
    assert.throws(() => queued[0]!(), /broken widget/);
  });
});
