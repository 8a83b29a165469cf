import { css } from 'lit';
import { buttonReset, focusRing, hostBase, token, visuallyHidden } from '../../styles/index.js';

export const styles = [
  hostBase,
  buttonReset,
  visuallyHidden,
  css`
    /* In a flex row (a header) it may shrink below its text: the label is cut short (its full
       text is the pill's tooltip, and shows on a tap, see .base:focus) instead of pushing its
       neighbours out and the page sideways. */
    :host {
      display: inline-flex;
      vertical-align: middle;
      max-inline-size: 100%;
      min-inline-size: 0;
      --_dot-size: var(--crm-connection-status-dot-size, 0.5rem);
      --_gap: var(--crm-connection-status-gap, ${token('space-xs')});
      --_padding-inline: var(--crm-connection-status-padding-inline, ${token('space-s')});
      --_radius: var(--crm-connection-status-radius, ${token('radius-pill')});
      --_font-size: var(--crm-connection-status-font-size, ${token('font-size-s')});
      --_connected: var(--crm-connection-status-connected-color, ${token('color-success')});
      --_reconnecting: var(--crm-connection-status-reconnecting-color, ${token('color-warning')});
      --_offline: var(--crm-connection-status-offline-color, ${token('color-neutral')});
      --_closed: var(--crm-connection-status-closed-color, ${token('color-danger')});
    }

    .base {
      position: relative;
      display: inline-flex;
      align-items: center;
      gap: var(--_gap);
      min-block-size: 1.75rem;
      max-inline-size: 100%;
      padding-block: 0;
      padding-inline: var(--_padding-inline);
      border-radius: var(--_radius);
      font-size: var(--_font-size);
      font-weight: ${token('font-weight-medium')};
      line-height: ${token('font-line-height-tight')};
      white-space: nowrap;
      color: ${token('color-text-muted')};
      background: transparent;
      transition:
        background-color ${token('duration-medium')} ${token('easing-standard')},
        color ${token('duration-medium')} ${token('easing-standard')};
    }

    /* Where the focus stays when "Retry now" goes with it (the connection is back). */
    .base:focus-visible {
      ${focusRing}
    }
    /* A touch screen shows no tooltip: a tap (or a click) focuses the pill, and while it has the
       focus, text cut short wraps instead, so all of it can be read. */
    .base:focus {
      white-space: normal;
    }

    .label {
      overflow: hidden;
      text-overflow: ellipsis;
      font-variant-numeric: tabular-nums;
    }

    /* Offline edits not sent yet, after the label and set apart by a thin rule. */
    .waiting {
      padding-inline-start: var(--_gap);
      border-inline-start: 1px solid color-mix(in srgb, currentColor 35%, transparent);
      font-variant-numeric: tabular-nums;
    }

    /* Edits only this page holds: said in words, cut short like the label (the tooltip has it
       all), and the pill tinted whatever the connection's state. */
    .unstored {
      overflow: hidden;
      text-overflow: ellipsis;
      padding-inline-start: var(--_gap);
      border-inline-start: 1px solid color-mix(in srgb, currentColor 35%, transparent);
    }

    /* States: quiet when all is well, tinted when something needs attention. */
    .base[data-view='connected'] {
      --_dot: var(--_connected);
    }
    .base[data-view='connecting'] {
      --_dot: var(--_reconnecting);
    }
    .base[data-view='reconnecting'] {
      --_dot: var(--_reconnecting);
      color: ${token('color-warning-text')};
      background: ${token('color-warning-subtle')};
    }
    .base[data-view='offline'] {
      --_dot: var(--_offline);
      color: ${token('color-neutral-text')};
      background: ${token('color-neutral-subtle')};
    }
    .base[data-view='closed'] {
      --_dot: var(--_closed);
      color: ${token('color-danger-text')};
      background: ${token('color-danger-subtle')};
    }
    .base[data-view='unavailable'] {
      --_dot: transparent;
      color: ${token('color-text-muted')};
      background: ${token('color-neutral-subtle')};
    }

    .base[data-unstored] {
      color: ${token('color-danger-text')};
      background: ${token('color-danger-subtle')};
    }

    .dot {
      position: relative;
      flex: none;
      inline-size: var(--_dot-size);
      block-size: var(--_dot-size);
      border-radius: 50%;
      background: var(--_dot);
      forced-color-adjust: none;
    }
    .base[data-view='unavailable'] .dot {
      box-shadow: inset 0 0 0 1.5px var(--_offline);
    }
    /* A soft halo that breathes while a connection is being made. */
    .base[data-view='connecting'] .dot::after,
    .base[data-view='reconnecting'] .dot::after {
      content: '';
      position: absolute;
      inset: 0;
      border-radius: inherit;
      background: var(--_dot);
      animation: halo 1.6s ${token('easing-standard')} infinite;
    }
    @keyframes halo {
      from {
        transform: scale(1);
        opacity: 0.55;
      }
      to {
        transform: scale(2.8);
        opacity: 0;
      }
    }

    .retry {
      display: inline-flex;
      align-items: center;
      justify-content: center;
      gap: ${token('space-2xs')};
      min-block-size: 1.5rem;
      margin-inline: ${token('space-3xs')} calc(${token('space-3xs')} - var(--_padding-inline));
      padding-inline: ${token('space-s')};
      border-radius: var(--_radius);
      font-weight: ${token('font-weight-semibold')};
      background: color-mix(in srgb, currentColor 12%, transparent);
      transition: background-color ${token('duration-fast')} ${token('easing-standard')};
    }
    /* Hover only where a pointer hovers: a touch screen leaves :hover on what was tapped. */
    @media (hover: hover) {
      .retry:hover {
        background: color-mix(in srgb, currentColor 20%, transparent);
      }
    }
    .retry:active {
      background: color-mix(in srgb, currentColor 26%, transparent);
    }
    .retry:focus-visible {
      ${focusRing}
    }
    .retry[aria-disabled='true'],
    .retry[aria-disabled='true']:active {
      cursor: progress;
      background: color-mix(in srgb, currentColor 7%, transparent);
    }
    .retry svg {
      inline-size: 0.875rem;
      block-size: 0.875rem;
      flex: none;
    }
    .retry[aria-disabled='true'] svg {
      animation: spin 1s linear infinite;
    }
    @keyframes spin {
      to {
        transform: rotate(360deg);
      }
    }

    /* Compact: the dot alone (plus a round retry button while reconnecting). */
    :host([compact]) .base {
      gap: ${token('space-3xs')};
      min-inline-size: 1.75rem;
      justify-content: center;
      padding-inline: ${token('space-xs')};
    }
    :host([compact]) .base[data-view='connected'],
    :host([compact]) .base[data-view='connecting'] {
      padding-inline: 0;
    }
    :host([compact]) .label {
      display: none;
    }
    /* A touch screen shows no tooltip: a tap (or a click) on the dot focuses the pill, which then
       says what the tooltip says, until the focus goes elsewhere. */
    .details {
      display: none;
      overflow: hidden;
      text-overflow: ellipsis;
    }
    :host([compact]) .base:focus {
      padding-inline: var(--_padding-inline);
    }
    :host([compact]) .base:focus .details {
      display: inline;
    }
    :host([compact]) .retry {
      inline-size: 1.5rem;
      margin-inline: ${token('space-3xs')} calc(${token('space-3xs')} - ${token('space-xs')});
      padding: 0;
      border-radius: 50%;
    }
    /* A touch screen shows no tooltip (the title): there the button says it beside its icon. */
    @media (pointer: coarse) {
      :host([compact]) .retry {
        inline-size: auto;
        padding-inline: var(--_padding-inline);
        border-radius: var(--_radius);
      }
      :host([compact]) .retry::after {
        content: attr(title);
      }
    }

    /* Paper: the state of a connection means nothing there, nor does a button. */
    @media print {
      :host {
        display: none !important;
      }
    }

    @media (forced-colors: active) {
      .base {
        border: 1px solid CanvasText;
      }
      .retry {
        color: LinkText;
      }
    }
  `,
];
