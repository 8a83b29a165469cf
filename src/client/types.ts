/**
 * Public types of the browser client. The client knows nothing of Lit or the DOM beyond
 * `WebSocket`, timers, `navigator.onLine`, `document.visibilityState` and IndexedDB.
 */
import type {
  Activity,
  ClientFrame,
  ErrorCode,
  Person,
  PresenceStatus,
  ServerFrame,
  UserProfile,
  WelcomeFrame,
} from '../protocol/index.js';
import type { OutboxStore } from './live-data/outbox-store.js';
import type { RealtimeError } from './realtime-error.js';

/** The connection's state, observable through `client.status` and `client.onStatus`. */
export type ConnectionStatus =
  | { state: 'connecting'; attempt: number }
  | { state: 'open'; since: number }
  /** `nextRetryAt` is epoch ms of the next attempt; `attempt` counts failed tries in a row. */
  | { state: 'reconnecting'; attempt: number; nextRetryAt: number; lastError?: string }
  /**
   * The browser reports no network, or `maxReconnectAttempts` tries failed in a row (then
   * `gaveUpAfter` counts them and `lastError` says why the last one failed). Nothing is tried on
   * a timer; the client tries again as soon as the network comes back, or on `retryNow()`.
   */
  | { state: 'offline'; gaveUpAfter?: number; lastError?: string }
  /**
   * `close()` was called, or the server refused the sign-in for good: then
   * `refusal` says why (see `ConnectionRefusal`), and `retryNow()` tries again once the page fixed
   * the cause.
   */
  | { state: 'closed'; reason?: string; refusal?: ConnectionRefusal };

/**
 * The server's answer to a `hello` it will not accept, when retrying cannot help: `bad_frame`
 * (the hello itself is invalid, e.g. a development identity's avatar URL), `forbidden`,
 * `unsupported_version`, or `invalid_token` twice in a row (the first refusal is retried with a
 * fresh token from `getToken`). `message` is the server's words, e.g. "invalid avatar URL".
 */
export interface ConnectionRefusal {
  code: ErrorCode;
  message: string;
}

export type ConnectionState = ConnectionStatus['state'];

/** Timers and time, injectable so tests run without real sleeps (defined with the shared helpers). */
import type { Clock } from '../util/clock.js';
export type { Clock };

/**
 * A handler the client sets on its socket, called with (at least) what the client reads of the
 * event. Checked both ways, as a method's parameter is, so a socket whose handlers take a richer
 * event type (the browser's `MessageEvent`, the `ws` package's `WebSocket.MessageEvent`) fits
 * without a cast.
 */
type SocketHandler<E> = { handle(event: E): void }['handle'];

/**
 * The minimal WebSocket surface the client uses: the browser's `WebSocket` and the `ws` package's
 * (`socketFactory: (url) => new WebSocket(url)` on Node 20) satisfy it as they are.
 */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: SocketHandler<unknown> | null;
  onmessage: SocketHandler<{ data: unknown }> | null;
  onclose: SocketHandler<{ code: number; reason: string }> | null;
  onerror: SocketHandler<unknown> | null;
}

export type SocketFactory = (url: string) => SocketLike;

/** Where the environment's signals come from; defaults read `window` and `document` when present. */
export interface EnvironmentSignals {
  isOnline(): boolean;
  isVisible(): boolean;
  /** Subscribe to online/offline changes; returns an unsubscribe. */
  onOnlineChange(listener: (online: boolean) => void): () => void;
  /** Subscribe to visibility changes; returns an unsubscribe. */
  onVisibilityChange(listener: (visible: boolean) => void): () => void;
  /** Subscribe to user input (pointer, keys) for idle detection; returns an unsubscribe. */
  onUserActivity(listener: () => void): () => void;
}

export interface RealtimeClientOptions {
  /** WebSocket URL of the server, e.g. `wss://crm.example.com/realtime`. */
  url: string;
  /**
   * Called before every (re)connect; the token is sent in the `hello` frame, never in the URL.
   * Returning `undefined` connects without a token (accepted only by a development server).
   * Throwing a `RealtimeError` with code `invalid_token` or `forbidden` (the user has no session)
   * stops retrying: status `closed` with that `refusal`, until `retryNow()`. Any other error is a
   * failed attempt, retried with backoff (`lastError` says why).
   */
  getToken?: () => Promise<string | undefined> | string | undefined;
  /** Identity to claim from a server in development-identity mode. Ignored by real servers. */
  devUser?: UserProfile;
  /** First retry delay in ms; the delay doubles per failure with full jitter. Default 1000. */
  reconnectInterval?: number;
  /** Cap of the retry delay in ms. Default 30000. */
  maxReconnectInterval?: number;
  /**
   * Failed attempts in a row before giving up: status `offline` with `gaveUpAfter`, until
   * `retryNow()` or the network coming back. Default `Infinity`: a widget that gives up after five
   * tries stays dead on a flaky train connection; the capped, jittered delay keeps it cheap.
   */
  maxReconnectAttempts?: number;
  /** How often the client pings, in ms. Default 30000. */
  heartbeatInterval?: number;
  /** No frame within this many ms after a ping means the socket is dead. Default 10000. */
  heartbeatTimeout?: number;
  /**
   * A request (a save, above all) sent on a link that has said nothing for a second is followed by
   * a ping; no frame within this many ms means the socket is dead: it is replaced at once, and the
   * save waits as an offline change and is sent again, with its mutation id, on the next socket.
   * Lengthened to twice the socket's slowest round trip so far (its handshake, answered pings),
   * so a slow but alive link is not dropped on every save. Default 5000.
   */
  probeTimeout?: number;
  /** Idle time before the user's own presence turns `away`. Default 300000 (5 min). */
  idleTimeout?: number;
  /** Hidden-tab time before the user's own presence turns `away`. Default 60000. */
  hiddenTimeout?: number;
  /** Stable id of this browser profile (device). Default: generated and kept in localStorage. */
  clientId?: string;
  /** Connect in the constructor. Default true. */
  autoConnect?: boolean;
  /** No `welcome` within this many ms of starting a connection means the attempt failed. Default 20000. */
  connectTimeout?: number;
  /** A `request()` (and `emit()`) with no answer within this many ms rejects with `timeout`. Default 15000. */
  requestTimeout?: number;
  /** Where warnings go (invalid frames, once per kind), and `debug` lines. Default `console`. */
  logger?: Pick<Console, 'warn'> & Partial<Pick<Console, 'debug'>>;
  /**
   * Log every frame in and out through `console.debug` (`crm-realtime: frame out join (58 B,
   * +12 ms)`), with sizes in bytes, ms since the socket opened and the round trip of requests.
   * Tokens are redacted. For development: off by default.
   */
  debug?: boolean;
  /**
   * Schedules a store notification; stores notify at most once per call. Default
   * `requestAnimationFrame` when present, else a 16 ms timer on the clock.
   */
  scheduleFrame?: (callback: () => void) => void;
  /**
   * Where offline edits wait (the outbox). Default: IndexedDB (database `crm-realtime-outbox`)
   * when the environment has it, else memory, with a warning that offline edits will not survive
   * a closed tab.
   */
  outbox?: OutboxStore;
  /**
   * How frames reach the server. Default: a WebSocket of this tab. `sharedConnection()` (from
   * `crm-realtime/client`) shares one socket among the browser's tabs.
   */
  transport?: TransportFactory;
  /** Test seams. */
  clock?: Clock;
  socketFactory?: SocketFactory;
  environment?: EnvironmentSignals;
  random?: () => number;
}

/** A message seen by `client.on(type, handler)`: room events by their event name, `'*'` for all. */
export interface RoomMessage {
  room: string;
  event: string;
  payload: unknown;
  from?: string;
  seq: number;
  at: number;
}

export type Unsubscribe = () => void;

/** What happened to a room's continuity after a reconnect. */
export interface ResumeInfo {
  room: string;
  /** `replayed`: nothing lost. `gap`: events were missed; stores re-synced from snapshots. */
  resume: 'none' | 'replayed' | 'gap';
  missed: number;
}

/** A held subscription to a room; release it when the widget goes away. */
export interface RoomHandle {
  readonly room: string;
  release(): void;
}

/** Presence of one room, one entry per person, usable without Lit. */
export interface PresenceSnapshot {
  readonly room: string;
  readonly people: readonly Person[];
  /**
   * People in the room in all: `people.length`, or more in a room so large that the server lists
   * only its first people (`PRESENCE_LISTED`, in arrival order).
   */
  readonly total: number;
  /** The current user's own entry, if present (and listed). */
  readonly self?: Person;
  /** The join was answered: the people are the room's, not the empty list before it. */
  readonly joined?: true;
  /**
   * Why the server would not let this page into the room, when it refused for good: `forbidden`
   * (the user may not see it), `too_many_rooms` (the connection already holds
   * `maxRoomsPerConnection` rooms: a list page with a widget per row). Nobody is listed then. A
   * room refused `too_many_rooms` is joined again as soon as the page releases another room, and
   * on every reconnect; a later join that succeeds clears this.
   */
  readonly refused?: { readonly code: string; readonly message: string };
}

export interface PresenceStoreApi {
  readonly room: string;
  snapshot(): PresenceSnapshot;
  /** Called with the new snapshot at most once per animation frame (batched). */
  subscribe(listener: (snapshot: PresenceSnapshot) => void): Unsubscribe;
  /** Set what the current user does in this room (viewing, or editing a field). */
  setActivity(activity: Activity): void;
  /** Release this store's hold on the room. */
  release(): void;
}

/** Client frames that carry a request `id` (and so get an answer with `replyTo`). */
type WithId<T> = T extends unknown ? ('id' extends keyof T ? T : never) : never;
type OmitId<T> = T extends unknown ? Omit<T, 'id'> : never;
export type RequestFrame = WithId<ClientFrame>;
export type RequestInput = RequestFrame | OmitId<RequestFrame>;

/**
 * The client as a capability sees it: the connection, rooms, events and requests, and nothing of
 * any capability. `RealtimeClient` implements it; capabilities and their stores depend on it, not
 * on the class, so the client can name the capabilities' types without an import cycle.
 */
export interface CapabilityClient {
  readonly status: ConnectionStatus;
  readonly user: UserProfile | undefined;
  onStatus(listener: (status: ConnectionStatus) => void): Unsubscribe;
  /**
   * Hold a room (reference-counted); release the handle when done. `onRefused` hears of a join
   * refused for good (`forbidden`, `too_many_rooms`), and `undefined` once a later join succeeds.
   */
  joinRoom(room: string, onRefused?: (refusal: RealtimeError | undefined) => void): RoomHandle;
  /** The last sequence number seen on a room, if any. */
  lastSeq(room: string): number | undefined;
  on(event: string, handler: (message: RoomMessage) => void): Unsubscribe;
  emit(room: string, event: string, payload: unknown): Promise<void>;
  onResume(listener: (info: ResumeInfo) => void): Unsubscribe;
  onFrame(listener: (frame: ServerFrame) => void): Unsubscribe;
  onError(listener: (error: RealtimeError) => void): Unsubscribe;
  /** Send a frame and resolve with the server's answer to it. */
  request(frame: RequestInput): Promise<ServerFrame>;
}

export type { Activity, Person, PresenceStatus, ServerFrame, UserProfile };
export type {
  ActivityFilter,
  ActivityItem,
  FeedRef,
  Notification,
  NotificationAction,
  NotificationPriority,
  NotificationType,
} from '../protocol/index.js';

/**
 * What `RealtimeClient` needs from the layer that carries its frames (`transport` option): one
 * logical connection with a status, open/down notifications and `send`. The default is a socket of
 * this tab (`Connection`); `sharedConnection()` reaches one socket all the browser's tabs share.
 */
export interface Transport {
  readonly status: ConnectionStatus;
  readonly isOpen: boolean;
  /** Start connecting (no-op when connecting or open). */
  connect(): void;
  /** Skip the wait before the next attempt. */
  retryNow(): void;
  /** This client is done: its rooms are left, and a socket no other tab uses is closed. */
  close(reason?: string): void;
  /** Throws `RealtimeError('not_connected')` when not open, `frame_too_large` over the limit. */
  send(frame: ClientFrame): void;
}

/**
 * How a connection paces its reconnects and checks that it is alive (milliseconds; attempts):
 * a transport's own, or those a tab hands the hub of a shared socket.
 */
export interface ConnectionTimings {
  reconnectInterval: number;
  maxReconnectInterval: number;
  maxReconnectAttempts: number;
  heartbeatInterval: number;
  heartbeatTimeout: number;
  probeTimeout: number;
  connectTimeout: number;
}

/** What a transport is made from. */
export interface TransportOptions extends ConnectionTimings {
  url: string;
  clientId: string;
  getToken?: RealtimeClientOptions['getToken'];
  devUser?: UserProfile;
  clock: Clock;
  socketFactory: SocketFactory;
  environment: EnvironmentSignals;
  random: () => number;
  logger: Pick<Console, 'warn'>;
  /** Logs every frame in and out (the client's `debug` option); undefined logs nothing. */
  frameLog?: { opened(): void; out(text: string): void; in(data: unknown): void } | undefined;
  /**
   * Parses what the socket delivered. Default `decodeFrame` with the checks of the capabilities
   * loaded here; a shared connection's hub passes frames on to the tabs, which check them.
   */
  decode?:
    | ((
        data: unknown,
      ) => { ok: true; frame: ServerFrame } | { ok: false; kind: string; message: string })
    | undefined;
}

/** What a transport tells its client. */
export interface TransportEvents {
  /** A socket completed the handshake. Fires on every (re)open. */
  onOpen(welcome: WelcomeFrame): void;
  /** A valid frame arrived on an open connection (heartbeat frames included), with its text. */
  onFrame(frame: ServerFrame, text: string): void;
  /** An open connection was lost; answers to pending requests will never come. */
  onDown(reason: string): void;
  onStatus(status: ConnectionStatus): void;
}

/** Makes a client's transport from its options and the events it reports to. */
export type TransportFactory = (options: TransportOptions, events: TransportEvents) => Transport;
