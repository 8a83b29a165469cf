import { css } from 'lit';
import { focusRing, hostBase, kitText, visuallyHidden } from '../../styles/shared.js';
import { token } from '../../styles/tokens.js';

export const styles = [
  hostBase,
  visuallyHidden,
  css`
    /* The page's own form is slotted here and inherits through the host: the host keeps the
       page's text settings for it, and the kit's own parts take the kit's (hostBase's, before
       their own rules, which refine them). */
    :host {
      font: inherit;
      color: inherit;
      letter-spacing: inherit;
      word-spacing: inherit;
      text-align: inherit;
      text-indent: inherit;
      text-transform: inherit;
      text-shadow: inherit;
      white-space: inherit;
      -webkit-font-smoothing: inherit;
      display: block;
      position: relative;
      --_tab-font-size: var(--crm-collaborative-form-tab-font-size, ${token('font-size-2xs')});
      --_status-gap: var(--crm-collaborative-form-status-gap, ${token('space-s')});
    }
    .overlay,
    .status-bar,
    .error,
    .visually-hidden {
      ${kitText}
    }

    /* ---- tabs over the fields ---------------------------------------------------------- */

    .overlay {
      position: absolute;
      inset: 0;
      pointer-events: none;
      z-index: var(--crm-collaborative-form-tab-z-index, 2);
    }
    /* Placed by script (tab-placement.ts): on the field's top edge at its end, outside it
       ('above') when nothing is there, else hanging into the field's corner ('inside'), or into a
       fieldset's corner under its legend ('below-legend'); shortened (…) when short of room. */
    .tabs {
      position: absolute;
      display: flex;
      gap: 2px;
      white-space: nowrap;
    }
    .tabs[hidden] {
      display: none;
    }
    .tab {
      display: inline-flex;
      align-items: center;
      gap: 0.25em;
      min-inline-size: 0;
      max-inline-size: 12rem;
      padding: 0.0625rem 0.4375rem 0.125rem;
      border-start-start-radius: ${token('radius-s')};
      border-start-end-radius: ${token('radius-s')};
      font-size: var(--_tab-font-size);
      font-weight: ${token('font-weight-semibold')};
      line-height: 1.4;
      letter-spacing: 0.01em;
      background: var(--_tab-background, ${token('color-neutral-subtle')});
      color: var(--_tab-text, ${token('color-neutral-text')});
      animation: tab-in ${token('duration-medium')} ${token('easing-standard')};
    }
    .tab-text {
      overflow: hidden;
      text-overflow: ellipsis;
    }
    .tabs[data-place='inside'] .tab {
      border-radius: 0 0 ${token('radius-s')} ${token('radius-s')};
    }
    /* Its outer corner follows the field's rounded corner. */
    .tabs[data-place='inside'] .tab:last-child {
      border-start-end-radius: var(--_corner, 0);
    }
    .tabs[data-place='below-legend'] .tab {
      border-radius: ${token('radius-s')};
    }
    .tab-editor,
    .tab-more {
      --_tab-background: var(--_tab-color, ${token('color-accent')});
      --_tab-text: #fff;
    }
    .tab-saving,
    .tab-queued {
      --_tab-background: var(--crm-collaborative-form-saving-color, ${token('color-border')});
      --_tab-text: ${token('color-neutral-text')};
    }
    .tab-held {
      --_tab-background: var(--crm-collaborative-form-held-color, ${token('color-warning')});
      --_tab-text: #fff;
      /* Amber with white text is too light for small text: darken it. */
      background: color-mix(in srgb, var(--_tab-background) 45%, #3b1d00);
    }
    .tab-error,
    .tab-conflict {
      --_tab-background: var(--crm-collaborative-form-error-color, ${token('color-danger')});
      --_tab-text: #fff;
      /* Darkened so white text keeps 4.5:1 on the dark theme's lighter red too. */
      background: color-mix(in srgb, var(--_tab-background) 75%, #000);
    }
    .glyph,
    .spinner {
      inline-size: 1.1em;
      block-size: 1.1em;
      flex: none;
    }
    .spinner {
      animation: spin 0.9s linear infinite;
    }
    @keyframes spin {
      to {
        transform: rotate(1turn);
      }
    }
    @keyframes tab-in {
      from {
        opacity: 0;
        transform: translateY(3px);
      }
    }

    /* ---- status line ------------------------------------------------------------------- */

    .status-bar {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: var(--_status-gap);
      min-block-size: 1.75rem;
      margin-block-start: var(--crm-collaborative-form-status-margin, ${token('space-s')});
      font-size: ${token('font-size-s')};
      color: ${token('color-text-muted')};
    }
    .status-bar[hidden] {
      display: none;
    }
    /* Compact: only what needs the user shows; the rest stays readable to screen readers. */
    :host([compact]) .status-bar {
      min-block-size: 0;
      margin-block-start: ${token('space-xs')};
      font-size: ${token('font-size-xs')};
    }
    :host([compact])
      .status-bar:not(
        [data-kind='conflict'],
        [data-kind='queued'],
        [data-kind='retrying'],
        [data-kind='unanswered'],
        [data-kind='refused'],
        [data-kind='load-error']
      ) {
      position: absolute;
      inline-size: 1px;
      block-size: 1px;
      margin: -1px;
      padding: 0;
      overflow: hidden;
      clip-path: inset(50%);
      white-space: nowrap;
    }
    .next-try {
      font-variant-numeric: tabular-nums;
    }
    .status {
      display: inline-flex;
      align-items: center;
      gap: ${token('space-xs')};
    }
    .dot {
      inline-size: 0.5rem;
      block-size: 0.5rem;
      border-radius: 50%;
      flex: none;
      background: var(--_dot, ${token('color-neutral')});
    }
    [data-kind='idle'] .dot,
    [data-kind='saved'] .dot {
      --_dot: ${token('color-success')};
    }
    [data-kind='saving'] .dot,
    [data-kind='loading'] .dot {
      --_dot: ${token('color-accent')};
      animation: pulse 1.2s ease-in-out infinite;
    }
    [data-kind='unsaved'] .dot,
    [data-kind='queued'] .dot,
    [data-kind='retrying'] .dot {
      --_dot: ${token('color-warning')};
    }
    [data-kind='conflict'] .dot,
    [data-kind='refused'] .dot,
    [data-kind='load-error'] .dot {
      --_dot: ${token('color-danger')};
    }
    [data-kind='unavailable'] .dot {
      background: transparent;
      box-shadow: inset 0 0 0 1.5px ${token('color-neutral')};
    }
    [data-kind='conflict'] .status,
    [data-kind='refused'] .status,
    [data-kind='load-error'] .status {
      color: ${token('color-danger-text')};
      font-weight: ${token('font-weight-medium')};
    }
    [data-kind='queued'] .status,
    [data-kind='retrying'] .status {
      color: ${token('color-warning-text')};
    }
    @keyframes pulse {
      50% {
        opacity: 0.35;
      }
    }

    button {
      display: inline-flex;
      align-items: center;
      min-block-size: 1.75rem;
      padding: 0 ${token('space-s')};
      border: 1px solid ${token('color-border-strong')};
      border-radius: ${token('radius-m')};
      background: ${token('color-surface')};
      color: ${token('color-text')};
      font: inherit;
      font-size: ${token('font-size-s')};
      font-weight: ${token('font-weight-medium')};
      cursor: pointer;
    }
    button:focus-visible {
      ${focusRing}
    }
    .resolve {
      border-color: transparent;
      background: ${token('color-danger-subtle')};
      color: ${token('color-danger-text')};
    }
    /* Hover only where a pointer hovers: a touch screen leaves :hover on what was tapped. */
    @media (hover: hover) {
      button:hover {
        background: ${token('color-surface-hover')};
      }
      .resolve:hover {
        background: color-mix(
          in srgb,
          ${token('color-danger-subtle')} 80%,
          ${token('color-danger')}
        );
      }
    }

    /* ---- a refused save ---------------------------------------------------------------- */

    .error {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: ${token('space-s')} ${token('space-m')};
      margin-block-start: ${token('space-s')};
      padding: ${token('space-s')} ${token('space-m')};
      border: 1px solid color-mix(in srgb, ${token('color-danger')} 35%, transparent);
      border-radius: ${token('radius-l')};
      background: ${token('color-danger-subtle')};
      color: ${token('color-danger-text')};
      font-size: ${token('font-size-s')};
    }
    .error-text {
      flex: 1 1 16rem;
      margin: 0;
    }
    .error-actions {
      display: flex;
      gap: ${token('space-xs')};
    }

    /* ---- paper ------------------------------------------------------------------------- */

    /* The page's fields with their values, nothing over them: who edits what, the save's state and
       the buttons are for the screen. A refused save's message stays. */
    @media print {
      .overlay,
      .status-bar,
      .error-actions {
        display: none;
      }
    }
  `,
];
