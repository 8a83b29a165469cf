/**
 * Checks of the entities capability's frames and values, without zod: written by
 * scripts/write-frame-checks.ts from the zod/mini schemas of src/protocol/; do not edit (run
 * `node --import tsx scripts/write-frame-checks.ts` after changing a schema).
 */
import type * as z from 'zod/mini';
import {
  array,
  boolean,
  entityId,
  entityType,
  fieldName,
  json,
  literal,
  number,
  object,
  oneOf,
  optional,
  record,
  string,
  type Check,
} from './combinators.js';
import { requestId, userProfile } from '../server-frame-checks.js';
import type { EntityChange, EntityDeleted, Fields } from '../entities.js';

export { entityId, entityType };
export const fields = record(fieldName, json) as Check<z.output<typeof Fields>>;
const entity = object({
  type: entityType,
  id: entityId,
  version: number(0, true),
  fields,
  updatedAt: number(),
  updatedBy: optional(userProfile),
});
const mutationId = string(8, 64);
export const entityChange = object({
  entity,
  changed: array(fieldName),
  previous: fields,
  mutationId: optional(mutationId),
  by: optional(userProfile),
  source: oneOf(['client', 'backend']),
  previousOmitted: optional(literal(true)),
}) as Check<z.output<typeof EntityChange>>;
export const entityDeleted = object({ type: entityType, id: entityId, at: number() }) as Check<
  z.output<typeof EntityDeleted>
>;
const fieldConflict = object({
  field: fieldName,
  base: optional(json),
  mine: json,
  theirs: optional(json),
  changedBy: optional(userProfile),
  changedAt: optional(number()),
});
const fieldErrors = record(fieldName, string(1, 500));

/** The server frames of the capability, by `type`. */
export const FRAMES: Readonly<Record<string, Check>> = {
  'entity.snapshot': object({
    type: literal('entity.snapshot'),
    replyTo: requestId,
    entity,
    readOnly: optional(array(fieldName, 500)),
  }),
  'entity.ack': object({
    type: literal('entity.ack'),
    replyTo: requestId,
    mutationId,
    entity,
    duplicate: boolean,
    partial: optional(literal(true)),
  }),
  'entity.conflict': object({
    type: literal('entity.conflict'),
    replyTo: requestId,
    mutationId,
    conflicts: array(fieldConflict),
    current: entity,
  }),
  'entity.rejected': object({
    type: literal('entity.rejected'),
    replyTo: requestId,
    mutationId,
    errors: fieldErrors,
    message: optional(string(0, 500)),
  }),
  'entity.rules-changed': object({
    type: literal('entity.rules-changed'),
    types: array(entityType, 500),
    reads: optional(literal(true)),
  }),
};
