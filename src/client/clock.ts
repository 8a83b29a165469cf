/** The real clock: `Date.now` and the global timers. Tests inject a manual clock instead. */
import type { Clock } from './types.js';

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};
