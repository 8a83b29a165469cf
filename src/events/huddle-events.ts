/**
 * Events fired by `<crm-huddle>` and the call request of `<crm-presence>`.
 */
import type { Person } from '../client/types.js';

/**
 * Where the user stands in a room's call: `idle` (not in it), `joining` (asking for the
 * microphone), `in-call`, `denied` (microphone permission refused; retry asks again),
 * `no-device` (no microphone could be opened), `full` (the mesh is full: a media server is needed).
 */
export type HuddleState = 'idle' | 'joining' | 'in-call' | 'denied' | 'no-device' | 'full';

/** The user joined or left the call, or joining failed (permission, device, full). Bubbles. */
export class CrmHuddleChangeEvent extends Event {
  constructor(
    readonly room: string,
    readonly state: HuddleState,
  ) {
    super('crm-huddle-change', { bubbles: true, composed: true });
  }
}

/** Someone in the room rang (asked the others to join). Bubbles, for the page to show the call. */
export class CrmHuddleRingEvent extends Event {
  constructor(
    readonly room: string,
    /** User id and name of who rang. */
    readonly from: string,
    readonly name: string,
  ) {
    super('crm-huddle-ring', { bubbles: true, composed: true });
  }
}

/**
 * "Start a call with the people here" in `<crm-presence>`. Cancelable: unless the page calls
 * `preventDefault()`, the `<crm-huddle>` of the same room on the page joins and rings the others.
 */
export class CrmPresenceCallEvent extends Event {
  constructor(
    readonly room: string,
    /** Everyone else in the room, whom the call would ring. */
    readonly people: readonly Person[],
  ) {
    super('crm-presence-call', { bubbles: true, composed: true, cancelable: true });
  }
}

/** The element's events by name, for the event maps below: `addEventListener` types them. */
interface HuddleEvents {
  'crm-huddle-change': CrmHuddleChangeEvent;
  'crm-huddle-ring': CrmHuddleRingEvent;
  'crm-presence-call': CrmPresenceCallEvent;
}

declare global {
  interface HTMLElementEventMap extends HuddleEvents {}
  /** They bubble to the document, where a page may follow every call at once. */
  interface DocumentEventMap extends HuddleEvents {}
  /** And past the document to the window. */
  interface WindowEventMap extends HuddleEvents {}
  /** And through the shadow root of a component that holds the element (they are composed). */
  interface ShadowRootEventMap extends HuddleEvents {}
}
