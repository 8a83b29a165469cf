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
 *
 * A label is a field's value, so it is hidden wherever that field is (`entityRefFor`): a user from
 * whom a label field of the type is hidden gets the reference without its label.
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

/** The fields an entity of `type` takes its label from, in the order they are tried. */
export function labelFieldsOf(type: string): readonly string[] {
  return LABEL_FIELDS.get(type) ?? DEFAULT_LABEL_FIELDS;
}

/** A short human name for an entity from its fields, or undefined when it has none. */
export function entityLabel(entity: { type: string; fields: Fields }): string | undefined {
  for (const field of labelFieldsOf(entity.type)) {
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

/**
 * The reference as a user sees it from whom the `hidden` fields of its type are hidden: without
 * its label when any label field of the type is among them, else the same object. A reference
 * does not say which field its label came from (the first one set when it was written, or
 * whatever a backend chose), so a label that may be a hidden field's value is never shown; texts
 * then name the type and id ("customer 42"), as for an entity without a label.
 */
export function entityRefFor(ref: EntityRef, hidden: ReadonlySet<string> | undefined): EntityRef {
  if (ref.label === undefined || !hidden) return ref;
  if (!labelFieldsOf(ref.type).some((field) => hidden.has(field))) return ref;
  return { type: ref.type, id: ref.id };
}

/** How a server-written text names an entity: its label, else its type and id. */
export function entityName(ref: EntityRef): string {
  return ref.label ?? `${ref.type} ${ref.id}`;
}
