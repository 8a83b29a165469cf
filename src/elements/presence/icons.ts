/**
 * The presence row's one icon: the handset of the call button (24-unit grid, drawn with
 * `currentColor`). Decorative: `aria-hidden`, the button's text names it.
 */
import { svg } from 'lit';

export const phoneIcon = svg`<svg viewBox="0 0 24 24" fill="none" stroke="currentColor"
  stroke-width="2.25" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"
  focusable="false"><path d="M6.5 3.5h3l1.5 4.5-2 1.5a11 11 0 0 0 5.5 5.5l1.5-2 4.5 1.5v3a2 2 0 0 1-2 2A15.5 15.5 0 0 1 4.5 5.5a2 2 0 0 1 2-2z" /></svg>`;
