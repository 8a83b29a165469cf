/**
 * Small line icons of the feed (24-unit grid, drawn with `currentColor`): one per kind of
 * activity for the badge on the avatar, plus the arrow of the "N new" pill. Decorative: always
 * `aria-hidden`, the text says the same.
 */
import { svg, type SVGTemplateResult } from 'lit';
import type { KindIcon } from './item-view.js';

const icon = (paths: SVGTemplateResult) =>
  svg`<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2.25"
    stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">${paths}</svg>`;

export const kindIcons: Readonly<Record<KindIcon, SVGTemplateResult>> = {
  change: icon(
    svg`<path d="M4 20l1-4.5L15.5 5a2.1 2.1 0 0 1 3 3L8 18.5z" /><path d="M13.5 7l3 3" />`,
  ),
  create: icon(svg`<path d="M12 5v14M5 12h14" />`),
  delete: icon(svg`<path d="M4.5 7h15M10 11v6M14 11v6M6.5 7l1 12.5h9l1-12.5M9.5 7V4.5h5V7" />`),
  call: icon(
    svg`<path d="M6.5 3.5h3l1.5 4.5-2 1.5a11 11 0 0 0 5.5 5.5l1.5-2 4.5 1.5v3a2 2 0 0 1-2 2A15.5 15.5 0 0 1 4.5 5.5a2 2 0 0 1 2-2z" />`,
  ),
  meeting: icon(
    svg`<rect x="4" y="5.5" width="16" height="14.5" rx="2" /><path d="M4 10.5h16M8.5 3.5v4M15.5 3.5v4" />`,
  ),
  note: icon(svg`<path d="M6 3.5h8.5l3.5 3.5v13.5H6z" /><path d="M9.5 12.5h5M9.5 16.5h5" />`),
  email: icon(svg`<rect x="3.5" y="5.5" width="17" height="13" rx="2" /><path d="M4 7l8 6 8-6" />`),
  other: icon(svg`<circle cx="12" cy="12" r="3.5" />`),
};

/** An arrow pointing up, for the "N new" pill. */
export const arrowUp = icon(svg`<path d="M12 19V5M6 11l6-6 6 6" />`);

/** A dashed ring, for "not connected" (as in the other widgets). */
export const notConnectedIcon = svg`<svg viewBox="0 0 16 16" aria-hidden="true" focusable="false">
  <circle cx="8" cy="8" r="6.25" fill="none" stroke="currentColor" stroke-width="1.5"
    stroke-dasharray="2.5 2.2" />
</svg>`;
