/**
 * The DOM half of the feed's windowing, as a reactive controller: which items are rendered, where
 * the reader is, and keeping what they look at in place.
 *
 * - Only the items near what the reader can see are rendered (the first items into an empty
 *   window: only those in view, the rest a task later), in normal flow, between two paddings
 *   that stand for the items above and below (from measured or estimated heights, see
 *   `windowing.ts`). What the reader can see is the part of the feed inside its own scroller, every
 *   panel around it that scrolls or clips, and the window (`visible-span.ts`), so the window is
 *   right whoever scrolls: the feed, a panel, or the page (a feed with no height limit is not a
 *   scroller at all). The item with focus stays rendered when it leaves the window (placed at its
 *   offset), so focus survives scrolling.
 * - Scroll anchoring: before each render the first visible item and its distance from the top of
 *   the viewport are noted, and after it the scroll position is corrected so the item is exactly
 *   there again; items arriving above, pages arriving below, estimates turning into measurements
 *   never move what the reader looks at. At the very top, new items simply appear, unless focus
 *   is in the feed: a keyboard or screen-reader user is reading the article they are on, and
 *   items pushing it down (or out of the window) would take their place away. Then new items are
 *   held above as for a reader who scrolled down, and the reader is no longer at the top.
 * - New items for a reader who scrolled away are counted (the "N new" pill): those above the
 *   newest one they saw at the top, or, when more, those that arrived since they left it
 *   (`arrived`, a running count from the store): an item the server failed to deliver, found by a
 *   resync, can sort below one that arrived live after it, and is as new.
 *
 * The host calls `prepare(items)` in `willUpdate` and `settle()` in `updated`. The span in view is
 * read before each render and again after it (the render itself may change it: a list replacing
 * the small "nothing matches" state grows its scroller), and the window is fixed if it falls
 * short. Scrolling (of the feed, any panel around it or the page) and resizing re-render only when
 * the rendered items no longer cover what is in view.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { inNextTask } from '../../util/next-task.js';
import { clippingAncestors, visibleSpan } from './visible-span.js';
import { covers, EMPTY_RANGE, HeightCache, Layout, type Range } from './windowing.js';

/** Within this many px of the top, the reader is "at the top". */
export const AT_TOP = 4;
/** First guess of an item's height, before any is measured. */
const GUESS = 76;
/** Load older items when the window reaches this close to the end of what is loaded. */
const NEAR_END = 8;
/** Measured heights kept (the oldest measured are forgotten first). */
const MAX_HEIGHTS = 2000;
/** New items animated in at most at once (a burst just appears). */
const MAX_ENTERING = 5;

export interface WindowItem {
  readonly id: string;
}

export interface FeedWindowOptions {
  /** The window reached the end of what is loaded. */
  nearEnd(): void;
  /** Render now, synchronously (for paper: see the header). */
  flush(): void;
}

type Host = ReactiveControllerHost & HTMLElement;

export class FeedWindow<T extends WindowItem> implements ReactiveController {
  /**
   * Heights of the items rendered lately: a few pages' worth, not one per item that ever passed
   * through a feed open all day (the store itself keeps about as many items).
   */
  readonly heights = new HeightCache(GUESS, MAX_HEIGHTS);
  readonly layout = new Layout(this.heights);
  /** The items rendered in flow. */
  range: Range = EMPTY_RANGE;
  /** The feed is scrolled to the top (within `AT_TOP`). */
  atTop = true;
  /** Items new since the reader left the top (see the header). */
  newCount = 0;
  /** The item whose article has focus, kept rendered out of the window. */
  focusedId: string | undefined;
  /** The item that takes the feed's Tab stop (the last one focused). */
  activeId: string | undefined;
  /** Items arriving at the top while the reader is there, animated in. */
  readonly entering = new Set<string>();
  /** Between `beforeprint` and `afterprint`: every item is rendered. */
  printing = false;

  private items: readonly T[] = [];
  private scroller: HTMLElement | undefined;
  /** The feed scroller's own `scrollTop` (anchoring, "at the top"). */
  private top = 0;
  /** What the reader can see of the list, in its own coordinates (0 = the first item's top). */
  private viewTop = 0;
  /** Its height (0 when none of the feed is in view; a guess until the scroller is known). */
  private viewport = 600;
  private width = 0;
  /** Panels around the feed that scroll or clip it, listened to while connected. */
  private ancestors: Element[] = [];
  private listening = false;
  /** The item `reveal` renders pinned until the page or a panel has scrolled it into view. */
  private revealing: string | undefined;
  private seenTopId: string | undefined;
  /** `arrived` when the reader was last at the top. */
  private seenArrived = 0;
  private anchor: { id: string; delta: number } | undefined;
  /** Re-renders asked for by measurements in a row (bounded, so layout cannot loop). */
  private fixes = 0;
  private resize: ResizeObserver | undefined;
  private resizeFrame = 0;
  /** The frame `attach` starts listening in. */
  private listenFrame = 0;

  constructor(
    private readonly host: Host,
    private readonly options: FeedWindowOptions,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.listen();
    window.addEventListener('beforeprint', this.onPrint);
    window.addEventListener('afterprint', this.onPrinted);
  }

  hostDisconnected(): void {
    this.unlisten();
    window.removeEventListener('beforeprint', this.onPrint);
    window.removeEventListener('afterprint', this.onPrinted);
    this.printing = false;
  }

  /**
   * The scroll container (rendered once, in every state). Listening starts in the next animation
   * frame: finding the panels around the feed reads computed styles, which on a page's load would
   * make the browser compute the whole page's style and layout inside the task that first renders
   * every widget; the frame computes them anyway. Then the span in view is read again.
   */
  attach(scroller: HTMLElement | undefined): void {
    if (scroller === this.scroller) return;
    this.unlisten();
    this.scroller = scroller;
    if (!this.host.isConnected) return;
    if (typeof requestAnimationFrame !== 'function') {
      this.listen();
      return;
    }
    this.listenFrame = requestAnimationFrame(() => {
      this.listenFrame = 0;
      if (!this.host.isConnected || this.listening) return;
      this.listen();
      this.noteScroll();
    });
  }

  get element(): HTMLElement | undefined {
    return this.scroller;
  }

  /**
   * New items simply appear at the top (animated in): the reader is there, and focus is not in
   * the feed. Otherwise they are held above what the reader is on, behind the "N new" pill.
   */
  get followsTop(): boolean {
    return this.atTop && this.focusedId === undefined;
  }

  /** Start over (another feed or filter): forget positions, go to the top. */
  reset(): void {
    this.items = [];
    this.range = EMPTY_RANGE;
    this.seenTopId = undefined;
    this.newCount = 0;
    this.anchor = undefined;
    this.entering.clear();
    this.top = 0;
    this.atTop = true;
    if (this.scroller) this.scroller.scrollTop = 0;
  }

  /**
   * Before a render: the items to show now (newest first), and how many items have arrived so far
   * (live, or found missed by a resync: a running count). Reads the DOM once.
   */
  prepare(
    items: readonly T[],
    { motion, arrived = 0 }: { motion: boolean; arrived?: number },
  ): void {
    this.measureView();
    const previous = this.items;
    this.anchor = this.followsTop ? undefined : this.captureAnchor();
    const before = this.anchor ? this.layout.offset(this.layout.indexOf(this.anchor.id)) : 0;
    this.layout.update(items, (item) => item.id);
    this.items = items;
    if (this.anchor) {
      const index = this.layout.indexOf(this.anchor.id);
      if (index < 0) this.anchor = undefined;
      else {
        // The anchor correction in `settle` will scroll by this much: what will be in view then.
        const top = Math.max(0, this.top + this.layout.offset(index) - before);
        this.viewTop += top - this.top;
        this.top = top;
        // Items held above a focused reader at the top move them down: no longer at the top.
        this.atTop = top <= AT_TOP;
      }
    }
    if (items !== previous && this.atTop && motion) this.markEntering(previous);
    if (this.atTop || this.seenTopId === undefined) {
      this.seenTopId = items[0]?.id;
      this.seenArrived = arrived;
      this.newCount = 0;
    } else {
      const seen = this.layout.indexOf(this.seenTopId);
      if (seen < 0) this.seenTopId = items[0]?.id;
      this.newCount = Math.max(0, seen, arrived - this.seenArrived);
    }
    // The first items into an empty window (a feed's first page, on a page's load): only what
    // is in view now, the rest of the window in a task of its own, so the first render, which
    // also lays the items out and paints them, is no longer than it must be.
    if (this.printing) {
      this.range = { start: 0, end: items.length };
      return;
    }
    const first = this.range.start === this.range.end && items.length > 0;
    this.range = this.rangeAt(this.viewTop, first ? 0 : this.overscan());
    if (first) {
      inNextTask(() => {
        if (this.host.isConnected) this.host.requestUpdate();
      });
    }
  }

  /**
   * The index of the focused item (or the one being revealed) when it is outside the window
   * (rendered "pinned").
   */
  pinnedIndex(): number {
    const id = this.revealing ?? this.focusedId;
    if (id === undefined) return -1;
    const index = this.layout.indexOf(id);
    return index >= 0 && (index < this.range.start || index >= this.range.end) ? index : -1;
  }

  /**
   * The last item the feed needs kept in memory: the end of the window, or the focused, revealed
   * or active item when it lies further down. -1 when there are no items.
   */
  lastNeededIndex(): number {
    let last = this.range.end - 1;
    for (const id of [this.revealing, this.focusedId, this.activeId]) {
      if (id !== undefined) last = Math.max(last, this.layout.indexOf(id));
    }
    return Math.min(last, this.layout.count - 1);
  }

  /** The item that takes the Tab stop: the active one when rendered, else the first visible. */
  tabbableIndex(): number {
    const active = this.activeId === undefined ? -1 : this.layout.indexOf(this.activeId);
    if (
      active >= 0 &&
      ((active >= this.range.start && active < this.range.end) || active === this.pinnedIndex())
    ) {
      return active;
    }
    return Math.min(
      Math.max(this.layout.indexAt(this.viewTop), this.range.start),
      this.range.end - 1,
    );
  }

  /** After a render: put the anchor back, measure what was rendered, load more near the end. */
  settle(): void {
    const scroller = this.scroller;
    if (!scroller) return;
    let measured = false;
    for (const article of this.articles()) {
      const id = article.dataset['id'];
      if (id !== undefined && this.heights.set(id, article.getBoundingClientRect().height)) {
        measured = true;
      }
    }
    const anchor = this.anchor;
    this.anchor = undefined;
    if (anchor) {
      const article = this.article(anchor.id);
      if (article) {
        const fix =
          article.getBoundingClientRect().top - scroller.getBoundingClientRect().top - anchor.delta;
        if (Math.abs(fix) >= 0.5) this.scrollBy(fix);
      } else scroller.scrollTop = this.top;
    } else if (!this.atTop && Math.abs(scroller.scrollTop - this.top) >= 1) {
      scroller.scrollTop = this.top;
    }
    // Measured again whether or not a height changed: the render may have moved or resized what is
    // in view (a filter cleared: the list replaces the small empty state and its scroller grows).
    // With no items there is nothing to place: the next render measures before it renders.
    // On paper every item is rendered already, and none is loaded for it.
    if (this.items.length === 0 || this.printing) {
      this.fixes = 0;
      return;
    }
    const rendered = this.atTop;
    this.measureView();
    if (measured) this.layout.update(this.items, (item) => item.id);
    const needed = this.rangeAt(this.viewTop, 0);
    // Rendered again when the scroll position turned out other than foreseen: items held above
    // a focused reader in a feed that is not a scroller moved the page, not the feed, so there
    // is no "N new" to scroll back to.
    if ((!covers(this.range, needed) || rendered !== this.atTop) && this.fixes < 3) {
      this.fixes += 1;
      this.host.requestUpdate();
    } else this.fixes = 0;
    if (this.items.length > 0 && this.range.end >= this.items.length - NEAR_END) {
      this.options.nearEnd();
    }
  }

  /**
   * Bring item `index` into view (rendering it first if needed) and return its article: in the
   * feed's own scroller when it scrolls, then in the page and the panels around the feed (when
   * only part of the feed is on screen, or when it is not a scroller at all).
   * `block`: where it goes when it must move, as in `scrollIntoView`.
   */
  async reveal(
    index: number,
    block: 'nearest' | 'start' = 'nearest',
  ): Promise<HTMLElement | undefined> {
    const scroller = this.scroller;
    const id = this.layout.idAt(index);
    if (!scroller || id === undefined) return undefined;
    const scrolls = scroller.scrollHeight > scroller.clientHeight + 1;
    // Rendered (pinned at its offset if need be) whatever the window covers: the place it scrolls
    // to may be off screen, or the page may have to scroll first.
    this.revealing = id;
    try {
      let article = this.article(id);
      if (!article || article.classList.contains('pinned')) {
        if (scrolls) {
          const top = this.layout.offset(index);
          const below = top > this.top;
          const target =
            block === 'start' || !below
              ? top
              : this.layout.offset(index + 1) - scroller.clientHeight;
          this.jumpTo(Math.max(0, target));
        } else this.host.requestUpdate();
        await this.host.updateComplete;
        article = this.article(id);
      }
      if (!article) return undefined;
      if (scrolls) {
        const view = scroller.getBoundingClientRect();
        const box = article.getBoundingClientRect();
        if (block === 'start' || box.top < view.top || box.height > view.height) {
          scroller.scrollTop += box.top - view.top;
        } else if (box.bottom > view.bottom) {
          scroller.scrollTop += box.bottom - view.bottom;
        }
      }
      article.scrollIntoView({ block: scrolls ? 'nearest' : block });
      // The scroll events arrive later; the window follows now, so the article is in flow.
      this.noteScroll();
      await this.host.updateComplete;
    } finally {
      this.revealing = undefined;
    }
    return this.article(id);
  }

  /** Scroll to the top (the "N new" pill). Smooth when close and motion is welcome. */
  scrollToTop(smooth: boolean): void {
    const scroller = this.scroller;
    if (!scroller) return;
    const near = scroller.scrollTop < scroller.clientHeight * 3;
    if (smooth && near && typeof scroller.scrollTo === 'function') {
      scroller.scrollTo({ top: 0, behavior: 'smooth' });
    } else this.jumpTo(0);
  }

  /** The rendered article of an item, if any. */
  article(id: string): HTMLElement | undefined {
    for (const article of this.articles()) if (article.dataset['id'] === id) return article;
    return undefined;
  }

  // ---------------------------------------------------------------------------------------

  private readonly onScroll = () => this.noteScroll();

  private readonly onPrint = () => {
    this.printing = true;
    this.options.flush();
  };

  private readonly onPrinted = () => {
    if (!this.printing) return;
    this.printing = false;
    this.host.requestUpdate();
  };

  /** Listen to whatever can move or resize the feed in view: it, the panels around it, the page. */
  private listen(): void {
    const scroller = this.scroller;
    if (!scroller || this.listening) return;
    this.listening = true;
    const passive = { passive: true } as const;
    this.ancestors = clippingAncestors(scroller);
    for (const target of [scroller, ...this.ancestors, window]) {
      target.addEventListener('scroll', this.onScroll, passive);
    }
    window.addEventListener('resize', this.onScroll, passive);
    if (typeof ResizeObserver !== 'undefined') {
      // Handled in the next frame: a render from inside the callback would resize the scroller
      // again before the observer is done delivering ("ResizeObserver loop" errors).
      this.resize ??= new ResizeObserver(() => {
        if (this.resizeFrame === 0) {
          this.resizeFrame = requestAnimationFrame(() => {
            this.resizeFrame = 0;
            this.resized();
          });
        }
      });
      this.resize.observe(scroller);
    }
  }

  private unlisten(): void {
    cancelAnimationFrame(this.listenFrame);
    this.listenFrame = 0;
    if (!this.listening) return;
    this.listening = false;
    for (const target of [this.scroller, ...this.ancestors, window]) {
      target?.removeEventListener('scroll', this.onScroll);
    }
    window.removeEventListener('resize', this.onScroll);
    this.ancestors = [];
    this.resize?.disconnect();
    cancelAnimationFrame(this.resizeFrame);
    this.resizeFrame = 0;
  }

  /**
   * Read the feed's scroll position and the part of its list in view. The list is the first
   * thing in the scroller, so its top is the scroller's content top (this works before the list
   * is rendered, when the scroller holds the skeleton or the empty state).
   */
  private measureView(): void {
    const scroller = this.scroller;
    if (!scroller) return;
    this.top = scroller.scrollTop;
    this.atTop = this.top <= AT_TOP;
    const span = visibleSpan(scroller, this.ancestors);
    const listTop = scroller.getBoundingClientRect().top + scroller.clientTop - this.top;
    this.viewTop = Math.max(0, span.top - listTop);
    this.viewport = span.bottom - span.top;
  }

  private noteScroll(): void {
    const scroller = this.scroller;
    if (!scroller) return;
    const wasAtTop = this.atTop;
    this.measureView();
    if (this.printing) return;
    const needed = this.rangeAt(this.viewTop, Math.min(120, this.overscan() / 2));
    if (wasAtTop !== this.atTop || !covers(this.range, needed)) this.host.requestUpdate();
    else if (this.range.end >= this.items.length - NEAR_END && this.items.length > 0) {
      this.options.nearEnd();
    }
  }

  /**
   * Scroll what the reader sees by `delta`: the feed as far as it goes, then the panels around
   * it, then the page. Only a feed with focus in it is anchored without being scrolled (see
   * `followsTop`); when it is not a scroller, or a short one growing into one, the rest of the
   * correction is the page's.
   */
  private scrollBy(delta: number): void {
    let rest = delta;
    for (const box of [this.scroller, ...this.ancestors]) {
      if (!box || Math.abs(rest) < 0.5) return;
      if (box !== this.scroller && !/auto|scroll/.test(getComputedStyle(box).overflowY)) continue;
      const before = box.scrollTop;
      box.scrollTop += rest;
      rest -= box.scrollTop - before;
    }
    if (Math.abs(rest) >= 0.5) window.scrollBy(0, rest);
  }

  private jumpTo(top: number): void {
    if (!this.scroller) return;
    this.scroller.scrollTop = top;
    this.top = this.scroller.scrollTop;
    this.atTop = this.top <= AT_TOP;
    this.host.requestUpdate();
  }

  /** The scroller changed size: another width re-measures every item, a height may show more. */
  private resized(): void {
    const scroller = this.scroller;
    if (!scroller) return;
    const width = scroller.clientWidth;
    if (width !== this.width && this.width !== 0) this.heights.clear();
    this.width = width;
    if (this.heights.size === 0) this.host.requestUpdate();
    else this.noteScroll();
  }

  /** Rendered beyond the span in view, each way: more for a taller view, some for none at all. */
  private overscan(): number {
    return Math.max(240, (this.viewport || 600) * 0.6);
  }

  private rangeAt(top: number, overscan: number): Range {
    return this.layout.range(top, this.viewport, overscan, overscan);
  }

  private articles(): HTMLElement[] {
    const feed = this.scroller?.querySelector('[role="feed"]');
    return feed
      ? ([...feed.children] as HTMLElement[]).filter((el) => el.localName === 'article')
      : [];
  }

  /** The first article in view, and how far below the viewport's top it starts. */
  private captureAnchor(): { id: string; delta: number } | undefined {
    const scroller = this.scroller;
    if (!scroller) return undefined;
    const view = scroller.getBoundingClientRect();
    for (const article of this.articles()) {
      if (article.classList.contains('pinned')) continue;
      const box = article.getBoundingClientRect();
      if (box.bottom > view.top + 1 && box.top < view.bottom) {
        const id = article.dataset['id'];
        return id === undefined ? undefined : { id, delta: box.top - view.top };
      }
    }
    return undefined;
  }

  /** The items that arrived above the previous first one, when there are a few. */
  private markEntering(previous: readonly T[]): void {
    const first = previous[0];
    if (!first) return;
    let count = 0;
    while (count < this.items.length && this.items[count]!.id !== first.id) count++;
    if (count === 0 || count > MAX_ENTERING || count === this.items.length) return;
    if (this.entering.size > 20) this.entering.clear();
    for (let i = 0; i < count; i++) this.entering.add(this.items[i]!.id);
  }
}
