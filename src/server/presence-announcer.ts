/**
 * What each room believes about its people, and telling its members: one owner for the diffs of
 * both presences (`PresenceRegistry` in memory, `RedisPresence` across processes), which differ
 * only in how they compute a person.
 *
 * - `set` and `remove` record a person as now computed. A change nobody would see (`since` and
 *   `updatedAt` aside) is dropped; a person whose status, activity and call did not move keeps
 *   their `updatedAt`.
 * - Changes are coalesced per room and handed to `onDiff` once per event-loop turn, so many joins
 *   in one turn make one diff per member, not one per join.
 * - A room of more than `listed` people lists its first people and a count (domain/presence-list):
 *   a diff goes out when the listed people change; a change of the count alone goes out at most
 *   once per `countIntervalMs` (the first at once), so a large room filling up in a burst sends
 *   its members a few count frames rather than one per turn.
 */
import { sameActivity } from '../domain/presence-aggregate.js';
import { byArrival, firstPeople, ListedPeople } from '../domain/presence-list.js';

export { sameActivity };
import type { Person, UserProfile } from '../protocol/index.js';
import { PRESENCE_LISTED } from '../protocol/index.js';
import type { ServerClock } from './clock.js';

export function sameUser(a: UserProfile, b: UserProfile): boolean {
  return a.id === b.id && a.name === b.name && a.avatarUrl === b.avatarUrl;
}

export interface PresenceDiff {
  upsert: Person[];
  remove: string[];
  /** The room's count while it lists only its first people. */
  total?: number;
}

export interface PresenceAnnouncerOptions {
  clock: ServerClock;
  onDiff: (room: string, diff: PresenceDiff) => void;
  /** How coalesced diffs are flushed; default `setImmediate`. */
  defer?: (fn: () => void) => void;
  /** People a room lists one by one; default `PRESENCE_LISTED`. */
  listed?: number;
  /** Least time between two diffs that only change a large room's count; default 1000 ms. */
  countIntervalMs?: number;
}

interface RoomState {
  /** Everyone in the room, as the room believes them to be. */
  people: Map<string, Person>;
  /** What the members were told. */
  told: ListedPeople;
  /**
   * The first people now, kept while changes leave it true (a newcomer arriving after the last
   * of a full list), so a room filling up does not sort everyone on every join.
   */
  first: Person[] | undefined;
  /** When a diff last carried the count. */
  countAt: number;
  countTimer: unknown;
}

export const DEFAULT_COUNT_INTERVAL_MS = 1000;

export class PresenceAnnouncer {
  private readonly rooms = new Map<string, RoomState>();
  private readonly dirty = new Set<string>();
  private flushScheduled = false;
  private readonly defer: (fn: () => void) => void;
  private readonly limit: number;
  private readonly countIntervalMs: number;

  constructor(private readonly options: PresenceAnnouncerOptions) {
    this.defer = options.defer ?? ((fn) => void setImmediate(fn));
    this.limit = options.listed ?? PRESENCE_LISTED;
    this.countIntervalMs = options.countIntervalMs ?? DEFAULT_COUNT_INTERVAL_MS;
  }

  /** The person as now computed; queues a diff if the room would notice. */
  set(room: string, person: Person): void {
    const state = this.state(room);
    const id = person.user.id;
    const before = state.people.get(id);
    if (before) {
      const moved =
        before.status !== person.status ||
        !sameActivity(before.activity, person.activity) ||
        before.inCall !== person.inCall;
      if (
        !moved &&
        before.connections === person.connections &&
        before.devices === person.devices &&
        sameUser(before.user, person.user)
      ) {
        return;
      }
      if (!moved) person.updatedAt = before.updatedAt;
    }
    state.people.set(id, person);
    const { first } = state;
    if (first) {
      const at = before ? first.indexOf(before) : -1;
      if (at >= 0 && before!.since === person.since) first[at] = person;
      else if (at >= 0 || first.length < this.limit || byArrival(person, first.at(-1)!) < 0) {
        state.first = undefined;
      }
    }
    this.changed(room);
  }

  /** The person is gone from the room; queues a diff if they had been announced. */
  remove(room: string, userId: string): void {
    const state = this.rooms.get(room);
    if (!state?.people.delete(userId)) return;
    if (state.first?.some((p) => p.user.id === userId)) state.first = undefined;
    this.changed(room);
  }

  /** Everyone in the room as it believes them to be. */
  everyone(room: string): Person[] {
    const state = this.rooms.get(room);
    return state ? [...state.people.values()] : [];
  }

  /** What a joiner is told now: the first people and how many there are in all. */
  listed(room: string): { people: Person[]; total: number } {
    const state = this.rooms.get(room);
    if (!state) return { people: [], total: 0 };
    return { people: [...this.first(state)], total: state.people.size };
  }

  /** Forgets a room at once, pending changes included (nobody here is left to tell). */
  drop(room: string): void {
    const state = this.rooms.get(room);
    if (!state) return;
    if (state.countTimer !== undefined) this.options.clock.clearTimeout(state.countTimer);
    this.rooms.delete(room);
    this.dirty.delete(room);
  }

  close(): void {
    for (const room of [...this.rooms.keys()]) this.drop(room);
  }

  /** Hands every changed room's coalesced diff to `onDiff`. */
  flush(): void {
    this.flushScheduled = false;
    const rooms = [...this.dirty];
    this.dirty.clear();
    for (const room of rooms) this.tell(room, false);
  }

  private state(room: string): RoomState {
    let state = this.rooms.get(room);
    if (!state) {
      state = {
        people: new Map(),
        told: new ListedPeople(this.limit),
        first: undefined,
        countAt: -Infinity,
        countTimer: undefined,
      };
      this.rooms.set(room, state);
    }
    return state;
  }

  private first(state: RoomState): Person[] {
    return (state.first ??= firstPeople(state.people.values(), this.limit));
  }

  private changed(room: string): void {
    this.dirty.add(room);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    this.defer(() => this.flush());
  }

  private tell(room: string, countDue: boolean): void {
    const state = this.rooms.get(room);
    if (!state) return;
    const { clock } = this.options;
    const now = clock.now();
    const countOnly = countDue || now - state.countAt >= this.countIntervalMs;
    const { change, held } = state.told.next(this.first(state), state.people.size, countOnly);
    if (change) {
      if (change.total !== undefined) state.countAt = now;
      this.options.onDiff(room, change);
    }
    if (held && state.countTimer === undefined) {
      state.countTimer = clock.setTimeout(
        () => {
          state.countTimer = undefined;
          if (this.rooms.get(room) === state) this.tell(room, true);
        },
        Math.max(0, state.countAt + this.countIntervalMs - now),
      );
    }
    if (state.people.size === 0 && state.countTimer === undefined) this.drop(room);
  }
}
