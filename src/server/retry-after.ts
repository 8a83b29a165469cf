/**
 * When the CRM's backend says it will take requests again: the `Retry-After` header of its 503
 * (down, in maintenance) or 429 (too many requests) answer, which the server passes on to the
 * client it refuses (`backend_unavailable` with `retryAfterMs`), so a waiting save counts down to
 * the time the backend named instead of the client's guess.
 *
 * Bounded: a backend that names a wait of hours (a maintenance window) would otherwise hold every
 * user's save that long after it is back. Past `MAX_BACKEND_RETRY_AFTER_MS` the client is told
 * that bound, the longest its own backoff waits, and asks again then.
 */

import { MAX_BACKEND_RETRY_AFTER_MS } from '../protocol/constants.js';

/** The longest wait a backend's `Retry-After` is passed on as (the client's backoff ceiling). */
export { MAX_BACKEND_RETRY_AFTER_MS };

/**
 * The wait, in ms, an answer of the backend names: its `Retry-After` (seconds, or an HTTP date)
 * on a 503 or a 429, at most `MAX_BACKEND_RETRY_AFTER_MS`. Undefined for any other status, no
 * header, one that cannot be read, or a time already past (then the client's backoff decides, as
 * before).
 *
 * An HTTP date is the backend's clock, which need not agree with the server's: one a minute ahead
 * would turn "in 30 s" into a minute and a half. So it is read against the answer's own `Date`
 * header (`answeredAt`, set by every HTTP server that has a clock), on that same clock; only
 * without a readable one against `now`, the server's clock.
 */
export function backendRetryAfter(
  status: number,
  header: string | null | undefined,
  now: number,
  answeredAt?: string | null,
): number | undefined {
  if ((status !== 503 && status !== 429) || !header) return undefined;
  const value = header.trim();
  let ms: number;
  if (/^\d+$/.test(value)) ms = Number(value) * 1000;
  else {
    const at = Date.parse(value);
    if (Number.isNaN(at)) return undefined;
    const sent = answeredAt ? Date.parse(answeredAt) : Number.NaN;
    ms = at - (Number.isNaN(sent) ? now : sent);
  }
  if (!(ms > 0)) return undefined;
  return Math.min(Math.ceil(ms), MAX_BACKEND_RETRY_AFTER_MS);
}
