/**
 * Newest-first notifications grouped by the calendar day they arrived on, in the reader's time
 * zone: "Today", "Yesterday", then dates ("Monday, 6 January"; the year only when it is not this
 * year's). Pure: the clock's `now` and the locale are passed in.
 */

export interface DayGroup<T> {
  /** A stable key for the day, `YYYY-MM-DD` in local time. */
  readonly key: string;
  /** What kind of day it is, for the label. */
  readonly kind: 'today' | 'yesterday' | 'date';
  /** Midnight (local) that starts the day, epoch ms. */
  readonly start: number;
  readonly items: readonly T[];
}

/** Local midnight of the day `time` falls on. */
export function startOfDay(time: number): number {
  const date = new Date(time);
  date.setHours(0, 0, 0, 0);
  return date.getTime();
}

function dayKey(start: number): string {
  const d = new Date(start);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/**
 * Split `items` (newest first) into runs of the same local day. Items from the future (a clock a
 * little ahead) count as today. An item out of order starts a new run rather than being moved.
 */
export function groupByDay<T>(
  items: readonly T[],
  time: (item: T) => number,
  now: number,
): DayGroup<T>[] {
  const today = startOfDay(now);
  // The day before: a calendar step back, not 24 h (days around DST changes are 23 or 25 h).
  const yesterdayDate = new Date(today);
  yesterdayDate.setDate(yesterdayDate.getDate() - 1);
  const yesterday = yesterdayDate.getTime();
  const groups: { key: string; kind: DayGroup<T>['kind']; start: number; items: T[] }[] = [];
  for (const item of items) {
    const start = Math.min(startOfDay(time(item)), today);
    let group = groups[groups.length - 1];
    if (!group || group.start !== start) {
      const kind = start === today ? 'today' : start === yesterday ? 'yesterday' : 'date';
      group = { key: dayKey(start), kind, start, items: [] };
      groups.push(group);
    }
    group.items.push(item);
  }
  return groups;
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** "Monday, 6 January", or "Monday, 6 January 2024" when the year is not the current one. */
export function dayDate(start: number, now: number, locale: string): string {
  const withYear = new Date(start).getFullYear() !== new Date(now).getFullYear();
  const key = `${locale}|${withYear}`;
  let format = dateFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, {
      weekday: 'long',
      day: 'numeric',
      month: 'long',
      ...(withYear ? { year: 'numeric' } : {}),
    });
    dateFormats.set(key, format);
  }
  return format.format(start);
}

/**
 * "Today" or "Yesterday" in `locale`, from `Intl.RelativeTimeFormat` (so most languages need no
 * translation), with the first letter capitalised as a label.
 */
export function relativeDay(offset: 0 | -1, locale: string): string {
  const text = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }).format(offset, 'day');
  return text.charAt(0).toLocaleUpperCase(locale) + text.slice(1);
}
