/**
 * Exponential backoff with full jitter: the n-th retry (0-based) waits a uniformly random time in
 * `[0, min(cap, base * 2^n))`. Full jitter spreads a thousand clients reconnecting after a server
 * restart over the whole window instead of hammering it in waves.
 */
import { MAX_BACKEND_RETRY_AFTER_MS } from '../../protocol/constants.js';

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

/**
 * The wait a refusal named (`retryAfterMs`, ms), at most the longest the protocol names (a
 * minute): a server naming an hour would hold a room or a record empty that long, and one naming
 * more than a timer takes (2^31 - 1 ms) would have the request sent again at once, over and over.
 */
export function namedWait(retryAfterMs: number | undefined): number {
  return Math.min(retryAfterMs ?? 0, MAX_BACKEND_RETRY_AFTER_MS);
}

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

/**
 * Stateful helper: counts failures in a row; `reset()` after a successful open.
 *
 * A server's `bye` starts a round of its own (`afterBye`): the first try comes at a random time
 * within the announced `reconnectMs`, and a try that fails in that round waits for the announced
 * window to end and then a jittered delay whose ceiling starts at `reconnectMs` and doubles. So
 * the clients that reach a server still restarting do not retry at the short normal base and pile
 * up on it the moment it is back: their retries spread over the time after the window, beside
 * the clients whose first try falls late in it.
 */
export class Backoff {
  private failures = 0;
  private readonly options: BackoffOptions;
  /** The base of this round: the option's, or a bye's `reconnectMs` when larger. */
  private base: number;
  /** No retry of this round is scheduled before this time (the end of a bye's window). */
  private notBefore = 0;

  constructor(options: BackoffOptions = {}) {
    this.options = options;
    this.base = options.base ?? DEFAULT_BACKOFF_BASE;
  }

  /** Failures since the last reset. */
  get attempt(): number {
    return this.failures;
  }

  /**
   * Record a failure and return the delay before the next try. `now` (the caller's clock) counts
   * the rest of a bye's window into the delay; without it the window is ignored.
   */
  next(now?: number): number {
    const wait = now === undefined ? 0 : Math.max(0, this.notBefore - now);
    const delay = wait + backoffDelay(this.failures, { ...this.options, base: this.base });
    this.failures += 1;
    return delay;
  }

  /**
   * The server said `bye` at `now`, announcing it is back within `reconnectMs`: returns the
   * jittered delay of the first try, uniform within that window, and starts the bye's round.
   */
  afterBye(reconnectMs: number, now: number): number {
    const window = Math.max(0, reconnectMs);
    this.failures = 0;
    this.base = Math.max(this.options.base ?? DEFAULT_BACKOFF_BASE, window);
    this.notBefore = now + window;
    const r = Math.min(Math.max((this.options.random ?? Math.random)(), 0), 1);
    return Math.floor(r * window);
  }

  reset(): void {
    this.failures = 0;
    this.base = this.options.base ?? DEFAULT_BACKOFF_BASE;
    this.notBefore = 0;
  }
}
