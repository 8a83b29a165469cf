/**
 * The bus of a deployment with several processes: room sequences, replay windows and fan-out in
 * Redis, so any process serves any client and a client resumes on any of them.
 *
 * - One sequence per room (`seq:<room>`), taken, kept and published in one Lua script, so every
 *   process receives a room's events in sequence order with no gap.
 * - The replay window is a capped stream per room (`log:<room>`), bounded like the in-memory log:
 *   events (`replayEvents`), framed bytes (`replayRoomBytes`) and age (`replayMillis`), and all
 *   rooms' windows together by `replayTotalBytes`, for the whole deployment.
 * - One pub/sub subscription per room per process, however many local members it has; each
 *   message is framed once per process (`PreparedFrame`) and the same buffer goes to every member.
 * - A process that lost messages (its subscriber dropped, Redis restarted) notices the hole in the
 *   numbers and fills it from the stream; when the stream no longer has them it reports the room
 *   through `onInterrupted`, and the server makes its members resume (they get `gap`, re-sync).
 * - An event that stands for something stored but could not be published (`eventLost`: Redis
 *   refused it, or went away) interrupts the room's members here at once, and spends the room's
 *   next number on it as soon as Redis takes writes again (`x<seq>` on the channel): every other
 *   process interrupts its members, and a `since` from before the loss is a `gap` anywhere. Until
 *   then this process answers the room's resumes `gap` and counts as unavailable.
 */
import { randomUUID } from 'node:crypto';
import type { EventFrame, ServerFrame } from '../../protocol/index.js';
import {
  EventTooLargeError,
  type Bus,
  type BusMessage,
  type BusSink,
  type ResumePoint,
  type RoomEventInput,
} from '../bus.js';
import { every, type ServerClock } from '../clock.js';
import { errorFields, shownUrl, type Logger } from '../log.js';
import { PreparedFrame } from '../wire.js';
import {
  asUnavailable,
  RedisAuthError,
  RedisLink,
  RedisUnavailableError,
} from './redis-connection.js';
import { redisKeys, type RedisKeys } from './redis-keys.js';
import { KEEP_IDLE_LUA, LOST_LUA, PUBLISH_LUA, RESUME_LUA } from './redis-scripts.js';

export interface RedisBusOptions {
  url: string;
  clock: ServerClock;
  log: Logger;
  replayEvents: number;
  replayMillis: number;
  maxFrameBytes: number;
  /** Framed bytes of events kept per room. Default: unbounded (events and age only). */
  replayRoomBytes?: number;
  /**
   * Framed bytes of events kept over all rooms, for the whole deployment (the windows are in
   * Redis); past it the oldest event of any room goes first. Default: unbounded.
   */
  replayTotalBytes?: number;
  /** Key prefix. Default `crm:`. */
  keyPrefix?: string;
  /** How long an idle room's sequence number is remembered. Default 24 h. */
  sequenceTtlMs?: number;
  /**
   * How long the sequence of a room that never numbered an event is remembered once no process
   * has members there (the in-memory bus forgets such a room within minutes too). Default 10 min.
   */
  idleSequenceTtlMs?: number;
  /**
   * This process's id in Redis (its alive key, its presence parts, the rooms it owes an event).
   * Default: a random id per process start.
   */
  processId?: string;
  /**
   * The room's members may have missed events that can no longer be replayed (the subscriber
   * was cut off for longer than the window, or Redis restarted without its data).
   */
  onInterrupted?: (room: string) => void;
}

/** A presence notice from the room's channel (see `redis-presence.ts`). */
export type PresenceNoticeListener = (room: string, notice: string) => void;

interface Subscription {
  sinks: BusSink[];
  /** Resolves when Redis confirmed the subscription (rejects if it could not be made). */
  ready: Promise<void>;
  /**
   * Sequence number of the last event delivered here, or, after the subscriber came back, the
   * position this process had reached before it dropped. Undefined until the first event: the
   * subscription was confirmed before any member read its position, so no event a member needs
   * comes before the first one that arrives.
   */
  lastSeq: number | undefined;
  /**
   * The newest position members of this process know of: the last event delivered, or the
   * newest `joined` seq. After an outage, what follows it was missed.
   */
  knownSeq: number | undefined;
  /** Events that arrived while a hole before them is being filled; null when none is. */
  held: RoomEvent[] | null;
  /** Numbers this process spent on its own lost events: its members were interrupted already. */
  spent: Set<number>;
  /** Redis confirmed the subscription: this process will receive the room's events. */
  confirmed: boolean;
  /** Publishers on this process waiting for their event to reach its local members. */
  waiters: { seq: number; resolve: () => void }[];
  /**
   * After the subscriber came back: settles once the room is subscribed again and what it missed
   * was filled (or its members were told to resume). Undefined when no recovery is under way.
   */
  recovering: Promise<void> | undefined;
}

/**
 * A room's sequenced message: an event, or (no frame) a number spent on a lost event (`x<seq>`).
 */
type RoomEvent = (BusMessage & { seq: number }) | { seq: number; frame: undefined };

/** How often the numbers of lost events not spent yet (Redis refused writes) are tried again. */
const LOST_RETRY_MS = 1000;
/** A difference between the process clock's progress and time's beyond this is the clock set. */
const CLOCK_STEP_MS = 1000;
/** The offset to Redis's clock is measured again at least this often (clocks drift apart). */
const OFFSET_CHECK_MS = 3_600_000;

/** How long a publish waits for its event to reach local members before acking anyway. */
const DELIVERY_WAIT_MS = 2000;

/** A command made by `defineCommand`: keys first, then arguments (it knows the key count). */
type ScriptRunner = (...keysAndArgs: (string | number)[]) => Promise<number | (string | number)[]>;

export class RedisBus implements Bus {
  readonly processId: string;
  private readonly commands: RedisLink;
  private readonly subscriber: RedisLink;
  private readonly keys: RedisKeys;
  private readonly rooms = new Map<string, Subscription>();
  private readonly byChannel = new Map<string, string>();
  private presenceListener: PresenceNoticeListener | undefined;
  /** Told of every command about users (`user-control.ts`), this process's own included. */
  private userListener: ((message: string) => void) | undefined;
  /** Settles once the users' channel is subscribed (again, after an outage). */
  private usersReady: Promise<void> | undefined;
  private closed = false;
  /** Rooms with a lost event whose number is not spent yet (see `eventLost`). */
  private readonly lost = new Set<string>();
  /** Stops the retry of lost events' numbers; set only while some wait (no timer otherwise). */
  private stopLostRetry: (() => void) | undefined;
  /** Stops keeping the sequences of this process's quiet rooms (`keepIdle`). */
  private readonly stopKeepIdle: () => void;
  /**
   * How far Redis's clock is ahead of this process's, in ms: measured once per connection, and
   * again when this process's clock was set meanwhile or an hour went by (`offset`).
   */
  private redisOffset: Promise<number> | undefined;
  /** The clock's readings when the offset was asked; undefined while it needs no checking. */
  private offsetAt: { now: number; elapsed: number } | undefined;

  constructor(private readonly options: RedisBusOptions) {
    this.processId = options.processId ?? randomUUID();
    this.keys = redisKeys(options.keyPrefix);
    this.commands = new RedisLink({ url: options.url, log: options.log, role: 'commands' });
    this.subscriber = new RedisLink({ url: options.url, log: options.log, role: 'subscriber' });
    this.commands.redis.defineCommand('crmPublish', { numberOfKeys: 5, lua: PUBLISH_LUA });
    this.commands.redis.defineCommand('crmResume', { numberOfKeys: 2, lua: RESUME_LUA });
    this.commands.redis.defineCommand('crmLost', { numberOfKeys: 1, lua: LOST_LUA });
    this.commands.redis.defineCommand('crmKeepIdle', { numberOfKeys: 1, lua: KEEP_IDLE_LUA });
    this.stopKeepIdle = every(options.clock, this.idleSequenceTtl / 3, () => this.keepIdle());
    this.subscriber.redis.on('message', (channel: string, message: string) =>
      this.onMessage(channel, message),
    );
    this.subscriber.onRecovered(() => this.resubscribe());
    this.measureOffset();
    this.commands.onRecovered(() => {
      // Another Redis (a failover), or a clock set meanwhile: measured again.
      this.measureOffset();
      this.spendLost();
    });
  }

  /** The connection for commands, shared with presence (one connection per role per process). */
  get link(): RedisLink {
    return this.commands;
  }

  /** Key names in use. */
  get keyNames(): RedisKeys {
    return this.keys;
  }

  /**
   * Both connections are up, and no lost event waits for Redis to take writes again: new work
   * can be done (and be announced).
   */
  get available(): boolean {
    return this.commands.available && this.subscriber.available && this.lost.size === 0;
  }

  get roomCount(): number {
    return this.rooms.size;
  }

  /** Presence notices arrive on the room channels this bus subscribes to; one listener. */
  onPresenceNotice(listener: PresenceNoticeListener): void {
    this.presenceListener = listener;
  }

  /**
   * Commands about users' connections (end them, check their rooms again) reach every process
   * through one channel; one listener.
   */
  onUserCommand(listener: (message: string) => void): void {
    this.userListener = listener;
    this.usersReady = this.listenUsers();
  }

  /** Settles once this process hears the users' channel (rejects while Redis is away). */
  usersSubscribed(): Promise<void> {
    return this.usersReady ?? Promise.resolve();
  }

  /** Sends a command about users to every process (this one hears it too). */
  async publishUserCommand(message: string): Promise<void> {
    await this.commands.ready();
    try {
      await this.commands.redis.publish(this.keys.usersChannel, message);
    } catch (err) {
      throw asUnavailable(err);
    }
  }

  private listenUsers(): Promise<void> {
    const ready = this.subscriber
      .ready()
      .then(() => this.subscriber.redis.subscribe(this.keys.usersChannel))
      .then(
        () => undefined,
        (err: unknown) => {
          throw asUnavailable(err);
        },
      );
    ready.catch((err: unknown) => {
      this.options.log.warn('could not subscribe to user commands', errorFields(err));
    });
    return ready;
  }

  /** Resolves when the room's subscription is confirmed; undefined when there is none. */
  subscribed(room: string): Promise<void> | undefined {
    return this.rooms.get(room)?.ready;
  }

  subscribe(room: string, sink: BusSink): () => void {
    let state = this.rooms.get(room);
    if (!state) {
      const channel = this.keys.channel(room);
      this.byChannel.set(channel, room);
      state = {
        sinks: [],
        ready: this.listen(channel),
        lastSeq: undefined,
        knownSeq: undefined,
        held: null,
        spent: new Set(),
        confirmed: false,
        waiters: [],
        recovering: undefined,
      };
      const created = state;
      created.ready.then(
        () => (created.confirmed = true),
        () => {},
      );
      this.rooms.set(room, state);
    }
    const subscription = state;
    // A fresh array on change, so a delivery in progress iterates a stable list.
    subscription.sinks = [...subscription.sinks, sink];
    let done = false;
    return () => {
      if (done) return;
      done = true;
      subscription.sinks = subscription.sinks.filter((s) => s !== sink);
      if (subscription.sinks.length > 0 || this.rooms.get(room) !== subscription) return;
      this.rooms.delete(room);
      release(subscription, Infinity);
      const channel = this.keys.channel(room);
      this.byChannel.delete(channel);
      // A connection that is not up holds no subscription, and the one that replaces it is
      // subscribed only to the rooms still here (`resubscribe`).
      if (this.closed || this.subscriber.redis.status !== 'ready') return;
      this.subscriber.redis.unsubscribe(channel).catch((err: unknown) => {
        this.options.log.warn('redis unsubscribe failed', { room, ...errorFields(err) });
      });
    };
  }

  private listen(channel: string): Promise<void> {
    const ready = this.subscriber
      .ready()
      // The room may have lost its last member while the connection was being made: subscribing
      // now would leave a subscription that nothing unsubscribes.
      .then(() => (this.byChannel.has(channel) ? this.subscriber.redis.subscribe(channel) : 0))
      .then(
        () => undefined,
        (err: unknown) => {
          throw asUnavailable(err);
        },
      );
    // Failures surface through `resume` (the join fails); nobody else waits on this promise.
    ready.catch(() => {});
    return ready;
  }

  async publish(room: string, input: RoomEventInput): Promise<number> {
    // After a lost event, the room's next number is the loss's, so members before it get `gap`.
    if (this.lost.has(room)) await this.spend(room);
    const at = this.options.clock.now();
    const { prefix, suffix } = eventFrameParts(room, at, input);
    const result = await this.run('crmPublish', [
      this.keys.seq(room),
      this.keys.log(room),
      this.keys.replayRooms,
      this.keys.replayBytes,
      this.keys.replayTotal,
      this.keys.channel(room),
      at + (await this.offset()),
      prefix,
      suffix,
      this.options.maxFrameBytes,
      Math.max(0, this.options.replayEvents),
      this.options.replayRoomBytes ?? Number.MAX_SAFE_INTEGER,
      Math.max(1, this.options.replayMillis),
      this.sequenceTtl,
      room,
      this.options.replayTotalBytes ?? Number.MAX_SAFE_INTEGER,
      this.keys.logPrefix,
    ]);
    const seq = Number(result);
    if (seq < 0) {
      throw new EventTooLargeError(`event frame exceeds ${this.options.maxFrameBytes} bytes`);
    }
    await this.delivered(room, seq);
    return seq;
  }

  /**
   * Resolves once this process's members of the room were handed event `seq`, so a publisher
   * gets its event before its `ack`, as with the in-memory bus (bounded: a subscriber cut off
   * does not hold the ack).
   */
  private delivered(room: string, seq: number): Promise<void> {
    const state = this.rooms.get(room);
    if (!state || !state.confirmed || (state.lastSeq !== undefined && state.lastSeq >= seq)) {
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, DELIVERY_WAIT_MS);
      timer.unref();
      state.waiters.push({
        seq,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  /**
   * Resolves when both connections are up, or after the connect timeout (it starts anyway);
   * rejects with `RedisAuthError` when Redis refuses the URL's credentials (a configuration
   * error: retrying cannot help).
   */
  async connected(): Promise<void> {
    try {
      await Promise.all([this.commands.ready(), this.subscriber.ready()]);
    } catch (err) {
      if (err instanceof RedisAuthError) throw err;
      this.options.log.error('redis unreachable at start: new work fails until it is back', {
        redis: shownUrl(this.options.url),
      });
    }
  }

  async broadcast(room: string, frame: ServerFrame): Promise<void> {
    // An addressed frame (a call signal) names its one recipient in the header, so each process
    // can deliver it without parsing the frame.
    const to = (frame as { to?: unknown }).to;
    const header = frame.type !== 'event' && typeof to === 'string' ? JSON.stringify(to) : '';
    await this.commands.ready();
    try {
      await this.commands.redis.publish(
        this.keys.channel(room),
        `p${header}\n${JSON.stringify(frame)}`,
      );
    } catch (err) {
      throw asUnavailable(err);
    }
  }

  /** Delivers a frame to this process's subscribers of the room only (presence diffs). */
  deliverLocal(room: string, frame: ServerFrame): void {
    const state = this.rooms.get(room);
    if (!state || state.sinks.length === 0) return;
    deliver(state.sinks, { seq: undefined, frame: PreparedFrame.of(frame) });
  }

  async resume(room: string, since: number | undefined): Promise<ResumePoint> {
    // The subscription must be live before the room's position is read, or an event published
    // in between would be neither replayed nor delivered.
    const state = this.rooms.get(room);
    if (state) {
      await state.ready;
      // A room recovering from an outage: its position is read once what its members missed was
      // filled or reported, so a join made meanwhile is answered after that, from the live
      // subscription, and is not among the members told to resume.
      while (state.recovering) await state.recovering;
    }
    // Without the subscriber the room's next events would reach nobody here.
    if (!this.subscriber.available) throw new RedisUnavailableError();
    if (this.lost.has(room)) await this.spend(room);
    const point = await this.position(room, since);
    // A lost event's number not spent yet: whatever `since` says, the client missed it.
    if (since !== undefined && this.lost.has(room)) {
      return { seq: point.seq, resume: 'gap', missed: 0, events: [] };
    }
    return point;
  }

  /**
   * Marks `room` in this process's `publishing` set before a change for it commits (see
   * `Bus.willPublish`). If the process dies before the publish, the heartbeat of another one
   * (`PRESENCE_HEARTBEAT_LUA`) finds the mark with the dead process's alive key gone and spends
   * the room's next number, as `eventLost` would have. The mark is cleared without waiting: one
   * left behind by a failed clear only costs the room's members a needless re-sync, and only if
   * this process dies.
   */
  async willPublish(room: string): Promise<() => void> {
    const key = this.keys.publishing(this.processId);
    // A token per mark, so clearing one never clears another mark of the same room.
    const member = `${randomUUID()} ${room}`;
    await this.commands.ready();
    try {
      await this.commands.redis.sadd(key, member);
    } catch (err) {
      // Refused (maxmemory) or away: the change must not commit, since its publish would most
      // likely be refused too. Nothing was done; the writer retries.
      const unavailable = asUnavailable(err);
      throw unavailable instanceof RedisUnavailableError
        ? unavailable
        : new RedisUnavailableError(`Redis refused a write (${unavailable.message})`);
    }
    let cleared = false;
    return () => {
      if (cleared) return;
      cleared = true;
      if (this.closed) return;
      this.commands.redis.srem(key, member).catch(() => {});
    };
  }

  /** How long an idle room's sequence number is remembered (the heartbeat script needs it). */
  get sequenceTtlMs(): number {
    return this.sequenceTtl;
  }

  /**
   * An event of `room` standing for something stored was not published (see `Bus.eventLost`):
   * this process's members resume now (and get `gap`); the room's next number is spent on it as
   * soon as Redis takes writes, which tells the other processes (see the file's header).
   */
  eventLost(room: string): void {
    if (this.closed) {
      this.options.log.error('room event lost while closing; members elsewhere may miss it', {
        room,
      });
      return;
    }
    this.options.log.warn('room event lost; members will resume', { room });
    this.lost.add(room);
    this.stopLostRetry ??= every(this.options.clock, LOST_RETRY_MS, () => this.spendLost());
    this.options.onInterrupted?.(room);
    void this.spend(room).catch(() => {});
  }

  /** Spends the number of the room's lost event; rejects (the room stays lost) if Redis refuses. */
  private async spend(room: string): Promise<void> {
    const spent = Number(
      await this.run('crmLost', [this.keys.seq(room), this.keys.channel(room), this.sequenceTtl]),
    );
    // Our members were interrupted when the event was lost: the spent number is no news to them.
    if (spent > 0) this.rooms.get(room)?.spent.add(spent);
    if (this.lost.delete(room)) {
      this.options.log.info('lost room event announced to every process', { room, seq: spent });
    }
    if (this.lost.size === 0) {
      this.stopLostRetry?.();
      this.stopLostRetry = undefined;
    }
  }

  /** Tries again to spend the numbers of lost events (Redis refused writes, or was away). */
  private spendLost(): void {
    if (this.closed || this.lost.size === 0 || !this.commands.available) return;
    for (const room of this.lost) void this.spend(room).catch(() => {});
  }

  /** Reads the room's position (and what to replay after `since`) from Redis. */
  private async position(room: string, since: number | undefined): Promise<ResumePoint> {
    const reply = await this.run('crmResume', [
      this.keys.seq(room),
      this.keys.log(room),
      this.options.clock.now() + (await this.offset()),
      since === undefined ? '' : since,
      Math.max(1, this.options.replayMillis),
      this.sequenceTtl,
      this.idleSequenceTtl,
    ]);
    const point = resumePoint(reply as (string | number)[], since);
    const state = this.rooms.get(room);
    if (state) state.knownSeq = Math.max(state.knownSeq ?? point.seq, point.seq);
    return point;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopLostRetry?.();
    this.stopKeepIdle();
    this.rooms.clear();
    this.byChannel.clear();
    await Promise.all([this.commands.close(), this.subscriber.close()]);
  }

  private get sequenceTtl(): number {
    return this.options.sequenceTtlMs ?? 24 * 60 * 60 * 1000;
  }

  private get idleSequenceTtl(): number {
    return Math.min(this.sequenceTtl, this.options.idleSequenceTtlMs ?? 10 * 60 * 1000);
  }

  /**
   * Keeps the sequences of the rooms this process has members in that never numbered an event: a
   * member resuming after hours in a quiet room still finds the number it was told.
   */
  private keepIdle(): void {
    if (this.closed || !this.commands.available) return;
    for (const room of this.rooms.keys()) {
      this.run('crmKeepIdle', [this.keys.seq(room), this.idleSequenceTtl]).catch(() => {});
    }
  }

  /**
   * Redis's clock less this process's. An event's age in the replay window is the time between
   * its publish and a resume, which two processes may read on clocks that differ: one whose
   * clock ran 2½ minutes ahead found every event another process published just before too old
   * to replay, and its clients got `gap` (a full re-sync) on every resume. The window's times
   * are therefore Redis's, as this process's clock corrected by this offset. Measured once per
   * connection, relative to the injected clock, so a test's manual clock still ages events as it
   * moves; and again when this process's clock was set since (a step NTP makes to correct it,
   * which an offset measured before would carry on as the error it corrected: every event this
   * process published then looked minutes old to the others), or an hour went by (two clocks
   * drift). Both are told by the clock's `elapsed`, which no step moves; a clock without it (a
   * test's) is measured once per connection.
   */
  private offset(): Promise<number> {
    if (this.redisOffset && this.offsetAt) {
      const elapsed = this.options.clock.elapsed!() - this.offsetAt.elapsed;
      const step = this.options.clock.now() - this.offsetAt.now - elapsed;
      if (Math.abs(step) > CLOCK_STEP_MS) {
        this.options.log.info('process clock set: measuring its offset to Redis again', {
          stepMs: Math.round(step),
        });
        return this.measureOffset();
      }
      if (elapsed > OFFSET_CHECK_MS) return this.measureOffset();
    }
    return this.redisOffset ?? this.measureOffset();
  }

  /**
   * Asks Redis its time as soon as it can be reached (at start, and after an outage), so the
   * processes of a deployment measure at about the same moment; a failed measure is asked again
   * by the next publish or resume.
   */
  private measureOffset(): Promise<number> {
    const { clock } = this.options;
    this.offsetAt = clock.elapsed && { now: clock.now(), elapsed: clock.elapsed() };
    const offset = this.commands
      .ready()
      .then(async () => {
        const before = this.options.clock.now();
        let time: (string | number | undefined)[];
        try {
          time = await this.commands.redis.time();
        } catch (err) {
          if (!(err instanceof Error && err.name === 'ReplyError')) throw err;
          // A Redis that refuses TIME itself (renamed or disabled by a managed service): the
          // window's ages are this process's clock, as they were before: nothing to measure
          // again until the next connection.
          if (this.redisOffset === offset) this.offsetAt = undefined;
          this.options.log.warn('redis refused TIME: replay ages use this process clock', {
            ...errorFields(err),
          });
          return 0;
        }
        const after = this.options.clock.now();
        const redisNow = Number(time[0]) * 1000 + Math.floor(Number(time[1]) / 1000);
        return redisNow - Math.round((before + after) / 2);
      })
      .catch((err: unknown) => {
        if (this.redisOffset === offset) this.redisOffset = undefined;
        throw asUnavailable(err);
      });
    // Nobody may be waiting for it yet: a failure is seen by the publish or resume that needs it.
    offset.catch(() => {});
    this.redisOffset = offset;
    return offset;
  }

  private async run(
    script: 'crmPublish' | 'crmResume' | 'crmLost' | 'crmKeepIdle',
    args: (string | number)[],
  ): Promise<number | (string | number)[]> {
    await this.commands.ready();
    const runner = (this.commands.redis as unknown as Record<string, ScriptRunner>)[script]!;
    try {
      return await runner.call(this.commands.redis, ...args);
    } catch (err) {
      throw asUnavailable(err);
    }
  }

  private onMessage(channel: string, message: string): void {
    if (channel === this.keys.usersChannel) {
      this.userListener?.(message);
      return;
    }
    const room = this.byChannel.get(channel);
    if (room === undefined) return;
    const state = this.rooms.get(room);
    if (!state) return;
    const newline = message.indexOf('\n');
    const kind = message[0];
    if (kind === 'u') {
      this.presenceListener?.(room, message.slice(1));
      return;
    }
    if (kind === 'x') {
      this.onEvent(room, state, { seq: Number(message.slice(1)), frame: undefined });
      return;
    }
    if (newline < 0) return;
    const frame = PreparedFrame.fromJson(message.slice(newline + 1));
    if (kind === 'p') {
      const header = message.slice(1, newline);
      const to = header === '' ? undefined : (JSON.parse(header) as string);
      deliver(state.sinks, { seq: undefined, frame, to } as BusMessage);
      return;
    }
    if (kind !== 'e') return;
    this.onEvent(room, state, { seq: Number(message.slice(1, newline)), frame });
  }

  /** Delivers events in sequence order; a hole is filled from the stream first. */
  private onEvent(room: string, state: Subscription, message: RoomEvent): void {
    if (state.held !== null) {
      state.held.push(message);
      return;
    }
    const last = state.lastSeq;
    if (last !== undefined && message.seq <= last) return;
    if (last === undefined || message.seq === last + 1) {
      state.lastSeq = message.seq;
      state.knownSeq = Math.max(state.knownSeq ?? message.seq, message.seq);
      if (message.frame) deliver(state.sinks, message);
      else if (!state.spent.delete(message.seq)) this.interrupted(room, state, message.seq);
      if (state.waiters.length > 0) release(state, message.seq);
      return;
    }
    state.held = [message];
    void this.fill(room, state, last);
  }

  /** Fetches the events after `since` that this process missed and delivers them in order. */
  private async fill(room: string, state: Subscription, since: number): Promise<void> {
    let missed: readonly BusMessage[] | undefined;
    try {
      const point = await this.position(room, since);
      if (point.resume === 'replayed') missed = point.events;
    } catch (err) {
      this.options.log.warn('could not fill missed room events', { room, ...errorFields(err) });
    }
    if (this.rooms.get(room) !== state) return;
    const held = state.held ?? [];
    state.held = null;
    if (missed === undefined) {
      this.options.log.warn('room events lost; members will resume', { room, since });
      state.lastSeq = undefined;
      release(state, Infinity);
      this.options.onInterrupted?.(room);
    } else {
      for (const event of missed) this.onEvent(room, state, event as BusMessage & { seq: number });
    }
    for (const event of held) this.onEvent(room, state, event);
  }

  /** Another process lost the room's event `seq` (`x<seq>`): this process's members resume. */
  private interrupted(room: string, state: Subscription, seq: number): void {
    this.options.log.warn('room event lost by another process; members will resume', {
      room,
      seq,
    });
    release(state, seq);
    this.options.onInterrupted?.(room);
  }

  /**
   * After the subscriber connection came back: subscribe every room again, and fill what each
   * missed while it was away.
   */
  private resubscribe(): void {
    if (this.userListener) this.usersReady = this.listenUsers();
    for (const [room, state] of this.rooms) {
      state.ready = this.listen(this.keys.channel(room));
      const since = state.lastSeq ?? state.knownSeq;
      // The new subscription starts after a hole, so its first event must be checked against the
      // position reached before it, not taken as the first: it can arrive before the fill below
      // starts, in the same read as Redis's confirmation of the subscription.
      state.lastSeq = since;
      // The command connection may come back a moment after the subscriber.
      const recovering: Promise<void> = Promise.all([state.ready, this.commands.ready(5000)])
        .then(
          async () => {
            if (since !== undefined && state.held === null && this.rooms.get(room) === state) {
              state.held = [];
              await this.fill(room, state, since);
            }
          },
          () => {},
        )
        .catch((err: unknown) => {
          this.options.log.error('room recovery failed', { room, ...errorFields(err) });
        })
        .finally(() => {
          if (state.recovering === recovering) state.recovering = undefined;
        });
      state.recovering = recovering;
    }
  }
}

/** Resolves the publishers waiting for events up to `seq`. */
function release(state: Subscription, seq: number): void {
  const ready = state.waiters.filter((w) => w.seq <= seq);
  if (ready.length === 0) return;
  state.waiters = state.waiters.filter((w) => w.seq > seq);
  for (const waiter of ready) waiter.resolve();
}

function deliver(sinks: readonly BusSink[], message: BusMessage): void {
  for (let i = 0; i < sinks.length; i++) sinks[i]!(message);
}

/**
 * The event frame's JSON around its sequence number, which only the script knows. The field
 * order is the in-memory bus's, so both buses send byte-identical frames.
 */
function eventFrameParts(
  room: string,
  at: number,
  input: RoomEventInput,
): { prefix: string; suffix: string } {
  const head: Pick<EventFrame, 'type' | 'room'> = { type: 'event', room };
  const tail: Omit<EventFrame, 'type' | 'room' | 'seq'> = {
    event: input.event,
    payload: input.payload as EventFrame['payload'],
    at,
  };
  if (input.from !== undefined) tail.from = input.from;
  const headJson = JSON.stringify(head);
  return {
    prefix: `${headJson.slice(0, -1)},"seq":`,
    suffix: `,${JSON.stringify(tail).slice(1)}`,
  };
}

function resumePoint(reply: (string | number)[], since: number | undefined): ResumePoint {
  const seq = Number(reply[0]);
  const kind = String(reply[1]);
  const missed = Number(reply[2] ?? 0);
  if (kind === 'none' || since === undefined) return { seq, resume: 'none', missed: 0, events: [] };
  if (kind === 'gap') return { seq, resume: 'gap', missed, events: [] };
  const events: BusMessage[] = [];
  for (let i = 3; i < reply.length; i++) {
    events.push({ seq: since + (i - 2), frame: PreparedFrame.fromJson(String(reply[i])) });
  }
  return { seq, resume: 'replayed', missed: events.length, events };
}

export { RedisUnavailableError };
