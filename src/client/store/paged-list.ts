/**
 * A newest-first list fed by paged history (opaque cursors) and a live tail, shared by the
 * notification and activity stores: deduplicated by id, live items batched until read, bounded in
 * memory (the oldest are dropped and stay loadable), and able to find its way back to dropped items
 * with nothing but the cursors the server handed out.
 *
 * Cursors are opaque, so the list cannot make one for an arbitrary item. It remembers, for the last
 * item of every page, the cursor that continues after it ("boundaries"). After dropping the oldest,
 * it continues from the oldest boundary still kept (re-reading a few known items, which dedupe
 * skips); when no boundary is kept (thousands of live items since the last page) it walks from the
 * top, skipping what it has.
 */

export interface Identified {
  readonly id: string;
}

export class PagedList<T extends Identified> {
  /** Newest first. A new array on every change, so it can be handed out without copying. */
  private list: readonly T[] = [];
  private readonly byId = new Map<string, T>();
  /** Live items not yet merged into `list`, in arrival order. */
  private incoming: T[] = [];
  /** The cursor that continues after an item, for the last item of each page. */
  private readonly boundaries = new Map<string, string>();
  private cursor: string | undefined;
  /** Nothing older than our oldest item exists on the server. */
  private exhausted = false;
  /** No history page has been merged yet. */
  private empty = true;
  /** The cursor of our oldest item was dropped: older items are found by walking from the top. */
  private walkFromTop = false;

  constructor(
    /** Epoch ms an item happened, for ordering (ties: the later arrival first). */
    private readonly time: (item: T) => number,
    /**
     * The item a history page brings, as the list takes it given the one held (undefined when
     * none): a page can be older than what the list learnt meanwhile (e.g. a read).
     */
    private readonly take: (fresh: T, held: T | undefined) => T = (fresh) => fresh,
  ) {}

  /** Items newest first (merges the live items received since the last read). */
  get items(): readonly T[] {
    this.flush();
    return this.list;
  }

  get size(): number {
    return this.list.length + this.incoming.length;
  }

  /** More items can be loaded with `olderCursor` (also true before the first page). */
  get hasMore(): boolean {
    return !this.exhausted;
  }

  /** At least one history page was merged. */
  get loaded(): boolean {
    return !this.empty;
  }

  /** The `before` of the next older page; `undefined` means from the top. */
  get olderCursor(): string | undefined {
    return this.walkFromTop ? undefined : this.cursor;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  get(id: string): T | undefined {
    return this.byId.get(id);
  }

  /** Where an item is in `items` (newest first), or -1. */
  indexOf(id: string): number {
    const item = this.byId.get(id);
    return item === undefined ? -1 : this.items.indexOf(item);
  }

  /** A live item; false when it is already known. Merged on the next read of `items`. */
  addLive(item: T): boolean {
    if (this.byId.has(item.id)) return false;
    this.byId.set(item.id, item);
    this.incoming.push(item);
    return true;
  }

  /**
   * A page from the top (newest first): first load, refetch after a gap or a reconnect. Known items
   * are refreshed (read state), unknown ones merged. When the page does not reach what we have and
   * the server has more (a hole we cannot bridge), the page replaces everything.
   *
   * Returns the items that were not known, and among them those the list **missed**: what it
   * holds runs unbroken from the top down to its oldest item, so an unknown item newer than that
   * (or any, once the history is exhausted) was never delivered to it: a publish lost between
   * commit and delivery, a gap longer than the replay window. Such an item can be older than one
   * that arrived live after it, so "newer than our newest" would miss it. Older unknown items are
   * history (dropped by `trim`, or never loaded), and nothing on a first page is missed. `missed`
   * is oldest first, the order live items arrive in.
   */
  mergeTop(page: readonly T[], nextCursor: string | undefined): { unknown: T[]; missed: T[] } {
    this.flush();
    page = this.taken(page);
    const unknown = page.filter((item) => !this.byId.has(item.id));
    const missedItems = this.missedAmong(unknown);
    const hole =
      !this.empty && page.length > 0 && unknown.length === page.length && nextCursor !== undefined;
    if (hole) {
      // Only what is newer than the page survives (live items that overtook it).
      const floor = this.time(page[0]!);
      const newer = this.list.filter((item) => this.time(item) > floor);
      this.reset();
      for (const item of newer) this.byId.set(item.id, item);
      this.list = newer;
    }
    // Unknown items of a first page are older than live ones received meanwhile; later, they are
    // ones we missed (newer than what we have).
    const missed = !this.empty;
    if (this.empty) {
      // Live items received before the first page stay: they are newer than the page.
      this.empty = false;
      this.cursor = nextCursor;
      this.exhausted = nextCursor === undefined;
      this.walkFromTop = false;
    }
    this.refresh(page);
    this.insert(unknown, missed);
    this.markBoundary(page, nextCursor);
    return { unknown, missed: missedItems };
  }

  /**
   * Loads older pages until one brings an item the list did not have, or the history ends: the
   * pages re-read after dropping the oldest (or read again walking from the top) hold only known
   * items. At most `maxPages` pages; stops when `fetch` gives no page (it failed) or when the
   * walk is no longer `current` (the store was reset meanwhile). `onPage` runs after each page.
   */
  async walkOlder<P extends { items: readonly T[]; nextCursor?: string | undefined }>(
    fetch: (before: string | undefined) => Promise<P | undefined>,
    options: { maxPages: number; current: () => boolean; onPage: (page: P) => void },
  ): Promise<void> {
    for (let round = 0; round < options.maxPages; round++) {
      const page = await fetch(this.olderCursor);
      if (!page || !options.current()) return;
      const added = this.appendOlder(page.items, page.nextCursor);
      options.onPage(page);
      if (added > 0 || page.nextCursor === undefined) return;
    }
  }

  /** An older page (newest first) continuing from `olderCursor`. Returns how many were new. */
  appendOlder(page: readonly T[], nextCursor: string | undefined): number {
    this.flush();
    page = this.taken(page);
    const unknown = page.filter((item) => !this.byId.has(item.id));
    this.refresh(page);
    this.insert(unknown, false);
    this.markBoundary(page, nextCursor);
    this.empty = false;
    this.cursor = nextCursor;
    this.exhausted = nextCursor === undefined;
    this.walkFromTop = false;
    return unknown.length;
  }

  /**
   * Reads again, from the top, the pages down to the oldest item held, and swaps each item held
   * for the server's copy (`keep` says what of the held one stays, e.g. its read state): what the
   * server writes into items changed (the user's field rules), and the list shows it in place.
   * Unknown items are not added, cursors stay: nothing is new to the reader. At most `maxPages`;
   * stops when `fetch` gives no page or the walk is no longer `current`. True when it got there.
   *
   * The range read is the server's word on it: an item held when the walk began that lies inside
   * it (newer than the oldest item a page returned, and not on the page after that one either,
   * or anywhere once the history ends) and did not come back is removed. The server leaves out items about entities
   * the user may no longer read, and cannot name them instead: what it knows of a connection's
   * reads is bounded, and it never knows which items a client holds. The window re-read is exactly
   * what is held, so this is complete; items below it (dropped by `trim`) are read by the new
   * rules when paged in again. Items tied in time with a page's oldest are decided later still.
   */
  async readAgain<P extends { items: readonly T[]; nextCursor?: string | undefined }>(
    fetch: (before: string | undefined) => Promise<P | undefined>,
    options: {
      maxPages: number;
      current: () => boolean;
      keep?: (held: T, fresh: T) => T;
    },
  ): Promise<boolean> {
    /** Held when the walk began, and not yet seen on a page. */
    const open = new Map(this.items.map((item) => [item.id, item]));
    /** The time of the oldest item of the last page that returned any: what it reached. */
    let reached = Infinity;
    let before: string | undefined;
    for (let round = 0; round < options.maxPages; round++) {
      const page = await fetch(before);
      if (!page || !options.current()) return false;
      this.refresh(page.items, options.keep);
      for (const item of page.items) open.delete(item.id);
      const end = page.nextCursor === undefined;
      // The server pages in its own order (the order rows were stored in), which may stray a
      // little from the items' times (two writers' clocks, two saves at once): an item a page
      // reached in time may open the next page. So an item newer than what a page reached is
      // gone only once the page after that one came back without it too.
      const floor = end ? -Infinity : reached;
      const gone = new Set<string>();
      for (const [id, item] of open) {
        if (this.byId.has(id) && this.time(item) <= floor) continue;
        open.delete(id);
        gone.add(id);
      }
      this.remove(gone);
      if (end || open.size === 0) return true;
      const last = page.items[page.items.length - 1];
      if (last) reached = this.time(last);
      before = page.nextCursor;
    }
    return false;
  }

  /** Take these items out. */
  private remove(ids: ReadonlySet<string>): void {
    if (ids.size === 0) return;
    this.flush();
    this.list = this.list.filter((item) => !ids.has(item.id));
    for (const id of ids) {
      this.byId.delete(id);
      // The cursor after it is the server's and stays valid as `cursor`; as a boundary it would
      // be taken for the one after the item above it.
      this.boundaries.delete(id);
    }
  }

  /** Replace items for which `change` returns a new object (e.g. read state). Returns the count. */
  update(change: (item: T) => T | undefined): number {
    this.flush();
    let count = 0;
    const next = this.list.map((item) => {
      const changed = change(item);
      if (!changed || changed === item) return item;
      count += 1;
      this.byId.set(changed.id, changed);
      return changed;
    });
    if (count > 0) this.list = next;
    return count;
  }

  /** Keep the newest `max` items; the dropped ones stay loadable (`hasMore`). */
  trim(max: number): number {
    this.flush();
    const dropped = this.list.length - max;
    if (dropped <= 0) return 0;
    const kept = this.list.slice(0, max);
    for (let i = max; i < this.list.length; i++) {
      const id = this.list[i]!.id;
      this.byId.delete(id);
      this.boundaries.delete(id);
    }
    this.list = kept;
    this.exhausted = false;
    // Continue after the oldest kept item whose cursor we know; from the top if none.
    this.cursor = undefined;
    this.walkFromTop = true;
    for (let i = kept.length - 1; i >= 0; i--) {
      const cursor = this.boundaries.get(kept[i]!.id);
      if (cursor !== undefined) {
        this.cursor = cursor;
        this.walkFromTop = false;
        break;
      }
    }
    return dropped;
  }

  /** Forget everything (another user, another filter). */
  reset(): void {
    this.list = [];
    this.incoming = [];
    this.byId.clear();
    this.boundaries.clear();
    this.cursor = undefined;
    this.exhausted = false;
    this.empty = true;
    this.walkFromTop = false;
  }

  /** The unknown items (newest first) of a top page the list missed, oldest first. */
  private missedAmong(unknown: readonly T[]): T[] {
    if (this.empty || unknown.length === 0) return [];
    const oldest = this.list[this.list.length - 1];
    const floor = this.exhausted || !oldest ? -Infinity : this.time(oldest);
    return unknown.filter((item) => this.time(item) > floor).reverse();
  }

  private markBoundary(page: readonly T[], nextCursor: string | undefined): void {
    const last = page[page.length - 1];
    if (last && nextCursor !== undefined && this.byId.has(last.id)) {
      this.boundaries.set(last.id, nextCursor);
    }
  }

  private taken(page: readonly T[]): T[] {
    return page.map((item) => this.take(item, this.byId.get(item.id)));
  }

  /** Swap known items for the server's fresher copies. */
  private refresh(page: readonly T[], keep?: (held: T, fresh: T) => T): void {
    const fresh = new Map<string, T>();
    for (const item of page) {
      const known = this.byId.get(item.id);
      if (known && known !== item) fresh.set(item.id, keep ? keep(known, item) : item);
    }
    if (fresh.size > 0) this.update((item) => fresh.get(item.id));
  }

  private flush(): void {
    if (this.incoming.length === 0) return;
    const arrived = this.incoming.reverse();
    this.incoming = [];
    this.insert(arrived, true);
  }

  /**
   * Merge items (newest first among equal times) into the list. On equal times the newcomers go
   * first when they are newer (live, missed), last when older (a page of history).
   */
  private insert(items: readonly T[], newer: boolean): void {
    if (items.length === 0) return;
    for (const item of items) this.byId.set(item.id, item);
    const time = this.time;
    const sorted = [...items].sort((a, b) => time(b) - time(a)); // stable: keeps tie order
    // Does `a` (a newcomer) go before `b` (one we have)?
    const before = newer ? (a: T, b: T) => time(a) >= time(b) : (a: T, b: T) => time(a) > time(b);
    const head = this.list[0];
    if (!head || before(sorted[sorted.length - 1]!, head)) {
      this.list = sorted.concat(this.list);
      return;
    }
    const tail = this.list[this.list.length - 1]!;
    if (!before(sorted[0]!, tail)) {
      this.list = this.list.concat(sorted);
      return;
    }
    const merged: T[] = [];
    let i = 0;
    let j = 0;
    while (i < sorted.length && j < this.list.length) {
      if (before(sorted[i]!, this.list[j]!)) merged.push(sorted[i++]!);
      else merged.push(this.list[j++]!);
    }
    while (i < sorted.length) merged.push(sorted[i++]!);
    while (j < this.list.length) merged.push(this.list[j++]!);
    this.list = merged;
  }
}
