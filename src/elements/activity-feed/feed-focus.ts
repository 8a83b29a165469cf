/**
 * Focus in the feed: the keys of the feed pattern (see `feed-keys.ts`), the roving Tab stop (the
 * article last focused), and which article has focus, so the window keeps it rendered.
 */
import type { ReactiveControllerHost } from 'lit';
import { feedMove, focusOutside } from './feed-keys.js';
import type { FeedWindow, WindowItem } from './feed-window.js';

type Host = ReactiveControllerHost & HTMLElement;

export class FeedFocus<T extends WindowItem> {
  constructor(
    private readonly host: Host,
    private readonly window: FeedWindow<T>,
    /** How many items are loaded (rendered or not). */
    private readonly count: () => number,
  ) {}

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
    const next = event.relatedTarget as Node | null;
    if (next && (event.currentTarget as HTMLElement).contains(next)) return;
    const wasPinned = this.window.pinnedIndex() >= 0;
    this.window.focusedId = undefined;
    if (wasPinned) this.host.requestUpdate();
  };
}
