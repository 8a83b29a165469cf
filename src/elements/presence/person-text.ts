/**
 * The words that describe one person: their state, what they do, how many tabs they have, and
 * the single sentence a screen reader hears on their avatar.
 */
import type { Person } from '../../client/types.js';
import { isolate } from '../shared/bidi.js';
import type { MessageContext, PresenceMessages } from './presence-messages.js';

export interface PersonText {
  /** The name, as the server gives it. */
  readonly name: string;
  /** "Online", "Away", "Offline". */
  readonly status: string;
  /** "Viewing" or "Editing Email", the field isolated (shared/bidi.ts): drawn in a sentence. */
  readonly doing: string;
  /** "2 tabs" or "3 tabs on 2 devices", empty for a single tab. */
  readonly tabs: string;
  /** "You" on the current user's own entry, empty otherwise. */
  readonly you: string;
  /** Everything above but the name, joined: "Away · Editing Email · 2 tabs". */
  readonly detail: string;
  /**
   * The accessible name of the avatar: "Ana Ortiz (You): Away, Editing Email, 2 tabs". Plain text,
   * without isolates: it is spoken in logical order, and pages and tests match on it.
   */
  readonly label: string;
}

/**
 * `fieldName` gives the display name of a field someone edits (the element's `fieldLabels`, else
 * the `fieldName` message); without it, the message alone names it.
 */
export function personText(
  person: Person,
  isSelf: boolean,
  m: PresenceMessages,
  c: MessageContext,
  fieldName: (field: string) => string = (field) => m.fieldName(field, c),
): PersonText {
  const name = person.user.name;
  const status = m.status(person.status, c);
  const field = person.activity.kind === 'editing' ? fieldName(person.activity.field) : undefined;
  const doingWith = (field: string | undefined) =>
    field !== undefined ? m.editing(field, c) : person.inCall ? m.inCall(c) : m.viewing(c);
  // The field is isolated in what is drawn (the name is drawn in a `<bdi>`). The label stays
  // plain: it is spoken, in logical order, and pages and the end-to-end tests match on it.
  const doing = doingWith(field && isolate(field));
  const plainDoing = doingWith(field);
  const tabs = person.connections > 1 ? m.tabs(person.connections, person.devices, c) : '';
  const you = isSelf ? m.you(c) : '';
  return {
    name,
    status,
    doing,
    tabs,
    you,
    detail: [status, doing, tabs].filter(Boolean).join(' · '),
    label: m.personLabel({ name, you, status, doing: plainDoing, tabs }, c),
  };
}
