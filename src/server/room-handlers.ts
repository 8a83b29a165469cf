/**
 * join, leave, presence and emit: limits, the authorization hook, presence, and resume through
 * the bus. One instance serves every connection of a server.
 */
import type {
  EmitFrame,
  JoinFrame,
  LeaveFrame,
  PresenceFrame,
  PresenceState,
  SignalFrame,
} from '../protocol/index.js';
import {
  AuthorizationUnavailable,
  authorizeAction,
  sendRefusal,
  type AuthorizeRequest,
} from './authorize.js';
import { signalAllowed } from '../domain/call-signals.js';
import { fitsFrame } from '../domain/frame-fit.js';
import { EventTooLargeError, type ResumePoint } from './bus.js';
import { chunkBySize, ENVELOPE_BYTES } from './chunk.js';
import type { Connection } from './connection.js';
import type { ServerClock } from './clock.js';
import type { ServerLimits } from './config.js';
import type { FrameHandler, SomeFrameHandlers } from './frame-handlers.js';
import { entityOfRoom, type AuthorizeHook } from './authorize.js';
import type { Bus } from './bus.js';
import type { Logger } from './log.js';
import type { ServerMetrics } from './metrics.js';
import type { Presence } from './presence.js';
import type { RoomRegistry } from './rooms.js';
import { errorFields } from './log.js';
import { askedByServer } from './permissions/callback-limit.js';
import { hookFor } from './permissions/permissions.js';
import { RedisUnavailableError } from './redis/redis-connection.js';
import { Membership } from './rooms.js';
import { ReplayBudget } from '../domain/replay-budget.js';

/** What an error frame adds when the shared services are down, so the client can tell. */
function unavailable(err: unknown): string {
  return err instanceof RedisUnavailableError ? ': the realtime service is unavailable, retry' : '';
}

/**
 * Event names only the server publishes: other clients trust them as facts (a stored change, a
 * logged activity), so a client must not be able to forge them into a room it has joined.
 */
const SERVER_EVENTS: ReadonlySet<string> = new Set(['activity', 'entity.change', 'entity.deleted']);

/**
 * Tabs of one shared connection in one room. Each tab is a presence member that every member of
 * the room hears about; a browser has a few, and a client adding tabs without end would grow the
 * server's memory and the room's presence traffic for as long as its socket lives.
 */
export const MAX_TABS_PER_ROOM = 32;

/** What room membership needs of the server. */
export interface RoomDeps {
  readonly limits: Pick<
    ServerLimits,
    'maxRoomsPerConnection' | 'maxPresenceBytes' | 'maxBufferedBytes' | 'maxFrameBytes'
  >;
  readonly clock: ServerClock;
  readonly log: Logger;
  readonly metrics: ServerMetrics;
  readonly authorize: AuthorizeHook;
  readonly bus: Bus;
  readonly rooms: RoomRegistry;
  readonly presence: Presence;
  /** `emit(room, 'notification', …)`: stored and delivered to its target, not broadcast. */
  readonly emitNotification: FrameHandler<'emit'>;
}

/** The presence member a frame speaks for: the connection, or one tab of a shared connection. */
function memberId(connectionId: string, tab: string | undefined): string {
  return tab === undefined ? connectionId : `${connectionId}/${tab}`;
}

export class RoomHandlers {
  /** Per user, not per socket: more sockets do not buy more replay (see `ReplayBudget`). */
  private readonly replayBudget: ReplayBudget;

  constructor(private readonly ctx: RoomDeps) {
    this.replayBudget = new ReplayBudget(ctx.limits.maxBufferedBytes);
  }

  /** The frames this capability answers. */
  frames(): SomeFrameHandlers<'join' | 'leave' | 'presence' | 'emit'> {
    return {
      join: (connection, frame) => this.join(connection, frame),
      leave: (connection, frame) => this.leave(connection, frame),
      presence: (connection, frame) => this.presence(connection, frame),
      emit: (connection, frame) => this.emit(connection, frame),
    };
  }

  join(connection: Connection, frame: JoinFrame): Promise<void> | void {
    const { ctx } = this;
    const rejoin = connection.memberships.has(frame.room);
    if (!rejoin && connection.memberships.size >= ctx.limits.maxRoomsPerConnection) {
      connection.sendError(
        'too_many_rooms',
        `a connection may join at most ${ctx.limits.maxRoomsPerConnection} rooms`,
        { replyTo: frame.id, room: frame.room },
      );
      return;
    }
    if (this.tabsFull(connection, frame)) return;
    if (
      frame.presence &&
      !frame.watch &&
      !this.presenceFits(connection, frame.presence, frame.id, frame.room)
    ) {
      return;
    }
    return this.allowed(
      connection,
      'join',
      frame.room,
      frame.id,
      () => this.enter(connection, frame),
      frame.watch,
    );
  }

  leave(connection: Connection, frame: LeaveFrame): void {
    const { ctx } = this;
    const membership = connection.memberships.get(frame.room);
    const tab = frame.tab ?? '';
    if (!membership?.hasTab(tab)) {
      connection.sendError('not_joined', 'this connection has not joined the room', {
        replyTo: frame.id,
        room: frame.room,
      });
      return;
    }
    this.drop(connection, membership, tab, true);
    connection.send({ type: 'left', replyTo: frame.id, room: frame.room });
    ctx.log.debug('left', { conn: connection.id, room: frame.room, tab: frame.tab });
  }

  presence(connection: Connection, frame: PresenceFrame): void {
    const { ctx } = this;
    const membership = connection.memberships.get(frame.room);
    const tab = frame.tab ?? '';
    if (!membership?.hasTab(tab)) {
      connection.sendError('not_joined', 'join the room before reporting presence in it', {
        room: frame.room,
      });
      return;
    }
    // A watcher is not in the room's presence: what it reports would show it where it is not.
    if (membership.watching(tab)) {
      connection.sendError(
        'not_joined',
        `watching ${frame.room}: join it without watch to report presence there`,
        { room: frame.room },
      );
      return;
    }
    if (!this.presenceFits(connection, frame.state, undefined, frame.room)) return;
    ctx.presence.update(
      frame.room,
      memberId(connection.id, frame.tab),
      connection.user!.id,
      frame.state,
    );
  }

  emit(connection: Connection, frame: EmitFrame): Promise<void> | void {
    const membership = connection.memberships.get(frame.room);
    if (!membership) {
      connection.sendError('not_joined', 'join the room before emitting to it', {
        replyTo: frame.id,
        room: frame.room,
      });
      return;
    }
    // Notifications are stored and delivered to their target, not broadcast in the channel room.
    if (frame.event === 'notification') return this.ctx.emitNotification(connection, frame);
    if (SERVER_EVENTS.has(frame.event)) {
      connection.sendError('forbidden', `${frame.event} events are written by the server`, {
        replyTo: frame.id,
        room: frame.room,
      });
      return;
    }
    // An emit speaks for the connection: it only watches the room when every tab of it does.
    const watch = membership.tabs.every((tab) => membership.watching(tab));
    const to = frame.to;
    return this.allowed(
      connection,
      'emit',
      frame.room,
      frame.id,
      () =>
        to === undefined ? this.publish(connection, frame) : this.signal(connection, frame, to),
      watch,
    );
  }

  /**
   * An emit addressed to one person (call signaling): delivered only to that user's connections
   * in the room, unsequenced and never replayed, since a stale offer or candidate only confuses.
   *
   * A call's events (`call.*`) go only between two people the room's presence shows in its call
   * (`domain/call-signals.ts`). Presence is the room's, every process's people
   * included (Redis), and is current before any signal: a joiner's `presence` or `join` saying
   * `inCall` comes before their signals on the same socket, and the people they signal are those
   * this server's presence told them were in the call.
   */
  private async signal(connection: Connection, frame: EmitFrame, to: string): Promise<void> {
    const { ctx } = this;
    const from = connection.user!.id;
    if (!signalAllowed(frame.event, from, to, ctx.presence.snapshot(frame.room))) {
      connection.sendError('forbidden', `${frame.event} goes only between people in the call`, {
        replyTo: frame.id,
        room: frame.room,
      });
      return;
    }
    const signal: SignalFrame = {
      type: 'signal',
      room: frame.room,
      event: frame.event,
      payload: frame.payload,
      from,
      to,
      at: ctx.clock.now(),
    };
    // The signal carries more than the emit did (`from`, `at`): an emit just under the frame
    // limit would make a signal over it, which the addressee's client drops as too large while
    // the sender is told it went. Refused as a broadcast's event of that size is.
    if (!fitsFrame(signal, ctx.limits.maxFrameBytes)) {
      connection.sendError(
        'payload_too_large',
        `signal frame exceeds ${ctx.limits.maxFrameBytes} bytes`,
        { replyTo: frame.id, room: frame.room },
      );
      return;
    }
    try {
      await ctx.bus.broadcast(frame.room, signal);
    } catch (err) {
      if (!(err instanceof RedisUnavailableError)) throw err;
      ctx.log.error('signal failed', { room: frame.room, ...errorFields(err) });
      connection.sendError('internal', `signal not sent${unavailable(err)}`, {
        replyTo: frame.id,
        room: frame.room,
      });
      return;
    }
    ctx.metrics.eventsPublished++;
    if (frame.id !== undefined) connection.send({ type: 'ack', replyTo: frame.id });
  }

  /**
   * The user's permissions changed: asks again what joining each room of the connection asks
   * (`join`, and `read` of the entity it names), for its members and its watchers apart. A room
   * now refused is left at once (the others see the user go, as after a `leave`) and the client
   * is told with an `error` carrying `room` and `removed: true`: `forbidden`, or
   * `backend_unavailable` when the hook could not decide now (the client joins again later,
   * which asks again). Resolves to the rooms left.
   */
  async recheck(connection: Connection): Promise<number> {
    connection.permissionsEpoch++;
    const visibility = connection.permissions?.visibility;
    visibility?.reads?.forget();
    const fields = visibility?.fields;
    const recheck = fields?.startRecheck();
    const checks = [...connection.memberships.values()].map((membership) =>
      this.recheckRoom(connection, membership),
    );
    // A re-check that failed leaves the old rules and the new both in force (nothing is shown
    // that either hides) until the next one.
    const left = await Promise.all(checks);
    // The field rules become those of the answers just given: a field the backend shows again is
    // shown again. What the client holds of those types was redacted by the old rules (a value
    // now visible is missing, one now hidden still shown): it reads them again.
    const types = recheck === undefined ? [] : fields!.finishRecheck(recheck);
    // Which entities the user may read was asked again too (`reads` forgot its answers): items
    // about one read no longer are left out from now on, and the client reads again the activity
    // items and notifications it holds, removing those left out. Which ones those are is not
    // known here (the answers kept are bounded, and none say what the client holds), so every
    // re-check of a connection whose hook decides reads says so.
    const reads = visibility?.reads !== undefined;
    if ((types.length > 0 || reads) && connection.isOpen) {
      connection.send({ type: 'entity.rules-changed', types, ...(reads ? { reads } : {}) });
      if (types.length > 0) this.editingAgain(connection, new Set(types));
    }
    return left.filter(Boolean).length;
  }

  /**
   * The people editing in the connection's entity rooms of `types`, sent again: what they edit
   * was redacted by the old field rules (a field hidden now still named, one shown again named
   * as "viewing"), and `send` redacts them by the new ones.
   */
  private editingAgain(connection: Connection, types: ReadonlySet<string>): void {
    for (const room of connection.memberships.rooms()) {
      const type = entityOfRoom(room)?.type;
      if (type === undefined || !types.has(type)) continue;
      const listed = this.ctx.presence.listed(room);
      const upsert = listed.people.filter((p) => p.activity.kind === 'editing');
      if (upsert.length === 0) continue;
      const partial = listed.total > listed.people.length ? { total: listed.total } : {};
      for (const part of chunkBySize(upsert, this.ctx.limits.maxFrameBytes - ENVELOPE_BYTES)) {
        connection.send({ type: 'presence.diff', room, upsert: part, remove: [], ...partial });
      }
    }
  }

  private async recheckRoom(connection: Connection, membership: Membership): Promise<boolean> {
    const { ctx } = this;
    const { room } = membership;
    const modes = new Set(membership.tabs.map((tab) => membership.watching(tab)));
    let failure: unknown;
    let allowed = true;
    for (const watch of modes) {
      try {
        // Asked by the server (a backend said the permissions changed), for rooms joined already.
        const verdict = await askedByServer(() =>
          authorizeAction(
            hookFor(ctx.authorize, connection),
            connection.user!,
            'join',
            room,
            watch,
          ),
        );
        if (verdict !== true) allowed = false;
      } catch (err) {
        allowed = false;
        failure = err;
      }
      if (!allowed) break;
    }
    // Left or closed meanwhile: nothing to take away.
    if (allowed || connection.memberships.get(room) !== membership || !connection.isOpen) {
      return false;
    }
    if (failure !== undefined && !(failure instanceof AuthorizationUnavailable)) {
      ctx.log.error('authorize hook failed', { room, action: 'join', ...errorFields(failure) });
    }
    for (const tab of [...membership.tabs]) this.drop(connection, membership, tab, true);
    if (failure instanceof AuthorizationUnavailable) {
      connection.sendError(
        'backend_unavailable',
        `could not check permissions again: ${failure.message}; join again later`,
        { room, removed: true },
      );
    } else {
      connection.sendError('forbidden', 'no longer allowed to join this room', {
        room,
        removed: true,
      });
    }
    ctx.log.info('left: permissions changed', {
      conn: connection.id,
      user: connection.user?.id,
      room,
    });
    return true;
  }

  /** Leaves every room because the socket closed: presence removal waits for the grace period. */
  dropAll(connection: Connection): void {
    for (const membership of connection.memberships.values()) {
      for (const tab of [...membership.tabs]) this.drop(connection, membership, tab, false);
    }
  }

  private async publish(connection: Connection, frame: EmitFrame): Promise<void> {
    const { ctx } = this;
    let seq: number;
    try {
      seq = await ctx.bus.publish(frame.room, {
        event: frame.event,
        payload: frame.payload,
        from: connection.user!.id,
      });
    } catch (err) {
      if (err instanceof RedisUnavailableError) {
        ctx.log.error('publish failed', { room: frame.room, ...errorFields(err) });
        connection.sendError('internal', `event not sent${unavailable(err)}`, {
          replyTo: frame.id,
          room: frame.room,
        });
        return;
      }
      if (!(err instanceof EventTooLargeError)) throw err;
      connection.sendError('payload_too_large', err.message, {
        replyTo: frame.id,
        room: frame.room,
      });
      return;
    }
    ctx.metrics.eventsPublished++;
    if (frame.id !== undefined) connection.send({ type: 'ack', replyTo: frame.id, seq });
  }

  /**
   * True, and the join refused, when it would add a tab to a room that has its most tabs already.
   * Checked before the hook is asked, and again on entering: joins awaiting an async hook may
   * have added tabs meanwhile.
   */
  private tabsFull(connection: Connection, frame: JoinFrame): boolean {
    const membership = connection.memberships.get(frame.room);
    const tab = frame.tab ?? '';
    if (!membership || membership.hasTab(tab) || membership.tabs.length < MAX_TABS_PER_ROOM) {
      return false;
    }
    connection.sendError(
      'too_many_rooms',
      `a connection may have at most ${MAX_TABS_PER_ROOM} tabs in a room`,
      { replyTo: frame.id, room: frame.room },
    );
    return true;
  }

  private async enter(connection: Connection, frame: JoinFrame): Promise<void> {
    const { ctx } = this;
    if (this.tabsFull(connection, frame)) return;
    const { room } = frame;
    const tab = frame.tab ?? '';
    const watch = frame.watch === true;
    let membership = connection.memberships.get(room);
    // What this tab was in the room before this join: absent, a member, or a watcher.
    const was = membership?.hasTab(tab) ? membership.watching(tab) : undefined;
    if (membership) {
      // Joining again (e.g. to resume): hold live messages until the new `joined` is out. Not
      // when other tabs of a shared connection are in the room: they must keep receiving, and
      // the tab that joins drops what came before its `joined` by `seq`.
      if (!membership.tabs.some((other) => other !== tab)) ctx.rooms.hold(membership);
      membership.addTab(tab);
    } else {
      membership = new Membership(connection, room, tab);
      connection.memberships.set(membership);
      ctx.rooms.add(membership);
    }
    membership.setWatching(tab, watch);
    const id = memberId(connection.id, frame.tab);
    if (!watch) {
      ctx.presence.join(
        room,
        { id, clientId: connection.clientId, user: connection.user! },
        frame.presence,
      );
      if (was === true) ctx.presence.unwatch?.(room);
    } else if (was !== true) {
      ctx.presence.watch?.(room);
      // A member that turns watcher leaves the others' lists at once, as with a `leave`.
      if (was === false) ctx.presence.leave(room, id, connection.user!.id, true);
    }
    let point: ResumePoint;
    try {
      point = await ctx.bus.resume(room, frame.since);
      // Shared presence (Redis) must have read the other processes' people before the snapshot.
      const people = ctx.presence.ready?.(room);
      if (people) await people;
    } catch (err) {
      ctx.log.error('resume failed', { room, ...errorFields(err) });
      if (connection.memberships.get(room) === membership) {
        this.drop(connection, membership, tab, true);
      }
      connection.sendError('internal', `could not join the room${unavailable(err)}`, {
        replyTo: frame.id,
        room,
      });
      return;
    }
    if (
      connection.memberships.get(room) !== membership ||
      !membership.hasTab(tab) ||
      !connection.isOpen
    ) {
      return;
    }

    // A replay written at once must fit in what the socket may buffer, or a healthy client is
    // dropped as a slow consumer before it sees `joined` (and again on every retry); and a user
    // is replayed so much a minute. Past either it is a `gap` (see `ReplayBudget`).
    if (point.events.length > 0) {
      let replay = 0;
      for (const event of point.events) replay += event.frame.byteLength;
      const unsent = connection.unsentBytes;
      const verdict = this.replayBudget.verdict(
        connection.user!.id,
        replay,
        unsent,
        ctx.clock.now(),
      );
      if (verdict === 'too_large') {
        point = { ...point, resume: 'gap', events: [] };
        const bytes = unsent + replay;
        ctx.log.info('replay too large, answered gap', { conn: connection.id, room, bytes });
      } else if (verdict === 'spent') {
        point = { ...point, resume: 'gap', events: [] };
        ctx.log.info('replay budget spent, answered gap', { conn: connection.id, room, replay });
      }
    }
    for (const event of point.events) connection.writePrepared(event.frame);
    ctx.metrics.eventsReplayed += point.events.length;
    ctx.metrics.framesOut += point.events.length;
    if (point.resume === 'gap') ctx.metrics.resumeGaps++;
    // A large room lists its first people and a count. What is listed is still split if it does
    // not fit one frame (long profiles): `joined` carries what fits, and the rest follows at once
    // as presence diffs, which clients apply after `joined` anyway.
    const listed = ctx.presence.listed(room);
    const partial = listed.total > listed.people.length ? { total: listed.total } : {};
    const [people = [], ...more] = chunkBySize(
      listed.people,
      ctx.limits.maxFrameBytes - ENVELOPE_BYTES,
    );
    connection.send({
      type: 'joined',
      replyTo: frame.id,
      room,
      seq: point.seq,
      resume: point.resume,
      missed: point.missed,
      people,
      ...partial,
    });
    for (const upsert of more) {
      connection.send({ type: 'presence.diff', room, upsert, remove: [], ...partial });
    }
    // Live events that raced the join and are newer than `joined.seq`; presence diffs queued in
    // the meantime are older than the snapshot just sent and are dropped.
    for (const message of ctx.rooms.open(membership)) {
      if (message.seq !== undefined && message.seq > point.seq) {
        connection.writePrepared(message.frame);
        ctx.metrics.framesOut++;
      }
    }
    ctx.log.debug('joined', { conn: connection.id, room, resume: point.resume });
  }

  /** One tab (`''`: the connection itself) leaves; the connection leaves with the last one. */
  private drop(
    connection: Connection,
    membership: Membership,
    tab: string,
    explicit: boolean,
  ): void {
    const { ctx } = this;
    const watching = membership.watching(tab);
    membership.removeTab(tab);
    if (membership.tabs.length === 0) {
      connection.memberships.delete(membership.room);
      ctx.rooms.remove(membership);
    }
    if (watching) ctx.presence.unwatch?.(membership.room);
    else if (connection.user) {
      const id = memberId(connection.id, tab === '' ? undefined : tab);
      ctx.presence.leave(membership.room, id, connection.user.id, explicit);
    }
  }

  /** Runs `then` if the hook allows the action; answers `forbidden` otherwise. */
  private allowed(
    connection: Connection,
    action: AuthorizeRequest['action'],
    room: string,
    replyTo: string | undefined,
    then: () => Promise<void> | void,
    watch?: boolean,
  ): Promise<void> | void {
    const refuse = (failure?: unknown): void => {
      if (failure !== undefined && !(failure instanceof AuthorizationUnavailable)) {
        this.ctx.log.error('authorize hook failed', { room, action, ...errorFields(failure) });
      }
      sendRefusal(connection, failure, `not allowed to ${action} this room`, { replyTo, room });
    };
    let verdict: boolean | Promise<boolean>;
    try {
      verdict = authorizeAction(
        hookFor(this.ctx.authorize, connection),
        connection.user!,
        action,
        room,
        watch,
      );
    } catch (err) {
      return refuse(err);
    }
    if (verdict === true) return then();
    if (verdict === false) return refuse();
    const epoch = connection.permissionsEpoch;
    return Promise.resolve(verdict).then(
      (ok) => {
        // The user's permissions changed while the answer was on its way: it may be stale, and
        // the re-check did not see this room yet. Asked again.
        if (connection.permissionsEpoch !== epoch && connection.isOpen) {
          return this.allowed(connection, action, room, replyTo, then, watch);
        }
        return ok === true && connection.isOpen ? then() : refuse();
      },
      (err: unknown) => refuse(err),
    );
  }

  private presenceFits(
    connection: Connection,
    state: PresenceState,
    replyTo: string | undefined,
    room: string,
  ): boolean {
    const limit = this.ctx.limits.maxPresenceBytes;
    if (Buffer.byteLength(JSON.stringify(state)) <= limit) return true;
    connection.sendError('payload_too_large', `presence exceeds ${limit} bytes`, {
      replyTo,
      room,
    });
    return false;
  }
}
