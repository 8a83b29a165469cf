import type { ConnectionRefusal } from '../client/types.js';

/**
 * The server refused the sign-in of the provider's connection for good: an invalid identity
 * (`bad_frame`, e.g. a development identity's `javascript:` avatar URL), a user it forbids, a
 * token refused twice in a row, or a protocol version it does not speak. The client stops
 * retrying (status `closed` with this `refusal`); fix the cause (sign in again, a new `devUser`)
 * and call `client.retryNow()`, or let the user press "Retry now" in `<crm-connection-status>`.
 * Fired by `<crm-realtime-provider>` once per refusal. Bubbles and is composed, for the page.
 */
export class CrmConnectionRefusedEvent extends Event {
  static readonly eventName = 'crm-connection-refused';

  constructor(
    /** The server's error `code` and its `message` ("invalid avatar URL", "token expired"). */
    readonly refusal: ConnectionRefusal,
  ) {
    super(CrmConnectionRefusedEvent.eventName, { bubbles: true, composed: true });
  }
}

/** The element's events by name, for the event maps below: `addEventListener` types them. */
interface ConnectionRefusedEvents {
  'crm-connection-refused': CrmConnectionRefusedEvent;
}

declare global {
  interface HTMLElementEventMap extends ConnectionRefusedEvents {}
  /** It bubbles to the document, where a page may send the user to sign in again. */
  interface DocumentEventMap extends ConnectionRefusedEvents {}
  /** And past the document to the window. */
  interface WindowEventMap extends ConnectionRefusedEvents {}
  /** And through the shadow root of a component that holds the element (they are composed). */
  interface ShadowRootEventMap extends ConnectionRefusedEvents {}
}
