/**
 * The activity log in SQLite (table `activity`, migrations 1 and 3). Rows are appended with an
 * increasing `id` and a time that never goes back, so `id` order is time order; each feed pages by
 * `id` on its own index (`activity_by_actor`, `activity_by_customer`; global uses the key).
 */
import type Database from 'better-sqlite3';
import type { ActivityFilter, ActivityItem, FeedRef } from '../../protocol/index.js';
import type { ChangeRecorder } from '../webhooks/change-log.js';
import type { ActivityPage, ActivityRepository, NewActivity } from './activity-repository.js';
import {
  ACTIVITY_COLUMNS,
  ACTIVITY_INSERT_COLUMNS,
  activityOfRow,
  activityValues,
  type ActivityRow,
} from './activity-rows.js';

/** A row as SQLite returns it: the JSON columns still text. */
type TextRow = Omit<ActivityRow, 'changes' | 'data'> & {
  changes: string | null;
  data: string | null;
};

function fromRow(row: TextRow): ActivityItem {
  return activityOfRow({
    ...row,
    changes: row.changes === null ? null : (JSON.parse(row.changes) as ActivityRow['changes']),
    data: row.data === null ? null : (JSON.parse(row.data) as ActivityRow['data']),
  });
}

export class SqliteActivity implements ActivityRepository {
  private readonly insertRow: Database.Statement<unknown[]>;
  private readonly selectNewest: Database.Statement<[], { t: number | null }>;
  private readonly countRows: Database.Statement<[], { n: number }>;
  private readonly deleteOld: Database.Statement<[number]>;
  private readonly deleteBeyond: Database.Statement<[number]>;
  /** Page queries by feed kind and filter shape, prepared on first use. */
  private readonly pageQueries = new Map<string, Database.Statement<unknown[], TextRow>>();

  private readonly appendTx: (item: NewActivity) => ActivityItem;

  /** `recordChange` appends each item to the change log in the item's own transaction. */
  constructor(
    private readonly db: Database.Database,
    private readonly recordChange?: ChangeRecorder,
  ) {
    // Nested in an entity write's transaction, better-sqlite3 makes this a savepoint.
    this.appendTx = db.transaction((item: NewActivity) => this.insertItem(item));
    this.insertRow = db.prepare(
      `INSERT INTO activity (${ACTIVITY_INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.selectNewest = db.prepare('SELECT MAX(at) AS t FROM activity');
    this.countRows = db.prepare('SELECT COUNT(*) AS n FROM activity');
    this.deleteOld = db.prepare('DELETE FROM activity WHERE at < ?');
    this.deleteBeyond = db.prepare(
      `DELETE FROM activity WHERE id <= (SELECT id FROM activity ORDER BY id DESC LIMIT 1 OFFSET ?)`,
    );
  }

  // async so that SQLite errors reject the promise instead of throwing at the call.
  async append(item: NewActivity): Promise<ActivityItem> {
    return this.appendNow(item);
  }

  appendNow(item: NewActivity): ActivityItem {
    return this.appendTx(item);
  }

  private insertItem(item: NewActivity): ActivityItem {
    const result = this.insertRow.run(...activityValues(item));
    const appended = { ...item, id: String(result.lastInsertRowid) };
    this.recordChange?.({ kind: 'activity', entity: item.entity, at: item.at, data: appended });
    return appended;
  }

  async page(
    feed: FeedRef,
    filter: ActivityFilter | undefined,
    before: number | undefined,
    limit: number,
  ): Promise<ActivityPage> {
    const where = ['id < ?'];
    const params: unknown[] = [before ?? Number.MAX_SAFE_INTEGER];
    if (feed.kind === 'user') {
      where.push('actor = ?');
      params.push(feed.userId);
    } else if (feed.kind === 'customer') {
      where.push('customer_id = ?');
      params.push(feed.entityId);
    }
    // Lists go in as one JSON array, so one prepared statement serves every filter of a shape.
    if (filter?.kinds?.length) {
      where.push('kind IN (SELECT value FROM json_each(?))');
      params.push(JSON.stringify(filter.kinds));
    }
    if (filter?.actors?.length) {
      where.push('actor IN (SELECT value FROM json_each(?))');
      params.push(JSON.stringify(filter.actors));
    }
    params.push(limit + 1);
    const sql = `SELECT ${ACTIVITY_COLUMNS} FROM activity WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`;
    let statement = this.pageQueries.get(sql);
    if (!statement) {
      statement = this.db.prepare<unknown[], TextRow>(sql);
      this.pageQueries.set(sql, statement);
    }
    const rows = statement.all(...params);
    const more = rows.length > limit;
    if (more) rows.length = limit;
    return { items: rows.map(fromRow), next: more ? rows[rows.length - 1]!.id : undefined };
  }

  async prune(options: { cutoff?: number; keepRows?: number }): Promise<number> {
    let removed = 0;
    if (options.cutoff !== undefined) removed += this.deleteOld.run(options.cutoff).changes;
    if (options.keepRows !== undefined) {
      removed += this.deleteBeyond.run(Math.max(0, options.keepRows)).changes;
    }
    return removed;
  }

  async newestTime(): Promise<number> {
    return this.selectNewest.get()?.t ?? 0;
  }

  async count(): Promise<number> {
    return this.countRows.get()?.n ?? 0;
  }
}
