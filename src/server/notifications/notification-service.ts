/**
 * Notifications on the reference server: who gets one, storing it for them, delivering it live,
 * history, read state and retention. Transport-free: the frame handlers and the HTTP routes call it.
 *
 * Recipients are fixed when a notification is sent (fan-out on write):
 * - a user target has one recipient, online or not (they find it in their history later);
 * - a room or entity target (`<type>:<id>`) goes to the people present in that room at that
 *   moment (presence, which keeps someone who just dropped for the grace period), except the
 *   sender. Someone who joins later does not get it.
 *
 * Each recipient gets a sequenced `event` named `notification` in their personal room `user:<id>`
 * (payload: the `Notification`, `read: false`), so resume after a reconnect covers it, and a row
 * of their own in the history with their own read state. Read marks are pushed as
 * `notification.read-state` (no `replyTo`) to every connection in the user's personal room, so all
 * their tabs agree, each with the unread count that connection may see (`unread-counts.ts`).
 */
import { randomUUID } from 'node:crypto';
import {
  fittingCount,
  userRoom,
  type Notification,
  type NotificationInput,
  type NotificationPageFrame,
  type NotificationTarget,
  type UserProfile,
} from '../../protocol/index.js';
import { decodeCursor, encodeCursor, CursorError, MonotonicTime } from '../activity/cursor.js';
import { EventTooLargeError, type Bus } from '../bus.js';
import { every, retentionCutoff, type ServerClock } from '../clock.js';
import { InFlight } from '../in-flight.js';
import { errorFields, type Logger } from '../log.js';
import type { CapabilityMetrics } from '../metrics.js';
import type {
  NotificationRepository,
  StoredNotification,
  UnreadAbout,
  UnreadTally,
} from './notification-repository.js';

const CURSOR_KIND = 'n';

export interface NotificationServiceOptions {
  repository: NotificationRepository;
  bus: Bus;
  /**
   * Who is in a room now (user ids), for room and entity targets: on every process, so a
   * lookup may have to ask the shared store.
   */
  peopleIn: (room: string) => Iterable<string> | Promise<Iterable<string>>;
  clock: ServerClock;
  log: Logger;
  /** Delete notifications older than this many days; 0 keeps them forever. Default 90. */
  retentionDays?: number | undefined;
  /** How often the retention sweep runs. Default one hour. */
  sweepMs?: number | undefined;
  /** Counts what is sent (the server's `/metrics`). */
  metrics?: CapabilityMetrics | undefined;
}

/** The room a notification's target names: `user:<id>`, the room, or `<type>:<id>`. */
export function targetRoom(target: NotificationTarget): string {
  if ('user' in target) return userRoom(target.user);
  if ('room' in target) return target.room;
  return `${target.entity.type}:${target.entity.id}`;
}

export interface Sent {
  notification: Notification;
  /** User ids it was stored for and delivered to. */
  recipients: string[];
}

export type NotificationPage = Omit<NotificationPageFrame, 'type' | 'replyTo'>;

export class NotificationService {
  readonly retentionDays: number;
  private readonly time: Promise<MonotonicTime>;
  private readonly stopSweep: () => void;
  /** Sends under way (stored, then delivered live), so shutdown can wait for them. */
  private readonly running = new InFlight();

  constructor(private readonly options: NotificationServiceOptions) {
    this.retentionDays = options.retentionDays ?? 90;
    this.time = options.repository.newestTime().then((t) => new MonotonicTime(t));
    // Keep a failed read from surfacing as an unhandled rejection; `send` awaits it again.
    this.time.catch(() => {});
    this.stopSweep =
      this.retentionDays > 0
        ? every(options.clock, options.sweepMs ?? 3_600_000, () => void this.sweep())
        : () => {};
  }

  /** The users a notification to `target` from `from` goes to, as of now. */
  async recipientsOf(target: NotificationTarget, from?: UserProfile): Promise<string[]> {
    if ('user' in target) return [target.user];
    const people = new Set(await this.options.peopleIn(targetRoom(target)));
    if (from) people.delete(from.id);
    return [...people];
  }

  /**
   * Stores a (validated) notification for its recipients and delivers it live. With no recipient
   * (an empty room) nothing is stored. `recipients`, when the caller has just asked
   * `recipientsOf`, saves asking again. `id`, when the caller tries again a send that failed,
   * is the one it gave then: a try whose commit's answer was lost stored it already, and it is
   * then only delivered.
   */
  send(
    input: NotificationInput,
    from?: UserProfile,
    recipients?: readonly string[],
    id?: string,
  ): Promise<Sent> {
    return this.running.track(this.storeAndDeliver(input, from, recipients, id));
  }

  /** Resolves once no send is under way, or after `timeoutMs` (shutdown). */
  settled(timeoutMs: number): Promise<void> {
    return this.running.settled(timeoutMs);
  }

  private async storeAndDeliver(
    input: NotificationInput,
    from?: UserProfile,
    given?: readonly string[],
    id: string = randomUUID(),
  ): Promise<Sent> {
    const { repository, bus, clock, log } = this.options;
    const createdAt = (await this.time).next(clock.now());
    const stored: StoredNotification = {
      id,
      target: input.target,
      type: input.type,
      priority: input.priority,
      title: input.title,
      createdAt,
    };
    if (input.message !== undefined) stored.message = input.message;
    if (input.entity !== undefined) stored.entity = input.entity;
    if (input.actions !== undefined) stored.actions = input.actions;
    if (from !== undefined) stored.from = from;
    const notification: Notification = { ...stored, read: false };
    const recipients = given ? [...given] : await this.recipientsOf(input.target, from);
    if (recipients.length === 0) return { notification, recipients };
    const orders = await repository.insert(stored, recipients);
    if (this.options.metrics) {
      this.options.metrics.notificationsSent += 1;
      this.options.metrics.notificationRecipients += recipients.length;
    }
    // Each recipient's event names the order of their row: a count that reached it (computed
    // for a read in another tab, and sent before this event arrives) counted it already.
    const eventFor = (userId: string) => {
      const order = orders.get(userId);
      const payload = order === undefined ? notification : { ...notification, order };
      return { event: 'notification', payload, from: from?.id };
    };
    await Promise.all(
      recipients.map((userId) =>
        bus.publish(userRoom(userId), eventFor(userId)).catch((err: unknown) => {
          // Stored already: the recipient finds it in their history. When the bus lost it, the
          // recipient's connections are told to resume (`gap`), which reads the history again.
          const tooLarge = err instanceof EventTooLargeError;
          log[tooLarge ? 'warn' : 'error']('notification not delivered live', {
            user: userId,
            ...errorFields(err),
          });
          if (!tooLarge) bus.eventLost?.(userRoom(userId));
        }),
      ),
    );
    return { notification, recipients };
  }

  /**
   * A user's history page. Throws `CursorError` for a cursor we did not hand out. With `maxBytes`
   * the page holds fewer than `limit` items when that many would serialize to more (a frame has
   * a size limit), and its cursor continues after the last one it holds.
   */
  async list(
    userId: string,
    before: string | undefined,
    limit: number,
    maxBytes?: number,
  ): Promise<NotificationPage> {
    let seq: number | undefined;
    if (before !== undefined) {
      seq = decodeCursor(CURSOR_KIND, before);
      if (seq === undefined) throw new CursorError(before);
    }
    const repository = this.options.repository;
    let page = await repository.page(userId, seq, limit);
    // One notification always fits a frame (its input is bounded); many with long messages and
    // data-URL avatars may not. Rare: ask again for what fits, which gives the right cursor.
    const fits = maxBytes === undefined ? page.items.length : fittingCount(page.items, maxBytes);
    if (fits < page.items.length) page = await repository.page(userId, seq, Math.max(1, fits));
    const answer: NotificationPage = {
      items: page.items,
      unread: page.unread,
      unreadUpTo: page.upTo,
    };
    if (page.next !== undefined) answer.nextCursor = encodeCursor(CURSOR_KIND, page.next);
    return answer;
  }

  /** A user's unread count, all notifications counted, and how far it reaches. */
  unread(userId: string): Promise<UnreadTally> {
    return this.options.repository.unread(userId);
  }

  /** A user's unread notifications about an entity, counted per entity (the newest 500). */
  unreadAbout(userId: string, upTo: number): Promise<UnreadAbout[]> {
    return this.options.repository.unreadAbout(userId, upTo);
  }

  /**
   * Marks a user's notifications read; ids that are not theirs are ignored. Resolves to the ids
   * that were theirs (or `'all'`) and their unread count, all notifications counted: telling their
   * connections, each with the count it may see, is `UnreadCounts`'.
   */
  markRead(
    userId: string,
    ids: readonly string[] | 'all',
  ): Promise<{ ids: string[] | 'all' } & UnreadTally> {
    return this.options.repository.markRead(userId, ids, this.options.clock.now());
  }

  /** Deletes what is older than the retention period; resolves to how many went. */
  async sweep(): Promise<number> {
    if (this.retentionDays <= 0) return 0;
    const { repository, clock, log } = this.options;
    try {
      const removed = await repository.deleteBefore(
        retentionCutoff(clock.now(), this.retentionDays),
      );
      if (removed > 0) log.info('notification retention', { removed, days: this.retentionDays });
      return removed;
    } catch (err) {
      log.error('notification retention failed', errorFields(err));
      return 0;
    }
  }

  close(): void {
    this.stopSweep();
  }
}
