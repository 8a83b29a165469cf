/**
 * Activity: an append-only log of what happened (entity changes, backend events), read as paged
 * feeds and tailed live. A feed's live tail is the room `activity:<feed>` (e.g.
 * `activity:global`, `activity:user:u1`, `activity:customer:42`) carrying sequenced `activity` events.
 */
import * as z from 'zod/mini';
import { Json, RequestId, UserId, UserProfile } from './common.js';
import { EntityId, EntityRef, FieldName } from './entities.js';

export const FeedRef = z.union([
  z.object({ kind: z.literal('global') }),
  z.object({ kind: z.literal('user'), userId: UserId }),
  /** A customer and its related calls and meetings. */
  z.object({ kind: z.literal('customer'), entityId: EntityId }),
]);
export type FeedRef = z.infer<typeof FeedRef>;

/** Kinds are open-ended (`entity.updated`, `call.logged`, `meeting.scheduled`, …). */
export const ActivityKind = z
  .string()
  .check(z.minLength(1), z.maxLength(64), z.regex(/^[a-z][a-z0-9_.-]*$/));

export const FieldChange = z.object({
  field: FieldName,
  from: z.optional(Json),
  to: z.optional(Json),
});
export type FieldChange = z.infer<typeof FieldChange>;

export const ActivityItem = z.object({
  id: z.string(),
  kind: ActivityKind,
  actor: z.optional(UserProfile),
  entity: z.optional(EntityRef),
  /** The customer this item belongs to, for the customer feed. */
  customerId: z.optional(EntityId),
  changes: z.optional(z.array(FieldChange)),
  summary: z.optional(z.string().check(z.maxLength(500))),
  at: z.number(),
});
export type ActivityItem = z.infer<typeof ActivityItem>;

/** What a backend publishes over HTTP for events that are not entity changes. */
export const ActivityInput = z.object({
  kind: ActivityKind,
  actor: z.optional(UserProfile),
  entity: z.optional(EntityRef),
  customerId: z.optional(EntityId),
  changes: z.optional(z.array(FieldChange).check(z.maxLength(100))),
  summary: z.optional(z.string().check(z.maxLength(500))),
});
export type ActivityInput = z.infer<typeof ActivityInput>;

export const ActivityFilter = z.object({
  kinds: z.optional(z.array(ActivityKind).check(z.maxLength(20))),
  actors: z.optional(z.array(UserId).check(z.maxLength(50))),
});
export type ActivityFilter = z.infer<typeof ActivityFilter>;

/** Page through a feed, newest first. `before` is the cursor of the previous page. */
export const ActivityListFrame = z.object({
  type: z.literal('activity.list'),
  id: RequestId,
  feed: FeedRef,
  before: z.optional(z.string().check(z.maxLength(128))),
  limit: z.optional(z.number().check(z.int(), z.gte(1), z.lte(200))),
  filter: z.optional(ActivityFilter),
});

export const ActivityPageFrame = z.object({
  type: z.literal('activity.page'),
  replyTo: RequestId,
  items: z.array(ActivityItem),
  nextCursor: z.optional(z.string()),
});

export type ActivityListFrame = z.infer<typeof ActivityListFrame>;
export type ActivityPageFrame = z.infer<typeof ActivityPageFrame>;

export { feedRoom } from './rooms.js';
