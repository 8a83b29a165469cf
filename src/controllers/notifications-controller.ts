/**
 * Binds a host to the current user's notifications: holds a view of `client.notifications()`
 * while the host is in the document, re-renders on every (batched) snapshot, and calls `onNew`
 * once per notification that arrives live, or that a resync finds the page missed (for toasts;
 * never for history).
 *
 * ```ts
 * class Bell extends LitElement {
 *   private readonly notifications = new NotificationsController(this, {
 *     maxNotifications: () => this.max,
 *     onNew: (n) => this.toast(n),
 *   });
 *   render() {
 *     return html`<button @click=${() => this.notifications.markAllRead()}>
 *       ${this.notifications.unread}</button>`;
 *   }
 * }
 * ```
 *
 * Without a provider (or before one answers) `snapshot` is `undefined`, the getters return empty
 * values and the methods reject with a `RealtimeError` `not_connected`.
 */
import { NOTIFICATIONS } from '../client/notifications/notifications-capability.js';
import type { RealtimeClient } from '../client/realtime-client.js';
import { RealtimeError } from '../client/realtime-error.js';
import type {
  NotificationDraft,
  NotificationsSnapshot,
} from '../client/notifications/notification-store.js';
import type { NotificationStoreApi } from '../client/notifications/notification-view.js';
import type { Notification, Unsubscribe } from '../client/types.js';
import { ClientController, type ControllerHost } from './client-controller.js';
import { warnOnceFor } from '../util/warn.js';

export interface NotificationsControllerOptions {
  /** Notifications kept in memory, or a getter. Default 50. */
  maxNotifications?: number | (() => number | undefined);
  /** Notifications per history request, 1–100. */
  pageSize?: number;
  /**
   * Called once per notification that arrives live while the host is connected, or that a resync
   * finds it missed (unread, newer than what it held).
   */
  onNew?: (notification: Notification) => void;
  /** Rooms or entity rooms (`customer:42`) whose notifications to show too; read every update. */
  watch?: () => readonly string[] | undefined;
}

const warnOnce = warnOnceFor();

export class NotificationsController extends ClientController {
  /** The latest snapshot; `undefined` without a client. */
  snapshot: NotificationsSnapshot | undefined = undefined;

  private store: NotificationStoreApi | undefined;
  private boundMax: number | undefined;
  private readonly watches = new Map<string, Unsubscribe>();
  private readonly newListeners = new Set<(notification: Notification) => void>();

  constructor(
    host: ControllerHost,
    private readonly options: NotificationsControllerOptions = {},
  ) {
    super(host);
  }

  /** Newest first (empty until the first page arrives). */
  get items(): readonly Notification[] {
    return this.snapshot?.items ?? [];
  }

  /** Unread notifications of the user on the server, loaded or not; 0 without a client. */
  get unread(): number {
    return this.snapshot?.unread ?? 0;
  }

  get hasMore(): boolean {
    return this.snapshot?.hasMore ?? false;
  }

  get loading(): boolean {
    return this.snapshot?.loading ?? false;
  }

  /** Also called once per live notification; survives reconnects and client changes. */
  onNew(listener: (notification: Notification) => void): Unsubscribe {
    this.newListeners.add(listener);
    return () => void this.newListeners.delete(listener);
  }

  markRead(ids: string | readonly string[]): Promise<void> {
    return this.call((store) => store.markRead(ids));
  }

  markAllRead(): Promise<void> {
    return this.call((store) => store.markAllRead());
  }

  loadMore(): Promise<void> {
    return this.call((store) => store.loadMore());
  }

  refresh(): Promise<void> {
    return this.call((store) => store.refresh());
  }

  /** The host no longer shows what `loadMore` paged in (see `NotificationStoreApi.unpage`). */
  unpage(): void {
    this.store?.unpage();
  }

  /** Send a notification (validated, stored and delivered by the server to its target). */
  send(input: NotificationDraft, via?: string): Promise<void> {
    return this.call((store) => store.send(input, via));
  }

  /** Follow `maxNotifications` and `watch`: applied before the host renders. */
  hostUpdate(): void {
    if (!this.client) return;
    if (this.max() !== this.boundMax) return this.rebind();
    this.syncWatches();
  }

  protected override bind(client: RealtimeClient): Unsubscribe | void {
    const max = this.max();
    this.boundMax = max;
    const store = client.use(NOTIFICATIONS).open({
      ...(max !== undefined ? { maxNotifications: max } : {}),
      ...(this.options.pageSize !== undefined ? { pageSize: this.options.pageSize } : {}),
    });
    this.store = store;
    this.snapshot = store.snapshot();
    const offs = [
      store.subscribe((snapshot) => {
        this.snapshot = snapshot;
        this.host.requestUpdate();
      }),
      store.onNew((n) => {
        const listeners = [this.options.onNew, ...this.newListeners];
        for (const listener of listeners) {
          try {
            listener?.(n);
          } catch (error) {
            // One broken listener must not cost the others their toast.
            queueMicrotask(() => {
              throw error;
            });
          }
        }
      }),
    ];
    this.syncWatches();
    return () => {
      offs.forEach((off) => off());
      this.watches.forEach((off) => off());
      this.watches.clear();
      store.release();
      if (this.store === store) this.store = undefined;
      this.snapshot = undefined;
      this.boundMax = undefined;
    };
  }

  private max(): number | undefined {
    const max = this.options.maxNotifications;
    const value = typeof max === 'function' ? max() : max;
    return value !== undefined && Number.isFinite(value) && value >= 1
      ? Math.floor(value)
      : undefined;
  }

  private syncWatches(): void {
    const store = this.store;
    if (!store) return;
    const wanted = new Set(
      (this.options.watch?.() ?? []).map((room) => room.trim()).filter((room) => room),
    );
    for (const [room, off] of this.watches) {
      if (!wanted.has(room)) {
        off();
        this.watches.delete(room);
      }
    }
    for (const room of wanted) {
      if (this.watches.has(room)) continue;
      try {
        this.watches.set(room, store.watch(room));
      } catch (error) {
        // An invalid room name from an attribute must not break the page: warn once per room.
        warnOnce(room, `<${this.hostTag}> cannot watch room "${room}":`, error);
      }
    }
  }

  private call(run: (store: NotificationStoreApi) => Promise<void>): Promise<void> {
    if (!this.store) {
      return Promise.reject(new RealtimeError('not_connected', 'no realtime client (provider)'));
    }
    return run(this.store);
  }
}
