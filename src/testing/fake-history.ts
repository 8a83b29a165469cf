/**
 * A time-ordered log with cursor paging, shared by the fake notifications and activity: entries
 * ordered by time then arrival, pages newest first, `before` = the `nextCursor` of the previous
 * page. Cursors are opaque to clients (`<time>-<order>` here); a client must never build one.
 */
import { fittingCount, LIMITS } from '../protocol/index.js';

/** What a page's items may take in a frame: the frame limit less room for the envelope. */
export const PAGE_BYTES = LIMITS.maxFrameBytes - 1024;

export interface LogEntry {
  /** Epoch ms the entry happened. */
  readonly at: number;
  /** Arrival order, breaking ties of `at`. */
  readonly order: number;
}

export interface LogPage<E> {
  items: E[];
  nextCursor?: string;
}

const CURSOR = /^(\d+)-(\d+)$/;

function before(a: LogEntry, at: number, order: number): boolean {
  return a.at < at || (a.at === at && a.order < order);
}

export class TimeLog<E extends LogEntry> {
  /** Oldest first. */
  readonly entries: E[] = [];

  get size(): number {
    return this.entries.length;
  }

  /** Add one entry (appending when it is the newest, which is the usual case). */
  insert(entry: E): void {
    const last = this.entries[this.entries.length - 1];
    if (!last || !before(entry, last.at, last.order)) {
      this.entries.push(entry);
      return;
    }
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before(this.entries[mid]!, entry.at, entry.order)) lo = mid + 1;
      else hi = mid;
    }
    this.entries.splice(lo, 0, entry);
  }

  /** Add many entries at once (seeding): one sort instead of one insert each. */
  insertMany(entries: readonly E[]): void {
    this.entries.push(...entries);
    this.entries.sort((a, b) => a.at - b.at || a.order - b.order);
  }

  remove(predicate: (entry: E) => boolean): number {
    let kept = 0;
    for (const entry of this.entries) if (!predicate(entry)) this.entries[kept++] = entry;
    const removed = this.entries.length - kept;
    this.entries.length = kept;
    return removed;
  }

  /**
   * Newest first: entries matching `match`, older than the cursor, at most `limit`. With `window`,
   * only its `rows` entries passing `among` below the cursor are looked through (the reference
   * server's filtered activity pages): fewer than `limit` may match, none at all, and the cursor
   * goes on from the last entry looked at.
   */
  page(
    match: (entry: E) => boolean,
    cursor: string | undefined,
    limit: number,
    window?: { rows: number; among: (entry: E) => boolean },
  ): LogPage<E> {
    let end = this.entries.length;
    if (cursor !== undefined) {
      const parsed = CURSOR.exec(cursor);
      if (!parsed) throw new RangeError(`unknown cursor ${JSON.stringify(cursor)}`);
      const at = Number(parsed[1]);
      const order = Number(parsed[2]);
      while (end > 0 && !before(this.entries[end - 1]!, at, order)) end -= 1;
    }
    const items: E[] = [];
    let i = end - 1;
    let looked = 0;
    for (; i >= 0 && items.length < limit; i--) {
      const entry = this.entries[i]!;
      if (window?.among(entry) && ++looked > window.rows) {
        // The window ended before the page filled: read on from the last entry looked at.
        return { items, nextCursor: cursorOf(this.entries[i + 1]!) };
      }
      if (match(entry)) items.push(entry);
    }
    // More exists only if an older matching entry remains.
    let more = false;
    for (; i >= 0 && !more; i--) more = match(this.entries[i]!);
    const last = items[items.length - 1];
    return more && last ? { items, nextCursor: cursorOf(last) } : { items };
  }
}

export function cursorOf(entry: LogEntry): string {
  return `${entry.at}-${entry.order}`;
}

/**
 * The leading part of `page` whose items, as `view` turns them into what is sent, serialize within
 * `maxBytes` (at least one item, so paging always moves on), as the reference server answers: a
 * page cut short continues after the last item it holds.
 */
export function fitPage<E extends LogEntry>(
  page: LogPage<E>,
  view: (entry: E) => unknown,
  maxBytes: number,
): LogPage<E> {
  const fits = fittingCount(page.items.map(view), maxBytes);
  if (fits >= page.items.length) return page;
  const items = page.items.slice(0, Math.max(1, fits));
  return { items, nextCursor: cursorOf(items[items.length - 1]!) };
}
