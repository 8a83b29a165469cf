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
  ACTIVITY_SQL,
  activityOfRow,
  activityPage,
  activityPageQuery,
  activityValues,
  activityWindowQuery,
  filtered,
  type ActivityRow,
} from '../activity/activity-rows.js';
import { numbered } from './placeholders.js';
import type { PostgresChangeLog } from './postgres-change-log.js';
import { transaction, type AmbientTransaction } from './transaction.js';

const INSERT = `${numbered(ACTIVITY_SQL.insert)} RETURNING id`;
const DELETE_OLDER = numbered(ACTIVITY_SQL.deleteOlder);
const DELETE_BEYOND = numbered(ACTIVITY_SQL.deleteBeyond);

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
    let floor: number | undefined;
    if (filtered(filter)) {
      const window = activityWindowQuery(feed, before);
      const found = await this.pool.query<{ id: number }>(numbered(window.sql), window.params);
      floor = found.rows[0]?.id;
    }
    const { sql, params } = activityPageQuery(
      feed,
      filter,
      before,
      limit,
      (column, values) => [`${column} = ANY(?::text[])`, values],
      floor,
    );
    const { rows } = await this.pool.query<ActivityRow>(numbered(sql), params);
    return activityPage(rows, limit, activityOfRow, floor);
  }

  async prune(options: { cutoff?: number; keepRows?: number }): Promise<number> {
    await this.ready();
    let removed = 0;
    if (options.cutoff !== undefined) {
      removed += (await this.pool.query(DELETE_OLDER, [options.cutoff])).rowCount!;
    }
    if (options.keepRows !== undefined) {
      const result = await this.pool.query(DELETE_BEYOND, [Math.max(0, options.keepRows)]);
      removed += result.rowCount ?? 0;
    }
    return removed;
  }

  async newestTime(): Promise<number> {
    await this.ready();
    const { rows } = await this.pool.query<{ t: number | null }>(ACTIVITY_SQL.newestTime);
    return rows[0]?.t ?? 0;
  }

  async count(): Promise<number> {
    await this.ready();
    const { rows } = await this.pool.query<{ n: number }>(ACTIVITY_SQL.count);
    return rows[0]?.n ?? 0;
  }
}
