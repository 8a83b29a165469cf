/**
 * Time and timers, injectable so tests drive grace periods, heartbeats and handshake timeouts
 * without real sleeps.
 */
export interface ServerClock {
  /** Epoch milliseconds. */
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /**
   * Milliseconds from some fixed start, never set back or forward (unlike `now`, which a clock
   * being set steps), when the clock has such a reading: it tells a step of `now` from time.
   */
  elapsed?(): number;
}

/** The longest delay a Node timer keeps (2³¹−1 ms, about 24.8 days); a longer one fires at once. */
export const MAX_TIMER_MS = 2_147_483_647;

export const systemClock: ServerClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, ms);
    // Server timers never keep a process alive on their own; the listening socket does.
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  elapsed: () => performance.now(),
};

const DAY_MS = 86_400_000;

/** The earliest time a `Date` can hold (100 million days before 1970), a safe integer. */
const EARLIEST_MS = -8_640_000_000_000_000;

/**
 * The time before which a retention of `days` deletes, at `now`. A retention reaching back past
 * the earliest time a date can name keeps everything: the cutoff stays there rather than being
 * a number PostgreSQL cannot read (`-8.6e+21` is no bigint), which failed every sweep.
 */
export function retentionCutoff(now: number, days: number): number {
  return Math.max(now - days * DAY_MS, EARLIEST_MS);
}

/** Calls `fn` every `ms` on `clock` until the returned function is called. */
export function every(clock: ServerClock, ms: number, fn: () => void): () => void {
  let handle: unknown;
  let stopped = false;
  const tick = (): void => {
    if (stopped) return;
    handle = clock.setTimeout(tick, ms);
    fn();
  };
  handle = clock.setTimeout(tick, ms);
  return () => {
    stopped = true;
    clock.clearTimeout(handle);
  };
}
