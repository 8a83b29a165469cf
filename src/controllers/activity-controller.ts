/**
 * Binds a host to one activity feed: holds `client.activity(feed)` while the host is in the
 * document, follows the feed when it changes (a new store) and the filter when it changes (the
 * same store refetches), and re-renders at most once per animation frame however many live items
 * arrive.
 *
 * ```ts
 * class Feed extends LitElement {
 *   @property({ attribute: 'entity-id' }) entityId = '';
 *   @property({ attribute: false }) kinds: string[] = [];
 *   private readonly activity = new ActivityController(this, () => ({
 *     feed: { kind: 'customer', entityId: this.entityId },
 *     filter: { kinds: this.kinds },
 *   }));
 *   render() {
 *     return html`${this.activity.items.map((item) => html`<article>${item.summary}</article>`)}`;
 *   }
 * }
 * ```
 * The feed and its options may also come from two getters:
 * `new ActivityController(this, () => this.feed, () => ({ filter: this.filter, pageSize: 50 }))`.
 *
 * Without a provider (or without a feed) `snapshot` is `undefined`, the getters return empty values
 * and the methods resolve doing nothing.
 */
import { ACTIVITY } from '../client/activity/activity-capability.js';
import type { RealtimeClient } from '../client/realtime-client.js';
import {
  normalizeFilter,
  type ActivitySnapshot,
  type ActivityStoreApi,
  type ActivityStoreOptions,
} from '../client/activity/activity-store.js';
import type { ActivityFilter, ActivityItem, FeedRef, Unsubscribe } from '../client/types.js';
import { ClientController, type ControllerHost } from './client-controller.js';
import { warnOnceFor } from '../util/warn.js';

/** What to follow: a feed (none while `undefined`) and how. */
export interface ActivityTarget extends ActivityStoreOptions {
  feed: FeedRef | undefined;
}

type Options = Omit<ActivityStoreOptions, 'filter'> & { filter?: ActivityFilter | undefined };

const warnOnce = warnOnceFor();

export class ActivityController extends ClientController {
  /** The feed's latest snapshot; `undefined` without a client or a feed. */
  snapshot: ActivitySnapshot | undefined = undefined;

  private store: ActivityStoreApi | undefined;
  private boundKey: string | undefined;
  private filterKey: string | undefined;

  constructor(
    host: ControllerHost,
    /** The feed and its options, or just the feed; read before every update. */
    private readonly target: () => ActivityTarget | FeedRef | undefined,
    /** The options, when `target` returns just the feed. */
    private readonly options?: () => Options | undefined,
  ) {
    super(host);
  }

  /** Newest first (empty until the first page arrives). */
  get items(): readonly ActivityItem[] {
    return this.snapshot?.items ?? [];
  }

  get hasMore(): boolean {
    return this.snapshot?.hasMore ?? false;
  }

  get loading(): boolean {
    return this.snapshot?.loading ?? false;
  }

  /** The feed currently followed, if any. */
  get feed(): FeedRef | undefined {
    return this.store?.feed;
  }

  loadOlder(): Promise<void> {
    return this.store?.loadOlder() ?? Promise.resolve();
  }

  refresh(): Promise<void> {
    return this.store?.refresh() ?? Promise.resolve();
  }

  /** The oldest item the host shows (see `ActivityStoreApi.retain`): kept, with what is newer. */
  retain(id: string | undefined): void {
    this.store?.retain(id);
  }

  /** Follow the getters: another feed re-acquires, another filter refetches, before rendering. */
  hostUpdate(): void {
    if (!this.client) return;
    const { feed, options } = this.read();
    if (this.keyOf(feed, options) !== this.boundKey) return this.rebind();
    const filterKey = JSON.stringify(options.filter ?? {});
    if (this.store && filterKey !== this.filterKey) {
      this.filterKey = filterKey;
      this.store.setFilter(options.filter).catch((error: unknown) => {
        // A lost connection reloads with the new filter on resume; only a bad filter is news.
        if (!(error instanceof TypeError)) return;
        warnOnce(filterKey, `<${this.hostTag}> cannot apply filter ${filterKey}:`, error);
      });
    }
  }

  protected override bind(client: RealtimeClient): Unsubscribe | void {
    const { feed, options } = this.read();
    this.boundKey = this.keyOf(feed, options);
    this.filterKey = JSON.stringify(options.filter ?? {});
    this.snapshot = undefined;
    if (!feed) return;
    const store = this.tryOpen(
      this.boundKey,
      () =>
        client.use(ACTIVITY).open(feed, { ...options, filter: safeFilter(options.filter, this) }),
      `feed ${this.boundKey}`,
    );
    if (!store) return;
    this.store = store;
    return this.follow(
      store,
      (snapshot) => (this.snapshot = snapshot),
      () => {
        if (this.store === store) this.store = undefined;
        this.snapshot = undefined;
        this.boundKey = undefined;
      },
    );
  }

  private read(): { feed: FeedRef | undefined; options: Options } {
    const value = this.target();
    if (value && 'feed' in value) {
      const { feed, ...options } = value;
      return { feed, options };
    }
    return { feed: value, options: this.options?.() ?? {} };
  }

  /** What needs a new store: the feed, the page size, the memory cap. */
  private keyOf(feed: FeedRef | undefined, options: Options): string {
    return JSON.stringify([feed ?? null, options.pageSize ?? null, options.maxItems ?? null]);
  }
}

/** A filter the store accepts, or none (with one warning) for one it would refuse. */
function safeFilter(
  filter: ActivityFilter | undefined,
  controller: ActivityController,
): ActivityFilter | undefined {
  try {
    return normalizeFilter(filter);
  } catch (error) {
    const key = JSON.stringify(filter);
    warnOnce(key, `<${controller.hostTag}> ignores filter ${key}:`, error);
    return undefined;
  }
}
