import { css } from 'lit';
import { buttonReset, focusRing, hostBase, token, visuallyHidden } from '../../styles/index.js';

/**
 * Three layers, as everywhere in the kit: global tokens (`--crm-color-*`), the public
 * `--crm-presence-*` properties, and private `--_*` variables used below.
 */
export const styles = [
  hostBase,
  visuallyHidden,
  buttonReset,
  css`
    :host {
      display: inline-block;
      vertical-align: middle;
      --_size: var(--crm-presence-size, 2rem);
      --_gap: var(--crm-presence-gap, calc(var(--_size) * 0.16));
      --_ring: var(--crm-presence-ring-color, ${token('color-surface')});
      --_ring-width: var(--crm-presence-ring-width, 2px);
      --_font-size: calc(var(--_size) * 0.4);
      --_dot: max(0.5rem, calc(var(--_size) * 0.3));
      --_online: var(--crm-presence-online-color, ${token('color-success')});
      --_away: var(--crm-presence-away-color, ${token('color-warning')});
      --_offline: var(--crm-presence-offline-color, ${token('color-neutral')});
      --_editing: var(--crm-presence-editing-color, ${token('color-accent')});
      --_surface: var(--crm-presence-surface, ${token('color-surface-raised')});
      --_duration: var(--crm-presence-duration, ${token('duration-slow')});
      --_easing: ${token('easing-standard')};
    }
  `,
  // Fixed positions: the group floats over the page on a small raised surface.
  css`
    :host([position='top-right']),
    :host([position='bottom-left']),
    :host([position='floating']) {
      position: fixed;
      z-index: var(--crm-presence-z-index, ${token('z-dropdown')});
    }
    :host([position='top-right']) {
      inset-block-start: var(--crm-presence-inset, ${token('space-l')});
      inset-inline-end: var(--crm-presence-inset, ${token('space-l')});
    }
    :host([position='bottom-left']) {
      inset-block-end: var(--crm-presence-inset, ${token('space-l')});
      inset-inline-start: var(--crm-presence-inset, ${token('space-l')});
    }
    :host([position='floating']) {
      inset-block-end: var(--crm-presence-inset, ${token('space-xl')});
      inset-inline-end: var(--crm-presence-inset, ${token('space-xl')});
    }
    :host([position='top-right']) .base,
    :host([position='bottom-left']) .base,
    :host([position='floating']) .base {
      --_ring: var(--crm-presence-ring-color, var(--_surface));
      padding: ${token('space-xs')};
      background: var(--_surface);
      border: 1px solid ${token('color-border')};
      border-radius: ${token('radius-pill')};
      box-shadow: ${token('shadow-m')};
    }
    :host([position='floating']) .base {
      box-shadow: ${token('shadow-l')};
    }

    /* Never wider than the container (the call button gives way first, see below). */
    :host {
      max-inline-size: 100%;
    }
    .base {
      display: inline-flex;
      max-inline-size: 100%;
      /* Not on the host's text baseline: a row of avatars and a button would sit on it and make the
         host taller than the row, by the font's descent. */
      vertical-align: top;
      align-items: center;
      gap: ${token('space-s')};
      min-block-size: var(--_size);
    }
    /* Block-level and empty: no line box, so the host is no taller than nothing. */
    .quiet {
      display: flex;
      min-block-size: 0;
    }

    .list {
      display: flex;
      align-items: center;
      margin: 0;
      padding: 0;
      list-style: none;
      transition: opacity var(--_duration) var(--_easing);
    }
  `,
  // Stale while reconnecting: colour drained, contrast kept (no opacity on text).
  css`
    .reconnecting .list {
      filter: saturate(0.25);
    }

    .item {
      position: relative;
      display: flex;
    }
  `,
  // A margin, not a flex gap, so a negative --crm-presence-gap stacks the avatars.
  css`
    .item + .item {
      margin-inline-start: var(--_gap);
    }
    .item:focus-within {
      z-index: 2;
    }
    /* Hover only where a pointer hovers: a touch screen leaves :hover on what was tapped. */
    @media (hover: hover) {
      .item:hover {
        z-index: 2;
      }
    }
  `,
  // avatar
  css`
    .avatar {
      position: relative;
      display: grid;
      place-items: center;
      inline-size: var(--_size);
      block-size: var(--_size);
      border-radius: 50%;
      color: #fff;
      box-shadow: 0 0 0 var(--_ring-width) var(--_ring);
      font-size: var(--_font-size);
      font-weight: ${token('font-weight-semibold')};
      letter-spacing: 0.02em;
      line-height: 1;
      user-select: none;
      cursor: default;
      outline: none;
      transition:
        transform ${token('duration-fast')} var(--_easing),
        box-shadow ${token('duration-fast')} var(--_easing);
    }
    @media (hover: hover) {
      .avatar:hover {
        transform: translateY(-2px);
      }
    }
    .avatar:focus-visible {
      transform: translateY(-2px);
      ${focusRing}
    }
  `,
  // Editing: the ring turns accent, with a hairline of the background inside it, so the avatar
  // takes no more room than its neighbours.
  css`
    .avatar.editing {
      box-shadow: 0 0 0 var(--_ring-width) var(--_editing);
    }
    .avatar.editing .face {
      outline: 1.5px solid var(--_ring);
      outline-offset: -1.5px;
    }
    .face {
      display: grid;
      place-items: center;
      inline-size: 100%;
      block-size: 100%;
      border-radius: 50%;
      background: var(--_avatar-bg);
      overflow: hidden;
      transition:
        filter var(--_duration) var(--_easing),
        opacity var(--_duration) var(--_easing);
    }
  `,
  // Desaturating keeps white initials at 4.5:1 or better on every palette colour; opacity
  // would not.
  css`
    .avatar[data-status='away'] .face {
      filter: saturate(0.35);
    }
    .avatar[data-status='offline'] .face {
      filter: grayscale(1);
    }
  `,
  // Centre the capitals optically, not the line box (where supported).
  css`
    [part~='initials'] {
      text-box: trim-both cap alphabetic;
    }
    .image {
      inline-size: 100%;
      block-size: 100%;
      object-fit: cover;
    }
  `,
  // Status dot. The shape differs too, not only the colour: a full disc when online, a
  // crescent when away, a hollow ring when offline.
  css`
    .status {
      position: absolute;
      inset-block-end: -1px;
      inset-inline-end: -1px;
      inline-size: var(--_dot);
      block-size: var(--_dot);
      border-radius: 50%;
      background: var(--_online);
      box-shadow: 0 0 0 var(--_ring-width) var(--_ring);
    }
    .status[data-status='away'] {
      background:
        radial-gradient(circle at 22% 22%, var(--_ring) 0 38%, transparent 40%), var(--_away);
    }
    .status[data-status='offline'] {
      background: var(--_ring);
      box-shadow:
        inset 0 0 0 2px var(--_offline),
        0 0 0 var(--_ring-width) var(--_ring);
    }
  `,
  // The pencil badge of someone editing.
  css`
    .badge {
      position: absolute;
      inset-block-start: -3px;
      inset-inline-end: -4px;
      display: grid;
      place-items: center;
      inline-size: max(0.875rem, calc(var(--_size) * 0.42));
      block-size: max(0.875rem, calc(var(--_size) * 0.42));
      border-radius: 50%;
      background: var(--_editing);
      color: ${token('color-accent-contrast')};
      box-shadow: 0 0 0 var(--_ring-width) var(--_ring);
    }
    .badge svg {
      inline-size: 62%;
      block-size: 62%;
    }
  `,
  // "+N" (plaintext bidi: "+5" stays "+5" in a right-to-left page)
  css`
    .overflow {
      display: grid;
      place-items: center;
      min-inline-size: var(--_size);
      block-size: var(--_size);
      padding-inline: ${token('space-2xs')};
      border-radius: ${token('radius-pill')};
      background: ${token('color-surface-hover')};
      color: ${token('color-text')};
      box-shadow:
        0 0 0 var(--_ring-width) var(--_ring),
        inset 0 0 0 1px ${token('color-border')};
      font-size: var(--_font-size);
      font-weight: ${token('font-weight-semibold')};
      font-variant-numeric: tabular-nums;
      unicode-bidi: plaintext;
      transition:
        background ${token('duration-fast')} var(--_easing),
        transform ${token('duration-fast')} var(--_easing);
    }
    @media (hover: hover) {
      .overflow:hover {
        background: ${token('color-border')};
        transform: translateY(-2px);
      }
    }
    .overflow[aria-expanded='true'] {
      background: ${token('color-accent-subtle')};
      box-shadow:
        0 0 0 var(--_ring-width) var(--_ring),
        inset 0 0 0 1px ${token('color-accent')};
    }
    .overflow:focus-visible {
      ${focusRing}
    }
  `,
  // quiet texts: alone, loading, reconnecting, not connected
  css`
    .note {
      display: inline-flex;
      align-items: center;
      gap: ${token('space-xs')};
      color: ${token('color-text-muted')};
      font-size: ${token('font-size-s')};
      white-space: nowrap;
    }
    .note svg {
      inline-size: 1rem;
      block-size: 1rem;
      flex: none;
    }
    :host([position='top-right']) .base > .note:only-child,
    :host([position='bottom-left']) .base > .note:only-child,
    :host([position='floating']) .base > .note:only-child {
      padding-inline: ${token('space-s')};
    }
    .spinner {
      inline-size: 0.75rem;
      block-size: 0.75rem;
      border-radius: 50%;
      border: 2px solid currentColor;
      border-inline-end-color: transparent;
      animation: crm-presence-spin 0.9s linear infinite;
    }
    .skeleton {
      inline-size: var(--_size);
      block-size: var(--_size);
      border-radius: 50%;
      background: ${token('color-surface-hover')};
      box-shadow: 0 0 0 var(--_ring-width) var(--_ring);
      animation: crm-presence-pulse 1.4s ease-in-out infinite;
    }
    .skeleton + .skeleton {
      margin-inline-start: var(--_gap);
    }
    .skeleton:nth-child(2) {
      animation-delay: 0.15s;
    }
    .skeleton:nth-child(3) {
      animation-delay: 0.3s;
    }
  `,
  // motion
  css`
    .item.entering {
      animation: crm-presence-in var(--_duration) var(--_easing) both;
    }
    .item.leaving {
      pointer-events: none;
      animation: crm-presence-out var(--_duration) var(--_easing) both;
    }

    @keyframes crm-presence-in {
      from {
        opacity: 0;
        transform: scale(0.4);
        margin-inline-end: calc((var(--_size) + var(--_gap)) * -1);
      }
    }
    @keyframes crm-presence-out {
      to {
        opacity: 0;
        transform: scale(0.4);
        margin-inline-end: calc((var(--_size) + var(--_gap)) * -1);
      }
    }
    @keyframes crm-presence-spin {
      to {
        transform: rotate(1turn);
      }
    }
    @keyframes crm-presence-pulse {
      50% {
        opacity: 0.5;
      }
    }

    @media (prefers-reduced-motion: reduce) {
      .item.entering,
      .item.leaving,
      .skeleton,
      .spinner {
        animation: none;
      }
      .avatar:hover,
      .avatar:focus-visible,
      .overflow:hover {
        transform: none;
      }
    }

    /* Forced colours drop fills, so the dots keep their shapes in system colours: a full disc
       (online), a half disc (away), a hollow ring (offline). */
    @media (forced-colors: active) {
      .avatar,
      .overflow,
      .status,
      .badge {
        border: 1px solid CanvasText;
      }
      .status[data-status] {
        forced-color-adjust: none;
        background: CanvasText;
        box-shadow: 0 0 0 1px Canvas;
      }
      .status[data-status='away'] {
        background: linear-gradient(90deg, CanvasText 50%, Canvas 0);
      }
      .status[data-status='offline'] {
        background: Canvas;
      }
    }
  `,
  // "Start a call with the people here" (the `callable` attribute).
  css`
    /* As tall as the avatars, not taller: the row keeps its height when the button appears (someone
       joins), so nothing under it moves. Where the text does not fit (a narrow row, a phone), the
       button shrinks to a round handset button instead of wrapping the text out of the pill or
       pushing the page wider than the screen: its one grid track may shrink to the icon, so the
       element's smallest width is the avatars and that button; in the track the text wraps, as a
       whole (it does not break), onto a second line that the button clips. Its name stays the
       text. */
    .call {
      --_call-icon: calc(var(--_size) * 0.5);
      display: inline-grid;
      grid-template-columns: minmax(var(--_call-icon), max-content);
      box-sizing: border-box;
      block-size: var(--_size);
      min-block-size: var(--_size);
      min-inline-size: var(--_size);
      margin-inline-start: ${token('space-s')};
      padding: 0 calc((var(--_size) - var(--_call-icon)) / 2 - 1px);
      border: 1px solid ${token('color-border-strong')};
      border-radius: ${token('radius-pill')};
      overflow: hidden;
      font-size: ${token('font-size-s')};
      vertical-align: middle;
    }
    /* Where the text does not fit, round (see fitCall in crm-presence.ts): the track is the icon. */
    .call.round {
      inline-size: var(--_size);
    }
    .call-content {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      justify-content: center;
      column-gap: ${token('space-xs')};
      block-size: calc(var(--_size) - 2px);
    }
    /* The first line is as tall as the button: a second one is out of sight. */
    .call-icon {
      display: flex;
      align-items: center;
      block-size: 100%;
    }
    .call-icon svg {
      inline-size: var(--_call-icon);
      block-size: var(--_call-icon);
    }
    .call-label {
      padding-inline-end: ${token('space-xs')};
      white-space: nowrap;
    }
    @media (hover: hover) {
      .call:hover {
        background: ${token('color-surface-hover')};
      }
    }
    .call:focus-visible {
      ${focusRing}
    }
    /* A touch screen shows no tooltip, so a round handset would not say what it does: there the
       button is never round. Where its text does not fit beside the avatars it takes a line of
       its own under them, and where it does not fit there either it wraps in the button (as tall
       as the avatars at least: min-block-size above). */
    @media (pointer: coarse) {
      .base {
        flex-wrap: wrap;
      }
      .call,
      .call-content {
        block-size: auto;
      }
      .call-label {
        flex: 1;
        white-space: normal;
      }
    }
    /* Paper: who is here is for the screen (a floating group would print on every sheet, and
       open popups over the page). */
    @media print {
      :host {
        display: none !important;
      }
    }
  `,
];
