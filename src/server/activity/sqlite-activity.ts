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
  ACTIVITY_SQL as SQL,
  activityWindowQuery,
  filtered,
  activityOfRow,
  activityPage,
  activityPageQuery,
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
    this.insertRow = db.prepare(SQL.insert);
    this.selectNewest = db.prepare(SQL.newestTime);
    this.countRows = db.prepare(SQL.count);
    this.deleteOld = db.prepare(SQL.deleteOlder);
    this.deleteBeyond = db.prepare(SQL.deleteBeyond);
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
    let floor: number | undefined;
    if (filtered(filter)) {
      const window = activityWindowQuery(feed, before);
      floor = this.statement<{ id: number }>(window.sql).get(...window.params)?.id;
    }
    // Lists go in as one JSON array, so one prepared statement serves every filter of a shape.
    const { sql, params } = activityPageQuery(
      feed,
      filter,
      before,
      limit,
      (column, values) => [`${column} IN (SELECT value FROM json_each(?))`, JSON.stringify(values)],
      floor,
    );
    return activityPage(this.statement<TextRow>(sql).all(...params), limit, fromRow, floor);
  }

  /** The prepared statement of a page's query, prepared once per shape. */
  private statement<Row>(sql: string): Database.Statement<unknown[], Row> {
    let statement = this.pageQueries.get(sql);
    if (!statement) {
      statement = this.db.prepare<unknown[], TextRow>(sql);
      this.pageQueries.set(sql, statement);
    }
    return statement as unknown as Database.Statement<unknown[], Row>;
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
