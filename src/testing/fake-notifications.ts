/**
 * Notifications on the fake server, by the same rules as the reference server
 * (`src/server/notifications/`), so a test or a story cannot pass on answers the real server would
 * never give.
 *
 * - Sending: a client `emit(room, 'notification', NotificationInput)`, or a backend
 *   (`server.notify(input, from?)`). The emit's room is only the channel and must be joined like
 *   any emit (the client sends through its own `user:<id>`). The input is validated (`bad_frame`);
 *   a room or entity target needs the sender's connection to be in that room (`forbidden`); a
 *   user target must be the sender or someone present in a room the sender's connection has
 *   joined (the reference server's default authorization), unless `notifyAnyone` is set, as a
 *   CRM whose hook lets colleagues notify each other would.
 * - Recipients, fixed when sent: a user target is that user, online or not; a room or entity
 *   target (`<type>:<id>`) is the people present in that room at that moment (presence, so someone
 *   within the leave grace period counts), except the sender. No recipient: nothing is stored.
 *   Each recipient has the notification in their history with their own read state.
 * - Delivery: to each recipient, a sequenced `notification` event (payload `Notification`,
 *   `read: false`) in their personal room `user:<id>`, so resume covers it. Nobody joins another
 *   user's personal room.
 * - `notification.read` (ids or `'all'`; ids not theirs are ignored) answers
 *   `notification.read-state` with the unread count, and a frame without `replyTo` goes to every
 *   connection in the user's personal room, so all their tabs agree. Unread notifications about
 *   an entity the user may not read (`authorize` of its room, asked with the connection's user)
 *   are not counted, so each connection is sent the count it may see, never another's. Every
 *   count a connection is sent carries `unreadSeq`: 1, 2, … per connection, and `unreadUpTo`:
 *   the `order` of the user's newest notification, which each notification carries too (the
 *   order the fake stored them in), so a client does not count twice one whose event comes late.
 *
 * ```ts
 * server.notify({ target: { user: 'u-you' }, title: 'Call Ada back', priority: 'high' });
 * server.notifications.seed('u-you', 30, { unread: 4 });
 * server.notifications.forUser('u-you'); // newest first, with this user's read state
 * ```
 */
import * as z from 'zod/mini';
import type { Notification } from '../protocol/index.js';
import {
  NotificationInput,
  userRoom,
  type EmitFrame,
  type ErrorCode,
  type NotificationListFrame,
  type NotificationReadFrame,
  type NotificationTarget,
  type ServerFrame,
  type UserProfile,
} from '../protocol/index.js';
import type { NotificationDraft } from '../client/notifications/notification-store.js';
import type { Clock } from '../client/types.js';
import type { FakeConnection } from './fake-room.js';
import { fitPage, PAGE_BYTES, TimeLog, type LogEntry } from './fake-history.js';
import { SAMPLE_PEOPLE, type Scenario } from './scenario.js';

export type { NotificationDraft };

/** What the fake notifications need from the server they live in. */
export interface FakeNotificationsHost {
  now(): number;
  /** Publish a sequenced room event (recorded for resume, sent to members). */
  publish(room: string, event: string, payload: unknown, from?: string): unknown;
  /** Whether a room exists (was ever joined): a user who never connected needs no live event. */
  hasRoom(room: string): boolean;
  send(c: FakeConnection, frame: ServerFrame): void;
  error(c: FakeConnection, code: ErrorCode, message: string, replyTo?: string): void;
  /** Connections joined to a room. */
  membersOf(room: string): Iterable<FakeConnection>;
  /** User ids of the people present in a room (presence, grace period included). */
  peopleIn(room: string): Iterable<string>;
  /**
   * Whether the user may read the entity (the server's `authorize` of its room): a connection's
   * user as it signed in, or a user id (the profile of one of their connections).
   */
  mayRead(user: UserProfile | string, type: string, id: string): boolean;
}

interface Stored extends LogEntry {
  readonly notification: Notification;
  readonly recipients: Set<string>;
  readonly readBy: Set<string>;
}

export interface SeedOptions {
  /** How many of the newest are unread. Default: all. */
  unread?: number;
  /** Time between two seeded notifications, going back from now. Default 17 minutes. */
  spacingMs?: number;
}

/** The room a target's live event goes to. */
export function deliveryRoom(target: NotificationTarget): string {
  if ('user' in target) return userRoom(target.user);
  if ('room' in target) return target.room;
  return `${target.entity.type}:${target.entity.id}`;
}

export class FakeNotifications {
  private readonly log = new TimeLog<Stored>();
  private readonly byId = new Map<string, Stored>();
  private order = 0;
  /** The stamp of the latest count each connection was sent (`unreadSeq`). */
  private readonly seqs = new WeakMap<FakeConnection, number>();

  /**
   * Let any user notify any user, as a server whose authorization hook allows it. Off: the
   * reference server's default (themselves and people sharing a room with them).
   */
  notifyAnyone = false;

  constructor(private readonly host: FakeNotificationsHost) {}

  /** Notifications stored so far (all users). */
  get size(): number {
    return this.log.size;
  }

  /** A user may join only their own personal room. */
  mayJoin(user: UserProfile, room: string): boolean {
    return !room.startsWith('user:') || room === userRoom(user.id);
  }

  /**
   * Send a notification as a backend would (HTTP API), or as `from`. Validated like a client's;
   * throws a `TypeError` on invalid input. Delivered live and stored for its recipients.
   */
  notify(input: NotificationDraft, from?: UserProfile): Notification {
    const parsed = z.safeParse(NotificationInput, input);
    if (!parsed.success) {
      throw new TypeError(`invalid notification: ${z.prettifyError(parsed.error)}`);
    }
    return this.store(parsed.data, from, this.host.now(), true).notification;
  }

  /**
   * History for a story or a test: `count` notifications to a user, spaced back in time from now,
   * not delivered live. Returns them newest first.
   */
  seed(userId: string, count: number, options: SeedOptions = {}): Notification[] {
    const spacing = options.spacingMs ?? 17 * 60_000;
    const unread = options.unread ?? count;
    const now = this.host.now();
    const out: Notification[] = [];
    for (let i = 0; i < count; i++) {
      const stored = this.store(
        sampleNotification(i, { user: userId }),
        SAMPLE_PEOPLE[i % SAMPLE_PEOPLE.length],
        now - i * spacing,
        false,
      );
      if (i >= unread) stored.readBy.add(userId);
      out.push(this.view(stored, userId));
    }
    return out;
  }

  /** A user's notifications, newest first, with their read state. */
  forUser(userId: string): Notification[] {
    const out: Notification[] = [];
    for (let i = this.log.entries.length - 1; i >= 0; i--) {
      const stored = this.log.entries[i]!;
      if (stored.recipients.has(userId)) out.push(this.view(stored, userId));
    }
    return out;
  }

  /**
   * How many of the user's notifications are unread, as the server counts them for the user:
   * those about an entity they may not read (which no page or event brings them) do not count.
   */
  unread(user: UserProfile | string): number {
    const userId = typeof user === 'string' ? user : user.id;
    let count = 0;
    for (const stored of this.log.entries) {
      if (!stored.recipients.has(userId) || stored.readBy.has(userId)) continue;
      const entity = stored.notification.entity;
      if (!entity || this.host.mayRead(user, entity.type, entity.id)) count += 1;
    }
    return count;
  }

  /** Mark read as the user would elsewhere (another device): their open tabs are told. */
  markRead(userId: string, ids: readonly string[] | 'all'): void {
    this.pushReadState(userId, this.apply(userId, ids));
  }

  /** Forget everything (retention, or a story starting over). */
  clear(): void {
    this.log.entries.length = 0;
    this.byId.clear();
  }

  // -------------------------------------------------------------------------------------------
  // protocol

  /** `emit` with event `notification`. */
  emit(c: FakeConnection, user: UserProfile, frame: EmitFrame): void {
    const parsed = z.safeParse(NotificationInput, frame.payload);
    if (!parsed.success) {
      const message = `invalid notification: ${z.prettifyError(parsed.error)}`;
      return this.host.error(c, 'bad_frame', message, frame.id);
    }
    const target = parsed.data.target;
    const room = deliveryRoom(target);
    if (!('user' in target) && !c.rooms.has(room)) {
      return this.host.error(c, 'forbidden', `join ${room} before notifying it`, frame.id);
    }
    if ('user' in target && !this.mayNotifyUser(c, user, target.user)) {
      return this.host.error(c, 'forbidden', `not allowed to notify ${room}`, frame.id);
    }
    this.store(parsed.data, user, this.host.now(), true);
    if (frame.id !== undefined) this.host.send(c, { type: 'ack', replyTo: frame.id });
  }

  /** Themselves, or someone present in a room this connection has joined (see the server's). */
  private mayNotifyUser(c: FakeConnection, sender: UserProfile, userId: string): boolean {
    if (this.notifyAnyone || userId === sender.id) return true;
    for (const room of c.rooms) {
      if (room.startsWith('user:')) continue;
      for (const person of this.host.peopleIn(room)) if (person === userId) return true;
    }
    return false;
  }

  list(c: FakeConnection, user: UserProfile, frame: NotificationListFrame): void {
    let page;
    try {
      page = fitPage(
        this.log.page((s) => s.recipients.has(user.id), frame.before, frame.limit ?? 20),
        (s) => this.view(s, user.id),
        PAGE_BYTES,
      );
    } catch (error) {
      return this.host.error(c, 'bad_frame', (error as Error).message, frame.id);
    }
    const reply: ServerFrame = {
      type: 'notification.page',
      replyTo: frame.id,
      items: page.items.map((s) => this.view(s, user.id)),
      ...this.countFor(c, user),
    };
    if (page.nextCursor !== undefined) reply.nextCursor = page.nextCursor;
    this.host.send(c, reply);
  }

  read(c: FakeConnection, user: UserProfile, frame: NotificationReadFrame): void {
    const ids = this.apply(user.id, frame.ids);
    const count = this.countFor(c, user);
    this.host.send(c, { type: 'notification.read-state', replyTo: frame.id, ids, ...count });
    // The user's other tabs and devices agree at once, each with the count it may see.
    this.pushReadState(user.id, ids);
  }

  // -------------------------------------------------------------------------------------------

  private store(
    input: NotificationInput,
    from: UserProfile | undefined,
    at: number,
    live: boolean,
  ): Stored {
    this.order += 1;
    const notification: Notification = {
      id: `n-${this.order}`,
      target: input.target,
      type: input.type,
      priority: input.priority,
      title: input.title,
      createdAt: at,
      read: false,
    };
    if (input.message !== undefined) notification.message = input.message;
    if (input.entity !== undefined) notification.entity = input.entity;
    if (input.actions !== undefined) notification.actions = input.actions;
    if (from !== undefined) notification.from = from;
    const recipients = new Set(
      'user' in input.target ? [input.target.user] : this.host.peopleIn(deliveryRoom(input.target)),
    );
    if (from && !('user' in input.target)) recipients.delete(from.id);
    const stored: Stored = { at, order: this.order, notification, recipients, readBy: new Set() };
    if (recipients.size === 0) return stored; // nobody to tell: nothing stored
    this.log.insert(stored);
    this.byId.set(notification.id, stored);
    if (live) {
      for (const userId of recipients) {
        const room = userRoom(userId);
        if (this.host.hasRoom(room)) {
          const payload = { ...notification, order: stored.order };
          this.host.publish(room, 'notification', payload, from?.id);
        }
      }
    }
    return stored;
  }

  private apply(userId: string, ids: readonly string[] | 'all'): string[] | 'all' {
    if (ids === 'all') {
      for (const s of this.log.entries) if (s.recipients.has(userId)) s.readBy.add(userId);
      return 'all';
    }
    const applied: string[] = [];
    for (const id of ids) {
      const stored = this.byId.get(id);
      if (!stored?.recipients.has(userId)) continue; // unknown or not theirs: nothing to do
      stored.readBy.add(userId);
      applied.push(id);
    }
    return applied;
  }

  /** A read-state frame to every connection in the user's personal room, with its own count. */
  private pushReadState(userId: string, ids: string[] | 'all'): void {
    for (const c of this.host.membersOf(userRoom(userId))) {
      const user = c.user ?? { id: userId, name: userId };
      this.host.send(c, { type: 'notification.read-state', ids, ...this.countFor(c, user) });
    }
  }

  /**
   * The unread count as this connection's user may see it, stamped with its next `unreadSeq`, and
   * how far it reaches: the `order` of the user's newest notification (0 when none).
   */
  private countFor(
    c: FakeConnection,
    user: UserProfile,
  ): { unread: number; unreadSeq: number; unreadUpTo: number } {
    const unreadSeq = (this.seqs.get(c) ?? 0) + 1;
    this.seqs.set(c, unreadSeq);
    let unreadUpTo = 0;
    for (const s of this.log.entries) {
      if (s.recipients.has(user.id)) unreadUpTo = Math.max(unreadUpTo, s.order);
    }
    return { unread: this.unread(user), unreadSeq, unreadUpTo };
  }

  private view(stored: Stored, userId: string): Notification {
    return { ...stored.notification, read: stored.readBy.has(userId), order: stored.order };
  }
}

const SAMPLES: readonly Omit<NotificationDraft, 'target'>[] = [
  { title: 'Ada Lovelace replied to your email', type: 'info', message: 'Re: renewal terms' },
  { title: 'Deal "Analytical Engines" won', type: 'success', priority: 'high' },
  { title: 'Invoice #1042 is overdue', type: 'warning', message: 'Due 3 days ago: €4,200' },
  { title: 'Sync with the billing system failed', type: 'error', priority: 'urgent' },
  { title: 'Meeting with Babbage & Co. in 15 minutes', type: 'info', priority: 'high' },
  { title: 'New lead assigned to you', type: 'success', message: 'Grace Hopper, Navy Labs' },
  { title: 'Customer "Difference Ltd" was updated', type: 'info', priority: 'low' },
];

/** A plausible notification for stories: cycles through types, priorities and shapes. */
export function sampleNotification(index: number, target: NotificationTarget): NotificationInput {
  const base = SAMPLES[index % SAMPLES.length]!;
  const draft: NotificationDraft = { ...base, target };
  if (index % 3 === 0) {
    draft.entity = { type: 'customer', id: String(40 + (index % 5)), label: 'Difference Ltd' };
  }
  if (index % 4 === 1) draft.actions = [{ label: 'Open', url: `/customers/${40 + (index % 5)}` }];
  return z.parse(NotificationInput, draft);
}

/**
 * Notifications arriving for a user every `everyMs` (cycling through the samples, an urgent one
 * among them), `count` in all (default: until stopped), for live stories.
 */
export function notificationsArriving(
  server: { clock: Clock; notify(input: NotificationDraft, from?: UserProfile): Notification },
  {
    userId,
    everyMs = 4000,
    count = Infinity,
    clock = server.clock,
  }: { userId: string; everyMs?: number; count?: number; clock?: Clock },
): Scenario {
  let sent = 0;
  let handle: unknown;
  const next = () => {
    if (sent >= count) return;
    handle = clock.setTimeout(() => {
      server.notify(
        sampleNotification(sent, { user: userId }),
        SAMPLE_PEOPLE[sent % SAMPLE_PEOPLE.length],
      );
      sent += 1;
      next();
    }, everyMs);
  };
  next();
  return { stop: () => clock.clearTimeout(handle) };
}
