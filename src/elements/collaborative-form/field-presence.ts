/**
 * Who else edits which field of the form, from the entity room's presence: one list of people per
 * field, without the current user, and who just started editing the field the user is in (to
 * announce it: two people typing into one field is when a conflict is born).
 */
import type { Person } from '../../client/types.js';
import type { FieldBinding } from './form-fields.js';

export interface FieldPresence {
  /** People editing each field, in the room's order. */
  readonly byField: ReadonlyMap<string, readonly Person[]>;
  /** Names of people who started editing the focused field since `previous`. */
  readonly joined: readonly string[];
}

export interface FieldPresenceInput {
  people: readonly Person[];
  /** The current user's id (their own other tabs are not "someone else"). */
  self: string | undefined;
  fields: ReadonlyMap<string, FieldBinding>;
  focused: string | undefined;
  previous: FieldPresence;
}

export function fieldPresence(input: FieldPresenceInput): FieldPresence {
  const byField = new Map<string, Person[]>();
  for (const person of input.people) {
    if (person.user.id === input.self || person.status === 'offline') continue;
    if (person.activity.kind !== 'editing') continue;
    const field = person.activity.field;
    if (!input.fields.has(field)) continue;
    let list = byField.get(field);
    if (!list) byField.set(field, (list = []));
    list.push(person);
  }
  const focused = input.focused;
  let joined: string[] = [];
  if (focused !== undefined) {
    const before = new Set((input.previous.byField.get(focused) ?? []).map((p) => p.user.id));
    joined = (byField.get(focused) ?? [])
      .filter((p) => !before.has(p.user.id))
      .map((p) => p.user.name);
  }
  return { byField, joined };
}
