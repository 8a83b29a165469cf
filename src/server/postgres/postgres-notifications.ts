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
  type UnreadTally,
} from '../notifications/notification-repository.js';
import type { PostgresChangeLog } from './postgres-change-log.js';
import { transaction } from './transaction.js';

/** The driver parses the JSON columns: a selected row is already a `NotificationRow`. */
type Row = NotificationRow;

/** The count and how far it reaches in one statement, so both are of one snapshot. */
const COUNT_UNREAD = `SELECT
  (SELECT COUNT(*) FROM notification_recipients WHERE user_id = $1 AND read_at IS NULL) AS unread,
  (SELECT COALESCE(MAX(seq), 0) FROM notification_recipients WHERE user_id = $1) AS "upTo"`;

/**
 * The advisory lock class of a recipient's rows ("crmn" in ASCII), taken as `(class, key)`: two
 * 32-bit keys, a lock space apart from the change log's 64-bit key.
 */
const RECIPIENT_LOCK_CLASS = 0x63726d6e;

export class PostgresNotifications implements NotificationRepository {
  /** `changeLog`: each notification (with its recipients) is appended in its insert's transaction. */
  constructor(
    private readonly pool: pg.Pool,
    private readonly ready: () => Promise<void>,
    private readonly changeLog?: PostgresChangeLog,
  ) {}

  async insert(n: StoredNotification, recipients: readonly string[]): Promise<Map<string, number>> {
    await this.ready();
    const orders = new Map<string, number>();
    let appended = false;
    await transaction(this.pool, async (client) => {
      const added = await client.query(
        `INSERT INTO notifications (${NOTIFICATION_INSERT_COLUMNS})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (id) DO NOTHING`,
        notificationValues(n),
      );
      if (added.rowCount === 0) {
        // Stored by a try whose commit's answer was lost: its rows, and its change-log entry,
        // are there.
        const { rows } = await client.query<{ user_id: string; seq: number }>(
          'SELECT user_id, seq FROM notification_recipients WHERE notification_id = $1',
          [n.id],
        );
        for (const row of rows) orders.set(row.user_id, row.seq);
        return;
      }
      appended = true;
      // A row's `seq` is its order, so a recipient's rows must commit in the order of their
      // numbers: a count that saw row 11 but not row 10 (numbered first, committed after) would
      // reach 10 without counting it, and row 10's live event would then add nothing. Each
      // recipient's lock (their bucket's), held until commit, makes their rows numbered and
      // committed one transaction at a time. Taken in key order, so two transactions locking
      // the same buckets cannot deadlock.
      await client.query('SELECT pg_advisory_xact_lock($1, k) FROM unnest($2::int4[]) AS k', [
        RECIPIENT_LOCK_CLASS,
        recipientLockKeys(recipients),
      ]);
      // One statement for every recipient, in the order given (their rows page in that order).
      const { rows } = await client.query<{ user_id: string; seq: number }>(
        `INSERT INTO notification_recipients (user_id, notification_id)
         SELECT u, $2 FROM unnest($1::text[]) WITH ORDINALITY AS r(u, i) ORDER BY i
         ON CONFLICT DO NOTHING
         RETURNING user_id, seq`,
        [recipients, n.id],
      );
      for (const row of rows) orders.set(row.user_id, row.seq);
      await this.changeLog?.append(client, {
        kind: 'notification',
        entity: n.entity,
        at: n.createdAt,
        data: { ...n, recipients },
      });
    });
    if (appended) this.changeLog?.appended();
    return orders;
  }

  async page(userId: string, before: number | undefined, limit: number): Promise<RecipientPage> {
    await this.ready();
    const [page, tally] = await Promise.all([
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
      ...tally,
    };
  }

  async unread(userId: string): Promise<UnreadTally> {
    await this.ready();
    const { rows } = await this.pool.query<UnreadTally>(COUNT_UNREAD, [userId]);
    return rows[0] ?? { unread: 0, upTo: 0 };
  }

  async unreadAbout(userId: string, upTo: number): Promise<UnreadAbout[]> {
    await this.ready();
    const { rows } = await this.pool.query<UnreadAbout>(
      `SELECT n.data->'entity'->>'type' AS type, n.data->'entity'->>'id' AS id,
              COUNT(*)::int AS count
         FROM notification_recipients r JOIN notifications n ON n.id = r.notification_id
        WHERE r.user_id = $1 AND r.read_at IS NULL AND r.seq <= $3
          AND n.data->'entity'->>'type' IS NOT NULL
        GROUP BY 1, 2
        ORDER BY MAX(r.seq) DESC
        LIMIT $2`,
      [userId, MAX_UNREAD_ABOUT, upTo],
    );
    return rows;
  }

  async markRead(
    userId: string,
    ids: readonly string[] | 'all',
    at: number,
  ): Promise<{ ids: string[] | 'all' } & UnreadTally> {
    await this.ready();
    let applied: string[] | 'all';
    if (ids === 'all') {
      // One statement, one snapshot: the update marks every row the snapshot holds, so none is
      // left unread in it, and how far the count reaches is what was marked. A row committed
      // after it was numbered after those (the recipient's lock, see `insert`).
      const { rows } = await this.pool.query<UnreadTally>(
        `WITH marked AS (
           UPDATE notification_recipients SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL
         )
         SELECT 0 AS unread,
                (SELECT COALESCE(MAX(seq), 0) FROM notification_recipients WHERE user_id = $2)
                  AS "upTo"`,
        [at, userId],
      );
      return { ids: 'all', ...(rows[0] ?? { unread: 0, upTo: 0 }) };
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
    return { ids: applied, ...(await this.unread(userId)) };
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

/**
 * How many locks recipients share: a notification to a room of hundreds takes at most this many
 * (PostgreSQL's lock table is shared and bounded), and notifications to people of one bucket
 * are stored one at a time, a short wait.
 */
const RECIPIENT_LOCKS = 32;

/** The recipients' lock keys (an FNV-1a hash of their id, in buckets), once each, in order. */
function recipientLockKeys(recipients: readonly string[]): number[] {
  const keys = new Set<number>();
  for (const id of recipients) {
    let h = 0x811c9dc5;
    for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
    keys.add((h >>> 0) % RECIPIENT_LOCKS);
  }
  return [...keys].sort((a, b) => a - b);
}
