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
 * without one that is an HTTP date against `now`, the server's clock.
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
    const at = httpDate(value, now);
    if (at === undefined) return undefined;
    ms = at - ((answeredAt ? httpDate(answeredAt.trim(), now) : undefined) ?? now);
  }
  if (!(ms > 0)) return undefined;
  return Math.min(Math.ceil(ms), MAX_BACKEND_RETRY_AFTER_MS);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH = MONTHS.join('|');
const DAY = 'Mon|Tue|Wed|Thu|Fri|Sat|Sun';
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
/** `Sun, 06 Nov 1994 08:49:37 GMT`, what senders send. */
const IMF_FIXDATE = new RegExp(`^(?:${DAY}), (\\d{2}) (${MONTH}) (\\d{4}) ${TIME} GMT$`);
/** `Sunday, 06-Nov-94 08:49:37 GMT`, obsolete but still to be read. */
const RFC_850 = new RegExp(
  `^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\\d{2})-(${MONTH})-(\\d{2}) ${TIME} GMT$`,
);
/** `Sun Nov  6 08:49:37 1994`, C's asctime, obsolete but still to be read. */
const ASCTIME = new RegExp(`^(?:${DAY}) (${MONTH}) ([ \\d]\\d) ${TIME} (\\d{4})$`);

/**
 * An HTTP date (epoch ms) in the three forms HTTP defines, all UTC; undefined for anything else.
 * JavaScript's `Date.parse` is no reader of it: it takes "1" as the year 2001 and a date without
 * its zone in the server's local time, which made a garbage `Date` header a clock years off.
 * `now` places a two-digit year: one more than 50 years ahead of it is of the century before.
 */
export function httpDate(value: string, now: number): number | undefined {
  let parts: { day: string; month: string; year: number; time: string[] };
  let m: RegExpExecArray | null;
  if ((m = IMF_FIXDATE.exec(value))) {
    parts = { day: m[1]!, month: m[2]!, year: Number(m[3]), time: m.slice(4, 7) };
  } else if ((m = RFC_850.exec(value))) {
    const thisYear = new Date(now).getUTCFullYear();
    let year = thisYear - (thisYear % 100) + Number(m[3]);
    if (year > thisYear + 50) year -= 100;
    parts = { day: m[1]!, month: m[2]!, year, time: m.slice(4, 7) };
  } else if ((m = ASCTIME.exec(value))) {
    parts = { day: m[2]!.trim(), month: m[1]!, year: Number(m[6]), time: m.slice(3, 6) };
  } else return undefined;
  const [h, min, s] = parts.time.map(Number) as [number, number, number];
  // Up to 60 seconds: a leap second, read as the next one.
  if (h > 23 || min > 59 || s > 60) return undefined;
  const month = MONTHS.indexOf(parts.month);
  const day = Number(parts.day);
  const midnight = Date.UTC(parts.year, month, day);
  // No 31 February: `Date.UTC` would roll it over into March.
  if (new Date(midnight).getUTCDate() !== day) return undefined;
  return midnight + ((h * 60 + min) * 60 + s) * 1000;
}
