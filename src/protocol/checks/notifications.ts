/**
 * Checks of the notifications capability's frames and values, without zod: written by
 * scripts/write-frame-checks.ts from the zod/mini schemas of src/protocol/; do not edit (run
 * `node --import tsx scripts/write-frame-checks.ts` after changing a schema).
 */
import type * as z from 'zod/mini';
import {
  array,
  boolean,
  entityRef,
  entityType,
  literal,
  number,
  object,
  oneOf,
  optional,
  string,
  union,
  withDefault,
  type Check,
} from './combinators.js';
import { requestId, roomName, userId, userProfile } from '../server-frame-checks.js';
import type { Notification, NotificationInput } from '../notifications.js';

const notificationTarget = union(
  object({ user: userId }),
  object({ room: roomName }),
  object({ entity: entityRef }),
);
const notificationType = oneOf(['info', 'success', 'warning', 'error']);
const notificationPriority = oneOf(['low', 'normal', 'high', 'urgent']);
const safeUrl = string(0, 2048, /^(?:https?:\/\/|\/(?![/\\]))[^\s\p{Cc}]*$/iu);
const notificationAction = union(
  object({ label: string(1, 64), url: safeUrl }),
  object({ label: string(1, 64), event: string(1, 64) }),
);
export const notification = object({
  id: string(0, Infinity),
  target: notificationTarget,
  type: notificationType,
  priority: notificationPriority,
  title: string(0, Infinity),
  message: optional(string(0, Infinity)),
  entity: optional(entityRef),
  actions: optional(array(notificationAction)),
  from: optional(userProfile),
  createdAt: number(),
  read: boolean,
  order: optional(number(1, true)),
}) as Check<z.output<typeof Notification>>;
export const notificationInput = object({
  target: notificationTarget,
  type: withDefault(notificationType, 'info'),
  priority: withDefault(notificationPriority, 'normal'),
  title: string(1, 200),
  message: optional(string(0, 2000)),
  entity: optional(entityRef),
  actions: optional(array(notificationAction, 3)),
}) as Check<z.output<typeof NotificationInput>>;
const unreadSeq = number(1, true);
const unreadUpTo = number(0, true);

/** The server frames of the capability, by `type`. */
export const FRAMES: Readonly<Record<string, Check>> = {
  'entity.rules-changed': object({
    type: literal('entity.rules-changed'),
    types: array(entityType, 500),
    reads: optional(literal(true)),
  }),
  'notification.page': object({
    type: literal('notification.page'),
    replyTo: requestId,
    items: array(notification),
    nextCursor: optional(string(0, Infinity)),
    unread: number(0, true),
    unreadSeq: optional(unreadSeq),
    unreadUpTo: optional(unreadUpTo),
  }),
  'notification.read-state': object({
    type: literal('notification.read-state'),
    replyTo: optional(requestId),
    ids: union(literal('all'), array(string(0, Infinity))),
    unread: number(0, true),
    unreadSeq: optional(unreadSeq),
    unreadUpTo: optional(unreadUpTo),
    readUpTo: optional(unreadUpTo),
  }),
};
