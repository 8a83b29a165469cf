/**
 * Accepted entity changes in the activity log: every change the entity service accepts (from a
 * client or a backend) becomes one item, `entity.created` for version 1 and `entity.updated`
 * otherwise, with who made it, the entity (labelled by its name), each changed field's old and new
 * value, and the customer it belongs to: the entity itself for a customer, else its `customerId`
 * field (calls, meetings, …).
 */
import type { ActivityInput, Entity, EntityChange, EntityRef } from '../../protocol/index.js';
import type { Logger } from '../log.js';
import { errorFields } from '../log.js';
import type { ActivityService } from './activity-service.js';

/** What the entity service hands its change listeners. */
export interface EntityChangeSource {
  onChange(listener: (change: EntityChange) => void): () => void;
}

/** Fields tried in turn for an entity's human label. */
const LABEL_FIELDS = ['name', 'title', 'subject', 'label', 'email'] as const;
const MAX_LABEL = 200;

/** A short human name for an entity: its name (or title, subject …) field, if it has one. */
export function entityLabel(entity: Pick<Entity, 'fields'>): string | undefined {
  for (const field of LABEL_FIELDS) {
    const value = entity.fields[field];
    if (typeof value === 'string' && value.trim() !== '') return value.trim().slice(0, MAX_LABEL);
  }
  return undefined;
}

/** The reference to an entity that an activity item or notification carries. */
export function entityRefOf(entity: Entity): EntityRef {
  const ref: EntityRef = { type: entity.type, id: entity.id };
  const label = entityLabel(entity);
  if (label !== undefined) ref.label = label;
  return ref;
}

/** The customer a change belongs to, for the customer feed. */
export function customerOf(entity: Entity): string | undefined {
  if (entity.type === 'customer') return entity.id;
  const id = entity.fields.customerId;
  if (typeof id === 'string' && /^[A-Za-z0-9_\-.]{1,128}$/.test(id)) return id;
  if (typeof id === 'number' && Number.isSafeInteger(id)) return String(id);
  return undefined;
}

/** The activity item of one accepted change. */
export function activityOfChange(change: EntityChange): ActivityInput {
  const { entity } = change;
  const input: ActivityInput = {
    kind: entity.version === 1 ? 'entity.created' : 'entity.updated',
    entity: entityRefOf(entity),
    // Field names are the protocol's; the change list is capped like ActivityInput's.
    changes: change.changed.slice(0, 100).map((field) => {
      const fieldChange: NonNullable<ActivityInput['changes']>[number] = { field };
      if (field in change.previous) fieldChange.from = change.previous[field]!;
      if (field in entity.fields) fieldChange.to = entity.fields[field]!;
      return fieldChange;
    }),
  };
  if (change.by) input.actor = change.by;
  const customerId = customerOf(entity);
  if (customerId !== undefined) input.customerId = customerId;
  return input;
}

/** Appends every accepted change to the activity log. Returns the unsubscribe. */
export function recordEntityChanges(
  entities: EntityChangeSource,
  activity: ActivityService,
  log: Logger,
): () => void {
  return entities.onChange((change) => {
    activity.append(activityOfChange(change)).catch((err: unknown) => {
      log.error('entity change not recorded in the activity log', {
        entity: `${change.entity.type}:${change.entity.id}`,
        ...errorFields(err),
      });
    });
  });
}
