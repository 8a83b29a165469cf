import { css } from 'lit';
import { buttonReset, focusRing, hostBase, token, visuallyHidden } from '../../styles/index.js';

/**
 * Three layers, as everywhere in the kit: global tokens (`--crm-color-*`), the public
 * `--crm-conflict-dialog-*` properties, and private `--_*` variables used below.
 */
export const styles = [
  hostBase,
  buttonReset,
  visuallyHidden,
  css`
    :host {
      display: contents;
      --_width: var(--crm-conflict-dialog-width, 46rem);
      --_max-height: var(--crm-conflict-dialog-max-height, calc(100dvh - 2rem));
      --_background: var(--crm-conflict-dialog-background, ${token('color-surface-raised')});
      --_radius: var(--crm-conflict-dialog-radius, ${token('radius-xl')});
      --_shadow: var(--crm-conflict-dialog-shadow, ${token('shadow-l')});
      --_backdrop: var(--crm-conflict-dialog-backdrop, ${token('color-backdrop')});
      --_selected: var(--crm-conflict-dialog-selected-color, ${token('color-accent')});
      --_selected-bg: var(
        --crm-conflict-dialog-selected-background,
        ${token('color-accent-subtle')}
      );
      --_change-bg: var(--crm-conflict-dialog-change-background, ${token('color-warning-subtle')});
      --_icon: var(--crm-conflict-dialog-icon-color, ${token('color-warning-text')});
      --_duration: var(--crm-conflict-dialog-duration, ${token('duration-medium')});
      --_pad: ${token('space-xl')};
    }

    /* ---- the dialog box ---------------------------------------------------------------- */

    dialog {
      /* A finger drawn over the backdrop, the header or the buttons would scroll the page behind
         the modal (the platform chains the scroll there), and the user would come back to
         another place of it; the list of fields still scrolls, and pinch-zoom still works. */
      touch-action: pinch-zoom;
      inline-size: min(var(--_width), calc(100vw - 2rem));
      max-inline-size: none;
      max-block-size: min(var(--_max-height), calc(100dvh - 2rem));
      margin: auto;
      padding: 0;
      overflow: hidden;
      color: ${token('color-text')};
      background: var(--_background);
      border: 1px solid ${token('color-border')};
      border-radius: var(--_radius);
      box-shadow: var(--_shadow);
      font: inherit;
    }
    dialog[open] {
      display: flex;
      flex-direction: column;
      animation: crm-conflict-in var(--_duration) ${token('easing-standard')};
    }
    dialog::backdrop {
      background: var(--_backdrop);
    }
    dialog[open]::backdrop {
      animation: crm-conflict-fade var(--_duration) ${token('easing-standard')};
    }
    @keyframes crm-conflict-in {
      from {
        opacity: 0;
        transform: translateY(0.5rem) scale(0.98);
      }
    }
    @keyframes crm-conflict-fade {
      from {
        opacity: 0;
      }
    }
    @media (prefers-reduced-motion: reduce) {
      dialog[open],
      dialog[open]::backdrop {
        animation: none;
      }
    }

    .form {
      display: flex;
      flex-direction: column;
      min-block-size: 0;
      flex: 1;
      container-type: inline-size;
    }

    /* ---- header -------------------------------------------------------------------------- */

    .header {
      display: flex;
      gap: ${token('space-m')};
      align-items: flex-start;
      padding: var(--_pad) var(--_pad) ${token('space-l')};
      border-block-end: 1px solid ${token('color-border')};
    }
    .icon {
      flex: none;
      display: grid;
      place-items: center;
      inline-size: 2.25rem;
      block-size: 2.25rem;
      border-radius: ${token('radius-pill')};
      color: var(--_icon);
      background: ${token('color-warning-subtle')};
    }
    .icon svg {
      inline-size: 1.25rem;
      block-size: 1.25rem;
    }
    .heading {
      min-inline-size: 0;
      display: grid;
      gap: ${token('space-2xs')};
    }
    .title {
      margin: 0;
      font-size: ${token('font-size-xl')};
      font-weight: ${token('font-weight-semibold')};
      line-height: ${token('font-line-height-tight')};
      padding-block-start: 0.4rem;
      text-wrap: balance;
    }
    .description {
      margin: 0;
      /* Its direction is the sentence's (dir="auto"); it still lines up with the page's
         (Chromium resolves match-parent against the element's own direction). */
      text-align: left;
      color: ${token('color-text-muted')};
      text-wrap: pretty;
    }
    :host(:dir(rtl)) .description {
      text-align: right;
    }
    .author {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: ${token('space-xs')};
      margin: ${token('space-2xs')} 0 0;
      font-size: ${token('font-size-s')};
      color: ${token('color-text-muted')};
    }
    .avatar {
      display: inline-grid;
      place-items: center;
      inline-size: 1.375rem;
      block-size: 1.375rem;
      border-radius: ${token('radius-pill')};
      overflow: hidden;
      font-size: ${token('font-size-2xs')};
      font-weight: ${token('font-weight-semibold')};
      /* The user's colour, as in presence and the feed (every one gives white text 4.5:1). */
      color: #fff;
      background: var(--_avatar-bg, #475569);
    }
    .avatar img {
      inline-size: 100%;
      block-size: 100%;
      object-fit: cover;
    }
    .author-name {
      color: ${token('color-text')};
      font-weight: ${token('font-weight-medium')};
    }
    .dot {
      margin-inline-end: ${token('space-xs')};
    }
    /* A touch screen shows no tooltip, and nothing here takes a tap: the date and time of the
       other save follow its relative time. */
    @media (hover: none) {
      .author time::after {
        content: ' · ' attr(title);
      }
    }

    /* ---- fields ---------------------------------------------------------------------------- */

    .body {
      flex: 1;
      min-block-size: 0;
      overflow: auto;
      overscroll-behavior: contain;
      padding: ${token('space-l')} var(--_pad);
      display: grid;
      gap: ${token('space-l')};
      align-content: start;
      background: ${token('color-surface-sunken')};
    }
    .field {
      margin: 0;
      padding: 0;
      border: 0;
      min-inline-size: 0;
    }
    .field-label {
      padding: 0;
      font-weight: ${token('font-weight-semibold')};
      margin-block-end: ${token('space-2xs')};
    }
    .base {
      display: flex;
      gap: ${token('space-xs')};
      align-items: baseline;
      margin: 0 0 ${token('space-s')};
      font-size: ${token('font-size-s')};
      color: ${token('color-text-muted')};
    }
    .base-label {
      flex: none;
      font-size: ${token('font-size-2xs')};
      font-weight: ${token('font-weight-semibold')};
      letter-spacing: 0.04em;
      text-transform: uppercase;
    }
    /* Drawn from an attribute, hidden from screen readers: Chromium hands the capitals of
       text-transform on to them ("WAS", spelled out or read louder). They read the words from a
       visually hidden copy. */
    .base-label::before {
      content: attr(data-label);
    }
    .base .value {
      min-inline-size: 0;
    }
    .field-label + .options {
      margin-block-start: ${token('space-s')};
    }
    .options {
      display: grid;
      grid-template-columns: 1fr 1fr;
      gap: ${token('space-s')};
    }
    @container (max-width: 34rem) {
      .options {
        grid-template-columns: 1fr;
      }
    }

    .option {
      position: relative;
      display: grid;
      align-content: start;
      gap: ${token('space-xs')};
      min-inline-size: 0;
      padding: ${token('space-m')};
      background: ${token('color-surface-raised')};
      border: 1px solid ${token('color-border')};
      border-radius: ${token('radius-l')};
      cursor: pointer;
      transition:
        border-color ${token('duration-fast')} ${token('easing-standard')},
        background-color ${token('duration-fast')} ${token('easing-standard')},
        box-shadow ${token('duration-fast')} ${token('easing-standard')};
    }
    /* Hover only where a pointer hovers: a touch screen leaves :hover on what was tapped. */
    @media (hover: hover) {
      .option:hover {
        border-color: ${token('color-border-strong')};
      }
    }
    .option[data-checked] {
      background: var(--_selected-bg);
      border-color: var(--_selected);
      box-shadow: inset 0 0 0 1px var(--_selected);
    }
    .option:has(input:focus-visible) {
      ${focusRing}
    }
    .option-head {
      display: grid;
      grid-template-columns: auto 1fr;
      column-gap: ${token('space-s')};
      align-items: center;
    }
    input[type='radio'] {
      grid-row: span 2;
      align-self: start;
      margin: 0.125rem 0 0;
      inline-size: 1rem;
      block-size: 1rem;
      accent-color: var(--_selected);
      cursor: pointer;
    }
    input[type='radio']:focus-visible {
      outline: none;
    }
    .option-title {
      font-weight: ${token('font-weight-semibold')};
      line-height: ${token('font-line-height-tight')};
    }
    .option-hint {
      font-size: ${token('font-size-xs')};
      color: ${token('color-text-muted')};
      line-height: ${token('font-line-height-tight')};
    }
    .option .value {
      display: block;
      padding-inline-start: calc(1rem + ${token('space-s')});
    }

    /* ---- values ---------------------------------------------------------------------------- */

    .value {
      overflow-wrap: anywhere;
    }
    .text.multiline {
      white-space: pre-wrap;
    }
    .scalar,
    .date {
      font-variant-numeric: tabular-nums;
    }
    .change {
      color: inherit;
      background: var(--_change-bg);
      border-radius: ${token('radius-s')};
      padding-inline: 0.125rem;
      margin-inline: -0.125rem;
      box-decoration-break: clone;
      -webkit-box-decoration-break: clone;
      text-decoration: underline;
      text-decoration-color: ${token('color-warning')};
      text-decoration-thickness: 1px;
      text-underline-offset: 0.2em;
    }
    .empty {
      color: ${token('color-text-muted')};
      font-style: italic;
    }
    .list {
      margin: 0;
      padding-inline-start: 1.1rem;
    }
    .list li + li {
      margin-block-start: ${token('space-3xs')};
    }
    .record {
      margin: 0;
      display: grid;
      grid-template-columns: auto 1fr;
      column-gap: ${token('space-s')};
      row-gap: ${token('space-3xs')};
    }
    .entry {
      display: contents;
    }
    .record dt {
      color: ${token('color-text-muted')};
    }
    .record dd {
      margin: 0;
      min-inline-size: 0;
    }
    .json {
      margin: 0;
      font-family: ${token('font-family-mono')};
      font-size: ${token('font-size-xs')};
      white-space: pre-wrap;
      overflow-wrap: anywhere;
    }

    /* ---- actions --------------------------------------------------------------------------- */

    .actions {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      justify-content: space-between;
      gap: ${token('space-s')} ${token('space-m')};
      padding: ${token('space-l')} var(--_pad);
      border-block-start: 1px solid ${token('color-border')};
    }
    .bulk,
    .main {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: ${token('space-s')};
    }
    .main {
      margin-inline-start: auto;
    }
    .summary {
      font-size: ${token('font-size-s')};
      color: ${token('color-text-muted')};
      margin-inline-end: ${token('space-2xs')};
    }
    .button {
      display: inline-flex;
      align-items: center;
      justify-content: center;
      min-block-size: 2.25rem;
      padding: 0 ${token('space-l')};
      /* Invisible here; in forced colours the system draws it, so a filled button, whose fill is
         dropped there, still has an edge and does not read as plain text. */
      border: 1px solid transparent;
      border-radius: ${token('radius-m')};
      font-weight: ${token('font-weight-medium')};
      white-space: nowrap;
      transition:
        background-color ${token('duration-fast')} ${token('easing-standard')},
        border-color ${token('duration-fast')} ${token('easing-standard')};
    }
    .button:focus-visible {
      ${focusRing}
    }
    .primary {
      color: ${token('color-accent-contrast')};
      background: ${token('color-accent')};
    }
    .secondary {
      border-color: ${token('color-border')};
      background: ${token('color-surface-raised')};
    }
    .quiet {
      padding: 0 ${token('space-m')};
      color: ${token('color-accent')};
    }
    @media (hover: hover) {
      .primary:hover {
        background: ${token('color-accent-hover')};
      }
      .secondary:hover,
      .quiet:hover {
        background: ${token('color-surface-hover')};
      }
    }

    /* ---- forced colours: the chosen card keeps a visible frame ---------------------------- */

    /* Paper: a choice to make on screen; open, the modal would print over the page. */
    @media print {
      :host {
        display: none !important;
      }
    }
    @media (forced-colors: active) {
      .option[data-checked] {
        outline: 2px solid Highlight;
        outline-offset: -2px;
      }
      .change {
        text-decoration-color: currentColor;
      }
    }

    /* ---- narrow screens -------------------------------------------------------------------- */

    @media (max-width: 32rem) {
      :host {
        --_pad: ${token('space-l')};
      }
      dialog {
        inline-size: calc(100vw - 1rem);
        max-block-size: calc(100dvh - 1rem);
      }
    }
    @container (max-width: 30rem) {
      .icon {
        display: none;
      }
      .title {
        padding-block-start: 0;
      }
      .actions {
        flex-direction: column;
        align-items: stretch;
        padding-block: ${token('space-m')};
      }
      /* Buttons share a row where their labels fit; longer ones (a translation) take a row
         each and wrap their words, instead of running past the dialog's edge. */
      .main {
        margin-inline-start: 0;
      }
      .button {
        white-space: normal;
        text-align: center;
      }
      .bulk .button,
      .main .primary {
        flex: 1;
      }
      .bulk {
        justify-content: space-between;
      }
      .summary {
        position: absolute;
        inline-size: 1px;
        block-size: 1px;
        overflow: hidden;
        clip-path: inset(50%);
        white-space: nowrap;
      }
    }
  `,
];
