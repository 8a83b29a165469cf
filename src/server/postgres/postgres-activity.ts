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
import type { ActivityFilter, ActivityItem, FeedRef } from '../../protocol/index.js';
import type {
  ActivityPage,
  ActivityRepository,
  NewActivity,
} from '../activity/activity-repository.js';
import {
  ACTIVITY_COLUMNS,
  ACTIVITY_INSERT_COLUMNS,
  activityOfRow,
  activityValues,
  type ActivityRow,
} from '../activity/activity-rows.js';
import type { PostgresChangeLog } from './postgres-change-log.js';
import { transaction, type AmbientTransaction } from './transaction.js';

const INSERT = `INSERT INTO activity (${ACTIVITY_INSERT_COLUMNS})
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`;

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
      const { rows } = await client.query<{ id: number }>(INSERT, activityValues(item));
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
    pending.add(INSERT, activityValues(item), (row) => {
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
    const { rows } = await this.pool.query<ActivityRow>(
      `SELECT ${ACTIVITY_COLUMNS} FROM activity WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ${bind(limit + 1)}`,
      params,
    );
    const more = rows.length > limit;
    if (more) rows.length = limit;
    return { items: rows.map(activityOfRow), next: more ? rows[rows.length - 1]!.id : undefined };
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
