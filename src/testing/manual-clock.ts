/**
 * A clock that only moves when told to, for tests, stories and benchmarks: backoff, heartbeat,
 * idle and grace timers run in milliseconds of test time instead of minutes of real time.
 *
 * ```ts
 * const clock = new ManualClock();
 * const client = new RealtimeClient({ url: 'fake://', clock, socketFactory: server.socketFactory });
 * await clock.flush();          // let the handshake (microtasks) finish
 * await clock.advance(30_000);  // run 30 s of timers, draining microtasks between them
 * ```
 *
 * The reference server's timers (grace periods, heartbeats, retention) run on the same clock:
 * its tests call `advanceSync(ms)`, since the server's timer callbacks do their work at once.
 */
import type { Clock } from '../client/types.js';
import { inNextTask } from '../util/next-task.js';

interface Timer {
  at: number;
  order: number;
  fn: () => void;
}

type SetImmediate = (callback: () => void) => unknown;

/**
 * Whether a fake-timers library replaced this timer function: Vitest's `vi.useFakeTimers()`,
 * Jest's and Sinon's all mark theirs with their fake `clock`. Such a timer runs only when the test
 * moves the fake time, so waiting on one would hang.
 */
function faked(fn: unknown): boolean {
  return typeof fn === 'function' && 'clock' in fn;
}

/**
 * The environment's own `setImmediate`, as it was when this module loaded: a test that fakes
 * timers afterwards (`vi.useFakeTimers()` in a test or a `beforeEach`) does not stop the
 * `ManualClock` from draining microtasks.
 */
const loadedSetImmediate = (globalThis as { setImmediate?: SetImmediate }).setImmediate;
const ownSetImmediate = faked(loadedSetImmediate) ? undefined : loadedSetImmediate;

/**
 * Resolves after every queued microtask (and the microtasks they queue) has run. It waits for a
 * task of the environment's own (`setImmediate` in Node, a `MessageChannel` message elsewhere),
 * never for a timer a test has faked: the one from when this module loaded, which also holds
 * under fakes that carry no mark (Node's `mock.timers`).
 */
export function flushMicrotasks(): Promise<void> {
  const current = (globalThis as { setImmediate?: SetImmediate }).setImmediate;
  const immediate = ownSetImmediate ?? (current && !faked(current) ? current : undefined);
  if (immediate) return new Promise((resolve) => void immediate(resolve));
  return new Promise((resolve) => inNextTask(resolve));
}

export class ManualClock implements Clock {
  private time: number;
  private readonly timers = new Map<number, Timer>();
  private nextHandle = 1;
  private order = 0;

  /** Starts at a fixed, realistic epoch so snapshots of times are stable across runs. */
  constructor(start = Date.UTC(2025, 0, 6, 9, 0, 0)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): number {
    const handle = this.nextHandle++;
    const delay = Number.isFinite(ms) ? Math.max(0, ms) : 0;
    this.timers.set(handle, { at: this.time + delay, order: this.order++, fn });
    return handle;
  }

  clearTimeout(handle: unknown): void {
    if (typeof handle === 'number') this.timers.delete(handle);
  }

  /** Timers not yet run. */
  get pending(): number {
    return this.timers.size;
  }

  /** Time of the next timer, if any. */
  nextTimerAt(): number | undefined {
    let next: number | undefined;
    for (const timer of this.timers.values())
      if (next === undefined || timer.at < next) next = timer.at;
    return next;
  }

  /** Let queued microtasks (promise callbacks, fake socket deliveries) run. No time passes. */
  async flush(): Promise<void> {
    await flushMicrotasks();
  }

  /**
   * Move time forward by `ms`, running every timer that falls due in order (timers scheduled
   * meanwhile included) and draining microtasks after each, as a real event loop would.
   */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    await flushMicrotasks();
    for (;;) {
      const next = this.takeDue(target);
      if (!next) break;
      this.time = next.at;
      next.fn();
      await flushMicrotasks();
    }
    this.time = target;
    await flushMicrotasks();
  }

  /** Like `advance`, without draining microtasks: for purely synchronous code. */
  advanceSync(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      const next = this.takeDue(target);
      if (!next) break;
      this.time = next.at;
      next.fn();
    }
    this.time = target;
  }

  /** Run timers until none is left (at most `limit`, against runaway intervals). */
  async runAll(limit = 10_000): Promise<void> {
    for (let i = 0; i < limit; i++) {
      const at = this.nextTimerAt();
      if (at === undefined) return;
      await this.advance(at - this.time);
    }
    throw new Error(`ManualClock.runAll: still ${this.timers.size} timers after ${limit} rounds`);
  }

  private takeDue(target: number): Timer | undefined {
    let best: [number, Timer] | undefined;
    for (const entry of this.timers) {
      const timer = entry[1];
      if (timer.at > target) continue;
      if (
        !best ||
        timer.at < best[1].at ||
        (timer.at === best[1].at && timer.order < best[1].order)
      ) {
        best = entry;
      }
    }
    if (!best) return undefined;
    this.timers.delete(best[0]);
    return best[1];
  }
}
