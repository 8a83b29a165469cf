/**
 * Keyboard of the WAI-ARIA feed pattern, plus the arrow keys and Home/End that readers expect:
 *
 * | key                 | moves focus to                                   |
 * |---------------------|--------------------------------------------------|
 * | Page Down, ↓        | the next article                                 |
 * | Page Up, ↑          | the previous article                             |
 * | Home / End          | the first / the last loaded article              |
 * | Ctrl+Home           | the first focusable element before the feed      |
 * | Ctrl+End            | the first focusable element after the feed       |
 *
 * Keys work from an article and from anything inside one (a link in it). With nothing focusable
 * before (or after) the feed, Ctrl+Home (Ctrl+End) leaves focus where it is.
 */

export type FeedMove =
  { readonly to: 'index'; readonly index: number } | { readonly to: 'before' | 'after' };

/** What a key does from the article at `index` of `count`; `undefined`: not ours. */
export function feedMove(event: KeyboardEvent, index: number, count: number): FeedMove | undefined {
  if (event.altKey || event.metaKey) return undefined;
  const ctrl = event.ctrlKey;
  switch (event.key) {
    case 'PageDown':
    case 'ArrowDown':
      return ctrl ? undefined : { to: 'index', index: Math.min(count - 1, index + 1) };
    case 'PageUp':
    case 'ArrowUp':
      return ctrl ? undefined : { to: 'index', index: Math.max(0, index - 1) };
    case 'Home':
      return ctrl ? { to: 'before' } : { to: 'index', index: 0 };
    case 'End':
      return ctrl ? { to: 'after' } : { to: 'index', index: count - 1 };
    default:
      return undefined;
  }
}

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), ' +
  'select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"]), ' +
  '[contenteditable=""], [contenteditable="true"], summary';

function usable(el: Element): el is HTMLElement {
  if (!(el instanceof HTMLElement) || el.closest('[inert]')) return false;
  if (el.tabIndex < 0 && !el.matches('[tabindex]:not([tabindex="-1"])')) return false;
  return el.getClientRects().length > 0;
}

interface Candidate {
  /** The element to focus. */
  readonly el: HTMLElement;
  /** The element of the searched tree it is in (itself, or the host of its shadow root). */
  readonly at: Element;
}

/**
 * Tab-reachable elements of a root in document order, descending into open shadow roots (other
 * widgets of the kit) and skipping `skip` (the feed itself).
 */
function focusables(root: Document | ShadowRoot, skip: Element): Candidate[] {
  const out: Candidate[] = [];
  const walk = (tree: Document | ShadowRoot, at: Element | undefined) => {
    for (const el of tree.querySelectorAll('*')) {
      if (el === skip || skip.contains(el)) continue;
      if (el.matches(FOCUSABLE) && usable(el)) out.push({ el, at: at ?? el });
      if (el.shadowRoot) walk(el.shadowRoot, at ?? el);
    }
  };
  walk(root, undefined);
  return out;
}

/**
 * The focusable element just before or just after `feed`: first inside the element's own shadow
 * root (`inner`: the filter bar comes before the feed), then in the page around `host`.
 */
export function focusOutside(
  direction: 'before' | 'after',
  feed: Element,
  inner: ShadowRoot,
  host: HTMLElement,
): HTMLElement | undefined {
  const pick = (list: Candidate[], from: Element) => {
    const mask =
      direction === 'before' ? Node.DOCUMENT_POSITION_PRECEDING : Node.DOCUMENT_POSITION_FOLLOWING;
    const matching = list.filter((c) => c.at !== from && from.compareDocumentPosition(c.at) & mask);
    return direction === 'before' ? matching[matching.length - 1]?.el : matching[0]?.el;
  };
  return (
    pick(focusables(inner, feed), feed) ??
    pick(focusables(host.getRootNode() as Document | ShadowRoot, host), host)
  );
}
