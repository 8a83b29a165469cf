/**
 * Checks of the activity capability's frames and values, without zod: written by
 * scripts/write-frame-checks.ts from the zod/mini schemas of src/protocol/; do not edit (run
 * `node --import tsx scripts/write-frame-checks.ts` after changing a schema).
 */
import type * as z from 'zod/mini';
import {
  array,
  entityId,
  entityRef,
  entityType,
  fieldName,
  json,
  literal,
  number,
  object,
  optional,
  string,
  union,
  type Check,
} from './combinators.js';
import { requestId, userId, userProfile } from '../server-frame-checks.js';
import type { ActivityFilter, ActivityItem, FeedRef } from '../activity.js';

const activityKind = string(1, 64, /^[a-z][a-z0-9_.-]*$/);
const fieldChange = object({ field: fieldName, from: optional(json), to: optional(json) });
export const activityItem = object({
  id: string(0, Infinity),
  kind: activityKind,
  actor: optional(userProfile),
  entity: optional(entityRef),
  customerId: optional(entityId),
  changes: optional(array(fieldChange)),
  summary: optional(string(0, 500)),
  at: number(),
}) as Check<z.output<typeof ActivityItem>>;
export const feedRef = union(
  object({ kind: literal('global') }),
  object({ kind: literal('user'), userId }),
  object({ kind: literal('customer'), entityId }),
) as Check<z.output<typeof FeedRef>>;
export const activityFilter = object({
  kinds: optional(array(activityKind, 20)),
  actors: optional(array(userId, 50)),
}) as Check<z.output<typeof ActivityFilter>>;

/** The server frames of the capability, by `type`. */
export const FRAMES: Readonly<Record<string, Check>> = {
  'entity.rules-changed': object({
    type: literal('entity.rules-changed'),
    types: array(entityType, 500),
    reads: optional(literal(true)),
  }),
  'activity.page': object({
    type: literal('activity.page'),
    replyTo: requestId,
    items: array(activityItem),
    nextCursor: optional(string(0, Infinity)),
  }),
};
