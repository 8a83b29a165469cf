/**
 * The ManualClock drains promises with a task of the environment's own, so a test that installed
 * fake timers (Vitest's `vi.useFakeTimers()`, Jest's, Sinon's: each marks the functions it
 * installs with its `clock`) can still advance a rig; waiting on a faked `setImmediate`, which
 * runs only when the fake time moves, never returned.
 */
import assert from 'node:assert/strict';
import { afterEach, it } from 'node:test';
import { ManualClock, flushMicrotasks } from '../../../src/testing/index.js';

const own = globalThis.setImmediate;
afterEach(() => {
  globalThis.setImmediate = own;
});

/** A `setImmediate` as fake-timers installs it: its callbacks wait for the fake time to move. */
function fakeSetImmediate(): typeof setImmediate {
  const faked = (() => ({})) as unknown as typeof setImmediate & { clock: object };
  faked.clock = {};
  return faked;
}

it('flushMicrotasks resolves with a faked setImmediate installed', async () => {
  globalThis.setImmediate = fakeSetImmediate();
  let drained = false;
  void Promise.resolve()
    .then(() => undefined)
    .then(() => (drained = true));
  await flushMicrotasks();
  assert.ok(drained);
});

it('advance runs timers with a faked setImmediate installed', async () => {
  globalThis.setImmediate = fakeSetImmediate();
  const clock = new ManualClock();
  const ran: number[] = [];
  clock.setTimeout(() => void Promise.resolve().then(() => ran.push(clock.now())), 10);
  await clock.advance(16);
  assert.equal(ran.length, 1);
});
