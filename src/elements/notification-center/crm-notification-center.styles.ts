import { css } from 'lit';
import { buttonReset, focusRing, hostBase, token, visuallyHidden } from '../../styles/index.js';
import { itemStyles } from './item.styles.js';
import { panelStyles } from './panel.styles.js';
import { toastStyles } from './toast.styles.js';

/**
 * Three layers, as everywhere in the kit: global tokens (`--crm-color-*`), the public
 * `--crm-notification-center-*` properties, and private `--_*` variables used below. The panel and
 * the toasts live in the top layer but inherit from the host, so both theme with it.
 */
const hostStyles = css`
  :host {
    display: inline-block;
    vertical-align: middle;
    --_bell-size: var(--crm-notification-center-bell-size, 2.25rem);
    --_bell-color: var(--crm-notification-center-bell-color, ${token('color-text-muted')});
    --_badge: var(--crm-notification-center-badge-background, ${token('color-danger')});
    --_badge-text: var(--crm-notification-center-badge-color, ${token('color-accent-contrast')});
    --_surface: var(--crm-notification-center-surface, ${token('color-surface-raised')});
    --_panel-width: var(--crm-notification-center-panel-width, 24rem);
    --_panel-height: var(--crm-notification-center-panel-max-height, 34rem);
    --_radius: var(--crm-notification-center-radius, ${token('radius-xl')});
    --_unread: var(--crm-notification-center-unread-color, ${token('color-accent')});
    --_unread-background: var(
      --crm-notification-center-unread-background,
      color-mix(in srgb, ${token('color-accent-subtle')} 55%, transparent)
    );
    --_info: var(--crm-notification-center-info-color, ${token('color-info')});
    --_success: var(--crm-notification-center-success-color, ${token('color-success')});
    --_warning: var(--crm-notification-center-warning-color, ${token('color-warning')});
    --_error: var(--crm-notification-center-error-color, ${token('color-danger')});
    --_urgent: var(--crm-notification-center-urgent-color, ${token('color-danger')});
    --_urgent-text: ${token('color-accent-contrast')};
    --_duration: var(--crm-notification-center-duration, ${token('duration-medium')});
    --_easing: ${token('easing-standard')};
  }

  /* ---- bell and badge ---------------------------------------------------------------------- */

  .bell {
    position: relative;
    display: inline-grid;
    place-items: center;
    inline-size: var(--_bell-size);
    block-size: var(--_bell-size);
    border-radius: 50%;
    color: var(--_bell-color);
    transition:
      background-color ${token('duration-fast')} var(--_easing),
      color ${token('duration-fast')} var(--_easing);
  }
  .bell svg {
    inline-size: calc(var(--_bell-size) * 0.58);
    block-size: calc(var(--_bell-size) * 0.58);
  }
  .bell[aria-expanded='true'] {
    color: ${token('color-text')};
    background: ${token('color-surface-hover')};
  }
  /* Hover only where a pointer hovers: a touch screen leaves :hover on what was tapped. */
  @media (hover: hover) {
    .bell:hover {
      color: ${token('color-text')};
      background: ${token('color-surface-hover')};
    }
  }
  .bell:focus-visible {
    ${focusRing}
  }
  .bell.ringing svg {
    animation: ring 0.9s var(--_easing);
    transform-origin: 50% 12%;
  }
  @keyframes ring {
    0%,
    100% {
      transform: rotate(0);
    }
    15% {
      transform: rotate(14deg);
    }
    30% {
      transform: rotate(-12deg);
    }
    45% {
      transform: rotate(8deg);
    }
    60% {
      transform: rotate(-5deg);
    }
    75% {
      transform: rotate(2deg);
    }
  }

  .badge {
    position: absolute;
    inset-block-start: 0;
    inset-inline-end: -0.125rem;
    display: inline-grid;
    place-items: center;
    min-inline-size: 1.125rem;
    block-size: 1.125rem;
    padding-inline: 0.3125rem;
    border-radius: ${token('radius-pill')};
    font-size: ${token('font-size-2xs')};
    font-weight: ${token('font-weight-semibold')};
    line-height: 1;
    font-variant-numeric: tabular-nums;
    color: var(--_badge-text);
    background: var(--_badge);
    /* A ring in the colour behind the bell keeps the badge apart from the bell's outline. */
    box-shadow: 0 0 0 2px var(--crm-notification-center-ring-color, ${token('color-surface')});
    pointer-events: none;
  }
  .badge[hidden] {
    display: none;
  }
  .off {
    position: absolute;
    inset-block-end: 0.25rem;
    inset-inline-end: 0.25rem;
    inline-size: 0.75rem;
    block-size: 0.75rem;
    border-radius: 50%;
    color: ${token('color-neutral')};
    background: var(--crm-notification-center-ring-color, ${token('color-surface')});
  }
  .off svg {
    inline-size: 100%;
    block-size: 100%;
  }

  /* Paper: the bell, the panel and the toasts (they would print over the page) are for the
     screen. */
  @media print {
    :host {
      display: none !important;
    }
  }
  @media (forced-colors: active) {
    .badge {
      border: 1px solid CanvasText;
    }
  }
`;

export const styles = [
  hostBase,
  buttonReset,
  visuallyHidden,
  hostStyles,
  panelStyles,
  itemStyles,
  toastStyles,
];
