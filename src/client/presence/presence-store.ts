/**
 * Presence of one room: one entry per person (the server aggregates tabs and devices per user),
 * kept from `joined.people` snapshots and `presence.diff` frames. Listeners are notified at most
 * once per animation frame however many diffs arrive, so a room of 200 people arriving at once
 * re-renders once. In a room larger than the server lists (`PRESENCE_LISTED`), the store holds
 * the first people and the count the frames carry (`total`).
 */
import { byArrival } from '../../domain/presence-list.js';
import type { Activity, Person } from '../../protocol/index.js';
import { Notifier, type Schedule } from '../store/notifier.js';
import type { PresenceSnapshot, PresenceStoreApi, RoomHandle, Unsubscribe } from '../types.js';

export interface PresenceStoreHost {
  /** The current user's id, once the server said who we are. */
  selfId(): string | undefined;
  /** Schedules one batched notification (an animation frame, or a timer). */
  readonly scheduleFrame: Schedule;
}

/** Shared state of one room's presence; the client owns one per held room. */
export class PresenceStore {
  private readonly people = new Map<string, Person>();
  /** The room's count when the server lists only its first people; else undefined. */
  private total: number | undefined;
  /** A snapshot from the server replaced the empty one (see `PresenceSnapshot.joined`). */
  private joined = false;
  /** The server refused the join for good (see `PresenceSnapshot.refused`). */
  private refusal: { code: string; message: string } | undefined;
  private cached: PresenceSnapshot | undefined;
  private readonly notifier: Notifier<PresenceSnapshot>;

  constructor(
    readonly room: string,
    private readonly host: PresenceStoreHost,
  ) {
    this.notifier = new Notifier(host.scheduleFrame, () => this.snapshot());
  }

  /**
   * Replace everything with a snapshot (`joined.people`, `joined.total`), e.g. after a (re)join
   * or a gap.
   */
  replace(people: readonly Person[], total?: number): void {
    this.people.clear();
    for (const person of people) this.people.set(person.user.id, person);
    this.total = total;
    this.refusal = undefined;
    this.joined = true;
    this.changed();
  }

  /** The server refused the join for good: nobody is listed, and the snapshot says why. */
  refuse(code: string, message: string): void {
    if (this.refusal?.code === code && this.people.size === 0) return;
    this.joined = false;
    this.people.clear();
    this.total = undefined;
    this.refusal = { code, message };
    this.changed();
  }

  /** Why the join was refused, while it is. */
  get refused(): string | undefined {
    return this.refusal?.code;
  }

  /**
   * Apply a `presence.diff`. Without `total` the server lists everyone again, so the count is
   * the people held.
   */
  apply(upsert: readonly Person[], remove: readonly string[], total?: number): void {
    for (const person of upsert) this.people.set(person.user.id, person);
    for (const id of remove) this.people.delete(id);
    const counted = total !== this.total;
    this.total = total;
    if (upsert.length > 0 || remove.length > 0 || counted) this.changed();
  }

  /** The room was left or the user changed: forget everyone. */
  clear(): void {
    if (this.people.size === 0 && this.total === undefined && !this.refusal) return;
    this.joined = false;
    this.people.clear();
    this.total = undefined;
    this.refusal = undefined;
    this.changed();
  }

  /** Recompute `self` (the user became known after `welcome`). */
  refreshSelf(): void {
    this.changed();
  }

  /** The current state; the same object until something changes. */
  snapshot(): PresenceSnapshot {
    if (!this.cached) {
      const people = [...this.people.values()].sort(byArrival);
      const selfId = this.host.selfId();
      const self = selfId === undefined ? undefined : this.people.get(selfId);
      const total = Math.max(this.total ?? 0, people.length);
      const snapshot: { -readonly [K in keyof PresenceSnapshot]: PresenceSnapshot[K] } = {
        room: this.room,
        people,
        total,
      };
      if (self) snapshot.self = self;
      if (this.joined) snapshot.joined = true;
      if (this.refusal) snapshot.refused = Object.freeze({ ...this.refusal });
      this.cached = Object.freeze(snapshot);
    }
    return this.cached;
  }

  get size(): number {
    return this.people.size;
  }

  /** The listener is called on the next batched change, not immediately: read `snapshot()`. */
  subscribe(listener: (snapshot: PresenceSnapshot) => void): Unsubscribe {
    return this.notifier.subscribe(listener);
  }

  get listenerCount(): number {
    return this.notifier.size;
  }

  /** Batches delivered so far (for tests and debugging). */
  get notifications(): number {
    return this.notifier.notifications;
  }

  private changed(): void {
    this.cached = undefined;
    this.notifier.changed();
  }
}

/**
 * What `client.presence(room)` returns: a view on the room's shared store that holds the room
 * until released. Releasing also drops the listeners subscribed through this view.
 */
export class PresenceView implements PresenceStoreApi {
  private readonly unsubscribes = new Set<Unsubscribe>();
  private released = false;
  /** The activity this view set last, so releasing it does not leave "editing" behind. */
  private activity: Activity | undefined;

  constructor(
    private readonly store: PresenceStore,
    private readonly handle: RoomHandle,
    /** Sets the user's activity in the room; with `onlyIf`, only while that is still current. */
    private readonly updateActivity: (room: string, activity: Activity, onlyIf?: Activity) => void,
  ) {}

  get room(): string {
    return this.store.room;
  }

  snapshot(): PresenceSnapshot {
    return this.store.snapshot();
  }

  subscribe(listener: (snapshot: PresenceSnapshot) => void): Unsubscribe {
    if (this.released) return () => {};
    const off = this.store.subscribe(listener);
    const unsubscribe = () => {
      off();
      this.unsubscribes.delete(unsubscribe);
    };
    this.unsubscribes.add(unsubscribe);
    return unsubscribe;
  }

  setActivity(activity: Activity): void {
    if (this.released) return;
    this.activity = activity;
    this.updateActivity(this.store.room, activity);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    for (const off of [...this.unsubscribes]) off();
    // A field widget that goes away while "editing" must not leave the user editing forever.
    if (this.activity && this.activity.kind !== 'viewing') {
      this.updateActivity(this.store.room, { kind: 'viewing' }, this.activity);
    }
    this.handle.release();
  }
}
