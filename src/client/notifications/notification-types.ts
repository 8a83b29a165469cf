/** Public types of the notification store (`client.notifications()`). */
import type * as z from 'zod/mini';
import type { Notification, NotificationInput } from '../../protocol/index.js';
import type { RealtimeError } from '../realtime-error.js';
import type { Unsubscribe } from '../types.js';

/** What a widget sends with `send()`: a `NotificationInput` before defaults apply. */
export type NotificationDraft = z.input<typeof NotificationInput>;

export interface NotificationStoreOptions {
  /** Notifications kept in memory, newest first; older ones come with `loadMore()`. Default 50. */
  maxNotifications?: number;
  /** Notifications per history request, 1–100. Default `maxNotifications` (at most 100). */
  pageSize?: number;
}

export interface NotificationsSnapshot {
  /** Newest first, deduplicated by id. */
  readonly items: readonly Notification[];
  /** Unread notifications of the user on the server, loaded or not. */
  readonly unread: number;
  /** Older notifications can be loaded with `loadMore()`. */
  readonly hasMore: boolean;
  /** A history request is in flight. */
  readonly loading: boolean;
  /** The first page arrived: before that, no items means "not known yet", not "none". */
  readonly loaded: boolean;
  /** The last failed request (cleared by the next successful one). */
  readonly error: RealtimeError | undefined;
  /**
   * The server refused the user's room for good (`too_many_rooms`: the page follows more rooms
   * than its connection may hold; `forbidden`): nothing arrives live and nothing loads until it is
   * joined. It is joined again once the page releases another room; that clears this and loads.
   */
  readonly refused: RealtimeError | undefined;
}

export interface NotificationStoreApi {
  /** The current state; the same object until something changes. */
  snapshot(): NotificationsSnapshot;
  /** Called with the new snapshot at most once per animation frame (batched). */
  subscribe(listener: (snapshot: NotificationsSnapshot) => void): Unsubscribe;
  /**
   * Called once per notification that arrives live (for toasts), or that a refetch after a
   * resume finds the store missed (unread, newer than what it held); never for history.
   */
  onNew(listener: (notification: Notification) => void): Unsubscribe;
  /**
   * Page older notifications in. Resolves when the page arrived (or there is nothing more). They
   * stay in memory until `unpage()`.
   */
  loadMore(): Promise<void>;
  /**
   * This view no longer shows what `loadMore` paged in (its panel closed): once no view does, the
   * store keeps only the newest `maxNotifications` again. The unread count is unaffected; the
   * dropped ones load again with `loadMore`.
   */
  unpage(): void;
  /** Refetch the first page (unread count, read state). */
  refresh(): Promise<void>;
  /** Mark notifications read: at once here, confirmed by the server, rolled back if refused. */
  markRead(ids: string | readonly string[]): Promise<void>;
  /** Mark every notification of the user read, loaded or not. Optimistic like `markRead`. */
  markAllRead(): Promise<void>;
  /**
   * Send a notification: the server validates, stores and
   * delivers it to its target. Sent through the user's own room unless `via` names another.
   */
  send(input: NotificationDraft, via?: string): Promise<void>;
  /**
   * Also receive notifications targeted at this room or entity room (`customer:42`): holds the
   * room, so the user is among the people present there, whom the server notifies.
   */
  watch(room: string): Unsubscribe;
  /** Release this view: its listeners and watches go; the last view releases the store. */
  release(): void;
}
