import type { ConnectionState, ConnectionStatus } from '../client/types.js';

/**
 * What a connection-status widget shows: the client's state, or `unavailable` when there is no
 * client to show (no provider answered, or the provider has no `url` or `.client` yet).
 */
export type ConnectionDisplayState = ConnectionState | 'unavailable';

/**
 * The connection a widget reflects changed state (`open` → `reconnecting`, …). Fired once per
 * change of `state`, not for every retry attempt or countdown tick. Bubbles and is composed, so a
 * page can listen on `document` to show its own banner or pause its own polling.
 *
 * `<crm-realtime-provider>` fires it too, for its connection, but without bubbling (`init`), so a
 * listener on `document` still hears each widget once and nothing else.
 */
export class CrmConnectionStatusChangeEvent extends Event {
  static readonly eventName = 'crm-connection-status-change';

  constructor(
    /** The new state. */
    readonly state: ConnectionDisplayState,
    /** The state before, `undefined` for the first one the widget saw. */
    readonly previousState: ConnectionDisplayState | undefined,
    /** The client's full status (attempt, next retry time, reason), `undefined` when unavailable. */
    readonly status: ConnectionStatus | undefined,
    init: EventInit = { bubbles: true, composed: true },
  ) {
    super(CrmConnectionStatusChangeEvent.eventName, init);
  }
}

/** The element's events by name, for the event maps below: `addEventListener` types them. */
interface ConnectionStatusEvents {
  'crm-connection-status-change': CrmConnectionStatusChangeEvent;
}

declare global {
  interface HTMLElementEventMap extends ConnectionStatusEvents {}
  /** It bubbles to the document, where a page may listen for every widget at once. */
  interface DocumentEventMap extends ConnectionStatusEvents {}
  /** And past the document to the window. */
  interface WindowEventMap extends ConnectionStatusEvents {}
  /** And through the shadow root of a component that holds the element (they are composed). */
  interface ShadowRootEventMap extends ConnectionStatusEvents {}
}
