/**
 * The small tabs the form draws on a field's top edge, at its end: the names of the people
 * editing it (in their colours), "Saving…", "Waiting offline", "Not saved", "Changed by Ben".
 * They live in the form's shadow DOM, in an overlay laid over the slotted fields, positioned from
 * the fields' boxes; they are decoration (`aria-hidden`), the same facts reach assistive
 * technology through each field's accessible description and the status line.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { placeTabs, type Placement } from './tab-placement.js';
import { zoomOf } from '../shared/placement.js';
import { styleProps } from '../shared/style-props.js';

export type TabKind = 'editor' | 'more' | 'saving' | 'queued' | 'error' | 'conflict' | 'held';

export interface FieldTab {
  readonly kind: TabKind;
  readonly text: string;
  /** Editor tabs: the person's colour (text is white; the palette keeps 4.5:1). */
  readonly color?: string;
  /** Editor tabs: their initials, beside the name. */
  readonly initials?: string;
  /** Stable key within the field. */
  readonly key: string;
}

export interface FieldTabs {
  readonly name: string;
  readonly anchor: HTMLElement;
  readonly tabs: readonly FieldTab[];
}

const spinner = html`<svg class="spinner" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
  <circle cx="8" cy="8" r="6" fill="none" stroke="currentColor" stroke-width="2" opacity="0.25" />
  <path
    d="M14 8a6 6 0 0 0-6-6"
    fill="none"
    stroke="currentColor"
    stroke-width="2"
    stroke-linecap="round"
  />
</svg>`;

const cloud = html`<svg class="glyph" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
  <path
    d="M4.5 12.5h7a3 3 0 0 0 .4-5.97A4 4 0 0 0 4.2 7.1 2.7 2.7 0 0 0 4.5 12.5Z"
    fill="none"
    stroke="currentColor"
    stroke-width="1.5"
    stroke-linejoin="round"
  />
</svg>`;

const mark = html`<svg class="glyph" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
  <path d="M8 4v5M8 11.5v.5" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" />
</svg>`;

function tabTemplate(tab: FieldTab): TemplateResult {
  const style = tab.color ? styleProps({ '--_tab-color': tab.color }) : nothing;
  const glyph =
    tab.kind === 'saving'
      ? spinner
      : tab.kind === 'queued'
        ? cloud
        : tab.kind === 'error' || tab.kind === 'held' || tab.kind === 'conflict'
          ? mark
          : nothing;
  return html`<span part="tab tab-${tab.kind}" class="tab tab-${tab.kind}" style=${style}
    >${glyph}<span class="tab-text">${tab.text}</span></span
  >`;
}

/** The overlay's content: one positioned group of tabs per field that has any. */
export function tabsTemplate(groups: readonly FieldTabs[]): TemplateResult {
  return html`${repeat(
    groups,
    (g) => g.name,
    (g) =>
      html`<div class="tabs" data-field=${g.name}>
        ${repeat(g.tabs, (t) => t.key, tabTemplate)}
      </div>`,
  )}`;
}

/**
 * Whether `top` (a field's tab line) lies outside an ancestor of `anchor` that clips what
 * overflows it: the field is scrolled out of that container's view, and its tab would float over
 * whatever is shown instead.
 */
function scrolledAway(anchor: Element, top: number): boolean {
  for (
    let el = anchor.parentElement;
    el && el !== document.documentElement;
    el = el.parentElement
  ) {
    const style = getComputedStyle(el);
    if (style.overflowY === 'visible' && style.overflowX === 'visible') continue;
    const clip = el.getBoundingClientRect();
    if (top < clip.top || top > clip.bottom) return true;
  }
  return false;
}

/**
 * The boxes drawn by what names the field, which its tabs must leave visible: its `<label>`s and
 * the elements its `aria-labelledby` names; for a fieldset (a group), all it holds, legend and
 * choices. Each line of text is a box of its own, so a short label leaves the rest of its line free.
 */
function labelBoxes(anchor: HTMLElement): DOMRect[] {
  const root = anchor.getRootNode() as Document | ShadowRoot;
  const named =
    anchor instanceof HTMLFieldSetElement
      ? [anchor]
      : [
          ...((anchor as HTMLInputElement).labels ?? []),
          ...(anchor.getAttribute('aria-labelledby') ?? '')
            .split(/\s+/)
            .map((id) => (id ? root.getElementById?.(id) : null)),
        ];
  const range = document.createRange();
  return named.flatMap((el) => {
    if (!el) return [];
    range.selectNodeContents(el);
    return [...range.getClientRects()].filter((r) => r.width > 1 && r.height > 1);
  });
}

/** The narrowest a shortened tab gets: its glyph or first letters and the ellipsis. */
const MIN_WIDTH_EM = 3.5;

/**
 * Place each group at its field's top edge, inline end (the right in LTR, the left in RTL),
 * relative to the overlay, where it covers neither the field's label nor what lies above the
 * element (see `placeTabs`). Reads every box first, then writes, so one pass costs one layout.
 * `placements` keeps each field's place between calls: with `reuse` (the page scrolled, which
 * moves fields but changes nothing around them), a field keeps its place and only moves.
 */
export function layoutTabs(
  overlay: HTMLElement,
  groups: readonly FieldTabs[],
  rtl: boolean,
  placements: Map<string, Placement>,
  reuse = false,
): void {
  const elements = new Map<string, HTMLElement>();
  for (const el of overlay.querySelectorAll<HTMLElement>(':scope > .tabs')) {
    elements.set(el.dataset['field'] ?? '', el);
  }
  for (const name of [...placements.keys()]) {
    if (!groups.some((g) => g.name === name)) placements.delete(name);
  }
  const measure = groups.filter((g) => !reuse || !placements.has(g.name));
  // Natural sizes: shown and unshortened first (the only write before the reads).
  for (const g of measure) {
    const el = elements.get(g.name);
    if (!el) continue;
    el.hidden = false;
    el.style.maxInlineSize = '';
  }
  const origin = overlay.getBoundingClientRect();
  // Boxes are measured on screen; on a page zoomed with CSS `zoom` the lengths read from and
  // written to elements are multiplied by it there, so they are converted.
  const zoom = zoomOf(overlay);
  const host = (overlay.getRootNode() as ShadowRoot).host ?? overlay;
  const boxes = groups.map((g) => g.anchor.getBoundingClientRect());
  // A fieldset draws its top border through the middle of its legend: its tab line is that line.
  const legends = groups.map((g) =>
    g.anchor instanceof HTMLFieldSetElement
      ? g.anchor.querySelector(':scope > legend')?.getBoundingClientRect()
      : undefined,
  );
  const lines = groups.map((g, i) => {
    const legend = legends[i];
    return legend ? legend.top + legend.height / 2 : boxes[i]!.top;
  });
  // A tab above a field never rises past the element (or a `form-id` form outside it), measured
  // as if nothing between them were scrolled: scrolling a panel must not move a tab elsewhere.
  const scopeTop = (anchor: Element) => {
    const scope = host.contains(anchor) ? host : (anchor.closest('form') ?? host);
    let top = scope.getBoundingClientRect().top;
    for (let el = anchor.parentElement; el && el !== scope; el = el.parentElement) {
      top -= el.scrollTop * zoom;
    }
    return top;
  };
  // A field that is not rendered (display: none) shows no tabs, nor one scrolled out of view
  // inside a scrolling part of the page (a dialog's body, a side panel). A closed <details>
  // still lays its content out (skipped, `content-visibility: hidden`), with boxes below the
  // summary: only `checkVisibility` tells that it is not drawn. Read with the other boxes,
  // before any write: a read after a write lays the page out again, once per field.
  const visible = groups.map((g, i) => {
    const box = boxes[i]!;
    return (
      (box.width > 0 || box.height > 0) &&
      g.anchor.checkVisibility?.() !== false &&
      !scrolledAway(g.anchor, lines[i]!)
    );
  });
  const corners = new Map<HTMLElement, string>();
  for (const g of measure) {
    const el = elements.get(g.name);
    const i = groups.indexOf(g);
    if (!el) continue;
    const tab = el.firstElementChild ?? el;
    const fontSize = parseFloat(getComputedStyle(tab).fontSize) || 11;
    corners.set(el, getComputedStyle(g.anchor).borderStartEndRadius);
    const placement = placeTabs({
      field: boxes[i]!,
      line: lines[i]!,
      group: g.anchor instanceof HTMLFieldSetElement,
      legendBottom: legends[i]?.bottom,
      scopeTop: scopeTop(g.anchor),
      // Rounded up: `offsetWidth` rounds, and a cap of 92 px on a group 92.17 px wide cut "Not
      // saved" to "Not sav…" with room to spare.
      width: Math.ceil(el.getBoundingClientRect().width),
      height: el.offsetHeight * zoom,
      obstacles: labelBoxes(g.anchor),
      rtl,
      minWidth: MIN_WIDTH_EM * fontSize * zoom,
    });
    // Kept relative to the field's line, so a scroll moves the tabs with their field.
    placements.set(g.name, { ...placement, top: placement.top - lines[i]! });
  }
  // Writes only from here on.
  for (const [el, corner] of corners) el.style.setProperty('--_corner', corner);
  groups.forEach((group, i) => {
    const el = elements.get(group.name);
    const placement = placements.get(group.name);
    const box = boxes[i]!;
    if (!el || !placement) return;
    el.hidden = !visible[i];
    if (!visible[i]) return;
    el.dataset['place'] = placement.place;
    el.style.maxInlineSize = `${Math.floor(placement.width) / zoom}px`;
    el.style.top = `${(lines[i]! + placement.top - origin.top) / zoom}px`;
    if (rtl) {
      el.style.left = `${(box.left - origin.left) / zoom}px`;
      el.style.right = '';
    } else {
      el.style.right = `${(origin.right - box.right) / zoom}px`;
      el.style.left = '';
    }
  });
}
