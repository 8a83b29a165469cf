/**
 * Which local connections are in which room, and the fan-out of bus messages to them.
 *
 * The registry subscribes to the bus when a room gets its first local member and unsubscribes
 * when it loses its last one. A member that is still joining (its replay not yet sent) queues
 * messages instead of receiving them, so nothing arrives before `joined` out of order.
 *
 * A room keeps its joined members' recipients in a plain array apart from the members still
 * joining: the fan-out, run once per delivery at up to 100,000 deliveries/s, then calls each
 * recipient's write directly, with no membership to read and no queue to test on the way.
 */
import type { Bus, BusMessage } from './bus.js';
import { fanOut, flushFanOut, type Recipient } from './fan-out.js';
import type { ServerMetrics } from './metrics.js';

export class Membership {
  /**
   * Messages that arrived while joining; `null` once `joined` was sent. Changed only by the
   * registry (`add`, `hold`, `open`), which files the member by it: a queue set here directly
   * would leave the room writing to a member that should queue, or the reverse.
   */
  queue: BusMessage[] | null = [];
  /**
   * The tabs of a shared connection in this room (`''` for a join without `tab`): each is its own
   * presence member, and the connection stays in the room until the last of them leaves. An
   * array made with its first tab, not a Set: a connection has one tab in a room, or a few, and
   * a Set's table would cost every member of every room about 150 bytes.
   */
  private readonly tabList: string[];
  /**
   * The tabs that watch the room (a `join` with `watch`): they receive it as members do but have
   * no presence there. Undefined while none does, which is nearly always.
   */
  private watchList: string[] | undefined = undefined;

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
    this.setWatching(tab, false);
  }

  /** Does this tab watch the room rather than be present in it? */
  watching(tab: string): boolean {
    return this.watchList?.includes(tab) === true;
  }

  setWatching(tab: string, watch: boolean): void {
    // Every join and tab leave passes here: no list is made when nothing changes.
    if (this.watching(tab) === watch) return;
    const others = this.watchList?.filter((t) => t !== tab) ?? [];
    if (watch) others.push(tab);
    this.watchList = others.length > 0 ? others : undefined;
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

const NO_MESSAGES: readonly BusMessage[] = Object.freeze([]);

interface LocalRoom {
  /** Recipients of the members whose `joined` is out: the fan-out writes to these. */
  recipients: Recipient[];
  /** Members still joining: messages wait in their queue until `joined` is sent. */
  joining: Membership[];
  unsubscribe: () => void;
}

export class RoomRegistry {
  private readonly rooms = new Map<string, LocalRoom>();

  constructor(
    private readonly bus: Bus,
    private readonly metrics: ServerMetrics,
    /** Bound of a joining member's queue; beyond it the member is dropped as a slow consumer. */
    private readonly maxQueued: number,
    /** Joins a room's frames of one run into one write per socket (fan-out.ts); off, each at once. */
    private readonly joinRuns = true,
  ) {}

  get size(): number {
    return this.rooms.size;
  }

  /** Local member count of a room. */
  members(room: string): number {
    const local = this.rooms.get(room);
    return local === undefined ? 0 : local.recipients.length + local.joining.length;
  }

  /** Starts delivering the room to a new member: queued while its queue is set, else written. */
  add(membership: Membership): void {
    let local = this.rooms.get(membership.room);
    if (!local) {
      const created: LocalRoom = { recipients: [], joining: [], unsubscribe: () => {} };
      this.rooms.set(membership.room, created);
      created.unsubscribe = this.bus.subscribe(membership.room, (message) =>
        this.deliver(created, message),
      );
      local = created;
    }
    // Copy on write: a fan-out in progress keeps iterating the arrays it started with.
    if (membership.queue !== null) local.joining = [...local.joining, membership];
    else local.recipients = [...local.recipients, membership.recipient];
  }

  remove(membership: Membership): void {
    const local = this.rooms.get(membership.room);
    if (!local) return;
    if (membership.queue !== null) local.joining = local.joining.filter((m) => m !== membership);
    else local.recipients = local.recipients.filter((r) => r !== membership.recipient);
    if (local.recipients.length === 0 && local.joining.length === 0) {
      this.rooms.delete(membership.room);
      local.unsubscribe();
    }
  }

  /**
   * A member joins again (to resume): from now on its messages wait in its queue until `open`,
   * so none arrives before its new `joined`. Nothing changes for a member already queueing.
   */
  hold(membership: Membership): void {
    if (membership.queue !== null) return;
    const local = this.rooms.get(membership.room);
    const recipients = local?.recipients.filter((r) => r !== membership.recipient);
    membership.queue = [];
    if (!local || recipients!.length === local.recipients.length) return; // not registered
    local.recipients = recipients!;
    local.joining = [...local.joining, membership];
  }

  /**
   * The member's `joined` is out: live messages are written to it from now on. Returns what
   * queued meanwhile, oldest first, for the caller to send after `joined`.
   */
  open(membership: Membership): readonly BusMessage[] {
    const queued = membership.queue;
    if (queued === null) return NO_MESSAGES;
    membership.queue = null;
    const local = this.rooms.get(membership.room);
    const joining = local?.joining.filter((m) => m !== membership);
    if (!local || joining!.length === local.joining.length) return queued; // not registered
    local.joining = joining!;
    local.recipients = [...local.recipients, membership.recipient];
    return queued;
  }

  /** The hot path: one prepared frame for every joined member (see fan-out.ts), queued for the others. */
  private deliver(local: LocalRoom, message: BusMessage): void {
    const joining = local.joining;
    if (joining.length > 0) this.queue(joining, message);
    const recipients = local.recipients;
    if (recipients.length === 0) return;
    const to = message.to;
    if (to === undefined && this.joinRuns) {
      fanOut(recipients, message.frame, this.metrics);
      return;
    }
    // Written now, after what waits. Signals are private: other members never see them, not
    // even their size; they are for one member, so there is nothing to join them with.
    flushFanOut();
    let delivered = 0;
    for (let i = 0; i < recipients.length; i++) {
      const recipient = recipients[i]!;
      if (
        (to === undefined || recipient.user?.id === to) &&
        recipient.writePrepared(message.frame)
      ) {
        delivered++;
      }
    }
    this.metrics.broadcastDeliveries += delivered;
    this.metrics.framesOut += delivered;
  }

  private queue(joining: readonly Membership[], message: BusMessage): void {
    for (let i = 0; i < joining.length; i++) {
      const member = joining[i]!;
      if (message.to !== undefined && member.recipient.user?.id !== message.to) continue;
      const queue = member.queue!;
      if (queue.length >= this.maxQueued) member.recipient.dropSlowConsumer();
      else queue.push(message);
    }
  }
}
