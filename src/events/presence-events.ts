/**
 * Events fired by `<crm-presence>`.
 */
import type { Person } from '../client/types.js';

/** What changed in a room's presence between two renders of `<crm-presence>`. */
export interface PresenceChangeDetail {
  /** The room the element shows. */
  readonly room: string;
  /** Everyone now present (the current user included when the store has them). */
  readonly people: readonly Person[];
  /** People who were not there before. */
  readonly arrived: readonly Person[];
  /** People who are gone (after the server's grace period), as they were last seen. */
  readonly left: readonly Person[];
  /** People whose state, activity, tab count or profile changed. */
  readonly changed: readonly Person[];
}

/**
 * Someone arrived, left or changed state in the room a `<crm-presence>` shows.
 * Not fired for the first snapshot after joining. Bubbles and is composed, for the page.
 */
export class CrmPresenceChangeEvent extends Event implements PresenceChangeDetail {
  readonly room: string;
  readonly people: readonly Person[];
  readonly arrived: readonly Person[];
  readonly left: readonly Person[];
  readonly changed: readonly Person[];

  constructor(detail: PresenceChangeDetail) {
    super('crm-presence-change', { bubbles: true, composed: true });
    this.room = detail.room;
    this.people = detail.people;
    this.arrived = detail.arrived;
    this.left = detail.left;
    this.changed = detail.changed;
  }
}

/** The element's events by name, for the event maps below: `addEventListener` types them. */
interface PresenceEvents {
  'crm-presence-change': CrmPresenceChangeEvent;
}

declare global {
  interface HTMLElementEventMap extends PresenceEvents {}
  /** It bubbles to the document, where a page may follow every room at once. */
  interface DocumentEventMap extends PresenceEvents {}
  /** And past the document to the window. */
  interface WindowEventMap extends PresenceEvents {}
  /** And through the shadow root of a component that holds the element (they are composed). */
  interface ShadowRootEventMap extends PresenceEvents {}
}
