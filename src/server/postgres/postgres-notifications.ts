/**
 * Notifications in PostgreSQL, as in SQLite (`../notifications/sqlite-notifications.ts`):
 * `notifications` holds each one once, `notification_recipients` one row per recipient with
 * `read_at`; a recipient's history pages by the recipient row's `seq`.
 */
import type pg from 'pg';
import {
  NOTIFICATION_INSERT_COLUMNS,
  notificationOfRow,
  notificationValues,
  type NotificationRow,
} from '../notifications/notification-rows.js';
import {
  MAX_UNREAD_ABOUT,
  type NotificationRepository,
  type RecipientPage,
  type StoredNotification,
  type UnreadAbout,
} from '../notifications/notification-repository.js';
import type { PostgresChangeLog } from './postgres-change-log.js';
import { transaction } from './transaction.js';

/** The driver parses the JSON columns: a selected row is already a `NotificationRow`. */
interface Row extends NotificationRow {
  seq: number;
}

const COUNT_UNREAD =
  'SELECT COUNT(*) AS n FROM notification_recipients WHERE user_id = $1 AND read_at IS NULL';

export class PostgresNotifications implements NotificationRepository {
  /** `changeLog`: each notification (with its recipients) is appended in its insert's transaction. */
  constructor(
    private readonly pool: pg.Pool,
    private readonly ready: () => Promise<void>,
    private readonly changeLog?: PostgresChangeLog,
  ) {}

  async insert(n: StoredNotification, recipients: readonly string[]): Promise<void> {
    await this.ready();
    await transaction(this.pool, async (client) => {
      await client.query(
        `INSERT INTO notifications (${NOTIFICATION_INSERT_COLUMNS})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        notificationValues(n),
      );
      // One statement for every recipient, in the order given (their rows page in that order).
      await client.query(
        `INSERT INTO notification_recipients (user_id, notification_id)
         SELECT u, $2 FROM unnest($1::text[]) WITH ORDINALITY AS r(u, i) ORDER BY i
         ON CONFLICT DO NOTHING`,
        [recipients, n.id],
      );
      await this.changeLog?.append(client, {
        kind: 'notification',
        entity: n.entity,
        at: n.createdAt,
        data: { ...n, recipients },
      });
    });
    this.changeLog?.appended();
  }

  async page(userId: string, before: number | undefined, limit: number): Promise<RecipientPage> {
    await this.ready();
    const [page, unread] = await Promise.all([
      // One more than asked tells whether an older page exists.
      this.pool.query<Row>(
        `SELECT r.seq, n.id, n.created_at, n.kind, n.priority, n.title, n.body, n.actions,
                n.data, r.read_at
           FROM notification_recipients r JOIN notifications n ON n.id = r.notification_id
          WHERE r.user_id = $1 AND r.seq < $2
          ORDER BY r.seq DESC
          LIMIT $3`,
        [userId, before ?? Number.MAX_SAFE_INTEGER, limit + 1],
      ),
      this.unread(userId),
    ]);
    const rows = page.rows;
    const more = rows.length > limit;
    if (more) rows.length = limit;
    return {
      items: rows.map(notificationOfRow),
      next: more ? rows[rows.length - 1]!.seq : undefined,
      unread,
    };
  }

  async unread(userId: string): Promise<number> {
    await this.ready();
    const { rows } = await this.pool.query<{ n: number }>(COUNT_UNREAD, [userId]);
    return rows[0]?.n ?? 0;
  }

  async unreadAbout(userId: string): Promise<UnreadAbout[]> {
    await this.ready();
    const { rows } = await this.pool.query<UnreadAbout>(
      `SELECT n.data->'entity'->>'type' AS type, n.data->'entity'->>'id' AS id,
              COUNT(*)::int AS count
         FROM notification_recipients r JOIN notifications n ON n.id = r.notification_id
        WHERE r.user_id = $1 AND r.read_at IS NULL AND n.data->'entity'->>'type' IS NOT NULL
        GROUP BY 1, 2
        ORDER BY MAX(r.seq) DESC
        LIMIT $2`,
      [userId, MAX_UNREAD_ABOUT],
    );
    return rows;
  }

  async markRead(
    userId: string,
    ids: readonly string[] | 'all',
    at: number,
  ): Promise<{ ids: string[] | 'all'; unread: number }> {
    await this.ready();
    let applied: string[] | 'all';
    if (ids === 'all') {
      await this.pool.query(
        'UPDATE notification_recipients SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL',
        [at, userId],
      );
      applied = 'all';
    } else if (ids.length === 0) {
      applied = [];
    } else {
      const { rows } = await this.pool.query<{ id: string }>(
        `UPDATE notification_recipients SET read_at = COALESCE(read_at, $1)
          WHERE user_id = $2 AND notification_id = ANY($3::text[])
          RETURNING notification_id AS id`,
        [at, userId, ids],
      );
      applied = rows.map((r) => r.id);
    }
    return { ids: applied, unread: await this.unread(userId) };
  }

  async deleteBefore(cutoff: number): Promise<number> {
    await this.ready();
    const result = await this.pool.query('DELETE FROM notifications WHERE created_at < $1', [
      cutoff,
    ]);
    return result.rowCount ?? 0;
  }

  async newestTime(): Promise<number> {
    await this.ready();
    const { rows } = await this.pool.query<{ t: number | null }>(
      'SELECT MAX(created_at) AS t FROM notifications',
    );
    return rows[0]?.t ?? 0;
  }
}
