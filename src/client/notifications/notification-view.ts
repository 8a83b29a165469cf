/**
 * What `client.notifications()` returns: a view on the client's one notification store. The store
 * (and the user's personal room) lives while at least one view is held; releasing a view drops the
 * listeners and watched rooms taken through it.
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
import { positiveInt, type StoreClient, type StoreHost } from '../store/store-host.js';
import type { Unsubscribe } from '../types.js';

export type { NotificationStoreApi } from './notification-types.js';

interface Shared {
  store: NotificationStore;
  views: number;
}

const shared = new WeakMap<object, Shared>();

/** The client's notification store, created on first use and shared by every view. */
export function openNotifications(
  client: StoreClient,
  host: StoreHost,
  options: NotificationStoreOptions = {},
): NotificationStoreApi {
  const max = positiveInt(options.maxNotifications, 50);
  let entry = shared.get(client);
  if (!entry) {
    const pageSize = Math.min(100, positiveInt(options.pageSize, Math.min(max, 100)));
    entry = { store: new NotificationStore(client, host, max, pageSize), views: 0 };
    shared.set(client, entry);
  }
  const own = entry;
  own.views += 1;
  own.store.raiseLimit(max);
  return new NotificationsView(own.store, () => {
    own.views -= 1;
    if (own.views > 0 || shared.get(client) !== own) return;
    shared.delete(client);
    own.store.dispose();
  });
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
