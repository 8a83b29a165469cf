/**
 * The current user's notifications: live ones as `notification` events in the personal room
 * `user:<id>` (the reference server delivers every notification there, also those targeted at a
 * room or an entity, to the people present in it), history from `notification.list`, read state
 * from `notification.read-state` (answers, and pushes from the user's other tabs, so they agree).
 * One store per client, shared by every widget through reference-counted views
 * (`client.notifications()`); subscribers are notified at most once per animation frame.
 *
 * - `onNew` fires once per notification that arrives live (replayed after a reconnect included),
 *   never for history. After a resume the first page is refetched, and an unread notification on
 *   it that the store never had (its publish was lost, or a `gap`) and that is newer than the
 *   oldest one it holds arrives like a live one: `onNew` fires for it.
 * - `maxNotifications` (default 50) are kept in memory; `loadMore()` pages older ones in, and
 *   they stay until every view that paged them lets go (`unpage()`, a closed panel): a tab open
 *   all day holds the newest few, whatever arrived. The unread count is the server's (each page
 *   and read-state frame carries it) plus what arrived live since, so it stays exact for items
 *   no longer in memory. A count the server stamped (`unreadSeq`) lower than the one taken last
 *   was computed before it and is ignored, however late it arrives. A count that says how far it
 *   reaches (`unreadUpTo`) is exact whichever arrives first, it or a live notification (`order`):
 *   one it reached adds nothing, one it did not adds one, also when it arrived before the count
 *   or on a page (whose items can be newer than its count). A page can also be older than a read
 *   it crossed (this tab's, or another tab's read-state): it does not mark unread what is read
 *   here, what the latest read of all reached (`readUpTo`), nor what a read-state named by id,
 *   held or not (a late live event neither).
 * - `markRead` and `markAllRead` are optimistic and rolled back if the server refuses, but not
 *   over what is newer: one a read-state since says is read stays read, and a count taken since
 *   (which the refused read never changed) stands, plus those rolled back that it does not reach.
 *   While a read is on its way, a count that may have been made before it (a page asked earlier,
 *   another tab's read, this tab's earlier read) is shown with the read done on top, so the
 *   badge does not go back up; a read-state saying it is read, stamped below that count, shows
 *   the count had it already, and what was taken off for it is given back.
 * - When the user's field rules change (`entity.rules-changed`) while notifications about an
 *   entity of those types are held, what is held is read again and swapped in place (the server
 *   redacts titles and entity labels by the rules in force); their read state stays as the store
 *   has it, and none is new (`onNew` is not called). When which entities the user may read may
 *   have changed (`reads`), those the re-read leaves out are removed; the unread count is the
 *   re-read's (the server does not count what the user may not read).
 */
import type {
  Notification,
  NotificationReadStateFrame,
  ServerFrame,
} from '../../protocol/index.js';
import { userRoom } from '../../protocol/rooms.js';
import { safeCheck } from '../../protocol/checks/combinators.js';
import { notification, notificationInput } from '../../protocol/checks/notifications.js';
import { Listeners } from '../store/listeners.js';
import { PagedList } from '../store/paged-list.js';
import { ReadAgain } from '../store/read-again.js';
import { RealtimeError } from '../realtime-error.js';
import { Notifier } from '../store/notifier.js';
import type { StoreClient, StoreHost } from '../store/store-host.js';
import type { NotificationDraft, NotificationsSnapshot } from './notification-types.js';
import type { RoomHandle, RoomMessage, Unsubscribe } from '../types.js';

export type {
  NotificationDraft,
  NotificationStoreOptions,
  NotificationsSnapshot,
} from './notification-types.js';

const MAX_IDS_PER_READ = 200;
/** Ids read by id kept to mark a late page's or event's copy read: a few reads' worth. */
const MAX_READ_IDS = 1000;
const MAX_WALK_PAGES = 50;
/** The largest page the server gives: a re-read of what is held takes as few requests as it can. */
const MAX_PAGE = 100;

export class NotificationStore {
  readonly newListeners = new Listeners<Notification>();
  readonly notifier: Notifier<NotificationsSnapshot>;
  // A page can be older than a read it crossed (this tab's, still asked or answered, or another
  // tab's read-state): what is read here, or was reached by the latest read of all, stays read.
  private readonly list = new PagedList<Notification>(
    (n) => n.createdAt,
    (n, held) => (n.read || !(held?.read || this.readElsewhere(n)) ? n : { ...n, read: true }),
  );
  private readonly watched = new Map<string, number>();
  private readonly unsubscribes: Unsubscribe[];
  private userId: string | undefined;
  private userHandle: RoomHandle | undefined;
  private unread = 0;
  /**
   * The stamp of the server's count `unread` stands on (`unreadSeq`, per connection): a count
   * stamped lower was computed before it and is ignored. Undefined before the first stamped count
   * of this connection (a server without stamps: every count is taken).
   */
  private unreadSeq: number | undefined;
  /**
   * How far the count `unread` stands on reaches (`unreadUpTo`): a live notification whose
   * `order` is not above it is in that count already. Undefined when the server does not say.
   */
  private upTo: number | undefined;
  /**
   * The live notifications added to the count because it did not reach them (id → `order`): a
   * newer count that does not reach them either gets them added again, while they are unread.
   */
  private uncounted = new Map<string, number>();
  /** How far the latest read of all reached: a notification up to it was read by it. */
  private readTo = 0;
  /**
   * The ids read-states named, newest last (bounded): one not held then (paged out, or never
   * paged in) comes read on a page that left before the read, or on its late live event.
   */
  private readonly readIds = new Set<string>();
  /** Bumped with each server count taken: a read refused after one leaves the count to it. */
  private counts = 0;
  /**
   * What each read still asked marked read here (a read-state saying it is read takes it out),
   * with `counts` when it was asked: a count taken since may have been made before it.
   */
  private readonly asked = new Map<Set<string>, number>();
  /** The reads of all still asked that no read-state of a read of all has answered yet. */
  private readonly readingAll = new Set<Set<string>>();
  /** The count taken last, as the server sent it. */
  private taken = 0;
  private loads = 0;
  private error: RealtimeError | undefined;
  private refused: RealtimeError | undefined;
  /** Bumped when the user changes: answers to older requests are ignored. */
  private generation = 0;
  /** Kept in memory: the largest `maxNotifications` asked for, plus what `loadMore` brought. */
  private limit: number;
  /** Views showing what `loadMore` paged in. */
  private readonly pagers = new Set<object>();
  private maxNotifications: number;
  private loadingMore: Promise<void> | undefined;
  private cached: NotificationsSnapshot | undefined;
  private readonly rules = new ReadAgain(() => this.reread());

  constructor(
    private readonly client: StoreClient,
    private readonly host: StoreHost,
    maxNotifications: number,
    private readonly pageSize: number,
  ) {
    this.maxNotifications = maxNotifications;
    this.limit = maxNotifications;
    this.notifier = new Notifier(host.scheduleFrame, () => this.snapshot());
    this.unsubscribes = [
      client.on('notification', (m) => this.received(m)),
      client.onResume((info) => {
        const watched = this.watched.has(info.room) && info.resume === 'gap';
        if (info.room === this.userRoom || watched) void this.loadTop().catch(() => {});
        if (info.room === this.userRoom) this.rules.resumed();
      }),
      client.onFrame((frame) => this.frame(frame)),
      client.onStatus((status) => {
        if (status.state !== 'open') return;
        // A new connection numbers its counts from 1 again.
        this.unreadSeq = undefined;
        // `client.user` is set right after the `open` status is announced.
        queueMicrotask(() => this.syncUser());
      }),
    ];
    this.syncUser();
  }

  private get userRoom(): string | undefined {
    return this.userId === undefined ? undefined : userRoom(this.userId);
  }

  snapshot(): NotificationsSnapshot {
    if (this.list.size > this.limit && this.list.trim(this.limit) > 0) this.cached = undefined;
    this.cached ??= Object.freeze({
      items: this.list.items,
      unread: Math.max(0, this.unread - this.cut()),
      hasMore: this.list.hasMore,
      loading: this.loads > 0,
      loaded: this.list.loaded,
      error: this.error,
      refused: this.refused,
    });
    return this.cached;
  }

  /** Keep at least this many in memory (the largest any view asked for). */
  raiseLimit(max: number): void {
    this.maxNotifications = Math.max(this.maxNotifications, max);
    this.limit = Math.max(this.limit, max);
  }

  /**
   * Hold a room or entity room so notifications targeted at it reach this user (the server sends
   * them to the people present), and accept `notification` events a server delivers in it.
   */
  watch(room: string): Unsubscribe {
    const handle = this.client.joinRoom(room);
    this.watched.set(room, (this.watched.get(room) ?? 0) + 1);
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      const left = (this.watched.get(room) ?? 1) - 1;
      if (left > 0) this.watched.set(room, left);
      else this.watched.delete(room);
      handle.release();
    };
  }

  async send(input: NotificationDraft, via?: string): Promise<void> {
    const parsed = safeCheck(notificationInput, input);
    if (!parsed.success) {
      throw new RealtimeError('bad_frame', `invalid notification: ${parsed.message}`);
    }
    const room = via ?? this.userRoom;
    if (room === undefined) throw new RealtimeError('not_connected', 'the user is not known yet');
    await this.client.emit(room, 'notification', parsed.data);
  }

  /** Page older notifications in (newest first after what we have), for `by` (a view). */
  loadMore(by?: object): Promise<void> {
    if (by !== undefined) this.pagers.add(by);
    if (!this.list.hasMore || !this.list.loaded) return Promise.resolve();
    this.loadingMore ??= this.walkOlder().finally(() => (this.loadingMore = undefined));
    return this.loadingMore;
  }

  /** `by` no longer shows paged-in items: with no one left who does, back to the window. */
  unpage(by: object): void {
    if (!this.pagers.delete(by) || this.pagers.size > 0) return;
    if (this.limit === this.maxNotifications) return;
    this.limit = this.maxNotifications;
    if (this.list.size > this.limit) this.changed();
  }

  /** Refetch the first page (e.g. a retry button after an error). */
  refresh(): Promise<void> {
    return this.loadTop();
  }

  async markRead(ids: readonly string[]): Promise<void> {
    const wanted = new Set(ids);
    const flipped = this.markLocally((n) => wanted.has(n.id));
    this.unread = Math.max(0, this.unread - flipped.size);
    await this.ask(flipped, 0, async () => {
      for (let i = 0; i < ids.length; i += MAX_IDS_PER_READ) {
        await this.client.request({
          type: 'notification.read',
          ids: ids.slice(i, i + MAX_IDS_PER_READ),
        });
      }
    });
  }

  async markAllRead(): Promise<void> {
    const before = this.unread;
    const flipped = this.markLocally(() => true);
    this.unread = 0;
    // Shown read on top of that 0 already: a count taken later is cut for them (`cut`).
    for (const asked of this.asked.keys()) this.asked.set(asked, this.counts);
    this.readingAll.add(flipped);
    await this.ask(flipped, before - flipped.size, () =>
      this.client.request({ type: 'notification.read', ids: 'all' }),
    );
  }

  dispose(): void {
    this.unsubscribes.forEach((off) => off());
    this.userHandle?.release();
    this.userHandle = undefined;
    this.notifier.clear();
  }

  // -------------------------------------------------------------------------------------------

  private syncUser(): void {
    const id = this.client.user?.id;
    if (id === this.userId) return;
    this.userHandle?.release();
    this.userHandle = undefined;
    this.generation += 1;
    this.list.reset();
    this.unread = 0;
    this.unreadSeq = this.upTo = undefined;
    this.uncounted.clear();
    // Another user's reads still asked are not in this one's counts.
    this.readingAll.clear();
    this.readTo = 0;
    this.readIds.clear();
    this.error = this.refused = undefined;
    this.limit = this.maxNotifications;
    this.userId = id;
    this.changed();
    if (id === undefined) return;
    const room = userRoom(id);
    this.userHandle = this.client.joinRoom(room, (refused) => {
      this.refused = refused;
      this.changed();
    });
    // Already joined by another holder: no `joined` will come, load now.
    if (this.client.status.state === 'open' && this.client.lastSeq(room) !== undefined) {
      void this.loadTop().catch(() => {});
    }
  }

  private received(m: RoomMessage): void {
    const own = m.room === this.userRoom;
    if (!own && !this.watched.has(m.room)) return;
    const parsed = safeCheck(notification, m.payload);
    if (!parsed.success) {
      return this.host.warn(`ignored an invalid notification in ${m.room}`, parsed.message);
    }
    let n = parsed.data;
    // Someone notifying a room they are in does not notify themselves.
    if (!own && n.from?.id === this.userId) return;
    // Its event was on the way while a read that reached it was answered: read by it.
    const order = n.order ?? Infinity;
    if (!n.read && this.readElsewhere(n)) n = { ...n, read: true };
    if (!this.list.addLive(n)) return;
    // A count that reached it (sent for a read in another tab while its event was on the way)
    // counted it already.
    if (!n.read && order > (this.upTo ?? 0)) {
      this.unread += 1;
      if (order < Infinity) this.addUncounted(n.id, order);
    }
    if (this.list.size > this.limit) this.list.trim(this.limit);
    this.changed();
    this.newListeners.emit(n);
  }

  private frame(frame: ServerFrame): void {
    if (frame.type === 'notification.read-state') this.readState(frame);
    if (frame.type !== 'entity.rules-changed') return;
    const types = new Set(frame.types);
    const concerns = (n: Notification) =>
      (n.entity && types.has(n.entity.type)) ||
      ('entity' in n.target && types.has(n.target.entity.type));
    // Reads changed: a notification held, or one counted unread and not held, may be about an
    // entity the user may no longer read; the re-read removes the one and recounts the other.
    const reads = frame.reads && this.list.loaded;
    if (reads || this.list.items.some(concerns)) this.rules.start();
  }

  /** Read what is held again, quietly (no loading state, no error shown). */
  private async reread(): Promise<boolean> {
    const generation = this.generation;
    const fetch = async (before: string | undefined) => {
      const answer = await this.client.request({
        type: 'notification.list',
        limit: MAX_PAGE,
        ...(before !== undefined ? { before } : {}),
      });
      if (answer.type !== 'notification.page') return undefined;
      // The count by the rules in force: those about an entity no longer readable go from it,
      // also the ones this store does not hold.
      if (before === undefined && generation === this.generation) this.pageCount(answer);
      return answer;
    };
    const done = await this.list.readAgain(fetch, {
      maxPages: MAX_WALK_PAGES,
      current: () => generation === this.generation,
      // Read here (optimistically, or by another tab) is not undone by a page that crossed it.
      keep: (held, fresh) => (fresh.read === held.read ? fresh : { ...fresh, read: held.read }),
    });
    if (generation === this.generation) this.changed();
    return done || generation !== this.generation;
  }

  private readState(frame: NotificationReadStateFrame): void {
    const ids = frame.ids === 'all' ? undefined : new Set(frame.ids);
    // A read of all marks what it reached, not a notification that arrived after it was made
    // (told to another tab, the count can reach further than the read did: `readUpTo`).
    const upTo = frame.readUpTo ?? frame.unreadUpTo ?? Infinity;
    if (!ids && upTo < Infinity) this.readTo = Math.max(this.readTo, upTo);
    for (const id of ids ?? []) {
      this.readIds.delete(id);
      this.readIds.add(id);
      if (this.readIds.size > MAX_READ_IDS) this.readIds.delete(this.readIds.keys().next().value!);
    }
    const read = (n: Notification) => (ids ? ids.has(n.id) : (n.order ?? 0) <= upTo);
    this.markLocally(read);
    // Read on the server: a refusal of a read asked here no longer puts it back.
    for (const flipped of this.asked.keys()) {
      for (const id of flipped) {
        const n = this.list.get(id);
        if (ids ? ids.has(id) : n && read(n)) flipped.delete(id);
      }
    }
    if (!ids) this.readingAll.clear();
    this.serverCount(frame);
    this.changed();
  }

  /**
   * Takes the server's unread count, unless it is older than the one taken last: counts are
   * computed concurrently on the server, and one begun before another (a read in another tab
   * whose count waited for the authorization hook) can arrive after it (a re-read after the
   * user's rules changed, or this tab's own read), which would put back a stale badge.
   */
  private serverCount(frame: {
    unread: number;
    unreadSeq?: number | undefined;
    unreadUpTo?: number | undefined;
  }): void {
    const seq = frame.unreadSeq;
    if (seq !== undefined && this.unreadSeq !== undefined && seq < this.unreadSeq) return;
    if (seq !== undefined) this.unreadSeq = seq;
    this.unread = this.taken = frame.unread;
    this.counts += 1;
    // Live ones the count does not reach (begun before they were stored, it arrived after them)
    // are still unread on top of it; those it reaches are in it.
    const upTo = (this.upTo = frame.unreadUpTo);
    for (const [id, order] of this.uncounted) {
      if (upTo === undefined || order <= upTo) this.uncounted.delete(id);
      else if (!this.list.get(id)?.read) this.unread += 1;
    }
  }

  /**
   * What the reads still asked take off the count taken since they were, which may have been made
   * before them (a page asked earlier, another tab's read, this tab's earlier read): otherwise
   * the badge goes back up for a round trip. Those a read-state said are read are not taken off
   * (in it, or in the newer count it was stamped below), nor those the count does not reach; a
   * read of all takes off everything the count had but the unread ones held that it did not mark
   * read here (they arrived after it was asked, and the count may have been made after it).
   */
  private cut(): number {
    let cut = 0;
    for (const [flipped, counts] of this.asked) {
      if (counts === this.counts) continue;
      // Unread here and not read by it: arrived since it was asked (it may not reach them).
      if (this.readingAll.has(flipped)) {
        cut = this.taken;
        for (const n of this.list.items)
          if (!n.read && !flipped.has(n.id) && this.counted(n)) cut--;
        return cut;
      }
      for (const id of flipped) if (this.counted(this.list.get(id))) cut++;
    }
    return cut;
  }

  /** Held, and reached by the count taken last. */
  private counted(n: Notification | undefined): boolean | undefined {
    return n && (n.order ?? 0) <= (this.upTo ?? Infinity);
  }

  /** Read on the server by a read-state this store was told of, whether held then or not. */
  private readElsewhere(n: Notification): boolean {
    return (n.order ?? Infinity) <= this.readTo || this.readIds.has(n.id);
  }

  /** One the count held does not reach, added on top of it (and of newer ones that do not). */
  private addUncounted(id: string, order: number): void {
    this.uncounted.set(id, order);
    // Bounded: no count begun before this many newer ones were stored is still on its way.
    if (this.uncounted.size > MAX_PAGE) this.uncounted.delete(this.uncounted.keys().next().value!);
  }

  /**
   * Takes a page's count. Its items can be newer than its count (a server reading them after it,
   * in another statement): one the count held does not reach, unread, is added on top like a
   * live one, which its live event then is not (the page brought it).
   */
  private pageCount(page: {
    items: readonly Notification[];
    unread: number;
    unreadSeq?: number | undefined;
    unreadUpTo?: number | undefined;
  }): void {
    this.serverCount(page);
    if (this.upTo === undefined) return;
    for (const { id, order } of page.items) {
      if (order === undefined || order <= this.upTo || this.uncounted.has(id)) continue;
      if (this.list.get(id)?.read !== false) continue;
      this.unread += 1;
      this.addUncounted(id, order);
    }
  }

  /** Mark the unread items that `which` picks read, here only; returns their ids. */
  private markLocally(which: (n: Notification) => boolean): Set<string> {
    const flipped = new Set<string>();
    this.list.update((n) => {
      if (n.read || !which(n)) return undefined;
      flipped.add(n.id);
      return { ...n, read: true };
    });
    return flipped;
  }

  /**
   * Sends a read shown at once (`flipped` marked read here, and `unheld` unread ones not held
   * taken off the count too). Refused, what it marked is unread again, except what a read-state
   * since said is read; and a count taken since is the server's word on the refused read, so it
   * gets back only those it does not reach, as a live one would.
   */
  private async ask(flipped: Set<string>, unheld: number, read: () => Promise<unknown>) {
    const counts = this.counts;
    this.asked.set(flipped, counts);
    this.changed();
    try {
      await read();
    } catch (error) {
      this.list.update((n) => (flipped.has(n.id) && n.read ? { ...n, read: false } : undefined));
      if (counts === this.counts) this.unread += flipped.size + unheld;
      else {
        for (const id of flipped) {
          const n = this.list.get(id);
          if (!n || this.counted(n)) continue;
          this.unread += 1;
          this.addUncounted(id, n.order!);
        }
      }
      this.error = asError(error);
      this.changed();
      throw error;
    } finally {
      this.asked.delete(flipped);
      this.readingAll.delete(flipped);
      // What it took off the count held (`cut`) ends with it.
      this.changed();
    }
  }

  /**
   * Fetch the first page. What it brings that the store missed (a publish lost on the server, a
   * gap) and is still unread is as new to the user as a live arrival, so `onNew` hears it (the
   * center toasts and announces it); already read elsewhere, it is not news. Nothing on the
   * first page is.
   */
  private async loadTop(): Promise<void> {
    const generation = this.generation;
    const page = await this.fetch(undefined);
    if (!page || generation !== this.generation) return;
    const { missed } = this.list.mergeTop(page.items, page.nextCursor);
    this.pageCount(page);
    this.changed();
    for (const n of missed) if (!n.read) this.newListeners.emit(n);
  }

  private async walkOlder(): Promise<void> {
    const generation = this.generation;
    await this.list.walkOlder((before) => this.fetch(before), {
      maxPages: MAX_WALK_PAGES,
      current: () => generation === this.generation,
      onPage: (page) => {
        this.limit = Math.max(this.limit, this.list.size);
        this.pageCount(page);
        this.changed();
      },
    });
  }

  private async fetch(before: string | undefined) {
    this.loads += 1;
    this.changed();
    try {
      const answer = await this.client.request({
        type: 'notification.list',
        limit: this.pageSize,
        ...(before !== undefined ? { before } : {}),
      });
      if (answer.type !== 'notification.page') return undefined;
      this.error = undefined;
      return answer;
    } catch (error) {
      this.error = asError(error);
      throw error;
    } finally {
      this.loads -= 1;
      this.changed();
    }
  }

  private changed(): void {
    this.cached = undefined;
    this.notifier.changed();
  }
}

function asError(error: unknown): RealtimeError {
  return error instanceof RealtimeError ? error : new RealtimeError('internal', String(error));
}
