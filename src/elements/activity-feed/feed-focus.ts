/**
 * Focus in the feed: the keys of the feed pattern (see `feed-keys.ts`), the roving Tab stop (the
 * article last focused), and which article has focus, so the window keeps it rendered and holds
 * new items above it.
 *
 * The feed's own renders must not take focus away. Lit's keyed list moves an article by removing
 * and inserting it (when the window jumps past the focused article, which is then kept pinned at
 * the end), and Chromium blurs a focused node that is removed, even to put it back at once. So a
 * blur while the host commits a render is not the reader leaving, and when the render has left
 * the focused item's article (or the link in it) without focus, focus is put back on it.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { feedMove, focusOutside } from './feed-keys.js';
import type { FeedWindow, WindowItem } from './feed-window.js';

type Host = ReactiveControllerHost & HTMLElement;

export class FeedFocus<T extends WindowItem> implements ReactiveController {
  /** The host is committing a render: a blur now comes from the DOM it changes. */
  private rendering = false;
  /** What had focus inside the feed when the render began. */
  private before: HTMLElement | undefined;

  constructor(
    private readonly host: Host,
    private readonly window: FeedWindow<T>,
    /** How many items are loaded (rendered or not). */
    private readonly count: () => number,
  ) {
    host.addController(this);
  }

  hostUpdate(): void {
    this.rendering = true;
    const active = this.host.shadowRoot?.activeElement;
    this.before =
      active instanceof HTMLElement && active.closest('[role="feed"]') ? active : undefined;
  }

  hostUpdated(): void {
    this.rendering = false;
    const before = this.before;
    this.before = undefined;
    const id = this.window.focusedId;
    if (!before || id === undefined || this.host.shadowRoot?.activeElement === before) return;
    // The element itself when it was moved (a link keeps focus on the link), else the item's
    // article as rendered now.
    const target =
      before.isConnected && before.closest('article')?.dataset['id'] === id
        ? before
        : this.window.article(id);
    if (target) target.focus({ preventScroll: true });
    // Its item is gone (another filter or feed, set by the page): nothing left to keep.
    else this.window.focusedId = undefined;
  }

  /** Move focus to item `index`, scrolling and rendering it first. */
  async focusIndex(index: number): Promise<void> {
    const article = await this.window.reveal(index);
    if (!article) return;
    this.window.activeId = article.dataset['id'];
    this.window.focusedId = article.dataset['id'];
    article.focus({ preventScroll: true });
    this.host.requestUpdate();
  }

  readonly onKeydown = (event: KeyboardEvent): void => {
    const article = event
      .composedPath()
      .find((n): n is HTMLElement => n instanceof HTMLElement && n.localName === 'article');
    const id = article?.dataset['id'];
    if (id === undefined) return;
    const move = feedMove(event, this.window.layout.indexOf(id), this.count());
    if (!move) return;
    event.preventDefault();
    if (move.to === 'index') {
      void this.focusIndex(move.index);
      return;
    }
    const feed = event.currentTarget as HTMLElement;
    const root = this.host.shadowRoot;
    if (root) focusOutside(move.to, feed, root, this.host)?.focus();
  };

  readonly onFocusIn = (event: FocusEvent): void => {
    const article = (event.target as Element | null)?.closest?.('article');
    const id = article instanceof HTMLElement ? article.dataset['id'] : undefined;
    if (id === undefined || id === this.window.focusedId) return;
    this.window.focusedId = id;
    if (this.window.activeId !== id) {
      this.window.activeId = id;
      this.host.requestUpdate();
    }
  };

  readonly onFocusOut = (event: FocusEvent): void => {
    if (this.rendering) return;
    const next = event.relatedTarget as Node | null;
    if (next && (event.currentTarget as HTMLElement).contains(next)) return;
    const wasPinned = this.window.pinnedIndex() >= 0;
    this.window.focusedId = undefined;
    if (wasPinned) this.host.requestUpdate();
  };
}
