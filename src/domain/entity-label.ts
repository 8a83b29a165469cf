/**
 * The human label of an entity: one rule for everything that names one, so a customer reads the
 * same in the activity feed, in watcher notifications, in the demo's seeded items and in the
 * conflict dialog of a collaborative form that was given no `entity-label`.
 *
 * - A customer is its company; without one, its contact (`name`).
 * - Any other entity is its `name`, `title`, `subject`, `label` or `email`, the first one set.
 * - None of those: no label. Texts then name the type and id ("customer 42"), never a blank.
 *
 * Labels are trimmed and capped at 200 characters, the protocol's `EntityRef.label` limit.
 */
import type { EntityRef, Fields } from '../protocol/index.js';

/** The fields tried in turn for an entity's label, by entity type. */
export const LABEL_FIELDS: ReadonlyMap<string, readonly string[]> = new Map([
  ['customer', ['company', 'name']],
]);

/** The fields tried for a type that `LABEL_FIELDS` does not list. */
export const DEFAULT_LABEL_FIELDS: readonly string[] = [
  'name',
  'title',
  'subject',
  'label',
  'email',
];

const MAX_LABEL = 200;

/** A short human name for an entity from its fields, or undefined when it has none. */
export function entityLabel(entity: { type: string; fields: Fields }): string | undefined {
  for (const field of LABEL_FIELDS.get(entity.type) ?? DEFAULT_LABEL_FIELDS) {
    const value = Object.hasOwn(entity.fields, field) ? entity.fields[field] : undefined;
    if (typeof value === 'string' && value.trim() !== '') return value.trim().slice(0, MAX_LABEL);
  }
  return undefined;
}

/** The reference to an entity that an activity item or a notification carries. */
export function entityRefOf(entity: { type: string; id: string; fields: Fields }): EntityRef {
  const ref: EntityRef = { type: entity.type, id: entity.id };
  const label = entityLabel(entity);
  if (label !== undefined) ref.label = label;
  return ref;
}

/** How a server-written text names an entity: its label, else its type and id. */
export function entityName(ref: EntityRef): string {
  return ref.label ?? `${ref.type} ${ref.id}`;
}
