import { css } from 'lit';
import { token } from '../../styles/index.js';

/**
 * The styles of what `<crm-presence>` shows on demand (the tooltip, the list behind "+N"), added
 * to its shadow root with their code (`popups.ts`). They use the element's private variables
 * (`--_easing`, `--_size`, `--_ring`) and its avatar styles.
 */
export const popupStyles = [
  // tooltip
  css`
    .tooltip {
      position: fixed;
      inset: auto;
      margin: 0;
      max-inline-size: 16rem;
      padding: ${token('space-xs')} ${token('space-s')};
      border: 0;
      border-radius: ${token('radius-m')};
      background: var(--crm-presence-tooltip-background, ${token('color-text')});
      color: var(--crm-presence-tooltip-color, ${token('color-surface')});
      box-shadow: ${token('shadow-m')};
      font-size: ${token('font-size-xs')};
      line-height: ${token('font-line-height-tight')};
      overflow: visible;
    }
  `,
  // A bridge over the gap to the avatar, so the pointer can move onto the tooltip.
  css`
    .tooltip::before {
      content: '';
      position: absolute;
      inset-inline: 0;
      block-size: 10px;
    }
    .tooltip.below::before {
      inset-block-end: 100%;
    }
    .tooltip.above::before {
      inset-block-start: 100%;
    }
    .tooltip:popover-open {
      display: grid;
      gap: 2px;
      animation: crm-presence-fade ${token('duration-fast')} var(--_easing);
    }
    .tooltip-name {
      font-weight: ${token('font-weight-semibold')};
    }
    .tooltip-detail {
      opacity: 0.82;
    }
  `,
  // list of everyone (--_room: the space on the side it opens to, set when placed)
  css`
    .panel {
      position: fixed;
      inset: auto;
      margin: 0;
      inline-size: min(20rem, calc(100vw - 1rem));
      max-block-size: min(24rem, calc(100vh - 1rem), var(--_room, 100vh));
      padding: 0;
      border: 1px solid ${token('color-border')};
      border-radius: ${token('radius-xl')};
      background: ${token('color-surface-raised')};
      color: ${token('color-text')};
      box-shadow: ${token('shadow-l')};
      overflow: hidden;
    }
    .panel:popover-open {
      display: flex;
      flex-direction: column;
      animation: crm-presence-rise ${token('duration-medium')} var(--_easing);
    }
    .panel-heading {
      padding: ${token('space-m')} ${token('space-l')} ${token('space-s')};
      color: ${token('color-text-muted')};
      font-size: ${token('font-size-xs')};
      font-weight: ${token('font-weight-semibold')};
      letter-spacing: 0.04em;
      text-transform: uppercase;
    }
    .panel-list {
      margin: 0;
      padding: 0 ${token('space-2xs')} ${token('space-2xs')};
      list-style: none;
      overflow-y: auto;
      overscroll-behavior: contain;
    }
    .row {
      --_size: 2rem;
      --_font-size: 0.8rem;
      --_ring: ${token('color-surface-raised')};
      display: flex;
      align-items: center;
      gap: ${token('space-m')};
      padding: ${token('space-s')} ${token('space-m')};
      border-radius: ${token('radius-l')};
      outline: none;
      cursor: default;
    }
    @media (hover: hover) {
      .row:hover {
        background: ${token('color-surface-hover')};
      }
      .row:hover .avatar {
        --_ring: ${token('color-surface-hover')};
      }
    }
    .row:focus-visible {
      background: ${token('color-surface-hover')};
      outline: ${token('focus-ring-width')} solid ${token('color-focus-ring')};
      outline-offset: -2px;
    }
    .row .avatar,
    .row .avatar:hover {
      transform: none;
      flex: none;
    }
    .row .avatar {
      --_ring: ${token('color-surface-raised')};
    }
    .row:focus-visible .avatar {
      --_ring: ${token('color-surface-hover')};
    }
    .row-text {
      display: grid;
      min-inline-size: 0;
    }
    .row-name {
      display: flex;
      align-items: baseline;
      gap: ${token('space-xs')};
      font-weight: ${token('font-weight-medium')};
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .row-detail {
      color: ${token('color-text-muted')};
      font-size: ${token('font-size-s')};
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .row-detail .editing-text {
      color: ${token('color-accent')};
    }
    .you {
      padding: 0 ${token('space-xs')};
      border-radius: ${token('radius-pill')};
      background: ${token('color-neutral-subtle')};
      color: ${token('color-text-muted')};
      font-size: ${token('font-size-2xs')};
      font-weight: ${token('font-weight-semibold')};
    }
  `,
  css`
    @keyframes crm-presence-fade {
      from {
        opacity: 0;
      }
    }
    @keyframes crm-presence-rise {
      from {
        opacity: 0;
        transform: translateY(-4px);
      }
    }

    @media (prefers-reduced-motion: reduce) {
      .tooltip:popover-open,
      .panel:popover-open {
        animation: none;
      }
    }

    @media (forced-colors: active) {
      .row:focus-visible {
        outline-color: Highlight;
      }
    }
  `,
];
