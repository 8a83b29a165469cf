/**
 * The pull side of the change log (`GET /api/changes`): pages in commit order after a cursor, so a
 * backend that cannot receive webhooks, or was down, catches up; and the log's retention.
 *
 * A page's `nextCursor` is the cursor of its last item (the `after` it was asked with when it is
 * empty), so a reader stores it and asks again; items committed meanwhile come on the next page,
 * never before the cursor.
 */
import { CursorError, decodeCursor } from '../activity/cursor.js';
import { every, retentionCutoff, type ServerClock } from '../clock.js';
import { errorFields, type Logger } from '../log.js';
import { changeJson, type ChangeJson, type ChangeLogRepository } from './change-log.js';
import { changeCursor } from './webhook-worker.js';

export interface ChangePage {
  items: ChangeJson[];
  /** Pass as `after` for the next page; null when the log is empty and no cursor was given. */
  nextCursor: string | null;
  /** Whether more changes were already there beyond this page. */
  more: boolean;
}

export interface ChangeFeedOptions {
  repository: ChangeLogRepository;
  clock: ServerClock;
  log: Logger;
  /**
   * Changes older than this many days go (pending and dead webhook deliveries stay); 0 keeps
   * them. Default 30.
   */
  retentionDays?: number | undefined;
  /** How often retention runs. Default one hour. */
  sweepMs?: number | undefined;
}

/** The `seq` in a cursor of this feed; throws `CursorError` for anything else. */
export function seqOfCursor(cursor: string): number {
  const seq = cursor.length <= 128 ? decodeCursor('c', cursor) : undefined;
  if (seq === undefined) throw new CursorError(cursor);
  return seq;
}

export class ChangeFeed {
  readonly retentionDays: number;
  private readonly stopSweep: () => void;

  constructor(private readonly options: ChangeFeedOptions) {
    this.retentionDays = options.retentionDays ?? 30;
    this.stopSweep =
      this.retentionDays > 0
        ? every(options.clock, options.sweepMs ?? 3_600_000, () => void this.sweep())
        : () => {};
  }

  /** Changes after `after` (from the oldest kept when undefined), oldest first. */
  async page(after: string | undefined, limit: number): Promise<ChangePage> {
    const from = after === undefined ? 0 : seqOfCursor(after);
    const rows = await this.options.repository.after(from, limit + 1);
    const more = rows.length > limit;
    if (more) rows.length = limit;
    const items = rows.map((row) => changeJson(row, changeCursor(row.seq)));
    return { items, nextCursor: items.at(-1)?.cursor ?? after ?? null, more };
  }

  /** Applies the retention now; resolves to how many changes went. */
  async sweep(): Promise<number> {
    if (this.retentionDays <= 0) return 0;
    const { repository, clock, log } = this.options;
    try {
      const removed = await repository.prune(retentionCutoff(clock.now(), this.retentionDays));
      if (removed > 0) log.info('change log retention', { removed, days: this.retentionDays });
      return removed;
    } catch (err) {
      log.error('change log retention failed', errorFields(err));
      return 0;
    }
  }

  close(): void {
    this.stopSweep();
  }
}
