/**
 * The activity log in SQLite (table `activity`, migrations 1 and 3). Rows are appended with an
 * increasing `id` and a time that never goes back, so `id` order is time order; each feed pages by
 * `id` on its own index (`activity_by_actor`, `activity_by_customer`; global uses the key).
 */
import type Database from 'better-sqlite3';
import type {
  ActivityFilter,
  ActivityItem,
  EntityRef,
  FeedRef,
  FieldChange,
  UserProfile,
} from '../../protocol/index.js';
import type { ChangeRecorder } from '../webhooks/change-log.js';
import type { ActivityPage, ActivityRepository, NewActivity } from './activity-repository.js';

interface Row {
  id: number;
  at: number;
  kind: string;
  entity_type: string | null;
  entity_id: string | null;
  customer_id: string | null;
  changes: string | null;
  data: string | null;
}

/** What `data` holds: the parts that have no column of their own. */
interface Data {
  actor?: UserProfile;
  entityLabel?: string;
  summary?: string;
}

function fromRow(row: Row): ActivityItem {
  const data = row.data === null ? {} : (JSON.parse(row.data) as Data);
  const item: ActivityItem = { id: String(row.id), kind: row.kind, at: row.at };
  if (data.actor) item.actor = data.actor;
  if (row.entity_type !== null && row.entity_id !== null) {
    const entity: EntityRef = { type: row.entity_type, id: row.entity_id };
    if (data.entityLabel !== undefined) entity.label = data.entityLabel;
    item.entity = entity;
  }
  if (row.customer_id !== null) item.customerId = row.customer_id;
  if (row.changes !== null) item.changes = JSON.parse(row.changes) as FieldChange[];
  if (data.summary !== undefined) item.summary = data.summary;
  return item;
}

const COLUMNS = 'id, at, kind, entity_type, entity_id, customer_id, changes, data';

export class SqliteActivity implements ActivityRepository {
  private readonly insertRow: Database.Statement<unknown[]>;
  private readonly selectNewest: Database.Statement<[], { t: number | null }>;
  private readonly countRows: Database.Statement<[], { n: number }>;
  private readonly deleteOld: Database.Statement<[number]>;
  private readonly deleteBeyond: Database.Statement<[number]>;
  /** Page queries by feed kind and filter shape, prepared on first use. */
  private readonly pageQueries = new Map<string, Database.Statement<unknown[], Row>>();

  private readonly appendTx: (item: NewActivity) => ActivityItem;

  /** `recordChange` appends each item to the change log in the item's own transaction. */
  constructor(
    private readonly db: Database.Database,
    private readonly recordChange?: ChangeRecorder,
  ) {
    // Nested in an entity write's transaction, better-sqlite3 makes this a savepoint.
    this.appendTx = db.transaction((item: NewActivity) => this.insertItem(item));
    this.insertRow = db.prepare(
      `INSERT INTO activity (at, actor, kind, entity_type, entity_id, customer_id, changes, data)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
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
    const data: Data = {};
    if (item.actor) data.actor = item.actor;
    if (item.entity?.label !== undefined) data.entityLabel = item.entity.label;
    if (item.summary !== undefined) data.summary = item.summary;
    const result = this.insertRow.run(
      item.at,
      item.actor?.id ?? null,
      item.kind,
      item.entity?.type ?? null,
      item.entity?.id ?? null,
      item.customerId ?? null,
      item.changes ? JSON.stringify(item.changes) : null,
      Object.keys(data).length > 0 ? JSON.stringify(data) : null,
    );
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
    const sql = `SELECT ${COLUMNS} FROM activity WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`;
    let statement = this.pageQueries.get(sql);
    if (!statement) {
      statement = this.db.prepare<unknown[], Row>(sql);
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
