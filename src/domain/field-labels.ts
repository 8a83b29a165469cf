/**
 * The display names of entity fields: one map per entity type, the labels the CRM's forms show
 * (the demo's customer form labels `name` "Contact"), used wherever a field is named to a person:
 * watcher notifications on the reference and fake servers, the activity feed's changes, and the
 * collaborative form and conflict dialog for a control with no `<label>`. A field the map does
 * not list reads as its name in words (`nextCallAt` → "Next call at").
 *
 * Pages in another language, or with other labels, override the elements' `fieldLabel` message;
 * the demo's forms are checked against this map by a test, so they cannot drift apart.
 */

/** Field labels by entity type, as the CRM's forms label them. */
export const FIELD_LABELS: ReadonlyMap<string, ReadonlyMap<string, string>> = new Map([
  [
    'customer',
    new Map([
      ['company', 'Company'],
      ['industry', 'Industry'],
      ['name', 'Contact'],
      ['title', 'Job title'],
      ['email', 'Email'],
      ['phone', 'Phone'],
      ['city', 'City'],
      ['value', 'Annual value (EUR)'],
      ['status', 'Status'],
      ['owner', 'Owner'],
      ['nextStep', 'Next step'],
      ['notes', 'Notes'],
    ]),
  ],
  [
    'meeting',
    new Map([
      ['title', 'Meeting title'],
      ['at', 'Date and time'],
      ['place', 'Place'],
    ]),
  ],
  [
    'call',
    new Map([
      ['outcome', 'Outcome'],
      ['minutes', 'Minutes'],
      ['summary', 'Summary'],
    ]),
  ],
]);

/** `firstName`, `first_name`, `address.city` → "First name", "First name", "Address city". */
export function humanizeField(field: string): string {
  const words = field
    .replace(/([a-z\d])([A-Z])/g, '$1 $2')
    .replace(/[_.\-\s]+/g, ' ')
    .trim()
    .toLowerCase();
  return words ? words[0]!.toUpperCase() + words.slice(1) : field;
}

/**
 * The display name of a field of an entity type: the form's label from `FIELD_LABELS`, else the
 * field's name in words. Without a type, only the latter.
 */
export function fieldLabel(entityType: string | undefined, field: string): string {
  return (
    (entityType === undefined ? undefined : FIELD_LABELS.get(entityType)?.get(field)) ??
    humanizeField(field)
  );
}
