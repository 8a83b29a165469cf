/**
 * The framework-free client: one connection shared by every widget on the page, reference-counted
 * rooms, sequenced room events with resume after a reconnect, request/response pairs, and the
 * user's own presence. Works alone in Vue, Angular, React or plain script; Lit is not needed.
 *
 * ```ts
 * const client = new RealtimeClient({ url: 'wss://crm.example.com/realtime', getToken });
 * const room = client.joinRoom('customer:42');
 * const off = client.on('typing', (m) => console.log(m.from, m.payload));
 * // Room events are not queued: emit() rejects with `not_connected` until the socket is open.
 * const stop = client.onStatus((s) => {
 *   if (s.state !== 'open') return;
 *   stop();
 *   void client.emit('customer:42', 'typing', { field: 'email' });
 * });
 * // When done: off(); room.release();
 * ```
 */
import type {
  Activity,
  ClientFrame,
  EventFrame,
  FeedRef,
  JoinedFrame,
  PresenceState,
  ServerFrame,
  UserProfile,
  WelcomeFrame,
} from '../protocol/index.js';
import { eventName, passes, roomName } from '../protocol/server-frame-checks.js';
import {
  backoffDelay,
  DEFAULT_BACKOFF_BASE,
  DEFAULT_BACKOFF_CAP,
  namedWait,
} from './connection/backoff.js';
import { realClock } from '../util/clock.js';
import { browserEnvironment } from './connection/environment.js';
import { DEFAULT_HEARTBEAT_INTERVAL, DEFAULT_PROBE_TIMEOUT } from './connection/heartbeat.js';
import { OwnPresence, type OwnStatus } from './presence/own-presence.js';
import { PresenceView, type PresenceStoreHost } from './presence/presence-store.js';
import { Room } from './connection/room.js';
import { RealtimeError } from './realtime-error.js';
import { Connection } from './connection/socket.js';
import { browserSocketFactory } from './connection/wire.js';
import { PendingRequests } from './connection/requests.js';
import { Listeners } from './store/listeners.js';
import { SharedStores } from './store/shared-stores.js';
import { defaultClientId } from './connection/client-id.js';
import { frameLogFor } from './connection/frame-log-sink.js';
import type { LiveDataHub } from './live-data/live-data-hub.js';
import type { LiveData } from './live-data/live-data.js';
import type { LiveDataOptions } from './live-data/live-data-types.js';
import type { Outbox } from './live-data/outbox.js';
import type { NotificationStoreApi } from './notifications/notification-view.js';
import type { NotificationStoreOptions } from './notifications/notification-store.js';
import type { ActivityStoreApi, ActivityStoreOptions } from './activity/activity-store.js';
import type { ActivityFeeds } from './activity/activity-capability.js';
import type { Notifications } from './notifications/notifications-capability.js';
import type { Transport, TransportFactory } from './connection/transport.js';
import {
  registeredCapabilities,
  registeredCapability,
  type Capability,
  type CapabilityHost,
} from './capability.js';
import { createStoreHost } from './store/store-host.js';
import { LOG_PREFIX } from '../util/warn.js';
import type {
  CapabilityClient,
  Clock,
  ConnectionStatus,
  EnvironmentSignals,
  PresenceStoreApi,
  RealtimeClientOptions,
  RequestInput,
  ResumeInfo,
  RoomHandle,
  RoomMessage,
  Unsubscribe,
} from './types.js';

export type { RequestFrame, RequestInput } from './types.js';

/** Refusals of a join that say "not now", not "no": the join is sent again later. */
const REJOIN_AFTER: ReadonlySet<string> = new Set([
  'backend_unavailable',
  'internal',
  'rate_limited',
]);

/**
 * How long before a drop's error a presence frame may have been the one dropped (its answer takes
 * a round trip), and the wait before it goes again (the rate's bucket refills in a second).
 */
const PRESENCE_RESEND_MS = 1000;

export class RealtimeClient implements CapabilityClient {
  private readonly connection: Transport;
  /** Time and timers of this client; widgets use it so tests drive them with a manual clock. */
  readonly clock: Clock;
  /** Held rooms, each with its presence store: one per room, the last holder's release leaves. */
  private readonly rooms = new SharedStores<string, Room>((state, room) => this.left(state, room));
  private readonly handlers = new Map<string, Listeners<RoomMessage>>();
  private readonly statusListeners = new Listeners<ConnectionStatus>();
  private readonly resumeListeners = new Listeners<ResumeInfo>();
  private readonly frameListeners = new Listeners<ServerFrame>();
  private readonly errorListeners = new Listeners<RealtimeError>();
  private readonly pending: PendingRequests;
  private readonly environment: EnvironmentSignals;
  private ownPresence: OwnPresence | undefined;
  private currentUser: UserProfile | undefined;
  /** `close()` was called (and `connect()` not since). */
  private closed = false;
  private nextId = 1;
  private readonly storeHost: PresenceStoreHost;
  private readonly capabilities = new Map<Capability<unknown>, unknown>();
  private capabilityHost: CapabilityHost | undefined;
  /** The timer that sends again presence the server may have dropped. */
  private presenceResend: unknown;

  constructor(private readonly options: RealtimeClientOptions) {
    this.clock = options.clock ?? realClock;
    const scheduleFrame =
      options.scheduleFrame ??
      (typeof globalThis.requestAnimationFrame === 'function'
        ? (callback: () => void) => void globalThis.requestAnimationFrame(() => callback())
        : (callback: () => void) => void this.clock.setTimeout(callback, 16));
    // Stores batch notifications per animation frame and need to know who "self" is.
    this.storeHost = { selfId: () => this.currentUser?.id, scheduleFrame };
    this.pending = new PendingRequests(this.clock);
    this.environment = options.environment ?? browserEnvironment();
    const transport: TransportFactory =
      options.transport ?? ((settings, events) => new Connection(settings, events));
    this.connection = transport(
      {
        url: options.url,
        clientId: options.clientId ?? defaultClientId(),
        getToken: options.getToken,
        devUser: options.devUser,
        reconnectInterval: options.reconnectInterval ?? DEFAULT_BACKOFF_BASE,
        maxReconnectInterval: options.maxReconnectInterval ?? DEFAULT_BACKOFF_CAP,
        // Unlimited by default: the capped, jittered delay keeps retrying cheap, and a widget that
        // gives up after five tries stays dead on a flaky train connection.
        maxReconnectAttempts: options.maxReconnectAttempts ?? Infinity,
        heartbeatInterval: options.heartbeatInterval ?? DEFAULT_HEARTBEAT_INTERVAL,
        heartbeatTimeout: options.heartbeatTimeout ?? 10_000,
        probeTimeout: options.probeTimeout ?? DEFAULT_PROBE_TIMEOUT,
        connectTimeout: options.connectTimeout ?? 20_000,
        clock: this.clock,
        socketFactory: options.socketFactory ?? browserSocketFactory,
        environment: this.environment,
        random: options.random ?? Math.random,
        logger: options.logger ?? console,
        frameLog: frameLogFor(options.debug, this.clock, options.logger),
      },
      {
        onOpen: (welcome) => this.opened(welcome),
        onFrame: (frame) => this.received(frame),
        onDown: (reason) => this.down(reason),
        onStatus: (status) => this.statusListeners.emit(status),
      },
    );
    // Live data and the offline outbox, when loaded: entries a closed tab left are loaded now,
    // replayed when open.
    for (const capability of registeredCapabilities()) if (capability.eager) this.use(capability);
    if (options.autoConnect !== false) this.connect();
  }

  get status(): ConnectionStatus {
    return this.connection.status;
  }

  /** Who the server says we are; known after the first `welcome`. */
  get user(): UserProfile | undefined {
    return this.currentUser;
  }

  /** Status changes. Not called with the current status: read `status` first. */
  onStatus(listener: (status: ConnectionStatus) => void): Unsubscribe {
    return this.statusListeners.add(listener);
  }

  connect(): void {
    this.closed = false;
    this.ownPresence ??= new OwnPresence({
      clock: this.clock,
      environment: this.environment,
      idleTimeout: this.options.idleTimeout ?? 300_000,
      hiddenTimeout: this.options.hiddenTimeout ?? 60_000,
      onChange: () => [...this.rooms.keys()].forEach((room) => this.sendPresence(room)),
    });
    this.connection.connect();
  }

  /** Try now instead of waiting for the next retry (the "retry now" button). */
  retryNow(): void {
    if (!this.ownPresence && !this.closed) return this.connect(); // never connected yet
    this.connection.retryNow();
  }

  /** Close for good: status `closed`, no more retries, pending requests rejected. */
  close(): void {
    this.closed = true;
    this.clock.clearTimeout(this.presenceResend);
    this.presenceResend = undefined;
    this.connection.close();
    this.ownPresence?.dispose();
    this.ownPresence = undefined;
    this.pending.rejectAll('closed', 'client closed');
  }

  // -------------------------------------------------------------------------------------------
  // rooms

  /**
   * Hold a room. Many holders share one subscription; the last `release()` leaves it. `onRefused`
   * hears of a join the server refused for good (at once when it already was), and `undefined`
   * when a later join succeeds. A `watch` holder hears the room without making the user present
   * there; the room is joined as a watcher only while every holder watches.
   */
  joinRoom(
    room: string,
    onRefused?: (refusal: RealtimeError | undefined) => void,
    watch = false,
  ): RoomHandle {
    if (!passes(roomName, room)) {
      throw new TypeError(
        `invalid room name ${JSON.stringify(room)}: use kind:id, e.g. customer:42`,
      );
    }
    const state = this.rooms.hold(room, () => new Room(room, this.storeHost));
    state.watchers += +watch;
    this.mode(state);
    if (this.rooms.refs(room) === 1 && this.connection.isOpen) this.join(state);
    const off = onRefused && state.refusals.add(onRefused);
    if (off && state.refusal) onRefused(state.refusal);
    let held = true;
    return {
      room,
      release: () => {
        if (!held) return;
        held = false;
        off?.();
        state.watchers -= +watch;
        if (!this.rooms.release(room)) this.mode(state);
      },
    };
  }

  /** Holders came or went: join again in the other mode when the room's changed. */
  private mode(state: Room): void {
    const watch = state.watchers === this.rooms.refs(state.name);
    if (watch === state.watch) return;
    state.watch = watch;
    if (state.needsLeave && this.connection.isOpen) this.join(state);
  }

  /** Presence of a room; holds the room until `release()`; `watch` as for `joinRoom`. */
  presence(room: string, watch?: boolean): PresenceStoreApi {
    const handle = this.joinRoom(room, undefined, watch);
    const state = this.rooms.get(room)!;
    return new PresenceView(state.store, handle, (r, activity, onlyIf) =>
      this.setActivity(r, activity, onlyIf),
    );
  }

  /**
   * The current user's notifications: one store per client, shared by every caller, holding the
   * user's personal room while any view is held. Release the view when done.
   */
  notifications(options?: NotificationStoreOptions): NotificationStoreApi {
    return this.loaded<Notifications>('notifications').open(options);
  }

  /** One activity feed: history, filter and live tail; holds the feed's room until `release()`. */
  activity(feed: FeedRef, options?: ActivityStoreOptions): ActivityStoreApi {
    return this.loaded<ActivityFeeds>('activity').open(feed, options);
  }

  /**
   * This client's one instance of a capability (live data, notifications, activity), made on
   * first use and shared by every caller: the port through which capabilities plug in (see
   * `capability.ts`).
   */
  use<T>(capability: Capability<T>): T {
    if (this.capabilities.has(capability)) return this.capabilities.get(capability) as T;
    const logger = this.options.logger ?? console;
    this.capabilityHost ??= {
      ...createStoreHost(this.storeHost.scheduleFrame, logger),
      clock: this.clock,
      logger,
      options: this.options,
    };
    const instance = capability.create(this, this.capabilityHost);
    this.capabilities.set(capability, instance);
    return instance;
  }

  /** The capability behind one of the methods above, once its module is loaded. */
  private loaded<T>(name: string): T {
    const capability = registeredCapability(name);
    if (!capability) {
      throw new Error(
        `${LOG_PREFIX} ${name} is not loaded: import RealtimeClient from crm-realtime/client, ` +
          'or an element that shows it',
      );
    }
    return this.use(capability as Capability<T>);
  }

  /**
   * A live view of one entity: snapshot, remote changes, optimistic saves with conflicts (see
   * `LiveData`). Holds the entity's room until `release()`. Throws a `TypeError` for an invalid
   * entity type or id.
   */
  liveData(options: LiveDataOptions): LiveData {
    return this.loaded<LiveDataHub>('liveData').open(options);
  }

  /** Changes waiting to be sent (offline edits), durable where IndexedDB exists. */
  get outbox(): Outbox {
    return this.loaded<LiveDataHub>('liveData').outbox;
  }

  /** Highest event sequence number seen in a held room. */
  lastSeq(room: string): number | undefined {
    return this.rooms.get(room)?.lastSeq;
  }

  /** Rooms currently held, with their holder counts (for debugging and tests). */
  heldRooms(): ReadonlyMap<string, number> {
    return new Map([...this.rooms.keys()].map((room) => [room, this.rooms.refs(room)]));
  }

  // -------------------------------------------------------------------------------------------
  // events

  /** Room events by event name, or every event with `'*'`. */
  on(event: string, handler: (message: RoomMessage) => void): Unsubscribe {
    let set = this.handlers.get(event);
    if (!set) this.handlers.set(event, (set = new Listeners()));
    return set.add(handler);
  }

  /** Broadcast to a room; resolves when the server acknowledged it. Not queued while offline. */
  async emit(room: string, event: string, payload: unknown): Promise<void> {
    if (!passes(roomName, room) || !passes(eventName, event)) {
      throw new RealtimeError('bad_frame', `invalid room or event name: ${room} / ${event}`, room);
    }
    // `undefined` is not JSON: send null rather than a frame without its payload.
    await this.request({ type: 'emit', room, event, payload: (payload ?? null) as never });
  }

  /**
   * Fires after each (re)join of a room (after a reconnect, or a hole in its sequence): `none`,
   * `replayed` or `gap`.
   */
  onResume(listener: (info: ResumeInfo) => void): Unsubscribe {
    return this.resumeListeners.add(listener);
  }

  /** Every valid frame from the server, after the client handled it. Low level. */
  onFrame(listener: (frame: ServerFrame) => void): Unsubscribe {
    return this.frameListeners.add(listener);
  }

  /** Errors not tied to a request: a refused join (`forbidden`, `too_many_rooms`), server errors. */
  onError(listener: (error: RealtimeError) => void): Unsubscribe {
    return this.errorListeners.add(listener);
  }

  /**
   * Send a frame with an `id` and resolve with the frame answering it (`replyTo`). Rejects with a
   * `RealtimeError`: the server's code on an `error` frame, `not_connected`, `disconnected`,
   * `timeout`. For capabilities built on top; rooms go through `joinRoom`.
   */
  request(frame: RequestInput): Promise<ServerFrame> {
    const id = ('id' in frame && frame.id) || this.newId(frame.type);
    try {
      this.connection.send({ ...frame, id } as ClientFrame);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.pending.wait(id, frame.type, this.options.requestTimeout ?? 15_000);
  }

  // -------------------------------------------------------------------------------------------
  // presence

  /** Override the automatic online/away status until the next input or visibility change. */
  setPresenceStatus(status: OwnStatus): void {
    this.ownPresence?.set(status);
  }

  /** The user's own status as sent to the server. */
  get presenceStatus(): OwnStatus {
    return this.ownPresence?.status ?? 'online';
  }

  private setActivity(room: string, activity: Activity, onlyIf?: Activity): void {
    const state = this.rooms.get(room);
    if (!state) return;
    if (onlyIf && JSON.stringify(state.activity) !== JSON.stringify(onlyIf)) return;
    state.activity = activity;
    this.sendPresence(room);
  }

  /**
   * Tell a held room whether the user is in its call (`<crm-huddle>`); presence shows it to the
   * others. Kept across reconnects like the activity.
   */
  setInCall(room: string, inCall: boolean): void {
    const state = this.rooms.get(room);
    if (!state || state.inCall === inCall) return;
    state.inCall = inCall;
    this.sendPresence(room);
  }

  private presenceState(state: Room): PresenceState {
    const presence: PresenceState = { status: this.presenceStatus, activity: state.activity };
    if (state.inCall) presence.inCall = true;
    return presence;
  }

  private sendPresence(room: string): void {
    const state = this.rooms.get(room);
    if (!state || !this.connection.isOpen) return;
    const frame = state.presenceFrame(this.presenceState(state));
    if (!frame) return;
    this.connection.send(frame);
    state.presenceSentAt = this.clock.now();
  }

  /**
   * Presence frames carry no id, so the server answers one it dropped under its rate limit with
   * an error naming no request. Rooms whose presence went out just before may have lost theirs;
   * left so, the others would see an old status, or a field still being edited, until the user's
   * next change. Their current presence goes again once the rate's bucket has refilled (one timer
   * for every drop meanwhile; only those rooms, so a drop cannot make a burst of all of them).
   */
  private presenceDropped(): void {
    const since = this.clock.now() - PRESENCE_RESEND_MS;
    for (const state of this.rooms.values()) {
      if ((state.presenceSentAt ?? 0) >= since) state.sentPresence = undefined;
    }
    this.presenceResend ??= this.clock.setTimeout(() => {
      this.presenceResend = undefined;
      // Rooms whose presence was not forgotten (or was sent again meanwhile) send nothing.
      for (const room of this.rooms.keys()) this.sendPresence(room);
    }, PRESENCE_RESEND_MS);
  }

  // -------------------------------------------------------------------------------------------
  // connection events

  private opened(welcome: WelcomeFrame): void {
    const changedUser = this.currentUser?.id !== welcome.user.id;
    this.currentUser = welcome.user;
    for (const state of this.rooms.values()) {
      if (changedUser) state.store.refreshSelf();
      this.join(state);
    }
  }

  private join(state: Room): void {
    this.connection.send(state.joinFrame(this.newId('join'), this.presenceState(state)));
  }

  /** The last holder released the room. */
  private left(state: Room, room: string): void {
    this.clock.clearTimeout(state.rejoinTimer);
    const hadPlace = state.needsLeave;
    state.store.clear();
    if (this.connection.isOpen && hadPlace) {
      this.connection.send({ type: 'leave', id: this.newId('leave'), room });
    }
    if (hadPlace) this.joinWaiting();
  }

  private received(frame: ServerFrame): void {
    switch (frame.type) {
      case 'joined':
        this.joined(frame);
        break;
      case 'event': {
        const state = this.rooms.get(frame.room);
        if (state?.held && state.joinId) state.held.push(frame);
        // A hole on a live socket (a `seq` more than one above the last, after `joined`): a server
        // that skipped one would lose it for good. Joining again from the last seq seen has it
        // replayed (or answered `gap`, and the stores read again); what comes meanwhile is held.
        else if (state?.joined && !state.leavesOut && frame.seq > state.lastSeq! + 1) {
          state.held = [frame];
          this.join(state);
        }
        // Drop events of rooms not held, of a first join not yet confirmed, and duplicates.
        else if (state?.acceptEvent(frame.seq)) this.dispatch(frame);
        break;
      }
      case 'presence.diff':
        this.rooms.get(frame.room)?.store.apply(frame.upsert, frame.remove, frame.total);
        break;
      case 'error':
        // An error answering a request rejects it; any other is about a join or the connection.
        if (!this.pending.settle(frame)) this.failed(frame);
        break;
      default:
        this.pending.settle(frame);
    }
    this.frameListeners.emit(frame);
  }

  private dispatch(frame: EventFrame): void {
    const message: RoomMessage = {
      room: frame.room,
      event: frame.event,
      payload: frame.payload,
      seq: frame.seq,
      at: frame.at,
    };
    if (frame.from !== undefined) message.from = frame.from;
    this.handlers.get(frame.event)?.emit(message);
    this.handlers.get('*')?.emit(message);
  }

  private joined(frame: JoinedFrame): void {
    // Ignore the answer to a join released or superseded meanwhile.
    if (!this.rooms.get(frame.room)?.applyJoined(frame, (event) => this.dispatch(event))) return;
    this.resumeListeners.emit({ room: frame.room, resume: frame.resume, missed: frame.missed });
    this.sendPresence(frame.room); // presence may have changed while the join was in flight
  }

  private failed(frame: Extract<ServerFrame, { type: 'error' }>): void {
    const error = new RealtimeError(frame.code, frame.message, frame.room);
    const removed =
      frame.removed && frame.replyTo === undefined ? this.rooms.get(frame.room!) : undefined;
    if (removed) {
      // The server took the connection out of the room (the user's permissions changed): it is
      // no longer joined, and its widgets say why, as for a refused join; one the server could
      // not decide about now is joined again later, which asks again.
      removed.disconnected();
      if (REJOIN_AFTER.has(frame.code)) this.rejoinLater(removed, frame.retryAfterMs);
      else removed.refuse(error);
    }
    if (frame.code === 'rate_limited' && frame.replyTo === undefined) this.presenceDropped();
    for (const state of this.rooms.values()) {
      if (frame.replyTo === undefined || state.joinId !== frame.replyTo) continue;
      state.joinId = undefined;
      if (REJOIN_AFTER.has(frame.code)) this.rejoinLater(state, frame.retryAfterMs);
      // Refused for good: the room's widgets say so instead of loading for ever.
      else state.refuse(error);
    }
    this.errorListeners.emit(error);
  }

  /**
   * A room was left: one the connection had no place for (`too_many_rooms`) takes the place, in
   * the order the page asked for them (a list page that scrolls its rows away makes room for the
   * next ones).
   */
  private joinWaiting(): void {
    if (!this.connection.isOpen) return;
    for (const state of this.rooms.values()) {
      if (state.refusal?.code !== 'too_many_rooms' || state.joinId !== undefined) continue;
      this.join(state);
      return;
    }
  }

  /**
   * A join the server could not answer now (`backend_unavailable`: the CRM's authorization did
   * not answer; `internal`; `rate_limited`) is sent again after a jittered, doubling delay, as a
   * reconnect is, and no sooner than the wait the server named (`retryAfterMs`, at most a
   * minute): the room would otherwise stay empty until the next reconnect.
   */
  private rejoinLater(state: Room, named: number | undefined): void {
    this.clock.clearTimeout(state.rejoinTimer);
    const delay = Math.max(
      namedWait(named),
      backoffDelay(state.refusedJoins++, {
        base: this.options.reconnectInterval ?? DEFAULT_BACKOFF_BASE,
        cap: this.options.maxReconnectInterval ?? DEFAULT_BACKOFF_CAP,
        random: this.options.random ?? Math.random,
      }),
    );
    state.rejoinTimer = this.clock.setTimeout(() => {
      state.rejoinTimer = undefined;
      // Released, or joined again meanwhile (a reconnect rejoins every room itself).
      if (this.rooms.get(state.name) !== state || state.needsLeave) return;
      if (this.connection.isOpen) this.join(state);
    }, delay);
  }

  private down(reason: string): void {
    for (const state of this.rooms.values()) state.disconnected();
    this.pending.rejectAll('disconnected', `connection lost (${reason}) before the answer arrived`);
  }

  private newId(kind: string): string {
    return `${kind}-${this.nextId++}`;
  }
}
