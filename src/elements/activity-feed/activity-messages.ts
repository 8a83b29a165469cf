/**
 * Every piece of text `<crm-activity-feed>` shows or announces. A page translates the feed with
 * `feed.messages = { … }`; entries left out stay English. Counts and lists go through the
 * `MessageContext`, times through `Intl.RelativeTimeFormat`, values through `Intl` formatters, all
 * in the element's language (the nearest `lang` attribute).
 *
 * Headlines are patterns, so a translation may put the words in any order: `{actor}`, `{fields}`
 * and `{entity}` are replaced by the person's name, the changed fields and the entity (which may
 * be a link). Placeholders a pattern leaves out are simply not shown. The person's name and the
 * entity are isolated (`<bdi>`) where they replace a placeholder, so a name in another script (or
 * one holding a direction override) never reorders the words a translation put around it.
 */
import type { MessageContext } from '../../i18n.js';
import { fieldLabel as formLabelOf, humanizeField } from '../../domain/field-labels.js';
import { fieldValue } from '../../protocol/own-field.js';

export type { MessageContext };

/** What a headline pattern may need to know about its item. */
export interface HeadlineParts {
  /** The item has an entity to name (`{entity}` may be used). */
  readonly hasEntity: boolean;
  /** The item lists field changes (`{fields}` may be used). */
  readonly fieldCount: number;
}

export interface ActivityFeedMessages {
  /** Accessible name of the feed, e.g. "Activity". */
  feedLabel(c: MessageContext): string;
  /**
   * The headline pattern of an item of `kind` (`entity.updated`, `call.logged`, …), with the
   * placeholders `{actor}`, `{fields}` and `{entity}`.
   */
  headline(kind: string, parts: HeadlineParts, c: MessageContext): string;
  /** The changed fields in a headline: "Stage", "Stage and Phone", "4 fields". */
  fields(labels: readonly string[], c: MessageContext): string;
  /**
   * The display name of a field of an entity of `entityType` (undefined when the item names no
   * entity). Default: the label the CRM's forms give it (`src/domain/field-labels.ts`: a
   * customer's `name` is "Contact"), else the name in words (`firstName` → "First name").
   */
  fieldLabel(field: string, c: MessageContext, entityType?: string): string;
  /** An entity without a label, e.g. "Customer 42". `type` is e.g. `customer`. */
  entity(type: string, id: string, c: MessageContext): string;
  /** Who did it when the item names no one (a backend's event). */
  someone(c: MessageContext): string;
  /**
   * A field change for screen readers ("Stage changed from Lead to Customer"); on screen it reads
   * "Stage Lead → Customer". Values are already formatted, and wrapped in U+2068 … U+2069 so
   * their direction cannot reorder the sentence; `from`/`to` are `emptyValue` when unset.
   */
  fieldChange(field: string, from: string, to: string, c: MessageContext): string;
  /** Shown for a value that was or became empty. */
  emptyValue(c: MessageContext): string;
  /** Booleans. */
  yes(c: MessageContext): string;
  no(c: MessageContext): string;
  /** The button that shows the rest of a long list of changes: "Show 4 more changes". */
  moreChanges(hidden: number, c: MessageContext): string;
  /** And hides them again. */
  fewerChanges(c: MessageContext): string;
  /** A kind of activity in the filter bar: "Changes", "Calls", … */
  kindLabel(kind: string, c: MessageContext): string;
  /** Accessible name of the filter bar, e.g. "Filter activity". */
  filterLabel(c: MessageContext): string;
  /** Accessible name of the group of kind chips, e.g. "Kind of activity". */
  kindGroupLabel(c: MessageContext): string;
  /** The chip that shows every kind, e.g. "All". */
  allKinds(c: MessageContext): string;
  /** Accessible name of the person select, e.g. "Person". */
  personLabel(c: MessageContext): string;
  /** Its first option, no person filter: "Everyone". */
  everyone(c: MessageContext): string;
  /** The pill above the feed when new items arrived while the reader was scrolled down. */
  newItems(count: number, c: MessageContext): string;
  /** Announced (politely) when that pill appears. */
  newItemsAnnouncement(count: number, c: MessageContext): string;
  /**
   * Announced (politely) once the items of another filter have loaded: "12 activities", "No
   * activity". `more`: older items remain to load, so `count` is only the first page.
   */
  filterResults(count: number, more: boolean, c: MessageContext): string;
  /** Read out while the first page loads (placeholders are shown). */
  loading(c: MessageContext): string;
  /** Under the items while an older page loads. */
  loadingOlder(c: MessageContext): string;
  /** The feed has no items at all. */
  noActivity(c: MessageContext): string;
  /** The filter matches no items (with a button that clears it). */
  emptyFiltered(c: MessageContext): string;
  /** That button. */
  clearFilters(c: MessageContext): string;
  /** Under the items once the whole history is loaded, e.g. "No older activity". */
  end(c: MessageContext): string;
  /** The first page failed (with a "Try again" button). */
  error(c: MessageContext): string;
  /** Under the items when a page of older ones failed (with "Try again"). */
  olderError(c: MessageContext): string;
  /** The button that tries a failed request again. */
  retry(c: MessageContext): string;
  /**
   * The server refused the feed's room: `code` is `forbidden` (the user may not see it) or
   * `too_many_rooms` (the page follows more rooms than its connection may hold; the feed loads
   * as soon as another is released). Shown instead of the items, or above them when they are no
   * longer live.
   */
  refused(code: string, c: MessageContext): string;
  /** The quiet state shown when no provider supplies a connection. */
  notConnected(c: MessageContext): string;
  /** The note shown while the connection is being restored. */
  reconnecting(c: MessageContext): string;
  /** The note shown while the browser has no network (the same word as the connection status). */
  offline(c: MessageContext): string;
}

/** Headline patterns of the kinds the kit knows; other kinds read "{actor}: Email sent". */
const HEADLINES: Record<string, [withEntity: string, without: string]> = {
  'entity.updated': ['{actor} changed {fields} on {entity}', '{actor} changed {fields}'],
  'entity.created': ['{actor} created {entity}', '{actor} created a record'],
  'entity.deleted': ['{actor} deleted {entity}', '{actor} deleted a record'],
  'call.logged': ['{actor} logged a call with {entity}', '{actor} logged a call'],
  'meeting.scheduled': ['{actor} scheduled a meeting with {entity}', '{actor} scheduled a meeting'],
  'note.added': ['{actor} added a note on {entity}', '{actor} added a note'],
  'email.sent': ['{actor} sent an email to {entity}', '{actor} sent an email'],
};

const KINDS: Record<string, string> = {
  'entity.updated': 'Changes',
  'entity.created': 'Created',
  'entity.deleted': 'Deleted',
  'call.logged': 'Calls',
  'meeting.scheduled': 'Meetings',
  'note.added': 'Notes',
  'email.sent': 'Emails',
};

/** `call.logged` → "Call logged", for kinds the kit does not know. */
export function humanizeKind(kind: string): string {
  return humanizeField(kind);
}

export const defaultActivityFeedMessages: ActivityFeedMessages =
  Object.freeze<ActivityFeedMessages>({
    feedLabel: () => 'Activity',
    headline: (kind, { hasEntity }) => {
      const known = HEADLINES[kind];
      if (known) return hasEntity ? known[0] : known[1];
      const what = humanizeKind(kind);
      return hasEntity ? `{actor}: ${what}, {entity}` : `{actor}: ${what}`;
    },
    fields: (labels, c) =>
      labels.length <= 3 ? c.list(labels) : `${c.number(labels.length)} fields`,
    fieldLabel: (field, _c, entityType) => formLabelOf(entityType, field),
    entity: (type, id) => `${humanizeField(type)} ${id}`,
    someone: () => 'Someone',
    fieldChange: (field, from, to) => `${field} changed from ${from} to ${to}`,
    emptyValue: () => 'empty',
    yes: () => 'Yes',
    no: () => 'No',
    moreChanges: (hidden, c) =>
      c.plural(hidden) === 'one' ? 'Show 1 more change' : `Show ${c.number(hidden)} more changes`,
    fewerChanges: () => 'Show fewer changes',
    // Own entries only: a custom kind may be named `constructor`.
    kindLabel: (kind) => fieldValue(KINDS, kind) ?? humanizeKind(kind),
    filterLabel: () => 'Filter activity',
    kindGroupLabel: () => 'Kind of activity',
    allKinds: () => 'All',
    personLabel: () => 'Person',
    everyone: () => 'Everyone',
    newItems: (count, c) => `${c.number(count)} new`,
    newItemsAnnouncement: (count, c) =>
      c.plural(count) === 'one'
        ? '1 new activity above'
        : `${c.number(count)} new activities above`,
    filterResults: (count, more, c) =>
      more
        ? `${c.number(count)} or more activities`
        : count === 0
          ? 'No activity'
          : c.plural(count) === 'one'
            ? '1 activity'
            : `${c.number(count)} activities`,
    loading: () => 'Loading activity…',
    loadingOlder: () => 'Loading older activity…',
    noActivity: () => 'No activity yet',
    emptyFiltered: () => 'No activity matches these filters',
    clearFilters: () => 'Clear filters',
    end: () => 'No older activity',
    error: () => 'The activity could not be loaded.',
    olderError: () => 'Older activity could not be loaded.',
    retry: () => 'Try again',
    refused: (code) =>
      code === 'forbidden' ? 'Not shown: you may not see this' : 'Not live: too many on this page',
    notConnected: () => 'Not connected',
    reconnecting: () => 'Reconnecting…',
    offline: () => 'Offline',
  });
