/**
 * Notifications: persisted, targeted at a user, a room or an entity, with read state per recipient.
 * Live delivery is a sequenced room event named `notification` in the target's room (a user's own
 * room is `user:<id>`), so resume covers it; history and read state come from request frames.
 */
import * as z from 'zod/mini';
import { RequestId, RoomName, UserId, UserProfile } from './common.js';
import { EntityRef } from './entities.js';

export const NotificationType = z.enum(['info', 'success', 'warning', 'error']);
export const NotificationPriority = z.enum(['low', 'normal', 'high', 'urgent']);
export type NotificationType = z.infer<typeof NotificationType>;
export type NotificationPriority = z.infer<typeof NotificationPriority>;

/**
 * Links are rendered as `<a href>`: only `https:`, `http:` and same-site paths are accepted. A path
 * may not start with `//` or `/\`, which browsers read as another host (`/\evil.example/login`),
 * and no URL may hold whitespace or control characters, which browsers drop before reading it.
 */
export const SafeUrl = z
  .string()
  .check(z.maxLength(2048), z.regex(/^(?:https?:\/\/|\/(?![/\\]))[^\s\p{Cc}]*$/iu));

export const NotificationAction = z.union([
  z.object({ label: z.string().check(z.minLength(1), z.maxLength(64)), url: SafeUrl }),
  z.object({
    label: z.string().check(z.minLength(1), z.maxLength(64)),
    event: z.string().check(z.minLength(1), z.maxLength(64)),
  }),
]);
export type NotificationAction = z.infer<typeof NotificationAction>;

export const NotificationTarget = z.union([
  z.object({ user: UserId }),
  z.object({ room: RoomName }),
  z.object({ entity: EntityRef }),
]);
export type NotificationTarget = z.infer<typeof NotificationTarget>;

/** What a client (`emit(room, 'notification', …)`) or a backend (HTTP) sends. */
export const NotificationInput = z.object({
  target: NotificationTarget,
  type: z._default(NotificationType, 'info'),
  priority: z._default(NotificationPriority, 'normal'),
  title: z.string().check(z.minLength(1), z.maxLength(200)),
  message: z.optional(z.string().check(z.maxLength(2000))),
  entity: z.optional(EntityRef),
  actions: z.optional(z.array(NotificationAction).check(z.maxLength(3))),
});
export type NotificationInput = z.infer<typeof NotificationInput>;

/**
 * How far an unread count reaches: the largest `order` among the user's notifications (read or
 * not) when it was counted, 0 when they had none. A live notification whose `order` is not larger
 * was counted already (its event can arrive after the count: it was stored, counted for a read in
 * another tab, and delivered after); one whose `order` is larger was not, and adds one to the
 * count, also when it arrived before the count did.
 */
export const UnreadUpTo = z.number().check(z.int(), z.nonnegative());

export const Notification = z.object({
  id: z.string(),
  target: NotificationTarget,
  type: NotificationType,
  priority: NotificationPriority,
  title: z.string(),
  message: z.optional(z.string()),
  entity: z.optional(EntityRef),
  actions: z.optional(z.array(NotificationAction)),
  from: z.optional(UserProfile),
  createdAt: z.number(),
  read: z.boolean(),
  /**
   * Its place among the recipient's notifications: larger for one stored for them later. Sent in
   * the live event, to compare with the `unreadUpTo` of unread counts (a count that covered it
   * already counted it). Optional: a server without it leaves the client adding one per live
   * event, as before.
   */
  order: z.optional(z.number().check(z.int(), z.gte(1))),
});
export type Notification = z.infer<typeof Notification>;

/** Page through the current user's notifications, newest first. */
export const NotificationListFrame = z.object({
  type: z.literal('notification.list'),
  id: RequestId,
  before: z.optional(z.string().check(z.maxLength(128))),
  limit: z.optional(z.number().check(z.int(), z.gte(1), z.lte(100))),
});

/**
 * The place of an unread count among the counts one connection was sent: 1, 2, … in the order
 * the server began computing them. Counts are computed concurrently and one can take long (the
 * authorization hook is asked which entities the user may read), so a count begun earlier can
 * arrive after one begun later: a client keeps the count with the highest number and ignores an
 * older one. Optional: a server without it leaves the client taking every count as it comes.
 */
export const UnreadSeq = z.number().check(z.int(), z.gte(1));

export const NotificationPageFrame = z.object({
  type: z.literal('notification.page'),
  replyTo: RequestId,
  items: z.array(Notification),
  nextCursor: z.optional(z.string()),
  unread: z.number().check(z.int(), z.nonnegative()),
  unreadSeq: z.optional(UnreadSeq),
  unreadUpTo: z.optional(UnreadUpTo),
});

/** Mark some notifications read, or all of them. Answered with `notification.read-state`. */
export const NotificationReadFrame = z.object({
  type: z.literal('notification.read'),
  id: RequestId,
  ids: z.union([z.literal('all'), z.array(z.string()).check(z.maxLength(200))]),
});

export const NotificationReadStateFrame = z.object({
  type: z.literal('notification.read-state'),
  replyTo: z.optional(RequestId),
  ids: z.union([z.literal('all'), z.array(z.string())]),
  unread: z.number().check(z.int(), z.nonnegative()),
  unreadSeq: z.optional(UnreadSeq),
  unreadUpTo: z.optional(UnreadUpTo),
  /**
   * For `ids: "all"`: the largest `order` the read of all marked, 0 when it marked none. The
   * count can reach further (`unreadUpTo`: a tab told of another tab's read is sent a count made
   * after it, which has the notifications stored since, unread); those above this one are not
   * read. Absent: the read reached what its count does (`unreadUpTo`).
   */
  readUpTo: z.optional(UnreadUpTo),
});

export type NotificationListFrame = z.infer<typeof NotificationListFrame>;
export type NotificationPageFrame = z.infer<typeof NotificationPageFrame>;
export type NotificationReadFrame = z.infer<typeof NotificationReadFrame>;
export type NotificationReadStateFrame = z.infer<typeof NotificationReadStateFrame>;

export { userRoom } from './rooms.js';
