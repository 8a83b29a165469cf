/**
 * The notification center's icons: inline SVG on `currentColor`, 16 × 16 (the bell 20 × 20),
 * hidden from assistive technology (their meaning is always in text too).
 */
import { svg, type SVGTemplateResult } from 'lit';
import type { NotificationType } from '../../protocol/notifications.js';

const icon = (body: SVGTemplateResult, size = 16) =>
  svg`<svg viewBox="0 0 ${size} ${size}" fill="none" stroke="currentColor" stroke-width="1.6"
    stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false"
    >${body}</svg>`;

export const bellIcon = icon(
  svg`<path d="M5.5 8.25a4.5 4.5 0 0 1 9 0v2.6c0 .9.3 1.8.86 2.52l.64.83c.3.4.02.97-.48.97H4.48a.6.6 0 0 1-.48-.97l.64-.83c.56-.72.86-1.61.86-2.52z" />
    <path d="M8.25 16.75a1.9 1.9 0 0 0 3.5 0" />`,
  20,
);

export const closeIcon = icon(svg`<path d="M4.5 4.5l7 7M11.5 4.5l-7 7" />`);

export const checkAllIcon = icon(
  svg`<path d="M1.75 8.5l3 3 5.5-6.5" /><path d="M8.25 11.25l.25.25 5.75-6.75" />`,
);

export const dotIcon = svg`<svg viewBox="0 0 16 16" aria-hidden="true" focusable="false">
  <circle cx="8" cy="8" r="4" fill="currentColor" /></svg>`;

export const linkIcon = icon(
  svg`<path d="M6.5 3.5H4a1.5 1.5 0 0 0-1.5 1.5v7A1.5 1.5 0 0 0 4 13.5h7a1.5 1.5 0 0 0 1.5-1.5V9.5" />
    <path d="M9.5 2.5h4v4M13.5 2.5 7.5 8.5" />`,
);

export const urgentIcon = icon(svg`<path d="M8 2.5v7" /><path d="M8 12.75v.25" />`);

export const notConnectedIcon = svg`<svg viewBox="0 0 16 16" aria-hidden="true" focusable="false">
  <circle cx="8" cy="8" r="6.25" fill="none" stroke="currentColor" stroke-width="1.5"
    stroke-dasharray="2.5 2.2" /></svg>`;

export const emptyIcon = icon(
  svg`<path d="M4.25 6.75a3.75 3.75 0 0 1 7.5 0v2.1c0 .75.25 1.5.72 2.1l.4.52c.24.32.01.78-.39.78H3.52a.5.5 0 0 1-.39-.78l.4-.52c.47-.6.72-1.35.72-2.1z" />
    <path d="M6.6 13.75a1.5 1.5 0 0 0 2.8 0" /><path d="M11.75 1.75l.75.75M13.5 4.25h.75" />`,
);

const typeIcons: Record<NotificationType, SVGTemplateResult> = {
  info: icon(svg`<circle cx="8" cy="8" r="6.25" /><path d="M8 7.25v3.75" /><path d="M8 4.9v.1" />`),
  success: icon(svg`<circle cx="8" cy="8" r="6.25" /><path d="M5.25 8.25l1.9 1.9 3.6-4.1" />`),
  warning: icon(
    svg`<path d="M7.13 2.5a1 1 0 0 1 1.74 0l5.5 9.5a1 1 0 0 1-.87 1.5H2.5a1 1 0 0 1-.87-1.5z" />
      <path d="M8 6.25v3" /><path d="M8 11.4v.1" />`,
  ),
  error: icon(
    svg`<path d="M5.4 1.75h5.2l3.65 3.65v5.2l-3.65 3.65H5.4L1.75 10.6V5.4z" />
      <path d="M6 6l4 4M10 6l-4 4" />`,
  ),
};

/** The icon of a notification type (info for anything unknown). */
export function typeIcon(type: NotificationType): SVGTemplateResult {
  return typeIcons[type] ?? typeIcons.info;
}
