/**
 * Presence shared by every process through Redis: one person however many processes their tabs
 * are on.
 *
 * Each process stores its part of a person in a room (its connections of that person, summed as
 * the in-memory registry does) in one hash per person (`person:<room>:<user>`, a field per
 * process), and keeps a mirror of the other processes' parts for the rooms it has members in. A
 * write publishes the person's whole state with a version on the room's channel (the bus's one
 * subscription per room), so every process recomputes the person and sends its own members the
 * diff, in order, ignoring a notice older than what it has.
 *
 * - Grace: a process whose last connection of a person closed keeps its part, marked `leaving`,
 *   for `graceMs` and only then deletes it. A person whose parts are all leaving still shows as
 *   before, so a reload that lands on another process shows no leave.
 * - A process that dies: each process renews an alive key (`alive:<id>`, expiring after
 *   `max(graceMs, heartbeatMs) + heartbeatMs`) every `heartbeatMs` and removes the parts of
 *   processes whose key expired, so their people leave a grace period after the death at the
 *   earliest (and two beats later at the latest), as seen from the others. The same heartbeat
 *   makes the members of the rooms the dead process owed an event resume (see
 *   `RedisBus.willPublish`).
 * - Redis down: writes fail and are logged once; when Redis returns, every part is written again
 *   and every mirror reloaded (Redis may have restarted empty).
 */
import type {
  Activity,
  Person,
  PresenceState,
  PresenceStatus,
  UserProfile,
} from '../../protocol/index.js';
import type { ServerClock } from '../clock.js';
import { errorFields, type Logger } from '../log.js';
import { aggregatePresence } from '../../domain/presence-aggregate.js';
import {
  joinedPresence,
  updatePresence,
  type ConnectionPresence,
  type Presence,
  type PresenceMember,
} from '../presence.js';
import { PresenceAnnouncer, type PresenceAnnouncerOptions } from '../presence-announcer.js';
import type { RedisBus } from './redis-bus.js';
import type { RedisKeys } from './redis-keys.js';
import { PRESENCE_HEARTBEAT_LUA, PRESENCE_LOAD_LUA, PRESENCE_WRITE_LUA } from './redis-scripts.js';

export interface RedisPresenceOptions extends PresenceAnnouncerOptions {
  bus: RedisBus;
  clock: ServerClock;
  log: Logger;
  graceMs: number;
  /** How often the alive key is renewed and dead processes looked for. Default 5000. */
  heartbeatMs?: number;
}

/** One process's share of a person in a room, as stored in Redis. */
interface Part {
  user: UserProfile;
  status: PresenceStatus;
  activity: Activity;
  activityAt: number;
  clients: string[];
  connections: number;
  since: number;
  /** One of the process's connections of this person is in a call. */
  inCall?: true;
  /** The process's last connection closed; removed after the grace period. */
  leaving?: true;
}

interface LocalPerson {
  user: UserProfile;
  connections: Map<string, ConnectionPresence>;
  since: number;
  /** Set while in grace: the part as it was when the last connection closed. */
  leaving: Part | undefined;
  graceTimer: unknown;
}

interface RoomView {
  local: Map<string, LocalPerson>;
  /**
   * Other processes' parts per person, with the version they were read at. A person with no
   * part left is kept only while a load is on its way (`loading`): its version is what makes
   * the load's older reading of them stale. Otherwise they are forgotten, so a room that always
   * has someone here does not remember everyone who ever passed through it elsewhere.
   */
  remote: Map<string, { v: number; parts: Part[] }>;
  /** Loads of the room's people on their way. */
  loading: number;
  loaded: Promise<void>;
  unsubscribe: () => void;
  /** Watchers here (joins with `watch`): the mirror is kept for them with no local people. */
  watchers: number;
}

/** A command made by `defineCommand`: keys first, then arguments (it knows the key count). */
type ScriptRunner = (...keysAndArgs: (string | number)[]) => Promise<unknown>;

export class RedisPresence implements Presence {
  readonly processId: string;
  private readonly rooms = new Map<string, RoomView>();
  /** What this process's members of each room are told (diffs coalesced per turn). */
  private readonly announcer: PresenceAnnouncer;
  private readonly keys: RedisKeys;
  /** Writes per `[room, user]`: the running one, and whether another must follow it. */
  private readonly writes = new Map<string, { running: Promise<void>; again: boolean }>();
  private readonly heartbeat: ReturnType<typeof setInterval>;
  private readonly stopRecovered: () => void;
  private writeFailing = false;
  /**
   * The last heartbeat reached Redis and Redis refused it (OOM at `maxmemory`, READONLY on a
   * replica after a failover): connected, yet no join, save or presence write can be done, and
   * this process's alive key lapses, so the others soon take its people for gone.
   */
  private heartbeatRefused = false;
  private closed = false;

  constructor(private readonly options: RedisPresenceOptions) {
    // One id per process for everything it keeps in Redis: the heartbeat that finds it dead
    // cleans up its presence and the rooms it owed an event (`RedisBus.willPublish`) together.
    this.processId = options.bus.processId;
    this.announcer = new PresenceAnnouncer(options);
    this.keys = options.bus.keyNames;
    const redis = options.bus.link.redis;
    redis.defineCommand('crmPresenceWrite', { numberOfKeys: 4, lua: PRESENCE_WRITE_LUA });
    redis.defineCommand('crmPresenceLoad', { numberOfKeys: 2, lua: PRESENCE_LOAD_LUA });
    redis.defineCommand('crmPresenceHeartbeat', { numberOfKeys: 2, lua: PRESENCE_HEARTBEAT_LUA });
    options.bus.onPresenceNotice((room, notice) => this.onNotice(room, notice));
    this.stopRecovered = options.bus.link.onRecovered(() => this.resync());
    // Real time, not the injected clock: the alive key expires in Redis's time.
    this.heartbeat = setInterval(() => void this.beat(), this.heartbeatMs);
    this.heartbeat.unref();
    void this.beat();
  }

  /** Redis takes this process's writes, as far as the last heartbeat showed (`/healthz`). */
  get writable(): boolean {
    return !this.heartbeatRefused;
  }

  get roomCount(): number {
    return this.rooms.size;
  }

  private get heartbeatMs(): number {
    return this.options.heartbeatMs ?? 5000;
  }

  /**
   * How long the alive key outlives its last renewal: a grace period (at least one beat) plus
   * one beat, since a process may die up to a beat after it renewed. Its people then leave at
   * least a grace period after the death, as after any other disconnect, and never before two
   * beats were missed.
   */
  get aliveTtlMs(): number {
    return Math.max(this.options.graceMs, this.heartbeatMs) + this.heartbeatMs;
  }

  join(room: string, member: PresenceMember, state: PresenceState | undefined): void {
    const view = this.view(room);
    const now = this.options.clock.now();
    let person = view.local.get(member.user.id);
    if (!person) {
      person = {
        user: member.user,
        connections: new Map(),
        since: now,
        leaving: undefined,
        graceTimer: undefined,
      };
      view.local.set(member.user.id, person);
    }
    if (person.graceTimer !== undefined) {
      this.options.clock.clearTimeout(person.graceTimer);
      person.graceTimer = undefined;
    }
    person.leaving = undefined;
    person.user = member.user;
    person.connections.set(member.id, joinedPresence(member.clientId, state, now));
    this.changed(room, view, member.user.id);
  }

  watch(room: string): void {
    this.view(room).watchers++;
  }

  unwatch(room: string): void {
    const view = this.rooms.get(room);
    if (view && view.watchers > 0) view.watchers--;
    if (view) this.release(room, view);
  }

  update(room: string, connectionId: string, userId: string, state: PresenceState): void {
    const view = this.rooms.get(room);
    const presence = view?.local.get(userId)?.connections.get(connectionId);
    if (!view || !presence) return;
    updatePresence(presence, state, this.options.clock.now());
    this.changed(room, view, userId);
  }

  leave(room: string, connectionId: string, userId: string, explicit: boolean): void {
    const view = this.rooms.get(room);
    const person = view?.local.get(userId);
    if (!view || !person) return;
    const before = partOf(person);
    if (!person.connections.delete(connectionId)) return;
    if (person.connections.size > 0) {
      this.changed(room, view, userId);
      return;
    }
    if (explicit || this.options.graceMs <= 0 || !before) {
      this.forget(room, view, userId);
      return;
    }
    person.leaving = { ...before, leaving: true };
    this.changed(room, view, userId);
    person.graceTimer = this.options.clock.setTimeout(() => {
      person.graceTimer = undefined;
      if (person.connections.size === 0 && view.local.get(userId) === person) {
        this.forget(room, view, userId);
      }
    }, this.options.graceMs);
  }

  snapshot(room: string): Person[] {
    return this.announcer.everyone(room);
  }

  listed(room: string): { people: Person[]; total: number } {
    return this.announcer.listed(room);
  }

  ready(room: string): Promise<void> | undefined {
    return this.rooms.get(room)?.loaded;
  }

  async userIds(room: string): Promise<string[]> {
    const view = this.rooms.get(room);
    if (view) {
      await view.loaded;
      return this.snapshot(room).map((person) => person.user.id);
    }
    // No member here, so no mirror: the room's people as Redis holds them (someone in their
    // grace period included, as in a snapshot).
    const link = this.options.bus.link;
    await link.ready();
    return link.redis.smembers(this.keys.people(room));
  }

  /**
   * Shutdown: this process's people are marked leaving (not removed), so those who reconnect to
   * another process within the grace period never see a leave; the others remove them when this
   * process's alive key expires.
   */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.heartbeat);
    this.stopRecovered();
    for (const [room, view] of this.rooms) {
      for (const [userId, person] of view.local) {
        if (person.graceTimer !== undefined) this.options.clock.clearTimeout(person.graceTimer);
        person.graceTimer = undefined;
        const part = partOf(person);
        if (part && !part.leaving) person.leaving = { ...part, leaving: true };
        person.connections.clear();
        this.write(room, userId);
      }
    }
    await Promise.all([...this.writes.values()].map((w) => w.running));
    for (const view of this.rooms.values()) view.unsubscribe();
    this.rooms.clear();
    this.announcer.close();
  }

  /** Removes a person's local part now (explicit leave, or grace over). */
  private forget(room: string, view: RoomView, userId: string): void {
    view.local.delete(userId);
    this.changed(room, view, userId);
    this.release(room, view);
  }

  private release(room: string, view: RoomView): void {
    if (view.local.size === 0 && view.watchers === 0 && this.rooms.get(room) === view) {
      // No local people or watchers left: the mirror is no longer needed (a new join loads it
      // again).
      this.rooms.delete(room);
      view.unsubscribe();
      this.announcer.drop(room);
    }
  }

  private view(room: string): RoomView {
    const view = this.rooms.get(room);
    if (view) return view;
    const { bus } = this.options;
    // Holds the room's subscription (the bus's one per room per process) through grace periods,
    // so the mirror keeps receiving notices while this process still has a part in the room.
    const unsubscribe = bus.subscribe(room, () => {});
    const created: RoomView = {
      local: new Map(),
      remote: new Map(),
      loading: 0,
      loaded: Promise.resolve(),
      unsubscribe,
      watchers: 0,
    };
    created.loaded = (bus.subscribed(room) ?? Promise.resolve()).then(() =>
      this.load(room, created),
    );
    created.loaded.catch(() => {});
    this.rooms.set(room, created);
    return created;
  }

  /** Reads the room's people from Redis into the mirror. */
  private async load(room: string, view: RoomView): Promise<void> {
    view.loading++;
    let reply: unknown[];
    try {
      reply = (await this.run('crmPresenceLoad', [
        this.keys.people(room),
        this.keys.presenceVersion,
        this.keys.person(room, ''),
      ])) as unknown[];
    } finally {
      view.loading--;
    }
    if (this.rooms.get(room) !== view) return;
    const version = Number(reply[0] ?? 0);
    const seen = new Set<string>();
    for (let i = 1; i + 1 < reply.length; i += 2) {
      const userId = String(reply[i]);
      const { v, parts } = this.partsOf(reply[i + 1] as string[]);
      seen.add(userId);
      this.applyRemote(room, view, userId, v, parts);
    }
    for (const userId of [...view.remote.keys()]) {
      if (!seen.has(userId)) this.applyRemote(room, view, userId, version, []);
    }
    if (view.loading > 0) return;
    for (const [userId, known] of view.remote) {
      if (known.parts.length === 0) view.remote.delete(userId);
    }
  }

  private onNotice(room: string, text: string): void {
    const view = this.rooms.get(room);
    if (!view) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return;
    }
    if (!Array.isArray(parsed) || parsed.length < 3) return;
    const [userId, v, flat] = parsed as [string, number, unknown];
    const fields = Array.isArray(flat) ? (flat as string[]) : [];
    this.applyRemote(room, view, String(userId), Number(v), this.partsOf(fields).parts);
  }

  private applyRemote(room: string, view: RoomView, userId: string, v: number, parts: Part[]) {
    const known = view.remote.get(userId);
    if (known && known.v >= v) return;
    if (parts.length === 0 && view.loading === 0) view.remote.delete(userId);
    else view.remote.set(userId, { v, parts });
    this.announce(room, view, userId);
  }

  /** The other processes' parts in a person's hash fields, and the hash's version. */
  private partsOf(fields: readonly string[]): { v: number; parts: Part[] } {
    let v = 0;
    const parts: Part[] = [];
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const field = fields[i]!;
      const value = fields[i + 1]!;
      if (field === '_v') v = Number(value);
      else if (field !== this.processId) {
        try {
          parts.push(JSON.parse(value) as Part);
        } catch {
          // A part this version cannot read is skipped rather than break the room.
        }
      }
    }
    return { v, parts };
  }

  private changed(room: string, view: RoomView, userId: string): void {
    this.write(room, userId);
    this.announce(room, view, userId);
  }

  /** Recomputes a person from every process's part; the announcer tells the room if it notices. */
  private announce(room: string, view: RoomView, userId: string): void {
    const person = this.merge(view, userId);
    if (person) this.announcer.set(room, person);
    else this.announcer.remove(room, userId);
  }

  /**
   * One person from all parts: the live parts if there are any, else the leaving ones (a person
   * in grace everywhere still shows as they were). Status, activity, devices and connections
   * follow the in-memory registry's rules across processes.
   */
  private merge(view: RoomView, userId: string): Person | undefined {
    const local = view.local.get(userId);
    const parts = [...(view.remote.get(userId)?.parts ?? [])];
    const own = local ? partOf(local) : undefined;
    if (own) parts.push(own);
    const live = parts.filter((p) => !p.leaving && p.connections > 0);
    const use = live.length > 0 ? live : parts;
    if (use.length === 0) return undefined;
    const { status, activity, inCall } = aggregatePresence(use);
    let connections = 0;
    let since = Infinity;
    const devices = new Set<string>();
    for (const part of use) {
      connections += part.connections;
      since = Math.min(since, part.since);
      for (const client of part.clients) devices.add(client);
    }
    const person: Person = {
      user: local?.user ?? use[0]!.user,
      status,
      activity,
      connections,
      devices: devices.size,
      since,
      updatedAt: this.options.clock.now(),
    };
    // As on one process: only people in a call carry the flag.
    if (inCall) person.inCall = true;
    return person;
  }

  /** Writes this process's part of a person; one write per person at a time, the latest state. */
  private write(room: string, userId: string): void {
    const key = JSON.stringify([room, userId]);
    const current = this.writes.get(key);
    if (current) {
      current.again = true;
      return;
    }
    const entry = { running: Promise.resolve(), again: false };
    const loop = async (): Promise<void> => {
      do {
        entry.again = false;
        await this.store(room, userId);
      } while (entry.again);
    };
    entry.running = loop()
      .catch((err: unknown) => {
        if (!this.writeFailing) {
          this.options.log.error('presence write failed', { room, ...errorFields(err) });
        }
        this.writeFailing = true;
      })
      .finally(() => this.writes.delete(key));
    this.writes.set(key, entry);
  }

  private async store(room: string, userId: string): Promise<void> {
    const person = this.rooms.get(room)?.local.get(userId);
    const part = person ? partOf(person) : undefined;
    const channel = this.keys.channel(room);
    const personKey = this.keys.person(room, userId);
    const peopleKey = this.keys.people(room);
    await this.run('crmPresenceWrite', [
      personKey,
      peopleKey,
      this.keys.presenceVersion,
      this.keys.holdings(this.processId),
      channel,
      this.processId,
      part ? JSON.stringify(part) : '',
      JSON.stringify([personKey, peopleKey, channel, userId]),
      userId,
    ]);
    this.writeFailing = false;
  }

  private async beat(): Promise<void> {
    if (this.closed) return;
    try {
      const [, wasAlive, lost] = (await this.run('crmPresenceHeartbeat', [
        this.keys.processes,
        this.keys.presenceVersion,
        this.processId,
        this.keys.alive(''),
        this.keys.holdings(''),
        this.aliveTtlMs,
        this.keys.publishing(''),
        this.keys.seqPrefix,
        this.keys.channelPrefix,
        this.options.bus.sequenceTtlMs,
      ])) as [number, number, number];
      if (lost > 0) {
        // Each room's members are told through its channel (`x<seq>`), on every process.
        this.options.log.warn('a dead process left changes unannounced; members will resume', {
          rooms: lost,
        });
      }
      // This process was silent long enough for the others to remove its people (a long pause,
      // an outage): write them again.
      if (wasAlive === 0 && this.rooms.size > 0) this.resync();
      this.heartbeatRefused = false;
    } catch (err) {
      if (!this.options.bus.link.available) return; // logged once by the connection
      this.heartbeatRefused = true;
      this.options.log.warn('presence heartbeat failed', errorFields(err));
    }
  }

  /** After an outage: write every local part again and reload every mirror. */
  private resync(): void {
    if (this.closed) return;
    void this.beat();
    for (const [room, view] of this.rooms) {
      for (const userId of view.local.keys()) this.write(room, userId);
      view.loaded = this.load(room, view);
      view.loaded.catch((err: unknown) =>
        this.options.log.warn('presence reload failed', { room, ...errorFields(err) }),
      );
    }
  }

  private async run(
    script: 'crmPresenceWrite' | 'crmPresenceLoad' | 'crmPresenceHeartbeat',
    args: (string | number)[],
  ): Promise<unknown> {
    const link = this.options.bus.link;
    await link.ready();
    const runner = (link.redis as unknown as Record<string, ScriptRunner>)[script]!;
    return runner.call(link.redis, ...args);
  }

  /** Hands every room's coalesced changes to `onDiff` now. */
  flush(): void {
    this.announcer.flush();
  }
}

/** A process's part of a person: its live connections summed, or the part frozen in grace. */
function partOf(person: LocalPerson): Part | undefined {
  if (person.connections.size === 0) return person.leaving;
  const { status, activity, activityAt, inCall } = aggregatePresence(person.connections.values());
  const clients = new Set<string>();
  for (const c of person.connections.values()) clients.add(c.clientId);
  const part: Part = {
    user: person.user,
    status,
    activity,
    activityAt,
    clients: [...clients],
    connections: person.connections.size,
    since: person.since,
  };
  if (inCall) part.inCall = true;
  return part;
}
