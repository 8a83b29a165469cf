/**
 * The activity log in PostgreSQL (table `activity`): rows get an increasing `id` from a sequence;
 * each feed pages by `id` on its own index, as in SQLite. With several processes, ids are taken
 * in insert order, not commit order, so an item may land just below one a reader already paged
 * past; the live tail (published after the commit) still brings it.
 *
 * `appendNow` joins the entity write that is running its in-transaction step (see
 * `transaction.ts`): the insert is queued and runs inside that transaction, so the item commits
 * with its change or not at all; its id is filled in before the commit, so the fan-out the caller
 * runs after the commit has it.
 */
import type pg from 'pg';
import type {
  ActivityFilter,
  ActivityItem,
  EntityRef,
  FeedRef,
  FieldChange,
  UserProfile,
} from '../../protocol/index.js';
import type {
  ActivityPage,
  ActivityRepository,
  NewActivity,
} from '../activity/activity-repository.js';
import type { PostgresChangeLog } from './postgres-change-log.js';
import { transaction, type AmbientTransaction } from './transaction.js';

interface Row {
  id: number;
  at: number;
  kind: string;
  entity_type: string | null;
  entity_id: string | null;
  customer_id: string | null;
  changes: FieldChange[] | null;
  data: Data | null;
}

/** What `data` holds: the parts that have no column of their own (as in SQLite). */
interface Data {
  actor?: UserProfile;
  entityLabel?: string;
  summary?: string;
}

function fromRow(row: Row): ActivityItem {
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

const COLUMNS = 'id, at, kind, entity_type, entity_id, customer_id, changes, data';
const INSERT = `INSERT INTO activity (at, actor, kind, entity_type, entity_id, customer_id, changes, data)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`;

function insertParams(item: NewActivity): unknown[] {
  const data: Data = {};
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

export class PostgresActivity implements ActivityRepository {
  constructor(
    private readonly pool: pg.Pool,
    private readonly ready: () => Promise<void>,
    private readonly ambient: AmbientTransaction,
    private readonly changeLog?: PostgresChangeLog,
  ) {}

  /** Appends an item, and its change log row in the same transaction. */
  async append(item: NewActivity): Promise<ActivityItem> {
    await this.ready();
    const appended = await transaction(this.pool, async (client) => {
      const { rows } = await client.query<{ id: number }>(INSERT, insertParams(item));
      const stored: ActivityItem = { ...item, id: String(rows[0]!.id) };
      await this.changeLog?.append(client, {
        kind: 'activity',
        entity: item.entity,
        at: item.at,
        data: stored,
      });
      return stored;
    });
    this.changeLog?.appended();
    return appended;
  }

  appendNow(item: NewActivity): ActivityItem {
    const pending = this.ambient.current;
    if (!pending) throw new Error('appendNow runs only inside an entity write of this database');
    const appended: ActivityItem = { ...item, id: '' };
    pending.add(INSERT, insertParams(item), (row) => {
      appended.id = String(row['id']);
    });
    // After the insert, so the row carries the item's id.
    this.changeLog?.queue(pending, () => ({
      kind: 'activity',
      entity: item.entity,
      at: item.at,
      data: appended,
    }));
    return appended;
  }

  async page(
    feed: FeedRef,
    filter: ActivityFilter | undefined,
    before: number | undefined,
    limit: number,
  ): Promise<ActivityPage> {
    await this.ready();
    const params: unknown[] = [before ?? Number.MAX_SAFE_INTEGER];
    const where = ['id < $1'];
    const bind = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    if (feed.kind === 'user') where.push(`actor = ${bind(feed.userId)}`);
    else if (feed.kind === 'customer') where.push(`customer_id = ${bind(feed.entityId)}`);
    if (filter?.kinds?.length) where.push(`kind = ANY(${bind(filter.kinds)}::text[])`);
    if (filter?.actors?.length) where.push(`actor = ANY(${bind(filter.actors)}::text[])`);
    const { rows } = await this.pool.query<Row>(
      `SELECT ${COLUMNS} FROM activity WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ${bind(limit + 1)}`,
      params,
    );
    const more = rows.length > limit;
    if (more) rows.length = limit;
    return { items: rows.map(fromRow), next: more ? rows[rows.length - 1]!.id : undefined };
  }

  async prune(options: { cutoff?: number; keepRows?: number }): Promise<number> {
    await this.ready();
    let removed = 0;
    if (options.cutoff !== undefined) {
      removed += (await this.pool.query('DELETE FROM activity WHERE at < $1', [options.cutoff]))
        .rowCount!;
    }
    if (options.keepRows !== undefined) {
      const result = await this.pool.query(
        'DELETE FROM activity WHERE id <= (SELECT id FROM activity ORDER BY id DESC LIMIT 1 OFFSET $1)',
        [Math.max(0, options.keepRows)],
      );
      removed += result.rowCount ?? 0;
    }
    return removed;
  }

  async newestTime(): Promise<number> {
    await this.ready();
    const { rows } = await this.pool.query<{ t: number | null }>(
      'SELECT MAX(at) AS t FROM activity',
    );
    return rows[0]?.t ?? 0;
  }

  async count(): Promise<number> {
    await this.ready();
    const { rows } = await this.pool.query<{ n: number }>('SELECT COUNT(*) AS n FROM activity');
    return rows[0]?.n ?? 0;
  }
}
