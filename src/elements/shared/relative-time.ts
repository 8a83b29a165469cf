/**
 * "3 minutes ago" in the element's language, through `Intl.RelativeTimeFormat`, plus the absolute
 * date and time for `<time datetime>` and its tooltip.
 */

const UNITS: readonly [Intl.RelativeTimeFormatUnit, number, number][] = [
  // unit, its length in seconds, and the age below which it is used
  ['second', 1, 45],
  ['minute', 60, 45 * 60],
  ['hour', 3600, 22 * 3600],
  ['day', 86_400, 26 * 86_400],
  ['month', 30 * 86_400, 320 * 86_400],
  ['year', 365 * 86_400, Infinity],
];

export interface TimeText {
  /** "3 minutes ago", "yesterday", "now". */
  readonly relative: string;
  /** "Tuesday, 14 May 2024 at 09:12", for the tooltip. */
  readonly absolute: string;
  /** "09:12": the time of day, for where the day is said already. */
  readonly clock: string;
  /** ISO 8601, for `<time datetime>`. */
  readonly datetime: string;
}

/** Formatters per locale: making them costs more than formatting, and a feed formats dozens. */
const relativeFormats = new Map<string, Intl.RelativeTimeFormat>();
const absoluteFormats = new Map<string, Intl.DateTimeFormat>();
const clockFormats = new Map<string, Intl.DateTimeFormat>();

function cached<F>(cache: Map<string, F>, locale: string, make: () => F): F {
  let format = cache.get(locale);
  if (!format) {
    format = make();
    if (cache.size > 20) cache.clear();
    cache.set(locale, format);
  }
  return format;
}

/** `undefined` when `time` is not a usable epoch in ms. */
export function timeText(time: number, now: number, locale: string): TimeText | undefined {
  if (!Number.isFinite(time)) return undefined;
  const date = new Date(time);
  if (Number.isNaN(date.getTime())) return undefined;
  const rtf = cached(
    relativeFormats,
    locale,
    () => new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }),
  );
  const seconds = (time - now) / 1000;
  let relative = rtf.format(0, 'second');
  // Less than 45 s either way (clocks disagree a little) reads as "now".
  if (Math.abs(seconds) >= 45) {
    const [unit, size] = UNITS.find(([, , below]) => Math.abs(seconds) < below) ?? UNITS[0]!;
    relative = rtf.format(Math.round(seconds / size), unit);
  }
  const absolute = cached(
    absoluteFormats,
    locale,
    () => new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'short' }),
  ).format(date);
  const clock = cached(
    clockFormats,
    locale,
    () => new Intl.DateTimeFormat(locale, { timeStyle: 'short' }),
  ).format(date);
  return { relative, absolute, clock, datetime: date.toISOString() };
}
