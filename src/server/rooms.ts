/**
 * Which local connections are in which room, and the fan-out of bus messages to them.
 *
 * The registry subscribes to the bus when a room gets its first local member and unsubscribes
 * when it loses its last one. A member that is still joining (its replay not yet sent) queues
 * messages instead of receiving them, so nothing arrives before `joined` out of order.
 */
import type { Bus, BusMessage } from './bus.js';
import type { ServerMetrics } from './metrics.js';
import type { PreparedFrame } from './wire.js';

/** The side of a connection a room writes to. */
export interface Recipient {
  /** Writes an already framed message; returns false when the socket is not writable. */
  writePrepared(frame: PreparedFrame): boolean;
  /** Drops a recipient that cannot keep up. */
  dropSlowConsumer(): void;
  /** Who is connected, once authenticated; an addressed message (`to`) reaches only that user. */
  readonly user?: { readonly id: string } | undefined;
}

export class Membership {
  /** Messages that arrived while joining; `null` once `joined` was sent. */
  queue: BusMessage[] | null = [];
  /**
   * The tabs of a shared connection in this room (`''` for a join without `tab`): each is its own
   * presence member, and the connection stays in the room until the last of them leaves. An
   * array made with its first tab, not a Set: a connection has one tab in a room, or a few, and
   * a Set's table would cost every member of every room about 150 bytes.
   */
  private readonly tabList: string[];

  constructor(
    readonly recipient: Recipient,
    readonly room: string,
    firstTab: string,
  ) {
    this.tabList = [firstTab];
  }

  get tabs(): readonly string[] {
    return this.tabList;
  }

  hasTab(tab: string): boolean {
    return this.tabList.includes(tab);
  }

  addTab(tab: string): void {
    if (!this.tabList.includes(tab)) this.tabList.push(tab);
  }

  removeTab(tab: string): void {
    const at = this.tabList.indexOf(tab);
    if (at >= 0) this.tabList.splice(at, 1);
  }
}

/**
 * A connection's rooms, by name. An exact-size array copied on change rather than a Map: a
 * connection is in one room, or a few (at most `maxRoomsPerConnection`), and a Map's hash table
 * would cost every connection about 250 bytes.
 */
export class MembershipList {
  private list: readonly Membership[] = NONE;

  get size(): number {
    return this.list.length;
  }

  get(room: string): Membership | undefined {
    const { list } = this;
    for (let i = 0; i < list.length; i++) if (list[i]!.room === room) return list[i];
    return undefined;
  }

  has(room: string): boolean {
    return this.get(room) !== undefined;
  }

  /** Adds or replaces the membership of `membership.room`. */
  set(membership: Membership): void {
    const others = this.list.filter((m) => m.room !== membership.room);
    // A literal and `concat` size the array exactly; a spread or a push leaves room to grow.
    this.list = others.length === 0 ? [membership] : others.concat(membership);
  }

  delete(room: string): boolean {
    const before = this.list.length;
    this.list = this.list.filter((m) => m.room !== room);
    if (this.list.length === 0) this.list = NONE;
    return this.list.length !== before;
  }

  /** A snapshot: changes made while iterating do not affect it. */
  values(): readonly Membership[] {
    return this.list;
  }

  rooms(): string[] {
    return this.list.map((m) => m.room);
  }
}

const NONE: readonly Membership[] = Object.freeze([]);

interface LocalRoom {
  members: Membership[];
  unsubscribe: () => void;
}

export class RoomRegistry {
  private readonly rooms = new Map<string, LocalRoom>();

  constructor(
    private readonly bus: Bus,
    private readonly metrics: ServerMetrics,
    /** Bound of a joining member's queue; beyond it the member is dropped as a slow consumer. */
    private readonly maxQueued: number,
  ) {}

  get size(): number {
    return this.rooms.size;
  }

  /** Local member count of a room. */
  members(room: string): number {
    return this.rooms.get(room)?.members.length ?? 0;
  }

  add(membership: Membership): void {
    let local = this.rooms.get(membership.room);
    if (!local) {
      const created: LocalRoom = { members: [], unsubscribe: () => {} };
      this.rooms.set(membership.room, created);
      created.unsubscribe = this.bus.subscribe(membership.room, (message) =>
        this.deliver(created, message),
      );
      local = created;
    }
    // Copy on write: a fan-out in progress keeps iterating the array it started with.
    local.members = [...local.members, membership];
  }

  remove(membership: Membership): void {
    const local = this.rooms.get(membership.room);
    if (!local) return;
    local.members = local.members.filter((m) => m !== membership);
    if (local.members.length === 0) {
      this.rooms.delete(membership.room);
      local.unsubscribe();
    }
  }

  /** The hot path: one prepared frame, written to every member. */
  private deliver(local: LocalRoom, message: BusMessage): void {
    const members = local.members;
    const frame = message.frame;
    let delivered = 0;
    for (let i = 0; i < members.length; i++) {
      const member = members[i]!;
      // Signals are private: other members never see them, not even their size.
      if (message.to !== undefined && member.recipient.user?.id !== message.to) continue;
      const queue = member.queue;
      if (queue !== null) {
        if (queue.length >= this.maxQueued) member.recipient.dropSlowConsumer();
        else queue.push(message);
      } else if (member.recipient.writePrepared(frame)) {
        delivered++;
      }
    }
    this.metrics.broadcastDeliveries += delivered;
    this.metrics.framesOut += delivered;
  }
}
