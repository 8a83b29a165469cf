/**
 * Where a field's tabs go, as geometry alone (boxes in, a place out), so the rule is tested
 * without a page. A tab never covers the field's own label or what lies above the field: it sits
 * on the field's top edge, at its end, in the first of these places that has room for it:
 *
 * - `above`: on top of the edge, outside the field (a folder tab), when nothing is there: no text
 *   (the field's `<label>`, a legend, a heading) and no control, and still inside the element, so
 *   it never rises over the page content above the form;
 * - for a fieldset (a radio or checkbox group), whose inside holds only its legend and choices:
 *   `inside`, hanging from its top border into its corner, or `below-legend`, in its corner under
 *   a legend that fills the top edge.
 *
 * When none has room for the whole tab, the roomiest one takes it with its text shortened (…).
 * When that leaves less than `minWidth` on a single control, the tab hangs `inside` its corner:
 * over the end of the field's own value, which the user can scroll to, rather than over its label.
 */

/** A box in viewport coordinates (a `DOMRect` will do). */
export interface Box {
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

export type TabPlace = 'above' | 'inside' | 'below-legend';

export interface PlacementInput {
  /** The field's border box (its control, or the group's fieldset). */
  readonly field: Box;
  /** The field's top line: its top edge, or the line a fieldset's border draws through its legend. */
  readonly line: number;
  /** The field is a fieldset: its inside holds nothing but the obstacles given. */
  readonly group?: boolean;
  /** A fieldset's legend's bottom edge, when it has one. */
  readonly legendBottom?: number | undefined;
  /** The element's top edge: a tab above the field never rises past it. */
  readonly scopeTop: number;
  /** The tabs' natural size. */
  readonly width: number;
  readonly height: number;
  /** What must stay visible: text and controls around the field (not the field's own control). */
  readonly obstacles: readonly Box[];
  readonly rtl: boolean;
  /** The narrowest a shortened tab may be. */
  readonly minWidth: number;
}

export interface Placement {
  readonly place: TabPlace;
  /** The tabs' top edge, in viewport coordinates. */
  readonly top: number;
  /** The width the tabs may take: their natural width, or less when they are shortened. */
  readonly width: number;
}

/** Space kept between a tab and the text or control beside it. */
const GAP = 4;

/** The room at the field's inline end within the band `top`…`bottom`, left of (LTR) any obstacle. */
function room(input: PlacementInput, top: number, bottom: number): number {
  const { field, rtl } = input;
  let start = rtl ? field.right : field.left;
  for (const o of input.obstacles) {
    const across = o.top < bottom - 0.5 && o.bottom > top + 0.5;
    const along = o.right > field.left + 0.5 && o.left < field.right - 0.5;
    if (!across || !along) continue;
    start = rtl ? Math.min(start, o.left - GAP) : Math.max(start, o.right + GAP);
  }
  return rtl ? start - field.left : field.right - start;
}

export function placeTabs(input: PlacementInput): Placement {
  const { line, height, width } = input;
  const candidates: { place: TabPlace; top: number }[] = [];
  // Above only while it stays inside the element: over the page's content above the form, never.
  if (line - height >= input.scopeTop - 0.5)
    candidates.push({ place: 'above', top: line - height });
  if (input.group) {
    candidates.push({ place: 'inside', top: line });
    if (input.legendBottom !== undefined && input.legendBottom > line + 0.5) {
      candidates.push({ place: 'below-legend', top: input.legendBottom });
    }
  }
  let best: Placement | undefined;
  for (const candidate of candidates) {
    const free = Math.max(0, room(input, candidate.top, candidate.top + height));
    if (free >= width) return { ...candidate, width };
    if (!best || free > best.width) best = { ...candidate, width: free };
  }
  // A fieldset's inside holds its legend and choices only: shortened as far as it takes.
  if (best && (best.width >= input.minWidth || input.group)) return best;
  const fieldWidth = input.field.right - input.field.left;
  return { place: 'inside', top: line, width: Math.max(0, Math.min(width, fieldWidth)) };
}
