/**
 * What `client.notifications()` returns: a view on the client's one notification store. The store
 * (and the user's personal room) lives while at least one view is held (the sharing rule of
 * shared-stores.ts); releasing a view drops the listeners and watched rooms taken through it.
 */
import type { Notification } from '../../protocol/index.js';
import { NotificationStore } from './notification-store.js';
import type {
  NotificationDraft,
  NotificationStoreApi,
  NotificationStoreOptions,
  NotificationsSnapshot,
} from './notification-types.js';
import { RealtimeError } from '../realtime-error.js';
import { SharedStores } from '../store/shared-stores.js';
import { positiveInt } from '../store/positive-int.js';
import type { StoreClient, StoreHost } from '../store/store-host.js';
import type { Unsubscribe } from '../types.js';

export type { NotificationStoreApi } from './notification-types.js';

/** The user's notifications: one store, the same for every view. */
const USER = 'user';

/** Opens views of one client's notification store, made on first use and shared by every view. */
export function notificationViews(
  client: StoreClient,
  host: StoreHost,
): (options?: NotificationStoreOptions) => NotificationStoreApi {
  const stores = new SharedStores<string, NotificationStore>((store) => store.dispose());
  return (options = {}) => {
    const max = positiveInt(options.maxNotifications, 50);
    const store = stores.hold(USER, () => {
      const pageSize = Math.min(100, positiveInt(options.pageSize, Math.min(max, 100)));
      return new NotificationStore(client, host, max, pageSize);
    });
    store.raiseLimit(max);
    return new NotificationsView(store, () => void stores.release(USER));
  };
}

class NotificationsView implements NotificationStoreApi {
  private readonly offs = new Set<Unsubscribe>();
  private released = false;

  constructor(
    private readonly store: NotificationStore,
    private readonly done: () => void,
  ) {}

  snapshot(): NotificationsSnapshot {
    return this.store.snapshot();
  }

  subscribe(listener: (snapshot: NotificationsSnapshot) => void): Unsubscribe {
    return this.track(() => this.store.notifier.subscribe(listener));
  }

  onNew(listener: (notification: Notification) => void): Unsubscribe {
    return this.track(() => this.store.newListeners.add(listener));
  }

  watch(room: string): Unsubscribe {
    return this.track(() => this.store.watch(room));
  }

  loadMore(): Promise<void> {
    return this.guard(() => this.store.loadMore(this));
  }

  unpage(): void {
    this.store.unpage(this);
  }

  refresh(): Promise<void> {
    return this.guard(() => this.store.refresh());
  }

  markRead(ids: string | readonly string[]): Promise<void> {
    return this.guard(() => this.store.markRead(typeof ids === 'string' ? [ids] : ids));
  }

  markAllRead(): Promise<void> {
    return this.guard(() => this.store.markAllRead());
  }

  send(input: NotificationDraft, via?: string): Promise<void> {
    return this.guard(() => this.store.send(input, via));
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    for (const off of [...this.offs]) off();
    this.store.unpage(this);
    this.done();
  }

  private track(add: () => Unsubscribe): Unsubscribe {
    if (this.released) return () => {};
    const off = add();
    const unsubscribe = () => {
      off();
      this.offs.delete(unsubscribe);
    };
    this.offs.add(unsubscribe);
    return unsubscribe;
  }

  private guard(run: () => Promise<void>): Promise<void> {
    if (this.released) {
      return Promise.reject(new RealtimeError('closed', 'this notifications view was released'));
    }
    return run();
  }
}
