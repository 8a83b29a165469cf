/**
 * Presence per room, aggregated per person over all their connections (tabs) and devices.
 *
 * - `status` is the most present of their connections (online beats away);
 * - `activity` is the most recently started `editing` among them, else `viewing`;
 * - when the last connection of a person goes away because its socket closed, nobody is told for
 *   `graceMs`; if the person comes back in that time (a reload, a network blip) no removal is
 *   ever sent. An explicit `leave` removes at once.
 *
 * What the room is told, and when, is the `PresenceAnnouncer`'s: changes coalesced per room per
 * event-loop turn, and a large room listing its first people and a count.
 */
import type { Activity, Person, PresenceState, UserProfile } from '../protocol/index.js';
import { aggregatePresence, VIEWING } from '../domain/presence-aggregate.js';
import type { ServerClock } from './clock.js';
import {
  PresenceAnnouncer,
  sameActivity,
  sameUser,
  type PresenceAnnouncerOptions,
  type PresenceDiff,
} from './presence-announcer.js';

export { sameActivity, sameUser, type PresenceDiff };

export interface PresenceMember {
  /** Connection id. */
  id: string;
  clientId: string;
  user: UserProfile;
}

export interface PresenceOptions extends PresenceAnnouncerOptions {
  clock: ServerClock;
  graceMs: number;
}

/** One connection's presence in a room (the in-memory registry and Redis presence keep these). */
export interface ConnectionPresence {
  clientId: string;
  status: PresenceState['status'];
  activity: Activity;
  /** When this connection's activity last changed (orders concurrent editing). */
  activityAt: number;
  inCall: boolean;
}

/** A connection's presence as it joins: what it said, else online and viewing. */
export function joinedPresence(
  clientId: string,
  state: PresenceState | undefined,
  now: number,
): ConnectionPresence {
  return {
    clientId,
    status: state?.status ?? 'online',
    activity: state?.activity ?? VIEWING,
    activityAt: now,
    inCall: state?.inCall === true,
  };
}

/** A connection reports new presence; its activity's start moves only when the activity changes. */
export function updatePresence(
  presence: ConnectionPresence,
  state: PresenceState,
  now: number,
): void {
  if (!sameActivity(presence.activity, state.activity)) presence.activityAt = now;
  presence.status = state.status;
  presence.activity = state.activity;
  presence.inCall = state.inCall === true;
}

/** A connection's presence, with the member it is: a connection, or one tab of a shared one. */
interface MemberPresence extends ConnectionPresence {
  readonly id: string;
}

interface Entry {
  user: UserProfile;
  /**
   * One per connection (or tab) of the person in the room. An array rather than a Map: a person
   * has one connection in a room, or a few, and a Map's table would cost every member of a room
   * about 200 bytes.
   */
  connections: MemberPresence[];
  since: number;
  graceTimer: unknown;
}

export { VIEWING };

/**
 * What the server asks of presence: `PresenceRegistry` (one process, the default) and
 * `RedisPresence` (many processes, `redis/redis-presence.ts`) implement it.
 */
export interface Presence {
  /** Rooms holding presence on this process. */
  readonly roomCount: number;
  join(room: string, member: PresenceMember, state: PresenceState | undefined): void;
  update(room: string, connectionId: string, userId: string, state: PresenceState): void;
  leave(room: string, connectionId: string, userId: string, explicit: boolean): void;
  /**
   * A connection (or tab) watches a room: it hears the room's people without being one of them.
   * Absent when a room's people are known without anyone present here (one process); Redis keeps
   * the room's mirror while anyone watches.
   */
  watch?(room: string): void;
  /** A watcher of the room left, or joined it as a member (after `join`). */
  unwatch?(room: string): void;
  /** The people of a room as the room currently believes them to be. */
  snapshot(room: string): Person[];
  /**
   * What a joiner is told: `snapshot`, or in a room of more than `PRESENCE_LISTED` people its
   * first ones in arrival order, and how many there are in all.
   */
  listed(room: string): { people: Person[]; total: number };
  /**
   * Resolves once `snapshot(room)` includes the people connected to other processes; undefined
   * when it always does (one process).
   */
  ready?(room: string): Promise<void> | undefined;
  /**
   * The ids of everyone in a room, on every process, even when this process has no member there
   * (and so no view of it): a backend's notification to a room or an entity reaches whichever
   * process the balancer picked. Absent when `snapshot` already sees every process (one process).
   */
  userIds?(room: string): Promise<string[]>;
  /** Cancels timers; used on shutdown. */
  close(): void | Promise<void>;
}

export class PresenceRegistry implements Presence {
  private readonly rooms = new Map<string, Map<string, Entry>>();
  private readonly announcer: PresenceAnnouncer;

  constructor(private readonly options: PresenceOptions) {
    this.announcer = new PresenceAnnouncer(options);
  }

  get roomCount(): number {
    return this.rooms.size;
  }

  /** Adds a connection to a room's presence (or updates it when already there). */
  join(room: string, member: PresenceMember, state: PresenceState | undefined): void {
    let people = this.rooms.get(room);
    if (!people) this.rooms.set(room, (people = new Map()));
    const now = this.options.clock.now();
    const presence: MemberPresence = {
      id: member.id,
      ...joinedPresence(member.clientId, state, now),
    };
    let entry = people.get(member.user.id);
    if (!entry) {
      entry = { user: member.user, connections: [presence], since: now, graceTimer: undefined };
      people.set(member.user.id, entry);
    } else {
      const at = entry.connections.findIndex((c) => c.id === member.id);
      if (at >= 0) entry.connections[at] = presence;
      else entry.connections.push(presence);
    }
    if (entry.graceTimer !== undefined) {
      this.options.clock.clearTimeout(entry.graceTimer);
      entry.graceTimer = undefined;
    }
    entry.user = member.user;
    this.announce(room, entry);
  }

  /** A connection reports new presence in a room it joined. */
  update(room: string, connectionId: string, userId: string, state: PresenceState): void {
    const entry = this.rooms.get(room)?.get(userId);
    const presence = entry?.connections.find((c) => c.id === connectionId);
    if (!entry || !presence) return;
    updatePresence(presence, state, this.options.clock.now());
    this.announce(room, entry);
  }

  /**
   * A connection leaves a room. `explicit` (a `leave` frame) removes a person at once; otherwise
   * (socket closed) a person whose last connection this was is removed after the grace period.
   */
  leave(room: string, connectionId: string, userId: string, explicit: boolean): void {
    const people = this.rooms.get(room);
    const entry = people?.get(userId);
    const at = entry?.connections.findIndex((c) => c.id === connectionId) ?? -1;
    if (!people || !entry || at < 0) return;
    entry.connections.splice(at, 1);
    if (entry.connections.length > 0) {
      this.announce(room, entry);
      return;
    }
    if (explicit || this.options.graceMs <= 0) {
      this.remove(room, people, entry);
      return;
    }
    entry.graceTimer = this.options.clock.setTimeout(() => {
      entry.graceTimer = undefined;
      if (entry.connections.length === 0) this.remove(room, people, entry);
    }, this.options.graceMs);
  }

  snapshot(room: string): Person[] {
    return this.announcer.everyone(room);
  }

  listed(room: string): { people: Person[]; total: number } {
    return this.announcer.listed(room);
  }

  /** Cancels grace timers; used on shutdown. */
  close(): void {
    for (const people of this.rooms.values()) {
      for (const entry of people.values()) {
        if (entry.graceTimer !== undefined) this.options.clock.clearTimeout(entry.graceTimer);
      }
    }
    this.rooms.clear();
    this.announcer.close();
  }

  /** Hands every room's coalesced changes to `onDiff` now. */
  flush(): void {
    this.announcer.flush();
  }

  private aggregate(entry: Entry, now: number): Person {
    const { status, activity, inCall } = aggregatePresence(entry.connections);
    const devices = new Set<string>();
    for (const c of entry.connections) devices.add(c.clientId);
    const person: Person = {
      user: entry.user,
      status,
      activity,
      connections: entry.connections.length,
      devices: devices.size,
      since: entry.since,
      // Kept from the person as announced when status, activity and call did not move.
      updatedAt: now,
    };
    // Only people in a call carry the flag, so every other presence frame stays as it was.
    if (inCall) person.inCall = true;
    return person;
  }

  /** Recomputes a person; the announcer tells the room if it would notice. */
  private announce(room: string, entry: Entry): void {
    this.announcer.set(room, this.aggregate(entry, this.options.clock.now()));
  }

  private remove(room: string, people: Map<string, Entry>, entry: Entry): void {
    people.delete(entry.user.id);
    if (people.size === 0) this.rooms.delete(room);
    this.announcer.remove(room, entry.user.id);
  }
}
