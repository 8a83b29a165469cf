/**
 * One activity feed (global, a user's, a customer's): paged history from `activity.list`, the
 * live tail from the feed's room (`activity:<feed>`, sequenced `activity` events, so resume covers
 * it), newest first and deduplicated by id.
 *
 * - The filter (kinds, people) is applied by the server to history and here to the live tail;
 *   `setFilter()` refetches.
 * - Bursts are coalesced: listeners are called at most once per animation frame, with 1,000 events
 *   a second as with one.
 * - Memory is bounded, so a feed left open all day stays flat: the store keeps the newest
 *   `maxItems` (500) and, beyond them, only what the reader needs, which its view tells it with
 *   `retain()` (the oldest item on screen). Older items are dropped, `hasMore` turns true, and
 *   `loadOlder()` pages them back in when the reader scrolls down again.
 * - After a reconnect the replayed items slot in; after a `gap` the newest page is refetched and
 *   merged.
 * - When the user's field rules change (`entity.rules-changed`) while items about an entity of
 *   those types are held, what is held is read again and swapped in place: the server redacts
 *   items by the rules in force (a value hidden now goes, one shown again comes back). When which
 *   entities they may read may have changed (`reads`), items held that the re-read leaves out
 *   are removed, quietly (see `PagedList.readAgain`). Nothing is counted as new; a re-read cut
 *   short by a lost connection is done again once it is back.
 *
 * ```ts
 * const feed = client.activity({ kind: 'customer', entityId: '42' }, { filter: { kinds: ['call.logged'] } });
 * feed.subscribe((s) => render(s.items));
 * await feed.loadOlder();
 * feed.release();
 * ```
 */
import type {
  ActivityFilter,
  ActivityItem,
  ActivityListFrame,
  FeedRef,
  ServerFrame,
} from '../../protocol/index.js';
import { feedRoom } from '../../protocol/rooms.js';
import { activityFilter, activityItem, feedRef } from '../../protocol/checks/activity.js';
import { safeCheck } from '../../protocol/checks/combinators.js';
import { PagedList } from '../store/paged-list.js';
import { RealtimeError } from '../realtime-error.js';
import { Notifier } from '../store/notifier.js';
import { positiveInt } from '../store/positive-int.js';
import { ReadAgain } from '../store/read-again.js';
import type { StoreClient, StoreHost } from '../store/store-host.js';
import type { RoomHandle, RoomMessage, Unsubscribe } from '../types.js';

export interface ActivityStoreOptions {
  /** Kinds of activity and people to show; empty lists mean "all". */
  filter?: ActivityFilter;
  /** Items per history request, 1–200. Default 50. */
  pageSize?: number;
  /**
   * The newest items always kept in memory; older ones are kept only while the reader needs them
   * (`retain`, or a page `loadOlder` just brought), then dropped (they stay loadable). Default 500.
   */
  maxItems?: number;
}

export interface ActivitySnapshot {
  readonly feed: FeedRef;
  /** The filter in force (normalized: no empty lists). */
  readonly filter: ActivityFilter;
  /** Newest first, deduplicated by id. */
  readonly items: readonly ActivityItem[];
  /** Older items can be loaded with `loadOlder()`. */
  readonly hasMore: boolean;
  /** A history request is in flight. */
  readonly loading: boolean;
  /** The first page arrived: before that, no items means "not known yet", not "none". */
  readonly loaded: boolean;
  /**
   * Items that arrived live (or were found missing after a gap) since the store was created; the
   * difference between two snapshots is how many are new ("3 new" pill).
   */
  readonly liveCount: number;
  /** The last failed request (cleared by the next successful one). */
  readonly error: RealtimeError | undefined;
  /**
   * How many times the items were read again after the user's field rules changed. A view that
   * keeps what it learned from items (an entity's label) forgets it when this changes: it may be
   * a value hidden from the user now.
   */
  readonly rulesRead: number;
  /**
   * The server refused the feed's room for good (`forbidden`; `too_many_rooms`: the page follows
   * more rooms than its connection may hold): no live items come, and none load before the room
   * is joined. A `too_many_rooms` room is joined again once the page releases another room; that
   * join clears this and loads the newest page.
   */
  readonly refused: RealtimeError | undefined;
}

export interface ActivityStoreApi {
  readonly feed: FeedRef;
  /** The room carrying the feed's live tail, held until `release()`. */
  readonly room: string;
  /** The current state; the same object until something changes. */
  snapshot(): ActivitySnapshot;
  /** Called with the new snapshot at most once per animation frame (batched). */
  subscribe(listener: (snapshot: ActivitySnapshot) => void): Unsubscribe;
  /** Page older items in. Resolves when the page arrived (or there is nothing more). */
  loadOlder(): Promise<void>;
  /**
   * The oldest item the reader needs (the last one on screen, or one with focus): it and
   * everything newer stay in memory, with a page to spare below it, however many live items
   * arrive above. `undefined`: only the newest `maxItems`.
   */
  retain(id: string | undefined): void;
  /** Show other kinds or people: clears the items and refetches the newest page. */
  setFilter(filter: ActivityFilter | undefined): Promise<void>;
  /** Refetch the newest page and merge it (e.g. a retry button after an error). */
  refresh(): Promise<void>;
  /** Leave the feed's room (if no one else holds it) and drop the listeners. */
  release(): void;
}

const MAX_WALK_PAGES = 200;
/** The largest page the server gives: a re-read of what is held takes as few requests as it can. */
const MAX_PAGE = 200;

const asPage = (answer: ServerFrame) => (answer.type === 'activity.page' ? answer : undefined);
/** The newest items kept in memory by default. */
export const DEFAULT_MAX_ITEMS = 500;

export class ActivityStore implements ActivityStoreApi {
  readonly room: string;
  readonly feed: FeedRef;
  readonly notifier: Notifier<ActivitySnapshot>;
  private readonly list = new PagedList<ActivityItem>((item) => item.at);
  private readonly maxItems: number;
  private readonly pageSize: number;
  private readonly offs: Unsubscribe[];
  private readonly handle: RoomHandle;
  private filter: ActivityFilter;
  /** Items a `loadOlder` brought in are kept until the reader says what it needs (`retain`). */
  private loadedThrough = 0;
  /** The oldest item the reader needs (`retain`). */
  private retained: string | undefined;
  private loads = 0;
  private liveCount = 0;
  private rulesRead = 0;
  private readonly rules = new ReadAgain(() => this.reread());
  private error: RealtimeError | undefined;
  private refused: RealtimeError | undefined;
  private generation = 0;
  private released = false;
  private loadingOlder: Promise<void> | undefined;
  private cached: ActivitySnapshot | undefined;

  constructor(
    private readonly client: StoreClient,
    private readonly host: StoreHost,
    feed: FeedRef,
    options: ActivityStoreOptions = {},
  ) {
    const parsed = safeCheck(feedRef, feed);
    if (!parsed.success) {
      throw new TypeError(`invalid activity feed ${JSON.stringify(feed)}`);
    }
    this.feed = parsed.data;
    this.room = feedRoom(this.feed);
    this.filter = normalizeFilter(options.filter);
    this.pageSize = Math.min(200, positiveInt(options.pageSize, 50));
    this.maxItems = positiveInt(options.maxItems, DEFAULT_MAX_ITEMS);
    this.notifier = new Notifier(host.scheduleFrame, () => this.snapshot());
    this.offs = [
      client.on('activity', (m) => this.received(m)),
      client.onResume((info) => {
        if (info.room !== this.room) return;
        // Replayed items came as events; a gap (or a first join) needs the newest page.
        if (!this.list.loaded || info.resume !== 'replayed') void this.loadTop().catch(() => {});
        this.rules.resumed();
      }),
      client.onFrame((frame) => {
        if (frame.type !== 'entity.rules-changed') return;
        const types = new Set(frame.types);
        // Reads changed: any item about an entity may be one the user may no longer read.
        const concerns = (item: ActivityItem) =>
          item.entity
            ? frame.reads || types.has(item.entity.type)
            : frame.reads && item.customerId !== undefined;
        if (this.list.items.some(concerns)) this.rules.start();
      }),
    ];
    this.handle = client.joinRoom(this.room, (refused) => {
      this.refused = refused;
      this.changed();
    });
    // Already joined by another holder: no `joined` will come, load now.
    if (client.status.state === 'open' && client.lastSeq(this.room) !== undefined) {
      void this.loadTop().catch(() => {});
    }
  }

  snapshot(): ActivitySnapshot {
    this.bound(0);
    this.cached ??= Object.freeze({
      feed: this.feed,
      filter: this.filter,
      items: this.list.items,
      hasMore: this.list.hasMore,
      loading: this.loads > 0,
      loaded: this.list.loaded,
      liveCount: this.liveCount,
      error: this.error,
      rulesRead: this.rulesRead,
      refused: this.refused,
    });
    return this.cached;
  }

  subscribe(listener: (snapshot: ActivitySnapshot) => void): Unsubscribe {
    if (this.released) return () => {};
    return this.notifier.subscribe(listener);
  }

  loadOlder(): Promise<void> {
    if (this.released || !this.list.hasMore || !this.list.loaded) return Promise.resolve();
    this.loadingOlder ??= this.walkOlder().finally(() => (this.loadingOlder = undefined));
    return this.loadingOlder;
  }

  retain(id: string | undefined): void {
    if (this.released || id === this.retained) return;
    this.retained = id;
    // The reader has seen what the last page brought: from now on its position decides.
    this.loadedThrough = 0;
    if (this.list.size > this.keep()) this.changed();
  }

  setFilter(filter: ActivityFilter | undefined): Promise<void> {
    let next: ActivityFilter;
    try {
      next = normalizeFilter(filter);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.released || JSON.stringify(next) === JSON.stringify(this.filter)) {
      return Promise.resolve();
    }
    this.filter = next;
    this.generation += 1;
    this.list.reset();
    this.loadedThrough = 0;
    this.retained = undefined;
    this.error = undefined;
    this.changed();
    return this.loadTop();
  }

  refresh(): Promise<void> {
    return this.released ? Promise.resolve() : this.loadTop();
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.generation += 1;
    this.offs.forEach((off) => off());
    this.notifier.clear();
    this.handle.release();
  }

  // -------------------------------------------------------------------------------------------

  private received(m: RoomMessage): void {
    if (m.room !== this.room) return;
    const parsed = safeCheck(activityItem, m.payload);
    if (!parsed.success) {
      return this.host.warn(`ignored an invalid activity item in ${m.room}`, parsed.message);
    }
    const item = parsed.data;
    if (!matchesFilter(item, this.filter) || !this.list.addLive(item)) return;
    this.liveCount += 1;
    // Bounded between frames too, for a store nobody reads.
    this.bound(this.pageSize);
    this.changed();
  }

  /**
   * Fetch the newest page and merge it. What the store missed (a publish lost on the server, a
   * gap) counts as live: it is as new to the reader as what arrived while they watched, even
   * when older than an item that did.
   */
  private async loadTop(): Promise<void> {
    const generation = this.generation;
    const page = await this.fetch(undefined);
    if (!page || generation !== this.generation) return;
    const { missed } = this.list.mergeTop(page.items, page.nextCursor);
    this.liveCount += missed.length;
    // A filtered page looks through a bounded window of the feed: one that found nothing there
    // comes back empty with a cursor, and what matches is below it. Read on (loading all the
    // while) rather than show "nothing matches", which leaves nothing to scroll to load more.
    if (this.list.size === 0 && this.list.hasMore) return this.loadOlder();
    this.changed();
  }

  /** Read what is held again, quietly (no loading state, no error shown). */
  private async reread(): Promise<boolean> {
    const generation = this.generation;
    const fetch = (before: string | undefined) =>
      this.client.request(this.listRequest(before, MAX_PAGE)).then(asPage);
    const current = () => generation === this.generation;
    const done = await this.list.readAgain(fetch, { maxPages: MAX_WALK_PAGES, current });
    // Another filter meanwhile: its items are read by the rules in force.
    if (!current()) return true;
    this.rulesRead += 1;
    this.changed();
    return done;
  }

  private async walkOlder(): Promise<void> {
    const generation = this.generation;
    await this.list.walkOlder((before) => this.fetch(before), {
      maxPages: MAX_WALK_PAGES,
      current: () => generation === this.generation,
      onPage: () => {
        // The reader asked for these: keep them until it says where it is (`retain`).
        this.loadedThrough = this.list.size;
        this.changed();
      },
    });
  }

  private listRequest(before: string | undefined, limit: number): Omit<ActivityListFrame, 'id'> {
    const request: Omit<ActivityListFrame, 'id'> = {
      type: 'activity.list',
      feed: this.feed,
      limit,
    };
    if (before !== undefined) request.before = before;
    if (this.filter.kinds || this.filter.actors) request.filter = this.filter;
    return request;
  }

  private async fetch(before: string | undefined) {
    this.loads += 1;
    this.changed();
    try {
      const answer = asPage(await this.client.request(this.listRequest(before, this.pageSize)));
      if (!answer) return undefined;
      this.error = undefined;
      return answer;
    } catch (error) {
      this.error =
        error instanceof RealtimeError ? error : new RealtimeError('internal', String(error));
      throw error;
    } finally {
      this.loads -= 1;
      this.changed();
    }
  }

  /** How many of the newest items to keep: the window, what was just loaded, what is needed. */
  private keep(): number {
    let keep = Math.max(this.maxItems, this.loadedThrough);
    if (this.retained !== undefined && this.list.size > keep) {
      const index = this.list.indexOf(this.retained);
      // A page to spare below the reader, so scrolling a little does not fetch it again.
      if (index >= 0) keep = Math.max(keep, index + 1 + this.pageSize);
    }
    return keep;
  }

  /** Drop the oldest items beyond what is kept, once more than `slack` of them are waiting. */
  private bound(slack: number): void {
    if (this.list.size <= this.maxItems + slack) return;
    const keep = this.keep();
    if (this.list.size > keep + slack && this.list.trim(keep) > 0) this.cached = undefined;
  }

  private changed(): void {
    if (this.released) return;
    this.cached = undefined;
    this.notifier.changed();
  }
}

/**
 * Drop empty lists (they mean "all") and sort, so equal filters compare equal. Throws a
 * `TypeError` for a filter the server would refuse (e.g. a kind with capitals).
 */
export function normalizeFilter(filter: ActivityFilter | undefined): ActivityFilter {
  const out: ActivityFilter = {};
  if (filter && !safeCheck(activityFilter, filter).success) {
    throw new TypeError(`invalid activity filter ${JSON.stringify(filter)}`);
  }
  if (filter?.kinds?.length) out.kinds = [...new Set(filter.kinds)].sort();
  if (filter?.actors?.length) out.actors = [...new Set(filter.actors)].sort();
  return out;
}

/** Does an item pass a filter? Used for the live tail (the server filters history). */
export function matchesFilter(item: ActivityItem, filter: ActivityFilter): boolean {
  if (filter.kinds && !filter.kinds.includes(item.kind)) return false;
  if (filter.actors && !(item.actor && filter.actors.includes(item.actor.id))) return false;
  return true;
}
