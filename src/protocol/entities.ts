/**
 * Live data: versioned entities, field-level optimistic concurrency, conflicts.
 * An entity's room is `<type>:<id>` (e.g. `customer:42`); accepted changes are broadcast there as
 * sequenced `event` frames named `entity.change`, so resume covers them like any room event; a
 * record the CRM deleted is announced there once as `entity.deleted`.
 */
import * as z from 'zod/mini';
import { Json, RequestId, UserProfile } from './common.js';
import { FIELD_NAME_PATTERN } from './patterns.js';

/** Entity types and ids: the server does not hard-code types. */
export const EntityType = z
  .string()
  .check(z.minLength(1), z.maxLength(64), z.regex(/^[a-z][a-z0-9_-]*$/));
export const EntityId = z
  .string()
  .check(z.minLength(1), z.maxLength(128), z.regex(/^[A-Za-z0-9_\-.]+$/));
/** Field names (see `FIELD_NAME_PATTERN`). */
export const FieldName = z
  .string()
  .check(z.minLength(1), z.maxLength(128), z.regex(FIELD_NAME_PATTERN));

const version = z.number().check(z.int(), z.nonnegative());

/** Fields of an entity: any JSON per field name. */
export const Fields = z.record(FieldName, Json);
export type Fields = z.infer<typeof Fields>;

export const Entity = z.object({
  type: EntityType,
  id: EntityId,
  version,
  fields: Fields,
  updatedAt: z.number(),
  updatedBy: z.optional(UserProfile),
});
export type Entity = z.infer<typeof Entity>;

/** A reference to an entity, e.g. in a notification or an activity item. */
export const EntityRef = z.object({
  type: EntityType,
  id: EntityId,
  label: z.optional(z.string().check(z.maxLength(200))),
});
export type EntityRef = z.infer<typeof EntityRef>;

/** Client ids of mutations: unique per change, reused on replay so nothing applies twice. */
export const MutationId = z.string().check(z.minLength(8), z.maxLength(64));

/** Read an entity's current snapshot. Answered with `entity.snapshot`. */
export const EntityGetFrame = z.object({
  type: z.literal('entity.get'),
  id: RequestId,
  entityType: EntityType,
  entityId: EntityId,
});

/**
 * Change some fields of an entity, based on the version the client last saw. Answered with
 * `entity.ack` (applied, or a replay of an already applied mutation id), `entity.conflict`,
 * `entity.rejected` (the CRM backend refused a value; only from a server with write-through), or
 * an `error` frame.
 */
export const EntityUpdateFrame = z.object({
  type: z.literal('entity.update'),
  id: RequestId,
  mutationId: MutationId,
  entityType: EntityType,
  entityId: EntityId,
  baseVersion: version,
  fields: Fields,
});

export const EntitySnapshotFrame = z.object({
  type: z.literal('entity.snapshot'),
  replyTo: RequestId,
  entity: Entity,
  /**
   * Fields this user may read but not change (their token's claim or the server's authorization
   * callback says so); a write to one is refused. Absent when every field is writable. Fields
   * hidden from the user are not listed: they never reach them at all.
   */
  readOnly: z.optional(z.array(FieldName).check(z.maxLength(500))),
});

export const EntityAckFrame = z.object({
  type: z.literal('entity.ack'),
  replyTo: RequestId,
  mutationId: MutationId,
  entity: Entity,
  /** True when the mutation id had already been applied and this is the same answer again. */
  duplicate: z.boolean(),
  /**
   * The save was applied, but the entity is too large to send with this answer (a CRM backend
   * stored values larger than what was sent): `entity` carries its version, time and author with
   * `fields` empty. The client must not take those fields for the entity's: it reads the entity
   * again (`entity.get`). Absent on every other ack.
   */
  partial: z.optional(z.literal(true)),
});

/** One field that changed both here and there since the base version. */
export const FieldConflict = z.object({
  field: FieldName,
  base: z.optional(Json),
  mine: Json,
  theirs: z.optional(Json),
  changedBy: z.optional(UserProfile),
  changedAt: z.optional(z.number()),
});
export type FieldConflict = z.infer<typeof FieldConflict>;

export const EntityConflictFrame = z.object({
  type: z.literal('entity.conflict'),
  replyTo: RequestId,
  mutationId: MutationId,
  conflicts: z.array(FieldConflict),
  current: Entity,
});

/**
 * Messages for a person, per field name: why the CRM backend refused a value (`entity.rejected`),
 * or why the server's field rules refused a write (`error` `forbidden`).
 */
export const FieldErrors = z.record(FieldName, z.string().check(z.minLength(1), z.maxLength(500)));
export type FieldErrors = z.infer<typeof FieldErrors>;

/**
 * Answer to `entity.update` when the CRM backend behind the server (write-through) refused it by
 * its own rules: `errors` has a message per field (e.g. `{ "phone": "Enter a number with an area
 * code" }`), `message` one for the whole change. A final answer: nothing was stored or broadcast,
 * and sending the same change again gets the same answer. Servers without write-through never
 * send it, so clients that predate it keep working against them.
 */
export const EntityRejectedFrame = z.object({
  type: z.literal('entity.rejected'),
  replyTo: RequestId,
  mutationId: MutationId,
  errors: FieldErrors,
  message: z.optional(z.string().check(z.maxLength(500))),
});

/**
 * Sent on its own (no `replyTo`) when this user's field rules for these entity types changed on
 * the open connection (a backend called `POST /api/users/:id/permissions-changed`): fields shown
 * again, newly hidden, made read-only or writable. What the client holds of those types was
 * redacted by the old rules: it reads each such entity again (`entity.get`), whose snapshot has
 * the values now visible, none of those now hidden, and the new `readOnly`. Clients that predate
 * it drop it as an unknown frame and keep the old view until they reconnect.
 */
export const EntityRulesChangedFrame = z.object({
  type: z.literal('entity.rules-changed'),
  types: z.array(EntityType).check(z.maxLength(500)),
  /**
   * Which entities the user may read may have changed too (the server's hook or callback decides
   * it): activity items and notifications held are read again, and those the re-read leaves out
   * are removed. `types` may then be empty.
   */
  reads: z.optional(z.literal(true)),
});

/** Payload of the room event `entity.change`: which fields changed to what, by whom. */
export const EntityChange = z.object({
  entity: Entity,
  changed: z.array(FieldName),
  previous: Fields,
  mutationId: z.optional(MutationId),
  by: z.optional(UserProfile),
  source: z.enum(['client', 'backend']),
  /**
   * `previous` was left out to keep the event within the frame limit (a CRM backend stored values
   * larger than what was sent): the old values are unknown here, not absent. `entity` is whole.
   */
  previousOmitted: z.optional(z.literal(true)),
});
export type EntityChange = z.infer<typeof EntityChange>;

/**
 * Payload of the room event `entity.deleted`: the CRM deleted the record (a merged duplicate, an
 * erasure request) and the server no longer holds it. Published once to the entity's room, as a
 * sequenced event (resume replays it); later reads and saves of the entity answer `not_found`.
 * `at` is when the server deleted it (epoch ms).
 */
export const EntityDeleted = z.object({
  type: EntityType,
  id: EntityId,
  at: z.number(),
});
export type EntityDeleted = z.infer<typeof EntityDeleted>;

export type EntityGetFrame = z.infer<typeof EntityGetFrame>;
export type EntityUpdateFrame = z.infer<typeof EntityUpdateFrame>;
export type EntitySnapshotFrame = z.infer<typeof EntitySnapshotFrame>;
export type EntityAckFrame = z.infer<typeof EntityAckFrame>;
export type EntityConflictFrame = z.infer<typeof EntityConflictFrame>;
export type EntityRejectedFrame = z.infer<typeof EntityRejectedFrame>;
export type EntityRulesChangedFrame = z.infer<typeof EntityRulesChangedFrame>;

export { entityRoom } from './rooms.js';
