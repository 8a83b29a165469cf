/**
 * `waitFor`: a test waits for a state, not for a duration.
 *
 * ```ts
 * const server = new FakeServer();
 * const client = connectFake(server);
 * const presence = client.presence('customer:42');
 * server.addPerson('customer:42', { id: 'bo', name: 'Bo' });
 * const bo = await waitFor(() => presence.snapshot().people.find((p) => p.user.id === 'bo'));
 *
 * const rig = createRig(); // on a ManualClock: moved by waitFor, 16 ms at a time
 * const ada = rig.client();
 * rig.server.dropConnections();
 * await waitFor(() => ada.status.state === 'reconnecting');
 * await waitFor(() => ada.status.state === 'open', { clock: rig.clock });
 * ```
 *
 * The check runs at once, then once the microtasks queued meanwhile have run, then after each
 * frame a `FakeServer` delivers (in either direction), animation frame or real 16 ms timer tick,
 * whichever comes first, once what that queued has run: it sees states the page settled in, not
 * one halfway through a handshake. Its deadline is kept in real time, read from the environment's
 * own `Date`, which a fake-timers library (Vitest's `vi.useFakeTimers()`, Jest's, Sinon's) keeps on
 * its clock while it replaces the global: faked timers cannot hold a wait beyond its deadline.
 * With `clock`, the wait moves that clock instead, and the deadline is in its time.
 */
import { flushMicrotasks } from './manual-clock.js';

export interface WaitForOptions {
  /** What is awaited, for the error; by default the check's source. */
  what?: string;
  /**
   * How long to wait: real milliseconds (default 2000), or with `clock` milliseconds of its time
   * (default 60000, which take no real time on a `ManualClock`).
   */
  timeout?: number;
  /**
   * Test time to move while waiting: a rig's `ManualClock`, or with Vitest's fake timers
   * `{ advance: (ms) => vi.advanceTimersByTimeAsync(ms) }`. It is moved `step` ms (default 16,
   * one store notification of a rig) between checks, and the deadline is in its time.
   */
  clock?: { advance(ms: number): unknown };
  /** Milliseconds of `clock` time between checks. Default 16. */
  step?: number;
}

/** A value that is not falsy. */
export type Truthy<T> = Exclude<T, false | 0 | 0n | '' | null | undefined>;

/** Waits to be woken when a fake server delivers a frame. */
const waiting = new Set<() => void>();

/** @internal A `FakeServer` delivered a frame (or an open, or a close): waits check again. */
export function delivered(): void {
  for (const wake of [...waiting]) wake();
}

type Faked = { clock?: Record<string, unknown> } | undefined;

const globals = globalThis as Record<string, unknown>;
const TIMING = [
  'Date',
  'setTimeout',
  'clearTimeout',
  'requestAnimationFrame',
  'cancelAnimationFrame',
];
/** The timing globals as they were when this module loaded, before a test faked any. */
const loaded = new Map(TIMING.map((name) => [name, globals[name] as Faked]));

/**
 * The environment's own global `name`: as it was when this module loaded (a test that fakes
 * timers in its body or a `beforeEach` does so later), or, when a fake was installed already, the
 * original that a fake-timers library (`@sinonjs/fake-timers`, which Vitest and Jest use) keeps as
 * `_name` on the `clock` it marks its fakes with.
 */
function own<T>(name: string): T | undefined {
  const fn = loaded.get(name) ?? (globals[name] as Faked);
  return (fn?.clock?.[`_${name}`] ?? fn) as T | undefined;
}

/** Real time in milliseconds, whatever fake timers a test installed. */
const realNow = (): number => (own<DateConstructor>('Date') ?? Date).now();

/**
 * Resolves on the first of: a frame a fake server delivers, the next animation frame, a real
 * timer of `ms`. Nothing is left scheduled after it.
 */
function nextTick(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const setTimer = own<typeof setTimeout>('setTimeout');
    const clearTimer = own<typeof clearTimeout>('clearTimeout');
    const frame = own<typeof requestAnimationFrame>('requestAnimationFrame');
    const cancelFrame = own<typeof cancelAnimationFrame>('cancelAnimationFrame');
    let timer: ReturnType<typeof setTimeout> | undefined;
    let frameId: number | undefined;
    // Called on the global, as they were got from it (some DOM emulations need their `this`).
    const done = () => {
      waiting.delete(done);
      if (timer !== undefined) clearTimer?.call(globalThis, timer);
      if (frameId !== undefined) cancelFrame?.call(globalThis, frameId);
      resolve();
    };
    waiting.add(done);
    if (setTimer) timer = setTimer.call(globalThis, done, ms);
    if (frame) frameId = frame.call(globalThis, done);
    // Neither (an environment without them): the next task of its own.
    if (!setTimer && !frame) void flushMicrotasks().then(done);
  });
}

function source(check: () => unknown): string {
  const text = String(check).replace(/\s+/g, ' ').trim();
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function shown(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Resolves with what `check` returns once that is truthy and it did not throw; rejects with an
 * `Error` naming what was awaited, and the check's last error (also its `cause`) or last value,
 * once the deadline passes. See the module's documentation for when the check runs.
 */
export async function waitFor<T>(check: () => T, options: WaitForOptions = {}): Promise<Truthy<T>> {
  const { clock, step = 16 } = options;
  const timeout = options.timeout ?? (clock ? 60_000 : 2_000);
  const started = realNow();
  let moved = 0;
  let last: { value: unknown } | { error: unknown } = { value: undefined };
  const passed = (): boolean => {
    try {
      last = { value: check() };
    } catch (error) {
      last = { error };
    }
    return 'value' in last && Boolean(last.value);
  };
  for (;;) {
    if (passed()) return (last as { value: Truthy<T> }).value;
    if (clock ? moved >= timeout : realNow() - started >= timeout) break;
    if (clock) {
      await clock.advance(step);
      moved += step;
      continue;
    }
    // The microtasks queued meanwhile, then (unless that did it) the next frame a fake server
    // delivers, animation frame or timer tick, and what it queued in turn: the check sees a state
    // the page has settled in, never one halfway through a handshake.
    await flushMicrotasks();
    if (passed()) return (last as { value: Truthy<T> }).value;
    await nextTick(16);
    await flushMicrotasks();
  }
  const what = options.what ?? source(check);
  const span = clock ? `${timeout} ms of its clock` : `${timeout} ms`;
  const lastly =
    'error' in last
      ? `the check threw ${shown(last.error)}`
      : `the check returned ${shown(last.value)}`;
  const message = `waitFor: ${what} did not hold within ${span}; ${lastly}`;
  throw new Error(message, 'error' in last ? { cause: last.error } : undefined);
}
