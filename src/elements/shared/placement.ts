/**
 * Where to put a floating box (tooltip, overflow list) next to the element it belongs to, in
 * viewport coordinates: below it when there is room, otherwise above; never outside the viewport.
 */

export interface Box {
  readonly top: number;
  readonly left: number;
  readonly width: number;
  readonly height: number;
}

export interface PlacementOptions {
  /** Space between the anchor and the box. */
  gap: number;
  /** Smallest distance kept from the viewport's edges. */
  margin: number;
  /** `center` on the anchor, or line up the box's inline start/end with the anchor's. */
  align: 'center' | 'start' | 'end';
  /** Direction of the text, so `start`/`end` follow right-to-left pages. */
  dir: 'ltr' | 'rtl';
  /** The side tried first. */
  prefer: 'below' | 'above';
}

export interface Placement {
  top: number;
  left: number;
  side: 'below' | 'above';
  /** Room on the chosen side: a box taller than this must shrink (and scroll) to fit. */
  maxHeight: number;
}

export function place(
  anchor: Box,
  size: { width: number; height: number },
  viewport: { width: number; height: number },
  options: PlacementOptions,
): Placement {
  const { gap, margin } = options;
  const spaceBelow = viewport.height - (anchor.top + anchor.height) - gap - margin;
  const spaceAbove = anchor.top - gap - margin;
  const fitsPreferred =
    options.prefer === 'below' ? size.height <= spaceBelow : size.height <= spaceAbove;
  const side: Placement['side'] = fitsPreferred
    ? options.prefer
    : spaceBelow >= spaceAbove
      ? 'below'
      : 'above';
  const maxHeight = Math.max(0, Math.floor(side === 'below' ? spaceBelow : spaceAbove));
  const height = Math.min(size.height, maxHeight);
  const top = side === 'below' ? anchor.top + anchor.height + gap : anchor.top - gap - height;

  const leftEdge = options.align === 'end' ? options.dir === 'rtl' : options.dir === 'ltr';
  const left =
    options.align === 'center'
      ? anchor.left + anchor.width / 2 - size.width / 2
      : leftEdge
        ? anchor.left
        : anchor.left + anchor.width - size.width;

  const maxLeft = Math.max(margin, viewport.width - margin - size.width);
  const maxTop = Math.max(margin, viewport.height - margin - height);
  return {
    top: Math.round(Math.min(Math.max(top, margin), maxTop)),
    left: Math.round(Math.min(Math.max(left, margin), maxLeft)),
    side,
    maxHeight,
  };
}

/**
 * The zoom CSS `zoom` gives `element` (on it or an ancestor: a legacy CRM's `body { zoom: 1.25 }`),
 * or 1 where the browser does not say (`currentCSSZoom`).
 */
export const zoomOf = (element: Element): number =>
  (element as Element & { currentCSSZoom?: number }).currentCSSZoom ?? 1;

/**
 * Places the fixed popover `box` (`place`) next to `anchor`, both measured on screen, and writes
 * its `top` and `left`. On a zoomed page the box's own lengths are multiplied by its zoom on
 * screen, so they are divided by it here, as is the returned room (`maxHeight`), which the caller
 * sets on the box; unzoomed, the box would land at 1.25 times its place, past the viewport.
 */
export function placeBox(
  box: HTMLElement,
  anchor: Box,
  size: { width: number; height: number },
  options: PlacementOptions,
): Placement {
  const zoom = zoomOf(box);
  const placement = place(anchor, size, { width: innerWidth, height: innerHeight }, options);
  box.style.top = `${placement.top / zoom}px`;
  box.style.left = `${placement.left / zoom}px`;
  return { ...placement, maxHeight: placement.maxHeight / zoom };
}
