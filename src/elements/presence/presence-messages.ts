/**
 * Every piece of text `<crm-presence>` shows or announces. A page translates the element by
 * setting `element.messages = { ... }` with the entries it wants to replace; anything left out
 * falls back to English (the kit's `i18n` machinery, as in every element). Lists of names go
 * through `Intl.ListFormat` and counts through `Intl.PluralRules` in the element's language (the
 * nearest `lang` attribute). In an override, `this` is the merged set of messages.
 */
import type { PresenceStatus } from '../../client/types.js';
import { fieldLabel } from '../../domain/field-labels.js';
import type { MessageContext } from '../../i18n.js';

export type { MessageContext };

export interface PresenceMessages {
  /** Accessible name of the avatar group, e.g. "3 people here". */
  groupLabel(count: number, c: MessageContext): string;
  /** Shown and announced when nobody else is in the room. */
  alone(c: MessageContext): string;
  /** The quiet state shown when no provider supplies a connection. */
  notConnected(c: MessageContext): string;
  /** Added to the group's description while the connection is being restored. */
  reconnecting(c: MessageContext): string;
  /** Shown instead while the browser has no network (the same word as the connection status). */
  offline(c: MessageContext): string;
  /** Shown while the first snapshot is on its way. */
  loading(c: MessageContext): string;
  /**
   * Shown instead of the people when the server refused the room: `code` is `forbidden` (the user
   * may not see it) or `too_many_rooms` (the page follows more rooms than its connection may
   * hold; it is shown as soon as another is released).
   */
  refused(code: string, c: MessageContext): string;
  /** The state of a person, e.g. "Online". */
  status(status: PresenceStatus, c: MessageContext): string;
  /** What someone does, e.g. "Viewing". */
  viewing(c: MessageContext): string;
  /** What someone in the room's call (`<crm-huddle>`) does, unless they edit a field. */
  inCall(c: MessageContext): string;
  /** The `callable` button: start a call with the people here. */
  startCall(c: MessageContext): string;
  /**
   * What someone editing a field does, e.g. "Editing Email". `field` is its display name (the
   * element's `fieldLabels`, else `fieldName`), isolated (U+2068 … U+2069) where it is drawn and
   * plain in the avatar's accessible name.
   */
  editing(field: string, c: MessageContext): string;
  /**
   * The display name of a field the element's `fieldLabels` does not name. Default: the label the
   * CRM's forms give it for the room's entity type (`src/domain/field-labels.ts`: a customer's
   * `name` is "Contact"), else its name in words (`nextCallAt` → "Next call at"). `entityType` is
   * the room's type: `customer` for `customer:42`, `page` for a page's room.
   */
  fieldName(field: string, c: MessageContext, entityType?: string): string;
  /** "2 tabs", or "3 tabs on 2 devices"; only used when someone has more than one tab. */
  tabs(count: number, devices: number, c: MessageContext): string;
  /** Marks the current user's own avatar, e.g. "You". */
  you(c: MessageContext): string;
  /**
   * The accessible name of an avatar, from the texts above: "Ana Ortiz (You): Away, Editing
   * Email, 2 tabs". `you` and `tabs` are empty when they do not apply.
   */
  personLabel(
    parts: { name: string; you: string; status: string; doing: string; tabs: string },
    c: MessageContext,
  ): string;
  /** The visible text of the "+N" button. */
  overflowLabel(hidden: number, c: MessageContext): string;
  /** Accessible name of the "+N" button, e.g. "Show all 12 people". `hidden` is the N. */
  overflowButton(hidden: number, total: number, c: MessageContext): string;
  /** Heading of the list of everyone, e.g. "12 people here". */
  overflowHeading(total: number, c: MessageContext): string;
  /** Announced after a batch of arrivals: "Ana Ortiz and Ben Lee joined". */
  joined(names: readonly string[], c: MessageContext): string;
  /** Announced after a batch of departures: "Carl left". */
  left(names: readonly string[], c: MessageContext): string;
  /** Several announcements made into one: "Ana joined. Ben left". */
  sentences(sentences: readonly string[], c: MessageContext): string;
  /** Used by `joined`/`left` when a batch is long: "Ana, Ben and 5 others". */
  andOthers(names: readonly string[], others: number, c: MessageContext): string;
}

/** Names named in one announcement before the rest become "and N others". */
export const NAMES_PER_ANNOUNCEMENT = 3;

/** "Ana, Ben and Carl", or "Ana, Ben, Carl and 5 others" when there are more. */
function names(list: readonly string[], c: MessageContext, m: PresenceMessages): string {
  if (list.length <= NAMES_PER_ANNOUNCEMENT) return c.list(list);
  return m.andOthers(
    list.slice(0, NAMES_PER_ANNOUNCEMENT),
    list.length - NAMES_PER_ANNOUNCEMENT,
    c,
  );
}

export const defaultPresenceMessages: PresenceMessages = Object.freeze<PresenceMessages>({
  groupLabel: (count, c) =>
    c.plural(count) === 'one' ? '1 person here' : `${c.number(count)} people here`,
  alone: () => 'Only you here',
  notConnected: () => 'Not connected',
  reconnecting: () => 'Reconnecting…',
  offline: () => 'Offline',
  loading: () => 'Loading who is here…',
  refused: (code) =>
    code === 'forbidden' ? 'Not shown: you may not see this' : 'Not shown: too many on this page',
  status: (status) => ({ online: 'Online', away: 'Away', offline: 'Offline' })[status],
  viewing: () => 'Viewing',
  inCall: () => 'In a call',
  startCall: () => 'Start a call with the people here',
  editing: (field) => `Editing ${field}`,
  fieldName: (field, _c, entityType) => fieldLabel(entityType, field),
  tabs: (count, devices, c) =>
    devices > 1
      ? `${c.number(count)} tabs on ${c.number(devices)} devices`
      : `${c.number(count)} tabs`,
  you: () => 'You',
  personLabel: ({ name, you, status, doing, tabs }) =>
    `${you ? `${name} (${you})` : name}: ${[status, doing, tabs].filter(Boolean).join(', ')}`,
  overflowLabel: (hidden, c) => c.signed(hidden),
  overflowButton: (hidden, total, c) =>
    `${c.number(hidden)} more, show all ${c.number(total)} people`,
  overflowHeading: (total, c) =>
    c.plural(total) === 'one' ? '1 person here' : `${c.number(total)} people here`,
  joined(list, c) {
    return `${names(list, c, this)} joined`;
  },
  left(list, c) {
    return `${names(list, c, this)} left`;
  },
  sentences: (sentences) => sentences.join('. '),
  andOthers: (list, others, c) =>
    `${list.join(', ')} and ${c.plural(others) === 'one' ? '1 other' : `${c.number(others)} others`}`,
});
