/**
 * What `RealtimeClient` needs from the layer that carries its frames: one logical connection with
 * an observable status, open/down notifications and `send`. `Connection` (socket.ts) is the
 * socket of this tab; `SharedTransport` (shared-transport.ts) reaches one socket that every tab
 * of the browser shares, through a hub in a `SharedWorker` or in the leader tab. The client, its
 * rooms and its resume work the same over either.
 */
import type { ClientFrame, UserProfile, WelcomeFrame } from '../../protocol/index.js';
import type { ConnectionStatus, ConnectionTimings } from '../types.js';

export type { Transport, TransportFactory } from '../types.js';

/** The timings of `options` and nothing else (a tab's settings cross to the hub as a clone). */
export function connectionTimings(options: ConnectionTimings): ConnectionTimings {
  return {
    reconnectInterval: options.reconnectInterval,
    maxReconnectInterval: options.maxReconnectInterval,
    maxReconnectAttempts: options.maxReconnectAttempts,
    heartbeatInterval: options.heartbeatInterval,
    heartbeatTimeout: options.heartbeatTimeout,
    probeTimeout: options.probeTimeout,
    connectTimeout: options.connectTimeout,
  };
}

// -----------------------------------------------------------------------------------------------
// messages between a tab and the hub that holds the shared socket (structured-clone safe)

/** The settings a tab brings when it attaches; the first tab's are the socket's. */
export interface AttachSettings extends ConnectionTimings {
  url: string;
  clientId: string;
  devUser: UserProfile | undefined;
  /** The tab can answer token requests (it has a `getToken`). */
  tokens: boolean;
  /**
   * Whom the tab's token named when it chose its hub (see `tokenSubject`): a token a tab gives
   * later that names someone else (another person signed in in this browser since) is refused.
   */
  subject?: string | undefined;
  online: boolean;
  visible: boolean;
}

/** Why a tab's token source failed; `code` when it threw a `RealtimeError`. */
export interface TokenError {
  code?: string;
  message: string;
}

/**
 * The version of what tabs and their hub say to each other (`TabMessage`, `HubMessage`,
 * `AttachSettings`), in the names by which tabs find a hub. Tabs of two kit builds open in one
 * browser (a page loaded before a deploy beside one loaded after) share a hub only when it is the
 * same: raise it with any change to these messages that a hub or a tab of the other build would
 * misread. 3: followers take the leadership from a leader that stops answering, which a leader
 * of an earlier build would not notice (it would keep a second socket).
 */
export const HUB_PROTOCOL = 3;

export type TabMessage =
  | { kind: 'attach'; tab: string; settings: AttachSettings }
  /** A frame for the server; the hub adds the tab and routes the answer back. */
  | { kind: 'frame'; frame: ClientFrame }
  | { kind: 'retry' }
  /** The tab is closing (or its client closed): leave its rooms. */
  | { kind: 'detach' }
  | { kind: 'token'; id: number; token?: string | undefined; error?: TokenError }
  /** The tab's network and visibility, which the socket's retries follow. */
  | { kind: 'environment'; online: boolean; visible: boolean };

export type HubMessage =
  | { kind: 'status'; status: ConnectionStatus }
  /** The shared socket is open (again): the tab joins its rooms, resuming from what it saw. */
  | { kind: 'open'; status: ConnectionStatus; welcome: WelcomeFrame }
  /** The shared socket went down: answers in flight will never come. */
  | { kind: 'down'; reason: string }
  /** A server frame for this tab, as text: the tab checks it with its own schemas. */
  | { kind: 'frame'; text: string }
  | { kind: 'token-request'; id: number }
  /**
   * The worker may not open the socket (the Content-Security-Policy of its script has no
   * `connect-src` for the server): the tabs share another way.
   */
  | { kind: 'refused'; reason: string };

/** A tab's end of the way to the hub. */
export interface HubLink {
  post(message: TabMessage): void;
  /** Stop listening; posts nothing. */
  close(): void;
}

/** The hub's end of the way to one tab. */
export interface TabPort {
  post(message: HubMessage): void;
}
