import { css } from 'lit';
import { focusRing, token } from '../../styles/index.js';

/**
 * The dropdown panel: a raised card under the bell with a header, day groups whose headings stick
 * while their items scroll, unread items tinted and dotted, and the empty, loading, failed and
 * not-connected states.
 */
export const panelStyles = css`
  /* ---- panel ------------------------------------------------------------------------------- */

  .panel {
    position: fixed;
    inset: auto;
    margin: 0;
    padding: 0;
    display: none;
    flex-direction: column;
    inline-size: min(var(--_panel-width), calc(100vw - 1rem));
    max-block-size: min(var(--_panel-height), var(--_room, calc(100dvh - 4rem)));
    overflow: hidden;
    color: ${token('color-text')};
    background: var(--_surface);
    border: 1px solid ${token('color-border')};
    border-radius: var(--_radius);
    box-shadow: ${token('shadow-l')};
    font: inherit;
  }
  .panel:popover-open {
    display: flex;
    animation: panel-in var(--_duration) var(--_easing);
  }
  .panel[data-side='above']:popover-open {
    animation-name: panel-in-above;
  }
  /* The panel takes the focus only when it has no item to give it to: no ring on the frame. */
  .panel:focus {
    outline: none;
  }
  @keyframes panel-in {
    from {
      opacity: 0;
      transform: translateY(-0.375rem) scale(0.98);
    }
  }
  @keyframes panel-in-above {
    from {
      opacity: 0;
      transform: translateY(0.375rem) scale(0.98);
    }
  }

  .header {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: space-between;
    gap: ${token('space-s')};
    padding-block: ${token('space-m')};
    padding-inline: ${token('space-l')} ${token('space-s')};
    border-block-end: 1px solid ${token('color-border')};
  }
  .panel-title {
    font-size: ${token('font-size-l')};
    font-weight: ${token('font-weight-semibold')};
    line-height: ${token('font-line-height-tight')};
  }
  .text-button {
    display: inline-flex;
    align-items: center;
    gap: ${token('space-2xs')};
    min-block-size: 1.75rem;
    padding-inline: ${token('space-s')};
    border-radius: ${token('radius-m')};
    font-size: ${token('font-size-s')};
    font-weight: ${token('font-weight-medium')};
    color: ${token('color-accent-hover')};
    white-space: nowrap;
  }
  .mark-all {
    margin-inline-start: auto;
  }
  .text-button svg {
    inline-size: 1rem;
    block-size: 1rem;
  }
  /* Hover only where a pointer hovers: a touch screen leaves :hover on what was tapped. */
  @media (hover: hover) {
    .text-button:hover:not(:disabled) {
      background: ${token('color-accent-subtle')};
    }
  }
  .text-button:disabled {
    cursor: default;
    color: ${token('color-text-muted')};
  }
  .text-button:focus-visible {
    ${focusRing}
    outline-offset: -2px;
  }

  .notice {
    display: flex;
    align-items: center;
    gap: ${token('space-xs')};
    padding-block: ${token('space-xs')};
    padding-inline: ${token('space-l')};
    font-size: ${token('font-size-xs')};
    color: ${token('color-warning-text')};
    background: ${token('color-warning-subtle')};
    border-block-end: 1px solid ${token('color-border')};
  }

  .list {
    flex: 1;
    min-block-size: 0;
    overflow-y: auto;
    overscroll-behavior: contain;
    scrollbar-width: thin;
  }
  .day {
    position: sticky;
    inset-block-start: 0;
    z-index: 1;
    padding-block: ${token('space-xs')};
    padding-inline: ${token('space-l')};
    font-size: ${token('font-size-xs')};
    font-weight: ${token('font-weight-semibold')};
    letter-spacing: 0.02em;
    color: ${token('color-text-muted')};
    background: color-mix(in srgb, ${token('color-surface-sunken')} 70%, var(--_surface));
    border-block-end: 1px solid color-mix(in srgb, ${token('color-border')} 60%, transparent);
  }
  .group + .group .day {
    border-block-start: 1px solid color-mix(in srgb, ${token('color-border')} 60%, transparent);
  }
  .items {
    margin: 0;
    padding: 0;
    list-style: none;
  }

  .item {
    position: relative;
    display: flex;
    align-items: flex-start;
    gap: ${token('space-m')};
    padding-block: ${token('space-m')};
    padding-inline: ${token('space-l')} ${token('space-2xl')};
    cursor: pointer;
    transition: background-color ${token('duration-fast')} var(--_easing);
  }
  .item + .item {
    box-shadow: inset 0 1px 0 color-mix(in srgb, ${token('color-border')} 60%, transparent);
  }
  .item[data-unread] + .item[data-unread] {
    box-shadow: inset 0 1px 0 color-mix(in srgb, ${token('color-accent')} 12%, transparent);
  }
  .item[data-unread] {
    background: var(--_unread-background);
  }
  @media (hover: hover) {
    .item:hover {
      background: ${token('color-surface-hover')};
    }
  }
  .item:focus-visible {
    ${focusRing}
    outline-offset: -2px;
    border-radius: ${token('radius-m')};
  }
  .item[data-priority='urgent']::before {
    content: '';
    position: absolute;
    inset-block: ${token('space-s')};
    inset-inline-start: 0;
    inline-size: 3px;
    border-start-end-radius: 3px;
    border-end-end-radius: 3px;
    background: var(--_urgent);
  }
  .unread-dot {
    position: absolute;
    inset-block-start: calc(${token('space-m')} + 0.3rem);
    inset-inline-end: ${token('space-m')};
    inline-size: 0.5rem;
    block-size: 0.5rem;
    border-radius: 50%;
    background: var(--_unread);
  }
  .mark-read {
    position: absolute;
    inset-block-start: calc(${token('space-m')} - 0.25rem);
    inset-inline-end: calc(${token('space-m')} - 0.5rem);
    display: inline-grid;
    place-items: center;
    inline-size: 1.5rem;
    block-size: 1.5rem;
    border-radius: 50%;
    color: var(--_unread);
  }
  .mark-read .unread-dot {
    position: static;
  }
  /* A touch screen shows no tooltip: there the dot is followed by words, in the row. */
  .mark-text {
    display: none;
  }
  @media (pointer: coarse) {
    .item:has(.mark-read) {
      padding-inline-end: ${token('space-s')};
    }
    .mark-read {
      position: static;
      flex: none;
      display: inline-flex;
      gap: ${token('space-xs')};
      inline-size: auto;
      margin-block: -0.25rem;
      padding-inline: ${token('space-xs')};
      border-radius: ${token('radius-pill')};
      color: ${token('color-accent-hover')};
      font-size: ${token('font-size-xs')};
      font-weight: ${token('font-weight-medium')};
    }
    .mark-text {
      display: inline;
    }
  }
  @media (hover: hover) {
    .mark-read:hover {
      background: ${token('color-accent-subtle')};
    }
  }
  .mark-read:focus-visible {
    ${focusRing}
  }

  /* ---- states ------------------------------------------------------------------------------ */

  .state {
    display: flex;
    flex-direction: column;
    align-items: center;
    gap: ${token('space-2xs')};
    padding-block: ${token('space-2xl')};
    padding-inline: ${token('space-xl')};
    text-align: center;
  }
  .state-icon {
    display: inline-grid;
    place-items: center;
    inline-size: 2.75rem;
    block-size: 2.75rem;
    margin-block-end: ${token('space-xs')};
    border-radius: 50%;
    color: ${token('color-text-muted')};
    background: ${token('color-surface-sunken')};
  }
  .state-icon svg {
    inline-size: 1.375rem;
    block-size: 1.375rem;
  }
  .state-title {
    font-weight: ${token('font-weight-semibold')};
  }
  .state-detail {
    max-inline-size: 17rem;
    font-size: ${token('font-size-s')};
    color: ${token('color-text-muted')};
  }
  .state .text-button {
    margin-block-start: ${token('space-s')};
  }

  .skeleton {
    display: flex;
    gap: ${token('space-m')};
    padding-block: ${token('space-m')};
    padding-inline: ${token('space-l')};
  }
  .skeleton span {
    display: block;
    border-radius: ${token('radius-s')};
    background: ${token('color-surface-sunken')};
    animation: pulse 1.4s ease-in-out infinite;
  }
  .skeleton .disc {
    flex: none;
    inline-size: 2rem;
    block-size: 2rem;
    border-radius: 50%;
  }
  .skeleton .lines {
    display: flex;
    flex: 1;
    flex-direction: column;
    gap: ${token('space-xs')};
    background: none;
    animation: none;
  }
  .skeleton .line {
    block-size: 0.75rem;
  }
  .skeleton .line.short {
    inline-size: 55%;
  }
  @keyframes pulse {
    50% {
      opacity: 0.5;
    }
  }

  .more {
    display: flex;
    justify-content: center;
    align-items: center;
    gap: ${token('space-xs')};
    padding: ${token('space-m')};
    font-size: ${token('font-size-xs')};
    color: ${token('color-text-muted')};
  }
  .spinner {
    inline-size: 0.875rem;
    block-size: 0.875rem;
    border: 2px solid color-mix(in srgb, currentColor 25%, transparent);
    border-block-start-color: currentColor;
    border-radius: 50%;
    animation: spin 0.8s linear infinite;
  }
  @keyframes spin {
    to {
      transform: rotate(360deg);
    }
  }

  @media (forced-colors: active) {
    .item[data-unread] .title {
      text-decoration: underline;
    }
    .unread-dot {
      background: Highlight;
    }
  }
`;
