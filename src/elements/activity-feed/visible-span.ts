/**
 * What the reader can see of the feed's scroller: the part of it inside every box around it that
 * scrolls or clips (a panel, a card with `overflow: hidden`, the feed's own host) and inside the
 * window. The feed renders the items in that span, so its window is right whoever scrolls: the
 * feed itself, a panel around it, or the page.
 */

/** A vertical extent in viewport (client) coordinates, px; `bottom >= top`. */
export interface Span {
  readonly top: number;
  readonly bottom: number;
}

/** The element around `el` in the rendered tree: through slots and out of shadow roots. */
function parentOf(el: Element): Element | null {
  if (el.assignedSlot) return el.assignedSlot;
  if (el.parentElement) return el.parentElement;
  const root = el.parentNode;
  return root instanceof ShadowRoot ? root.host : null;
}

/**
 * The elements around `el` that scroll or clip it vertically, innermost first (read once per
 * connection: computed styles are not cheap enough to read on every scroll). Their `scroll` events
 * do not bubble, so each needs its own listener; the document's scrolling reaches `window`.
 * `<html>` is left out (the window stands for it), and so is `<body>` unless it really is a
 * scroll container (its `overflow` is not handed to the viewport).
 */
export function clippingAncestors(el: Element): Element[] {
  const found: Element[] = [];
  const html = el.ownerDocument.documentElement;
  for (let node = parentOf(el); node && node !== html; node = parentOf(node)) {
    const style = getComputedStyle(node);
    if (style.display === 'contents' || style.overflowY === 'visible') continue;
    if (node === el.ownerDocument.body && getComputedStyle(html).overflowY === 'visible') continue;
    found.push(node);
  }
  return found;
}

/** The padding box of an element (what its content is clipped to), vertically. */
function clipOf(el: Element): Span {
  const box = el.getBoundingClientRect();
  const top = box.top + el.clientTop;
  return { top, bottom: top + el.clientHeight };
}

/**
 * The part of `scroller`'s padding box inside `ancestors` (from `clippingAncestors`) and the
 * window. When none of it is in view, the edge of the scroller nearest to the view (an empty
 * span): the items there are the ones the reader reaches first.
 */
export function visibleSpan(scroller: Element, ancestors: readonly Element[]): Span {
  const own = clipOf(scroller);
  let top = 0;
  let bottom = scroller.ownerDocument.defaultView?.innerHeight ?? own.bottom;
  for (const ancestor of ancestors) {
    const clip = clipOf(ancestor);
    top = Math.max(top, clip.top);
    bottom = Math.min(bottom, clip.bottom);
  }
  if (own.top >= bottom) return { top: own.top, bottom: own.top };
  if (own.bottom <= top || bottom <= top) return { top: own.bottom, bottom: own.bottom };
  return { top: Math.max(top, own.top), bottom: Math.min(bottom, own.bottom) };
}
