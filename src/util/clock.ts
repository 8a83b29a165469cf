/**
 * Time and timers, injectable so tests and stories drive backoff, heartbeat, idle and relative
 * times without real sleeps. The client, the elements and the fake server all take one.
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The page's own time and timers: what every part uses when no clock is given. */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};
