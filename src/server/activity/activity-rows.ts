/**
 * How activity items are laid out in the SQL stores (SQLite and PostgreSQL keep the same columns):
 * the selected row with its JSON columns parsed, the item it makes, the values an insert writes,
 * the statements where the two dialects agree and a feed page's query. One module, so the two
 * stores cannot drift.
 */
import type {
  ActivityFilter,
  ActivityItem,
  EntityRef,
  FeedRef,
  FieldChange,
  UserProfile,
} from '../../protocol/index.js';
import type { ActivityPage, NewActivity } from './activity-repository.js';

export interface ActivityRow {
  id: number;
  at: number;
  kind: string;
  entity_type: string | null;
  entity_id: string | null;
  customer_id: string | null;
  changes: FieldChange[] | null;
  data: ActivityData | null;
}

/** What the `data` column holds: the parts of an item that have no column of their own. */
export interface ActivityData {
  actor?: UserProfile;
  entityLabel?: string;
  summary?: string;
}

export const ACTIVITY_COLUMNS = 'id, at, kind, entity_type, entity_id, customer_id, changes, data';

/** The columns an insert writes, in the order of `activityValues`. */
export const ACTIVITY_INSERT_COLUMNS =
  'at, actor, kind, entity_type, entity_id, customer_id, changes, data';

export function activityOfRow(row: ActivityRow): ActivityItem {
  const data = row.data ?? {};
  const item: ActivityItem = { id: String(row.id), kind: row.kind, at: row.at };
  if (data.actor) item.actor = data.actor;
  if (row.entity_type !== null && row.entity_id !== null) {
    const entity: EntityRef = { type: row.entity_type, id: row.entity_id };
    if (data.entityLabel !== undefined) entity.label = data.entityLabel;
    item.entity = entity;
  }
  if (row.customer_id !== null) item.customerId = row.customer_id;
  if (row.changes !== null) item.changes = row.changes;
  if (data.summary !== undefined) item.summary = data.summary;
  return item;
}

/** The values of `ACTIVITY_INSERT_COLUMNS` for `item`; JSON columns as text. */
export function activityValues(item: NewActivity): unknown[] {
  const data: ActivityData = {};
  if (item.actor) data.actor = item.actor;
  if (item.entity?.label !== undefined) data.entityLabel = item.entity.label;
  if (item.summary !== undefined) data.summary = item.summary;
  return [
    item.at,
    item.actor?.id ?? null,
    item.kind,
    item.entity?.type ?? null,
    item.entity?.id ?? null,
    item.customerId ?? null,
    item.changes ? JSON.stringify(item.changes) : null,
    Object.keys(data).length > 0 ? JSON.stringify(data) : null,
  ];
}

/**
 * The statements both SQL stores run on `activity`, where their dialects agree. `?` stands for
 * each parameter in order (SQLite's own syntax; the PostgreSQL store numbers them).
 */
export const ACTIVITY_SQL = {
  /** Parameters: `activityValues`. */
  insert: `INSERT INTO activity (${ACTIVITY_INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  newestTime: 'SELECT MAX(at) AS t FROM activity',
  count: 'SELECT COUNT(*) AS n FROM activity',
  /** Parameter: cutoff. */
  deleteOlder: 'DELETE FROM activity WHERE at < ?',
  /** Keeps the newest rows. Parameter: how many. */
  deleteBeyond:
    'DELETE FROM activity WHERE id <= (SELECT id FROM activity ORDER BY id DESC LIMIT 1 OFFSET ?)',
} as const;

/**
 * The rows of a feed a filtered page looks through at most, newest first below its cursor. A
 * filter (kinds, actors) is a test on each row, and on a large log a filter matching little made
 * SQLite and PostgreSQL walk all of it for one small frame: a million rows, a second and a half of
 * a blocked event loop per `activity.list`. A page reads this many of the feed's rows and keeps
 * those that pass; when fewer than its limit pass, its cursor goes on from the last row read, and
 * the client reads on (`PagedList.walkOlder` loads pages until one brings something).
 */
export const FILTER_WINDOW_ROWS = 5_000;

/** The feed's own condition (a user's or a customer's rows), on top of `id < ?`. */
function feedWhere(
  feed: FeedRef,
  before: number | undefined,
): { where: string[]; params: unknown[] } {
  const where = ['id < ?'];
  const params: unknown[] = [before ?? Number.MAX_SAFE_INTEGER];
  if (feed.kind === 'user') {
    where.push('actor = ?');
    params.push(feed.userId);
  } else if (feed.kind === 'customer') {
    where.push('customer_id = ?');
    params.push(feed.entityId);
  }
  return { where, params };
}

/** Whether a page of the feed is filtered, and so reads a window of it (`activityWindowQuery`). */
export function filtered(filter: ActivityFilter | undefined): boolean {
  return Boolean(filter?.kinds?.length || filter?.actors?.length);
}

/**
 * The lowest row id of the window a filtered page reads: the feed's `FILTER_WINDOW_ROWS + 1`th
 * row below `before`; no row when the feed has fewer (the window reaches its start).
 */
export function activityWindowQuery(
  feed: FeedRef,
  before: number | undefined,
): { sql: string; params: unknown[] } {
  const { where, params } = feedWhere(feed, before);
  params.push(FILTER_WINDOW_ROWS);
  const sql = `SELECT id FROM activity WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT 1 OFFSET ?`;
  return { sql, params };
}

/**
 * A feed page's query: newest first, below `before`, one row more than `limit` (to tell whether
 * there is a next page); a filtered page only from `floor` up (`activityWindowQuery`). `inList`
 * writes the store's test of a column against a list parameter and the value that parameter
 * takes; `?` marks the parameters, in order.
 */
export function activityPageQuery(
  feed: FeedRef,
  filter: ActivityFilter | undefined,
  before: number | undefined,
  limit: number,
  inList: (column: string, values: readonly string[]) => [sql: string, param: unknown],
  floor?: number,
): { sql: string; params: unknown[] } {
  const { where, params } = feedWhere(feed, before);
  if (floor !== undefined) {
    where.push('id >= ?');
    params.push(floor);
  }
  for (const [column, values] of [
    ['kind', filter?.kinds],
    ['actor', filter?.actors],
  ] as const) {
    if (!values?.length) continue;
    const [sql, param] = inList(column, values);
    where.push(sql);
    params.push(param);
  }
  params.push(limit + 1);
  const sql = `SELECT ${ACTIVITY_COLUMNS} FROM activity WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`;
  return { sql, params };
}

/** The page of `activityPageQuery`'s rows: at most `limit` items, and the cursor of the next. */
export function activityPage<Row extends { id: number }>(
  rows: Row[],
  limit: number,
  item: (row: Row) => ActivityItem,
  floor?: number,
): ActivityPage {
  const more = rows.length > limit;
  if (more) rows.length = limit;
  // A window read without filling the page goes on below it, where older rows are left.
  return { items: rows.map(item), next: more ? rows[rows.length - 1]!.id : floor };
}
