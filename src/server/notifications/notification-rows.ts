/**
 * How a notification is laid out in the SQL stores (SQLite and PostgreSQL keep the same columns):
 * the priority as its rank, the target as a kind and a key (for the recipient queries), and what
 * has no column of its own in a JSON `data` column. One module, so the two stores cannot drift.
 */
import type { StoredNotification } from './notification-repository.js';
import type {
  EntityRef,
  Notification,
  NotificationAction,
  NotificationPriority,
  NotificationTarget,
  NotificationType,
  UserProfile,
} from '../../protocol/index.js';

/** Stored as their index: `priority` orders rows in SQL. */
export const PRIORITIES: readonly NotificationPriority[] = ['low', 'normal', 'high', 'urgent'];

/** What `data` holds: the parts that have no column of their own. */
export interface NotificationData {
  target: NotificationTarget;
  entity?: EntityRef;
  from?: UserProfile;
}

/** A selected notification row with its JSON columns parsed (each driver parses its own way). */
export interface NotificationRow {
  id: string;
  created_at: number;
  kind: NotificationType;
  priority: number;
  title: string;
  body: string | null;
  actions: NotificationAction[] | null;
  data: NotificationData;
  read_at: number | null;
  /** The recipient row's number: the notification's `order` among the recipient's. */
  seq: number;
}

/** The target's kind and key columns: `user`/id, `room`/name or `entity`/`type:id`. */
export function targetColumns(target: NotificationTarget): { kind: string; target: string } {
  if ('user' in target) return { kind: 'user', target: target.user };
  if ('room' in target) return { kind: 'room', target: target.room };
  return { kind: 'entity', target: `${target.entity.type}:${target.entity.id}` };
}

/** What goes into the `data` column of `n`. */
export function notificationData(n: {
  target: NotificationTarget;
  entity?: EntityRef | undefined;
  from?: UserProfile | undefined;
}): NotificationData {
  const data: NotificationData = { target: n.target };
  if (n.entity) data.entity = n.entity;
  if (n.from) data.from = n.from;
  return data;
}

/** The columns an insert into `notifications` writes, in the order of `notificationValues`. */
export const NOTIFICATION_INSERT_COLUMNS =
  'id, created_at, target_kind, target, kind, priority, title, body, actions, data';

/** The values of `NOTIFICATION_INSERT_COLUMNS` for `n`; JSON columns as text. */
export function notificationValues(n: StoredNotification): unknown[] {
  const { kind, target } = targetColumns(n.target);
  return [
    n.id,
    n.createdAt,
    kind,
    target,
    n.type,
    Math.max(0, PRIORITIES.indexOf(n.priority)),
    n.title,
    n.message ?? null,
    n.actions ? JSON.stringify(n.actions) : null,
    JSON.stringify(notificationData(n)),
  ];
}

/** The notification a row describes, as its recipient sees it. */
export function notificationOfRow(row: NotificationRow): Notification {
  const n: Notification = {
    id: row.id,
    target: row.data.target,
    type: row.kind,
    priority: PRIORITIES[row.priority] ?? 'normal',
    title: row.title,
    createdAt: row.created_at,
    read: row.read_at !== null,
    order: row.seq,
  };
  if (row.body !== null) n.message = row.body;
  if (row.data.entity) n.entity = row.data.entity;
  if (row.actions !== null) n.actions = row.actions;
  if (row.data.from) n.from = row.data.from;
  return n;
}
