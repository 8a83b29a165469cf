/**
 * The protocol half of the in-memory fake server (see `FakeServer` for the scripting API): it
 * speaks the real protocol and validates every frame in both directions with the real schemas.
 */
import * as z from 'zod/mini';
import {
  EntityId,
  EntityType,
  LIMITS,
  PROTOCOL_VERSION,
  ServerFrame,
  invalidHelloReason,
  parseClientFrame,
  requestIdOf,
  type ClientFrame,
  type ErrorCode,
  type JoinFrame,
  type EntityChange,
  type EventFrame,
  type Person,
  type UserProfile,
} from '../protocol/index.js';
import { realClock } from '../util/clock.js';
import { watcherNotification } from '../domain/entity-activity.js';
import { signalAllowed } from '../domain/call-signals.js';
import { frameFor } from '../domain/field-redaction.js';
import { fitsFrame, jsonBytes } from '../domain/frame-fit.js';
import { DEFAULT_MAX_BUFFERED_BYTES, ReplayBudget } from '../domain/replay-budget.js';
import type { Clock, SocketFactory, SocketLike } from '../client/types.js';
import { FakeRoom, type FakeConnection, type PersonEntry } from './fake-room.js';
import { FakeEntities } from './fake-entities.js';
import { acceptsPartialAck } from '../domain/frame-fit.js';
import { FakeSocket, OPEN, type FakeSocketPeer } from './fake-socket.js';
import { FakeNotifications } from './fake-notifications.js';
import { FakeActivity } from './fake-activity.js';
import { delivered } from './wait-for.js';
import { WriteBudget } from '../util/write-budget.js';

export interface FakeServerOptions {
  clock?: Clock;
  /** Known users; each accepts the token `fakeToken(id)`. */
  users?: UserProfile[];
  /** Accept or refuse a token. Default: `fakeToken(id)` of a known user. */
  verifyToken?: (token: string) => UserProfile | undefined;
  /** Accept `devUser` in `hello` without a token, like `npm start`. Default true. */
  allowDevUsers?: boolean;
  /** May this user join this room? Default: yes. */
  authorize?: (user: UserProfile, room: string) => boolean;
  /** One-way delivery delay in ms; 0 delivers on the next microtask. Default 0. */
  latency?: number;
  /** How long a person stays after their last connection left. Default 15000; 0 = at once. */
  graceMs?: number;
  replayEvents?: number;
  replayMillis?: number;
  /**
   * The reference server's `limits.maxBufferedBytes` (default 8 MiB), which bounds replay as
   * there: a join's replay over half of it, or past 4 times it a minute per user, is a `gap`.
   */
  maxBufferedBytes?: number;
  /** Throw on client frames that fail validation (default), or only record them. */
  strict?: boolean;
  /**
   * The reference server's `notifyWatchersOnChange` rule (on in its development mode): a person's
   * accepted change to an entity notifies the others present on it ("Ana Souza updated
   * Difference Ltd: Contact"). Default false, as on the reference server.
   */
  notifyWatchersOnChange?: boolean;
  /**
   * The reference server's write budget (`CRM_WRITE_BYTES_PER_MINUTE`): bytes of saves and
   * notifications one user may send a minute, by this server's clock; a frame over it is refused
   * `rate_limited`, as there (the frames only: see `FakeServer.setWriteBudget`). Default 0: no
   * budget (the reference server's default is 1 MiB).
   */
  writeBytesPerMinute?: number;
}

/** One frame in the log; `in` = client → server, `out` = server → client. */
export interface FrameRecord {
  direction: 'in' | 'out';
  connection: string;
  frame: ClientFrame | ServerFrame;
  at: number;
}

export class ProtocolViolation extends Error {
  override readonly name = 'ProtocolViolation';
}

export const fakeToken = (userId: string): string => `fake-token:${userId}`;

interface ServerConnection extends FakeConnection {
  readonly socket: FakeSocket;
}

/**
 * The protocol half of the fake server: transport, handshake, rooms, presence aggregation with
 * the grace period, resume, validation and the frame log. `FakeServer` adds the scripting API.
 */
export class FakeProtocolServer implements FakeSocketPeer {
  /** Every valid frame in both directions, in order. */
  readonly frames: FrameRecord[] = [];
  /** Client frames that failed validation. */
  readonly violations: { text: string; message: string }[] = [];
  readonly clock: Clock;
  protected readonly rooms = new Map<string, FakeRoom>();
  protected readonly open = new Map<FakeSocket, ServerConnection>();
  protected readonly options: FakeServerOptions;
  protected latency: number;
  protected refusing = false;
  protected holed = false;
  /** Client frames kept from being answered (`FakeServer.hold`), each with its own queue. */
  protected readonly holds = new Set<{
    match: (frame: ClientFrame) => boolean;
    waiting: (() => void)[];
  }>();
  /** `close()` was called: connections are refused and people leave at once. */
  protected closed = false;
  protected nextConnection = 1;
  /** Replay per user and minute, as the server bounds it. */
  private readonly replays: ReplayBudget;
  /** Bytes of saves and notifications per user and minute, as the server bounds them. */
  protected writes: WriteBudget;

  /** Live data: versioned entities, scripted through `server.entities` (see `FakeEntities`). */
  readonly entities: FakeEntities = new FakeEntities({
    now: () => this.clock.now(),
    publish: (room, event, payload, from) => {
      const frame = this.publish(room, event, payload, from);
      // Every accepted change goes to the activity log and, with the watcher rule, to the people
      // on the entity, as on the reference server.
      if (event === 'entity.change') this.entityChanged(payload as EntityChange);
      return frame;
    },
    mayJoin: (user, room) => this.options.authorize?.(user, room) ?? true,
  });

  /** Notifications: stored per recipient, scripted through `server.notifications`. */
  readonly notifications: FakeNotifications = new FakeNotifications({
    now: () => this.clock.now(),
    publish: (room, event, payload, from) => this.publish(room, event, payload, from),
    send: (c, frame) => this.send(c as ServerConnection, frame),
    error: (c, code, message, replyTo) => this.error(c as ServerConnection, code, message, replyTo),
    membersOf: (room) => this.rooms.get(room)?.members ?? [],
    peopleIn: (room) => this.rooms.get(room)?.people.keys() ?? [],
    hasRoom: (room) => this.rooms.has(room),
    mayRead: (who, type, id) => {
      const authorize = this.options.authorize;
      if (!authorize) return true;
      const user =
        typeof who !== 'string'
          ? who
          : ([...this.open.values()].find((c) => c.user?.id === who)?.user ??
            this.options.users?.find((u) => u.id === who) ?? { id: who, name: who });
      return authorize(user, `${type}:${id}`);
    },
  });

  /** The activity log and its feeds, scripted through `server.activity`. */
  readonly activity: FakeActivity = new FakeActivity({
    now: () => this.clock.now(),
    publish: (room, event, payload, from) => this.publish(room, event, payload, from),
    hasRoom: (room) => this.rooms.has(room),
    send: (c, frame) => this.send(c as ServerConnection, frame),
    error: (c, code, message, replyTo) => this.error(c as ServerConnection, code, message, replyTo),
    mayJoin: (user, room) => this.options.authorize?.(user, room) ?? true,
  });

  constructor(options: FakeServerOptions = {}) {
    this.options = options;
    this.replays = new ReplayBudget(options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES);
    this.writes = new WriteBudget(options.writeBytesPerMinute ?? 0);
    this.clock = options.clock ?? realClock;
    this.latency = options.latency ?? 0;
  }

  private entityChanged(change: EntityChange): void {
    this.activity.recordEntityChange(change);
    if (!this.options.notifyWatchersOnChange) return;
    const notification = watcherNotification(change);
    if (notification && change.by) this.notifications.notify(notification, change.by);
  }

  /** Pass as `socketFactory` to `RealtimeClient`. */
  readonly socketFactory: SocketFactory = (url: string): SocketLike => {
    const socket = new FakeSocket(url, this);
    this.deliver(() => {
      if (this.refusing || this.closed) return socket.closed(1006, 'connection refused');
      const connection: ServerConnection = {
        id: `c${this.nextConnection++}`,
        socket,
        user: undefined,
        clientId: undefined,
        rooms: new Set(),
      };
      this.open.set(socket, connection);
      socket.opened();
    });
    return socket;
  };

  /** Open connections (handshake done or not). */
  get connections(): number {
    return this.open.size;
  }

  /** Frames the server received, optionally of one type. */
  received<T extends ClientFrame['type']>(type?: T): Extract<ClientFrame, { type: T }>[] {
    return this.frames
      .filter((r) => r.direction === 'in' && (!type || r.frame.type === type))
      .map((r) => r.frame as Extract<ClientFrame, { type: T }>);
  }

  /** Frames the server sent, optionally of one type. */
  sent<T extends ServerFrame['type']>(type?: T): Extract<ServerFrame, { type: T }>[] {
    return this.frames
      .filter((r) => r.direction === 'out' && (!type || r.frame.type === type))
      .map((r) => r.frame as Extract<ServerFrame, { type: T }>);
  }

  // -------------------------------------------------------------------------------------------
  // FakeSocketPeer

  /** @internal */
  deliver(fn: () => void): void {
    // A test waiting for a state (`waitFor`) checks again after each delivery.
    const run = () => {
      try {
        fn();
      } finally {
        delivered();
      }
    };
    if (this.latency === 0) queueMicrotask(run);
    else this.clock.setTimeout(run, this.latency);
  }

  /** @internal */
  clientSent(socket: FakeSocket, text: string): void {
    const result = parseClientFrame(text);
    // A hello the real server refuses as invalid (a development identity with a javascript:
    // avatar, say) is the page's input, not a bug of the kit: refused the same way, never thrown.
    const invalidHello =
      !result.ok && this.open.get(socket)?.user === undefined
        ? invalidHelloReason(text)
        : undefined;
    if (!result.ok) {
      this.violations.push({ text, message: result.message });
      if (this.options.strict !== false && invalidHello === undefined) {
        throw new ProtocolViolation(`client sent an invalid frame: ${result.message}\n${text}`);
      }
    }
    if (this.holed) return;
    this.deliver(() => {
      const connection = this.open.get(socket);
      if (!connection) return;
      if (invalidHello !== undefined) {
        this.error(connection, 'bad_frame', invalidHello, requestIdOf(text));
        return this.disconnect(connection, 1008, 'invalid hello');
      }
      if (!result.ok) {
        return this.error(connection, result.code, result.message, requestIdOf(text));
      }
      this.log('in', connection, result.frame);
      const frame = result.frame;
      const overBudget =
        connection.user && WriteBudget.pays(frame)
          ? this.writes.refusal(connection.user.id, utf8Length(text), this.clock.now())
          : undefined;
      if (overBudget) {
        return this.error(connection, 'rate_limited', overBudget.message, idOf(frame), undefined, {
          retryAfterMs: overBudget.retryAfterMs,
        });
      }
      const hold = [...this.holds].find((h) => h.match(frame));
      // Held: answered on release, if its connection is still open then.
      if (hold) hold.waiting.push(() => this.open.get(socket) && this.handle(connection, frame));
      else this.handle(connection, frame);
    });
  }

  /** @internal */
  clientClosed(socket: FakeSocket): void {
    const connection = this.open.get(socket);
    if (connection) this.forget(connection);
  }

  // -------------------------------------------------------------------------------------------
  // protocol

  /** Append a sequenced event to a room and send it to its members. */
  protected publish(room: string, event: string, payload: unknown, from?: string): EventFrame {
    const r = this.room(room);
    r.seq += 1;
    const frame: EventFrame = {
      type: 'event',
      room,
      seq: r.seq,
      event,
      payload: payload as EventFrame['payload'],
      at: this.clock.now(),
    };
    if (from !== undefined) frame.from = from;
    this.validate(frame);
    r.record(frame, this.clock.now());
    this.toMembers(r, frame);
    return frame;
  }

  protected handle(c: ServerConnection, frame: ClientFrame): void {
    if (frame.type === 'hello') return this.hello(c, frame);
    if (!c.user) return this.error(c, 'not_authenticated', 'send hello first', idOf(frame));
    const user = c.user;
    switch (frame.type) {
      case 'join':
        return this.join(c, user, frame);
      case 'leave':
        this.leave(c, frame.room, frame.tab ?? '', true);
        return this.send(c, { type: 'left', replyTo: frame.id, room: frame.room });
      case 'presence': {
        const r = this.rooms.get(frame.room);
        if (
          !r ||
          !c.rooms.has(frame.room) ||
          !r.update(c, frame.tab ?? '', user.id, frame.state, this.clock.now())
        ) {
          const why = r?.holds(c, frame.tab ?? '') ? 'watching' : 'not joined to';
          return this.error(c, 'not_joined', `${why} ${frame.room}`, undefined, frame.room);
        }
        this.announce(r, user.id);
        return;
      }
      case 'emit': {
        if (!c.rooms.has(frame.room)) {
          return this.error(c, 'not_joined', `not joined to ${frame.room}`, frame.id, frame.room);
        }
        if (frame.event === 'notification') return this.notifications.emit(c, user, frame);
        if (frame.event === 'activity') {
          return this.error(c, 'forbidden', 'activity is written by the server', frame.id);
        }
        // Addressed to one person (call signaling): to them only, unsequenced, as the server does.
        if (frame.to !== undefined) {
          const room = this.room(frame.room);
          if (!signalAllowed(frame.event, user.id, frame.to, room.snapshot())) {
            return this.error(
              c,
              'forbidden',
              `${frame.event} goes only between people in the call`,
              frame.id,
              frame.room,
            );
          }
          if (!this.toAddressee(room, user.id, frame.to, frame.event, frame.payload)) {
            return this.error(
              c,
              'payload_too_large',
              `signal frame exceeds ${LIMITS.maxFrameBytes} bytes`,
              frame.id,
              frame.room,
            );
          }
          if (frame.id) this.send(c, { type: 'ack', replyTo: frame.id });
          return;
        }
        // The sender receives its own event too: its sequence stays gap-free.
        const event = this.publish(frame.room, frame.event, frame.payload, user.id);
        if (frame.id) this.send(c, { type: 'ack', replyTo: frame.id, seq: event.seq });
        return;
      }
      case 'ping':
        return this.send(
          c,
          frame.t === undefined ? { type: 'pong' } : { type: 'pong', t: frame.t },
        );
      case 'pong':
        return;
      case 'entity.get':
      case 'entity.update':
        return this.send(c, this.entities.answer(user, frame, c.acceptsPartialAck === true));
      case 'notification.list':
        return this.notifications.list(c, user, frame);
      case 'notification.read':
        return this.notifications.read(c, user, frame);
      case 'activity.list':
        return this.activity.list(c, user, frame);
      default: {
        // A frame type the schema knows but this fake does not implement (a later capability).
        const type = (frame as { type: string }).type;
        return this.error(c, 'bad_frame', `fake server does not implement ${type}`, idOf(frame));
      }
    }
  }

  protected hello(c: ServerConnection, frame: Extract<ClientFrame, { type: 'hello' }>): void {
    if (frame.v !== PROTOCOL_VERSION) {
      this.error(c, 'unsupported_version', `protocol v${frame.v} not supported`, frame.id);
      return this.disconnect(c, 1002, 'unsupported version');
    }
    const verify =
      this.options.verifyToken ??
      ((token: string) => this.options.users?.find((u) => fakeToken(u.id) === token));
    const user = frame.token
      ? verify(frame.token)
      : this.options.allowDevUsers !== false
        ? frame.devUser
        : undefined;
    if (!user) {
      this.error(c, 'invalid_token', frame.token ? 'token refused' : 'token required', frame.id);
      return this.disconnect(c, 1008, 'invalid token');
    }
    c.user = user;
    c.clientId = frame.clientId;
    c.acceptsPartialAck = acceptsPartialAck(frame.accepts);
    this.send(c, {
      type: 'welcome',
      replyTo: frame.id,
      v: PROTOCOL_VERSION,
      connectionId: c.id,
      user,
      heartbeatMs: 30_000,
      limits: {
        maxFrameBytes: LIMITS.maxFrameBytes,
        maxRoomsPerConnection: LIMITS.maxRoomsPerConnection,
        maxMessagesPerSecond: LIMITS.maxMessagesPerSecond,
        maxPresenceBytes: LIMITS.maxPresenceBytes,
      },
    });
  }

  protected join(c: ServerConnection, user: UserProfile, frame: JoinFrame): void {
    const personal = this.notifications.mayJoin(user, frame.room); // nobody joins another's user:
    if (!personal || (this.options.authorize && !this.options.authorize(user, frame.room))) {
      return this.error(c, 'forbidden', `may not join ${frame.room}`, frame.id, frame.room);
    }
    if (!c.rooms.has(frame.room) && c.rooms.size >= LIMITS.maxRoomsPerConnection) {
      return this.error(c, 'too_many_rooms', 'too many rooms', frame.id, frame.room);
    }
    const r = this.room(frame.room);
    const now = this.clock.now();
    const point = r.resume(frame.since, now);
    const { missed } = point;
    let { resume, events } = point;
    if (events.length > 0) {
      let bytes = 0;
      for (const event of events) bytes += jsonBytes(event);
      // Frames here leave at once: nothing is ever unsent.
      if (this.replays.verdict(user.id, bytes, 0, now) !== 'replay') {
        resume = 'gap';
        events = [];
      }
    }
    c.rooms.add(frame.room);
    // A watcher hears the room but is not in its presence; a member turned watcher leaves it at
    // once, as the reference server does.
    const state = frame.watch
      ? undefined
      : (frame.presence ?? { status: 'online', activity: { kind: 'viewing' } });
    const entry = r.enter(c, frame.tab ?? '', user, state, now);
    if (entry) {
      this.clock.clearTimeout(entry.graceTimer); // back within the grace period: no leave shown
      entry.graceTimer = undefined;
    }
    // Missed events first, then `joined`, then the others learn about the newcomer.
    for (const event of events) this.send(c, event);
    this.send(c, {
      type: 'joined',
      replyTo: frame.id,
      room: frame.room,
      seq: r.seq,
      resume,
      missed,
      ...r.listed(),
    });
    // Other tabs sharing this connection are told too: their person's tab count changed.
    this.tellPeople(r, r.tabsOf(c).length > 1 ? undefined : c);
  }

  /**
   * A tab of the connection (`''`: the connection itself) leaves a room, and the connection with
   * its last tab; the person goes if it was their last: at once for an `explicit` leave (a `leave`
   * frame), after the grace period for a dropped connection, as the reference server does.
   */
  protected leave(c: ServerConnection, room: string, tab: string, explicit = false): void {
    const r = this.rooms.get(room);
    if (!r || !c.user) return void c.rooms.delete(room);
    const userId = c.user.id;
    const entry = r.exit(c, tab, userId);
    if (!r.members.has(c)) c.rooms.delete(room);
    if (!entry) return;
    if (entry.members.size > 0 || entry.scripted) return void this.announce(r, userId);
    const grace = this.options.graceMs ?? 15_000;
    const gone = () => {
      if (r.people.get(userId) !== entry || entry.members.size > 0) return;
      r.people.delete(userId);
      this.tellPeople(r);
    };
    if (explicit || grace === 0 || this.closed) gone();
    else entry.graceTimer = this.clock.setTimeout(gone, grace);
  }

  protected disconnect(c: ServerConnection, code: number, reason: string): void {
    this.forget(c);
    this.deliver(() => c.socket.closed(code, reason));
  }

  protected forget(c: ServerConnection): void {
    if (!this.open.delete(c.socket)) return;
    for (const room of [...c.rooms]) {
      const tabs = this.rooms.get(room)?.tabsOf(c) ?? [''];
      for (const tab of tabs) this.leave(c, room, tab);
    }
  }

  protected room(name: string): FakeRoom {
    let r = this.rooms.get(name);
    if (!r) {
      r = new FakeRoom(name, {
        replayEvents: this.options.replayEvents ?? LIMITS.replayEvents,
        replayMillis: this.options.replayMillis ?? LIMITS.replayMillis,
      });
      this.rooms.set(name, r);
    }
    return r;
  }

  /** Tells the members (but `except`) what changed in the room's people, if they would notice. */
  protected tellPeople(r: FakeRoom, except?: FakeConnection): void {
    const change = r.change();
    if (change) this.toMembers(r, { type: 'presence.diff', room: r.name, ...change }, except);
  }

  protected announce(r: FakeRoom, userId: string): Person {
    this.tellPeople(r);
    return r.person(r.people.get(userId) as PersonEntry);
  }

  /** Serialize once, write the same text to every member (as the real server does). */
  protected toMembers(r: FakeRoom, frame: ServerFrame, except?: FakeConnection): void {
    const text = this.validate(frame);
    for (const member of r.members) {
      if (member !== except) this.write(member as ServerConnection, frame, text);
    }
  }

  /**
   * A `signal` frame to the connections of user `to` in the room; false, and nothing sent, when
   * it would exceed the frame limit (it carries more than the emit: `from`, `at`), as the server
   * refuses it.
   */
  protected toAddressee(
    r: FakeRoom,
    from: string,
    to: string,
    event: string,
    payload: unknown,
  ): boolean {
    const frame: ServerFrame = {
      type: 'signal',
      room: r.name,
      event,
      payload: (payload ?? null) as never,
      from,
      to,
      at: this.clock.now(),
    };
    if (!fitsFrame(frame, LIMITS.maxFrameBytes)) return false;
    const text = this.validate(frame);
    for (const member of r.members) {
      if (member.user?.id === to) this.write(member as ServerConnection, frame, text);
    }
    return true;
  }

  protected send(c: ServerConnection, frame: ServerFrame): void {
    this.write(c, frame, this.validate(frame));
  }

  protected error(
    c: ServerConnection,
    code: ErrorCode,
    message: string,
    replyTo?: string,
    room?: string,
    extra: { retryAfterMs?: number } = {},
  ): void {
    const frame: ServerFrame = { type: 'error', code, message };
    if (replyTo !== undefined) frame.replyTo = replyTo;
    if (room !== undefined) frame.room = room;
    if (extra.retryAfterMs !== undefined) frame.retryAfterMs = extra.retryAfterMs;
    this.send(c, frame);
  }

  protected write(c: ServerConnection, frame: ServerFrame, text: string): void {
    if (!this.open.has(c.socket) || c.socket.readyState !== OPEN) return;
    const seen = this.seenBy(c, frame);
    if (!seen) return;
    if (seen !== frame) text = this.validate(seen);
    frame = seen;
    this.log('out', c, frame);
    if (this.holed) return;
    this.deliver(() => c.socket.message(text));
  }

  /**
   * The frame as the connection's user may see it (`entities.hiddenFields`; activity items and
   * notifications about an entity whose room `authorize` refuses them left out, as the server's
   * hook leaves them out); undefined when none of it is for them.
   */
  private seenBy(c: ServerConnection, frame: ServerFrame): ServerFrame | undefined {
    const rules = this.entities.hiddenFields;
    const authorize = this.options.authorize;
    const user = c.user;
    if ((!rules && !authorize) || !user) return frame;
    return frameFor(frame, {
      hidden: (type) => {
        const fields = rules?.(user, type) ?? [];
        return fields.length > 0 ? new Set(fields) : undefined;
      },
      ...(authorize ? { mayRead: (type, id) => authorize(user, `${type}:${id}`) } : {}),
      roomType: (room) => {
        const colon = room.indexOf(':');
        const type = room.slice(0, colon);
        const id = room.slice(colon + 1);
        const entity = colon > 0 && z.safeParse(EntityType, type).success;
        return entity && z.safeParse(EntityId, id).success ? type : undefined;
      },
    });
  }

  /** Every frame this server sends must pass the real schema: a bad script fails loudly. */
  protected validate(frame: ServerFrame): string {
    const result = z.safeParse(ServerFrame, frame);
    if (!result.success) {
      throw new ProtocolViolation(
        `fake server would send an invalid ${frame.type} frame: ${z.prettifyError(result.error)}`,
      );
    }
    return JSON.stringify(frame);
  }

  protected log(
    direction: 'in' | 'out',
    c: FakeConnection,
    frame: ClientFrame | ServerFrame,
  ): void {
    this.frames.push({ direction, connection: c.id, frame, at: this.clock.now() });
  }
}

/** A frame's size as the server counts it: its UTF-8 bytes. */
function utf8Length(text: string): number {
  return new TextEncoder().encode(text).byteLength;
}

function idOf(frame: ClientFrame): string | undefined {
  return 'id' in frame ? frame.id : undefined;
}
