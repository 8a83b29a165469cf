/**
 * The notification frames: `emit(room, 'notification', NotificationInput)`,
 * `notification.list` and `notification.read`.
 *
 * Who may send what (the default; the authorization hook decides the rest):
 * - the input must be a valid `NotificationInput` (`bad_frame`); the emit's room is only the
 *   channel (the client sends through its own `user:<id>` room) and must be joined like any emit;
 * - a room or entity target needs the sender's connection to be in that room (`forbidden`):
 *   people notify the rooms they are in, not rooms they could join;
 * - then the hook is asked `{ action: 'notify', room }` with the target's room (`user:<id>` for a
 *   user target, with `sharesRoom`: whether that user is present in a room this connection has
 *   joined); it may refuse (`forbidden`). By default a user may notify themselves and the people
 *   sharing a room with them, nobody else (see `defaultAuthorize`).
 */
import * as z from 'zod/mini';
import {
  NotificationInput,
  type EmitFrame,
  type NotificationListFrame,
  type NotificationReadFrame,
  type UserProfile,
} from '../../protocol/index.js';
import { ENVELOPE_BYTES } from '../chunk.js';
import type { Connection } from '../connection.js';
import type { AuthorizeHook } from '../authorize.js';
import type { ServerClock } from '../clock.js';
import type { WriteBudget } from '../../util/write-budget.js';
import type { ServerLimits } from '../config.js';
import type { SomeFrameHandlers } from '../frame-handlers.js';
import { hookFor } from '../permissions/permissions.js';
import type { Presence } from '../presence.js';
import { answering, permitted, type RequestDeps } from './requests.js';
import { targetRoom, type NotificationService } from './notification-service.js';
import type { UnreadCounts } from './unread-counts.js';

/** Default page size of `notification.list` when the client gives no `limit`. */
const DEFAULT_LIMIT = 20;

/** What notifications need of the server. */
export interface NotificationFrameDeps extends RequestDeps {
  readonly limits: Pick<ServerLimits, 'maxFrameBytes'>;
  readonly authorize: AuthorizeHook;
  readonly presence: Pick<Presence, 'snapshot'>;
  readonly notifications: NotificationService;
  /** The unread counts each connection is sent, stamped (`unreadSeq`). */
  readonly unreadCounts: UnreadCounts;
  /**
   * Notifications of the user were marked read: tells each of their connections in their room,
   * on every process, with its own count (`UserControl.notificationsRead`). Never rejects.
   * `readUpTo`: for `'all'`, the largest order the read of all marked.
   */
  readonly readStateChanged: (
    userId: string,
    ids: string[] | 'all',
    readUpTo: number | undefined,
  ) => Promise<void>;
  /** Why notifications cannot be delivered live right now (Redis down); undefined when they can. */
  readonly unavailable?: (() => string | undefined) | undefined;
  /**
   * The bytes each user may have stored a minute (the session takes a frame's bytes from it):
   * a notification to a room is also charged for each of its recipients.
   */
  readonly writeBudget?: WriteBudget | undefined;
  readonly clock?: ServerClock | undefined;
}

/**
 * What each recipient of a room or entity notification beyond the first costs the sender's write
 * budget: a row of their own with its indexes and a line in the change log, and a live event of
 * the whole notification. Charged on top of the frame: a notification is one frame whatever the
 * room's size, and a few hundred bytes to a room of five hundred people stored hundreds of
 * thousands of rows a minute under a budget that counted it once. Never more than a whole
 * minute's budget, so a notification to a very large room still goes, once a minute.
 */
export const BYTES_PER_RECIPIENT = 256;

/**
 * The frames notifications answer. `emit` of a `notification` event arrives through the room
 * handlers (`emitNotification`), since it is an emit like any other until its event name.
 */
export function notificationFrames(ctx: NotificationFrameDeps): SomeFrameHandlers<
  'notification.list' | 'notification.read'
> & {
  emitNotification: (connection: Connection, frame: EmitFrame) => Promise<void>;
} {
  return {
    'notification.list': (connection, frame) => listNotifications(ctx, connection, frame),
    'notification.read': (connection, frame) => readNotifications(ctx, connection, frame),
    emitNotification: (connection, frame) => emitNotification(ctx, connection, frame),
  };
}

async function emitNotification(
  ctx: NotificationFrameDeps,
  connection: Connection,
  frame: EmitFrame,
): Promise<void> {
  const user = connection.user!;
  const parsed = z.safeParse(NotificationInput, frame.payload);
  if (!parsed.success) {
    const message = `invalid notification: ${z.prettifyError(parsed.error)}`;
    connection.sendError('bad_frame', message, { replyTo: frame.id });
    return;
  }
  const input = parsed.data;
  const room = targetRoom(input.target);
  if (!('user' in input.target) && !connection.memberships.has(room)) {
    connection.sendError('forbidden', `join ${room} before notifying it`, {
      replyTo: frame.id,
      room,
    });
    return;
  }
  const target = input.target;
  const request =
    'user' in target
      ? {
          user,
          room,
          action: 'notify' as const,
          sharesRoom: sharesRoom(ctx, connection, target.user),
        }
      : { user, room, action: 'notify' as const };
  const refusal = { message: `not allowed to notify ${room}`, replyTo: frame.id, room };
  const decide = () => hookFor(ctx.authorize, connection)(request);
  if (!(await permitted(ctx, connection, refusal, 'notify', decide))) return;
  const down = ctx.unavailable?.();
  if (down !== undefined) {
    connection.sendError('internal', `notification not sent: ${down}, retry`, {
      replyTo: frame.id,
      room,
    });
    return;
  }
  await answering(ctx, connection, frame.id, async () => {
    const recipients = await ctx.notifications.recipientsOf(input.target, user);
    if (!chargeRecipients(ctx, user.id, recipients.length, frame)) {
      const kib = Math.round(ctx.writeBudget!.bytesPerMinute / 1024);
      connection.sendError(
        'rate_limited',
        `over ${kib} KiB stored a minute (${recipients.length} recipients): retry later`,
        { replyTo: frame.id, room },
      );
      return;
    }
    await ctx.notifications.send(input, user, recipients);
    if (frame.id !== undefined) connection.send({ type: 'ack', replyTo: frame.id });
  });
}

/**
 * Takes what a notification's recipients beyond the first cost; false when over the budget. At
 * most what a full budget holds besides the frame, which the session took already.
 */
function chargeRecipients(
  ctx: NotificationFrameDeps,
  userId: string,
  recipients: number,
  frame: EmitFrame,
): boolean {
  const budget = ctx.writeBudget;
  if (!budget || !ctx.clock || recipients <= 1 || budget.bytesPerMinute <= 0) return true;
  const most = budget.bytesPerMinute - Buffer.byteLength(JSON.stringify(frame));
  const bytes = Math.max(0, Math.min(most, (recipients - 1) * BYTES_PER_RECIPIENT));
  return budget.take(userId, bytes, ctx.clock.now());
}

/** Whether `userId` is present in one of the rooms this connection has joined. */
function sharesRoom(ctx: NotificationFrameDeps, connection: Connection, userId: string): boolean {
  for (const room of connection.memberships.rooms()) {
    if (room.startsWith('user:')) continue;
    if (ctx.presence.snapshot(room).some((person) => person.user.id === userId)) return true;
  }
  return false;
}

async function listNotifications(
  ctx: NotificationFrameDeps,
  connection: Connection,
  frame: NotificationListFrame,
): Promise<void> {
  const user: UserProfile = connection.user!;
  await answering(ctx, connection, frame.id, async () => {
    const unreadSeq = ctx.unreadCounts.begin(connection);
    const page = await ctx.notifications.list(
      user.id,
      frame.before,
      frame.limit ?? DEFAULT_LIMIT,
      ctx.limits.maxFrameBytes - ENVELOPE_BYTES,
    );
    page.unread = await ctx.unreadCounts.visible(connection, {
      unread: page.unread,
      // The service's pages say how far their count reaches; unbounded as before otherwise.
      upTo: page.unreadUpTo ?? Number.MAX_SAFE_INTEGER,
    });
    connection.send({ type: 'notification.page', replyTo: frame.id, ...page, unreadSeq });
  });
}

async function readNotifications(
  ctx: NotificationFrameDeps,
  connection: Connection,
  frame: NotificationReadFrame,
): Promise<void> {
  const user: UserProfile = connection.user!;
  await answering(ctx, connection, frame.id, async () => {
    const unreadSeq = ctx.unreadCounts.begin(connection);
    const { ids, unread, upTo } = await ctx.notifications.markRead(user.id, frame.ids);
    // The user's connections (this one too: the tabs sharing it) are told with their own counts,
    // while this one's answer is computed: what this connection may see is its own.
    // A read of all marked up to its count's reach: the others' counts, made later, can reach
    // further (notifications stored since), so they are told how far the read went.
    const readUpTo = ids === 'all' ? upTo : undefined;
    const told = ctx.readStateChanged(user.id, ids, readUpTo);
    const visible = await ctx.unreadCounts.visible(connection, { unread, upTo });
    connection.send({
      type: 'notification.read-state',
      replyTo: frame.id,
      ids,
      unread: visible,
      unreadSeq,
      unreadUpTo: upTo,
      ...(readUpTo !== undefined ? { readUpTo } : {}),
    });
    await told;
  });
}
