/**
 * Where notifications are kept: each one once, plus one row per recipient holding that person's
 * read state (fan-out on write). History, unread counts and read marks are per recipient, so a
 * notification sent to a room of five is five independent "unread"s.
 *
 * Asynchronous like `Storage`, so a networked database fits the same shape.
 */
import type { Notification } from '../../protocol/index.js';

/** A notification as stored: everything but the per-recipient `read`. */
export type StoredNotification = Omit<Notification, 'read'>;

/**
 * A recipient's unread count and how far it reaches, read together (one snapshot): `upTo` is the
 * `order` of the newest notification stored for them that the count saw, 0 when none. Orders are
 * the recipient rows' numbers, given in the order the rows commit for each recipient, so a count
 * reaching `upTo` saw every notification of theirs up to it and none after it: a client told
 * both knows whether a live notification is in the count (`unreadUpTo` on the wire).
 */
export interface UnreadTally {
  unread: number;
  upTo: number;
}

export interface RecipientPage extends UnreadTally {
  /** Newest first, with this recipient's read state. */
  items: Notification[];
  /** Row number of the oldest item, when older ones exist. */
  next: number | undefined;
}

/** How many of a recipient's unread notifications are about one entity. */
export interface UnreadAbout {
  type: string;
  id: string;
  count: number;
}

/** The most entities `unreadAbout` names: those of the newest unread notifications. */
export const MAX_UNREAD_ABOUT = 500;

export interface NotificationRepository {
  /**
   * Stores a notification and one unread row per recipient, in one transaction. Resolves to the
   * `order` of each recipient's row (recipient id → order); a recipient given twice has one row.
   * A notification whose id is stored already (tried again after a commit whose answer was lost)
   * is not stored again: it resolves to the orders of the rows stored then.
   */
  insert(
    notification: StoredNotification,
    recipients: readonly string[],
  ): Promise<Map<string, number>>;
  /** A recipient's notifications older than row `before` (all when undefined), newest first. */
  page(userId: string, before: number | undefined, limit: number): Promise<RecipientPage>;
  unread(userId: string): Promise<UnreadTally>;
  /**
   * A recipient's unread notifications about an entity (their `entity`), counted per entity: at
   * most `MAX_UNREAD_ABOUT` entities, those whose newest unread notification is newest. Only
   * rows up to `upTo` (a count's reach): what is taken off a count must have been in it.
   */
  unreadAbout(userId: string, upTo: number): Promise<UnreadAbout[]>;
  /**
   * Marks a recipient's notifications read (all of them for `'all'`) at `at`; ids that are not
   * theirs are ignored. Resolves to the ids that are theirs (or `'all'`) and the unread count.
   */
  markRead(
    userId: string,
    ids: readonly string[] | 'all',
    at: number,
  ): Promise<{ ids: string[] | 'all' } & UnreadTally>;
  /** Deletes notifications created before `cutoff` with their recipient rows; resolves to how many. */
  deleteBefore(cutoff: number): Promise<number>;
  /** Time of the newest notification (0 when none), so new ones never sort before it. */
  newestTime(): Promise<number>;
}
