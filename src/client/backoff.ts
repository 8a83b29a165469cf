/**
 * Exponential backoff with full jitter: the n-th retry (0-based) waits a uniformly random time in
 * `[0, min(cap, base * 2^n))`. Full jitter spreads a thousand clients reconnecting after a server
 * restart over the whole window instead of hammering it in waves.
 */

export interface BackoffOptions {
  /** Upper bound of the first delay, in ms (the client's `reconnectInterval`). Default 1000. */
  base?: number;
  /** Largest upper bound, in ms. Default 30000. */
  cap?: number;
  /** Source of randomness in `[0, 1)`. Default `Math.random`. */
  random?: () => number;
}

export const DEFAULT_BACKOFF_BASE = 1000;
export const DEFAULT_BACKOFF_CAP = 30_000;

/** Upper bound of the delay before retry number `attempt` (0-based): `min(cap, base * 2^attempt)`. */
export function backoffCeiling(attempt: number, base: number, cap: number): number {
  // 2^attempt overflows to Infinity for large attempts; Math.min keeps the cap.
  return Math.min(cap, base * 2 ** Math.max(0, attempt));
}

/** One jittered delay: `random() * min(cap, base * 2^attempt)`. Pure given `random`. */
export function backoffDelay(
  attempt: number,
  {
    base = DEFAULT_BACKOFF_BASE,
    cap = DEFAULT_BACKOFF_CAP,
    random = Math.random,
  }: BackoffOptions = {},
): number {
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * backoffCeiling(attempt, base, cap));
}

/** Stateful helper: counts failures in a row; `reset()` after a successful open. */
export class Backoff {
  private failures = 0;
  private readonly options: BackoffOptions;

  constructor(options: BackoffOptions = {}) {
    this.options = options;
  }

  /** Failures since the last reset. */
  get attempt(): number {
    return this.failures;
  }

  /** Record a failure and return the delay before the next try. */
  next(): number {
    const delay = backoffDelay(this.failures, this.options);
    this.failures += 1;
    return delay;
  }

  reset(): void {
    this.failures = 0;
  }
}
