/**
 * The words that describe one person: their state, what they do, how many tabs they have, and
 * the single sentence a screen reader hears on their avatar.
 */
import type { Person } from '../../client/types.js';
import type { MessageContext, PresenceMessages } from './presence-messages.js';

export interface PersonText {
  /** The name, as the server gives it. */
  readonly name: string;
  /** "Online", "Away", "Offline". */
  readonly status: string;
  /** "Viewing" or "Editing Email". */
  readonly doing: string;
  /** "2 tabs" or "3 tabs on 2 devices", empty for a single tab. */
  readonly tabs: string;
  /** "You" on the current user's own entry, empty otherwise. */
  readonly you: string;
  /** Everything above but the name, joined: "Away · Editing Email · 2 tabs". */
  readonly detail: string;
  /** The accessible name of the avatar: "Ana Ortiz (You): Away, Editing Email, 2 tabs". */
  readonly label: string;
}

export function personText(
  person: Person,
  isSelf: boolean,
  m: PresenceMessages,
  c: MessageContext,
): PersonText {
  const name = person.user.name;
  const status = m.status(person.status, c);
  const doing =
    person.activity.kind === 'editing'
      ? m.editing(m.fieldName(person.activity.field, c), c)
      : person.inCall
        ? m.inCall(c)
        : m.viewing(c);
  const tabs = person.connections > 1 ? m.tabs(person.connections, person.devices, c) : '';
  const you = isSelf ? m.you(c) : '';
  return {
    name,
    status,
    doing,
    tabs,
    you,
    detail: [status, doing, tabs].filter(Boolean).join(' · '),
    label: m.personLabel({ name, you, status, doing, tabs }, c),
  };
}
