/**
 * Notifications in SQLite (tables of migrations 1 and 3): `notifications` holds each one once,
 * `notification_recipients` one row per recipient with `read_at`. A recipient's history pages by
 * the recipient row's `seq` on the `(user_id, seq)` index; the unread count reads a partial index.
 */
import type Database from 'better-sqlite3';
import type { Notification, NotificationAction } from '../../protocol/index.js';
import {
  NOTIFICATION_INSERT_COLUMNS,
  notificationOfRow,
  notificationValues,
  type NotificationData,
  type NotificationRow,
} from './notification-rows.js';
import {
  MAX_UNREAD_ABOUT,
  type NotificationRepository,
  type RecipientPage,
  type StoredNotification,
  type UnreadAbout,
  type UnreadTally,
} from './notification-repository.js';
import type { ChangeRecorder } from '../webhooks/change-log.js';

/** A row as SQLite returns it: the JSON columns still text. */
type Row = Omit<NotificationRow, 'actions' | 'data'> & {
  actions: string | null;
  data: string;
};

function fromRow(row: Row): Notification {
  return notificationOfRow({
    ...row,
    actions: row.actions === null ? null : (JSON.parse(row.actions) as NotificationAction[]),
    data: JSON.parse(row.data) as NotificationData,
  });
}

export class SqliteNotifications implements NotificationRepository {
  private readonly insertNotification: Database.Statement<unknown[]>;
  private readonly insertRecipient: Database.Statement<[string, string]>;
  private readonly selectOrders: Database.Statement<[string], { user_id: string; seq: number }>;
  private readonly selectPage: Database.Statement<[string, number, number], Row>;
  private readonly countUnread: Database.Statement<[string, string], UnreadTally>;
  private readonly countUnreadAbout: Database.Statement<[string, number, number], UnreadAbout>;
  private readonly readSome: Database.Statement<[number, string, string], { id: string }>;
  private readonly readAll: Database.Statement<[number, string]>;
  private readonly deleteOld: Database.Statement<[number]>;
  private readonly selectNewest: Database.Statement<[], { t: number | null }>;
  private readonly markAndCount: (
    userId: string,
    ids: readonly string[] | 'all',
    at: number,
  ) => { ids: string[] | 'all' } & UnreadTally;
  private readonly insertAll: (
    n: StoredNotification,
    recipients: readonly string[],
  ) => Map<string, number>;

  /**
   * `recordChange` appends each notification (with its recipients' ids) to the change log in the
   * insert's transaction.
   */
  constructor(
    private readonly db: Database.Database,
    private readonly recordChange?: ChangeRecorder,
  ) {
    this.insertNotification = db.prepare(
      `INSERT INTO notifications (${NOTIFICATION_INSERT_COLUMNS})
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO NOTHING`,
    );
    this.selectOrders = db.prepare(
      `SELECT user_id, seq FROM notification_recipients WHERE notification_id = ?`,
    );
    this.insertRecipient = db.prepare(
      `INSERT OR IGNORE INTO notification_recipients (user_id, notification_id) VALUES (?, ?)`,
    );
    this.selectPage = db.prepare(
      `SELECT r.seq, n.id, n.created_at, n.kind, n.priority, n.title, n.body, n.actions, n.data,
              r.read_at
         FROM notification_recipients r JOIN notifications n ON n.id = r.notification_id
        WHERE r.user_id = ? AND r.seq < ?
        ORDER BY r.seq DESC
        LIMIT ?`,
    );
    this.countUnread = db.prepare(
      `SELECT (SELECT COUNT(*) FROM notification_recipients WHERE user_id = ? AND read_at IS NULL)
                AS unread,
              (SELECT COALESCE(MAX(seq), 0) FROM notification_recipients WHERE user_id = ?) AS upTo`,
    );
    this.countUnreadAbout = db.prepare(
      `SELECT json_extract(n.data, '$.entity.type') AS type,
              json_extract(n.data, '$.entity.id') AS id, COUNT(*) AS count
         FROM notification_recipients r JOIN notifications n ON n.id = r.notification_id
        WHERE r.user_id = ? AND r.read_at IS NULL AND r.seq <= ?
          AND json_extract(n.data, '$.entity.type') IS NOT NULL
        GROUP BY 1, 2
        ORDER BY MAX(r.seq) DESC
        LIMIT ?`,
    );
    this.readSome = db.prepare(
      `UPDATE notification_recipients SET read_at = COALESCE(read_at, ?)
        WHERE user_id = ? AND notification_id IN (SELECT value FROM json_each(?))
        RETURNING notification_id AS id`,
    );
    this.readAll = db.prepare(
      `UPDATE notification_recipients SET read_at = ? WHERE user_id = ? AND read_at IS NULL`,
    );
    this.deleteOld = db.prepare('DELETE FROM notifications WHERE created_at < ?');
    this.selectNewest = db.prepare('SELECT MAX(created_at) AS t FROM notifications');
    // One transaction, also with other processes writing the file: what `'all'` marked is
    // exactly what the count reaches (`upTo`), so a client knows which notifications it read.
    this.markAndCount = db.transaction(
      (userId: string, ids: readonly string[] | 'all', at: number) => {
        let applied: string[] | 'all';
        if (ids === 'all') {
          this.readAll.run(at, userId);
          applied = 'all';
        } else {
          applied =
            ids.length === 0
              ? []
              : this.readSome.all(at, userId, JSON.stringify(ids)).map((r) => r.id);
        }
        return { ids: applied, ...this.tally(userId) };
      },
    );
    this.insertAll = db.transaction((n: StoredNotification, recipients: readonly string[]) => {
      if (this.insertNotification.run(...notificationValues(n)).changes === 0) {
        // Stored by a try whose answer was lost: its rows, and its change-log entry, are there.
        return new Map(this.selectOrders.all(n.id).map((row) => [row.user_id, row.seq]));
      }
      // A row's `seq` is its order: SQLite writes one transaction at a time, so rows commit in
      // the order of their numbers.
      const orders = new Map<string, number>();
      for (const userId of recipients) {
        const row = this.insertRecipient.run(userId, n.id);
        if (row.changes > 0) orders.set(userId, Number(row.lastInsertRowid));
      }
      this.recordChange?.({
        kind: 'notification',
        entity: n.entity,
        at: n.createdAt,
        data: { ...n, recipients },
      });
      return orders;
    });
  }

  // async so that SQLite errors reject the promise instead of throwing at the call.
  async insert(
    notification: StoredNotification,
    recipients: readonly string[],
  ): Promise<Map<string, number>> {
    return this.insertAll(notification, recipients);
  }

  async page(userId: string, before: number | undefined, limit: number): Promise<RecipientPage> {
    // One more than asked tells whether an older page exists.
    const rows = this.selectPage.all(userId, before ?? Number.MAX_SAFE_INTEGER, limit + 1);
    const more = rows.length > limit;
    if (more) rows.length = limit;
    return {
      items: rows.map(fromRow),
      next: more ? rows[rows.length - 1]!.seq : undefined,
      ...this.tally(userId),
    };
  }

  async unread(userId: string): Promise<UnreadTally> {
    return this.tally(userId);
  }

  private tally(userId: string): UnreadTally {
    return this.countUnread.get(userId, userId) ?? { unread: 0, upTo: 0 };
  }

  async unreadAbout(userId: string, upTo: number): Promise<UnreadAbout[]> {
    return this.countUnreadAbout.all(userId, upTo, MAX_UNREAD_ABOUT);
  }

  async markRead(
    userId: string,
    ids: readonly string[] | 'all',
    at: number,
  ): Promise<{ ids: string[] | 'all' } & UnreadTally> {
    return this.markAndCount(userId, ids, at);
  }

  async deleteBefore(cutoff: number): Promise<number> {
    return this.deleteOld.run(cutoff).changes;
  }

  async newestTime(): Promise<number> {
    return this.selectNewest.get()?.t ?? 0;
  }
}
