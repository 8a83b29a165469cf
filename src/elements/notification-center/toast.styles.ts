import { css } from 'lit';
import { focusRing, token } from '../../styles/index.js';

/**
 * The toast stack: a click-through column in a corner of the viewport (the top layer), the newest
 * toast nearest the corner; urgent ones above the others, outlined and without a countdown.
 * `data-edge` is the block edge it stands on: `toast-position`'s, or the other one while the
 * focused element would be under it; `data-aside` hides it (see `toast-clearance.ts`).
 */
export const toastStyles = css`
  .toasts {
    --_inset: var(--crm-notification-center-toast-inset, ${token('space-l')});
    --_toast-width: var(--crm-notification-center-toast-width, 22rem);
    position: fixed;
    inset: auto;
    /* Out of sight: the layout viewport's part an on-screen keyboard covers (toast-clearance.ts). */
    inset-block-end: calc(var(--_inset) + var(--_view-end, 0px));
    inset-inline-end: var(--_inset);
    margin: 0;
    padding: 0;
    display: flex;
    flex-direction: column;
    gap: ${token('space-s')};
    inline-size: min(var(--_toast-width), calc(100vw - 2 * var(--_inset)));
    max-block-size: calc(
      100dvh - 2 * var(--_inset) - var(--_view-start, 0px) - var(--_view-end, 0px)
    );
    overflow: visible;
    color: ${token('color-text')};
    background: none;
    border: 0;
    font: inherit;
    pointer-events: none;
  }
  .toasts[data-empty] {
    /* Nothing to show, still open: opening a popover lays the page out (see ToastStack.show). */
    block-size: 0;
  }
  .toasts[data-aside] {
    visibility: hidden;
  }
  .toasts[data-edge='top'] {
    inset-block: calc(var(--_inset) + var(--_view-start, 0px)) auto;
    flex-direction: column-reverse;
  }
  :host([toast-position$='start']) .toasts {
    inset-inline: var(--_inset) auto;
  }
  :host([toast-position$='center']) .toasts {
    inset-inline: 0;
    margin-inline: auto;
  }

  .stack {
    display: flex;
    flex-direction: column;
    gap: ${token('space-s')};
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .toasts[data-edge='top'] .stack {
    flex-direction: column-reverse;
  }
  .stack:empty {
    display: none;
  }

  .toast {
    position: relative;
    display: flex;
    align-items: flex-start;
    gap: ${token('space-m')};
    padding-block: ${token('space-m')};
    padding-inline: ${token('space-m')} ${token('space-2xl')};
    overflow: hidden;
    border-radius: var(--_radius);
    color: ${token('color-text')};
    background: var(--_surface);
    border: 1px solid ${token('color-border')};
    box-shadow: ${token('shadow-l')};
    cursor: pointer;
    pointer-events: auto;
    animation: toast-in var(--_duration) var(--_easing);
  }
  .toast[data-priority='urgent'] {
    border-color: var(--_urgent);
    box-shadow:
      0 0 0 1px var(--_urgent),
      ${token('shadow-l')};
  }
  .toast .title {
    font-weight: ${token('font-weight-semibold')};
  }
  /* Hover only where a pointer hovers: a touch screen leaves :hover on what was tapped. */
  @media (hover: hover) {
    .toast:hover {
      border-color: ${token('color-border-strong')};
    }
    .toast[data-priority='urgent']:hover {
      border-color: var(--_urgent);
    }
  }
  .toast:focus-visible {
    ${focusRing}
  }
  .toast.leaving {
    pointer-events: none;
    animation: toast-out ${token('duration-medium')} var(--_easing) forwards;
  }
  @keyframes toast-in {
    from {
      opacity: 0;
      transform: translateY(0.75rem) scale(0.97);
    }
  }
  .toasts[data-edge='top'] .toast {
    animation-name: toast-in-top;
  }
  @keyframes toast-in-top {
    from {
      opacity: 0;
      transform: translateY(-0.75rem) scale(0.97);
    }
  }
  .toasts[data-edge='top'] .toast.leaving,
  .toast.leaving {
    animation-name: toast-out;
  }
  @keyframes toast-out {
    to {
      opacity: 0;
      transform: scale(0.96);
    }
  }

  .dismiss {
    position: absolute;
    inset-block-start: ${token('space-xs')};
    inset-inline-end: ${token('space-xs')};
    display: inline-grid;
    place-items: center;
    inline-size: 1.75rem;
    block-size: 1.75rem;
    border-radius: 50%;
    color: ${token('color-text-muted')};
  }
  .dismiss svg {
    inline-size: 1rem;
    block-size: 1rem;
  }
  @media (hover: hover) {
    .dismiss:hover {
      color: ${token('color-text')};
      background: ${token('color-surface-hover')};
    }
  }
  .dismiss:focus-visible {
    ${focusRing}
  }

  /* How long is left: a hairline that runs down, and stops while the toasts are paused. */
  .countdown {
    position: absolute;
    inset-inline: 0;
    inset-block-end: 0;
    block-size: 2px;
    background: var(--_type);
    opacity: 0.7;
    transform-origin: left;
    animation: countdown var(--_toast-duration, 5000ms) linear forwards;
  }
  :host(:dir(rtl)) .countdown {
    transform-origin: right;
  }
  .toasts[data-paused] .countdown {
    animation-play-state: paused;
  }
  @keyframes countdown {
    to {
      transform: scaleX(0);
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .countdown {
      display: none;
    }
  }
  @media (forced-colors: active) {
    .toast {
      border: 1px solid CanvasText;
    }
    .toast[data-priority='urgent'] {
      border-width: 3px;
    }
  }
`;
