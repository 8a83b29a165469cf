/**
 * Paging cursors of the history pages (notifications, activity): opaque to clients, a row number
 * inside. A page holds rows strictly older than its cursor, so items that arrive between two pages
 * neither repeat nor shift what the next page holds.
 */

/** The cursor continuing after the row `seq` of a list named `kind` (`n`, `a`). */
export function encodeCursor(kind: string, seq: number): string {
  return Buffer.from(`${kind}:${seq}`).toString('base64url');
}

/** The row number in a cursor, or undefined when it is not one this list handed out. */
export function decodeCursor(kind: string, cursor: string): number | undefined {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^([a-z]+):(\d{1,15})$/.exec(text);
  if (!match || match[1] !== kind) return undefined;
  const seq = Number(match[2]);
  return Number.isSafeInteger(seq) && seq > 0 ? seq : undefined;
}

/** A cursor the client did not get from us (or from another list). */
export class CursorError extends Error {
  override name = 'CursorError';
  constructor(cursor: string) {
    super(`unknown cursor ${JSON.stringify(cursor.slice(0, 40))}: pass a nextCursor from a page`);
  }
}

/** The time for a new row: never before the last one, so row order and time order agree. */
export class MonotonicTime {
  constructor(private last: number) {}

  next(now: number): number {
    this.last = Math.max(this.last, now);
    return this.last;
  }
}
