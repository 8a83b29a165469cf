import { css } from 'lit';
import { buttonReset, focusRing, hostBase, token, visuallyHidden } from '../../styles/index.js';
import { itemStyles } from './item.styles.js';

// Three layers, as everywhere in the kit: global tokens (`--crm-color-*`), the public
// `--crm-activity-feed-*` properties, and private `--_*` variables. (Comments stay out of the CSS
// itself: they would be shipped in the bundle.)
// The host is an inline-size container, so its content gives it no width: where a box takes its
// content's width (an auto-width table's cell, an inline-block, a flex row) it offers 20rem, not 0.
const host = css`
  :host {
    display: flex;
    flex-direction: column;
    min-block-size: 0;
    max-block-size: var(--crm-activity-feed-max-block-size, 32rem);
    container-type: inline-size;
    contain-intrinsic-inline-size: 20rem;
    --_pad: var(--crm-activity-feed-padding, ${token('space-l')});
    --_avatar: var(--crm-activity-feed-avatar-size, 2rem);
    --_bg: var(--crm-activity-feed-background, ${token('color-surface')});
    --_border: var(--crm-activity-feed-border-color, ${token('color-border')});
    --_divider: var(--crm-activity-feed-divider-color, ${token('color-border')});
    --_radius: var(--crm-activity-feed-radius, ${token('radius-l')});
    --_accent: var(--crm-activity-feed-accent-color, ${token('color-accent')});
    --_easing: ${token('easing-standard')};
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    overflow: hidden;
  }
  .viewport {
    position: relative;
    display: flex;
    flex: 1 1 auto;
    min-block-size: 0;
  }
  .scroller {
    flex: 1 1 auto;
    min-block-size: 0;
    overflow-y: auto;
    overflow-anchor: none;
    overscroll-behavior: contain;
    scrollbar-width: thin;
    scrollbar-color: ${token('color-border-strong')} transparent;
  }
  .feed {
    position: relative;
    margin: 0;
    outline: none;
  }
`;

const filters = css`
  .filters {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: ${token('space-s')};
    padding: ${token('space-s')} var(--_pad);
    border-block-end: 1px solid var(--_divider);
    background: var(--crm-activity-feed-toolbar-background, transparent);
  }
  .kinds {
    display: flex;
    gap: ${token('space-2xs')};
    flex: 1 1 14rem;
    min-inline-size: 0;
    overflow-x: auto;
    scrollbar-width: none;
    padding-block: 2px;
    margin-block: -2px;
    padding-inline: 2px;
    margin-inline: -2px;
    --_towards-end: right;
  }
  :host(:dir(rtl)) .kinds {
    --_towards-end: left;
  }
  .kinds[data-more~='start'],
  .kinds[data-more~='end'] {
    mask-image: linear-gradient(
      to var(--_towards-end),
      transparent,
      #000 var(--_fade-start, 0px),
      #000 calc(100% - var(--_fade-end, 0px)),
      transparent
    );
  }
  .kinds[data-more~='start'] {
    --_fade-start: 1.5rem;
  }
  .kinds[data-more~='end'] {
    --_fade-end: 1.5rem;
  }
  .chip {
    flex: none;
    display: inline-flex;
    align-items: center;
    min-block-size: 1.75rem;
    padding: 0 ${token('space-m')};
    border: 1px solid ${token('color-border')};
    border-radius: ${token('radius-pill')};
    background: ${token('color-surface')};
    color: ${token('color-text-muted')};
    font-size: ${token('font-size-s')};
    font-weight: ${token('font-weight-medium')};
    white-space: nowrap;
    transition:
      background-color ${token('duration-fast')} var(--_easing),
      border-color ${token('duration-fast')} var(--_easing),
      color ${token('duration-fast')} var(--_easing);
  }
  /* Hover only where a pointer hovers: a touch screen leaves :hover on what was tapped. */
  @media (hover: hover) {
    .chip:hover {
      background: ${token('color-surface-hover')};
      color: ${token('color-text')};
    }
  }
  .chip[aria-pressed='true'] {
    background: ${token('color-accent-subtle')};
    border-color: var(--_accent);
    color: ${token('color-info-text')};
  }
  .chip:focus-visible,
  .select:focus-visible,
  .pill:focus-visible,
  .more:focus-visible,
  .action:focus-visible,
  .entity:focus-visible {
    ${focusRing}
  }
  .person {
    position: relative;
    display: inline-flex;
    align-items: center;
    margin-inline-start: auto;
    color: ${token('color-text-muted')};
  }
  .person-icon,
  .chevron {
    position: absolute;
    inline-size: 1rem;
    block-size: 1rem;
    pointer-events: none;
  }
  .person-icon {
    inset-inline-start: ${token('space-s')};
  }
  .chevron {
    inset-inline-end: ${token('space-xs')};
  }
  .select {
    appearance: none;
    min-block-size: 1.75rem;
    max-inline-size: 12rem;
    padding-block: 0;
    padding-inline: calc(${token('space-s')} + 1.25rem) 1.625rem;
    border: 1px solid ${token('color-border')};
    border-radius: ${token('radius-pill')};
    background: ${token('color-surface')};
    color: ${token('color-text')};
    font: inherit;
    font-size: ${token('font-size-s')};
    text-overflow: ellipsis;
    cursor: pointer;
  }
  @media (hover: hover) {
    .select:hover {
      border-color: ${token('color-border-strong')};
    }
  }
  /* Safari on a phone zooms the page into a control whose text is under 16 px when it is tapped,
     and leaves it zoomed: on a touch screen the select's text is 16 px. */
  @media (pointer: coarse) {
    .select {
      font-size: max(1rem, 16px);
    }
  }
  .note {
    display: inline-flex;
    align-items: center;
    gap: ${token('space-xs')};
    color: ${token('color-text-muted')};
    font-size: ${token('font-size-s')};
  }
  .note svg {
    inline-size: 1rem;
    block-size: 1rem;
  }
  .banner {
    padding: ${token('space-xs')} var(--_pad);
    border-block-end: 1px solid var(--_divider);
    background: ${token('color-surface-sunken')};
  }
`;

// On paper: the items as the feed shows them, avatars in their colours (initials are white on
// them), on one sheet, without the filters, the connection's banner, the "N new" pill and the
// footer's loading.
const states = css`
  .pill {
    position: absolute;
    z-index: 1;
    inset-block-start: ${token('space-s')};
    inset-inline: 0;
    margin-inline: auto;
    inline-size: max-content;
    display: inline-flex;
    align-items: center;
    gap: ${token('space-xs')};
    min-block-size: 1.75rem;
    padding: 0 ${token('space-m')} 0 ${token('space-s')};
    border-radius: ${token('radius-pill')};
    background: var(--_accent);
    color: var(--crm-activity-feed-pill-color, ${token('color-accent-contrast')});
    box-shadow: ${token('shadow-m')};
    font-size: ${token('font-size-s')};
    font-weight: ${token('font-weight-semibold')};
    animation: crm-activity-pill ${token('duration-medium')} var(--_easing);
  }
  @media (hover: hover) {
    .pill:hover {
      background: ${token('color-accent-hover')};
    }
  }
  .pill svg {
    inline-size: 0.875rem;
    block-size: 0.875rem;
  }
  @keyframes crm-activity-pill {
    from {
      opacity: 0;
      translate: 0 -0.5rem;
    }
  }

  .state {
    display: flex;
    flex-direction: column;
    align-items: center;
    gap: ${token('space-s')};
    padding: ${token('space-2xl')} var(--_pad);
    color: ${token('color-text-muted')};
    font-size: ${token('font-size-s')};
    text-align: center;
  }
  .state svg {
    inline-size: 1.75rem;
    block-size: 1.75rem;
    color: ${token('color-border-strong')};
  }
  .state p {
    margin: 0;
  }
  .action {
    min-block-size: 1.75rem;
    padding: 0 ${token('space-m')};
    border: 1px solid ${token('color-border')};
    border-radius: ${token('radius-pill')};
    background: ${token('color-surface')};
    color: ${token('color-text')};
    font-weight: ${token('font-weight-medium')};
  }
  @media (hover: hover) {
    .action:hover {
      background: ${token('color-surface-hover')};
    }
  }
  .footer {
    display: flex;
    justify-content: center;
    align-items: center;
    gap: ${token('space-xs')};
    min-block-size: 2.75rem;
    padding: ${token('space-s')} var(--_pad);
    color: ${token('color-text-muted')};
    font-size: ${token('font-size-xs')};
  }
  .spinner {
    inline-size: 0.875rem;
    block-size: 0.875rem;
    border-radius: 50%;
    border: 2px solid currentColor;
    border-inline-end-color: transparent;
    animation: crm-activity-spin 0.9s linear infinite;
  }
  @keyframes crm-activity-spin {
    to {
      rotate: 1turn;
    }
  }
  .skeleton {
    display: flex;
    gap: ${token('space-m')};
    padding: ${token('space-m')} var(--_pad);
    border-block-end: 1px solid var(--_divider);
  }
  .skeleton .bone {
    border-radius: ${token('radius-s')};
    background: color-mix(in srgb, ${token('color-border')} 65%, transparent);
    animation: crm-activity-pulse 1.4s ease-in-out infinite;
  }
  .skeleton .circle {
    flex: none;
    inline-size: var(--_avatar);
    block-size: var(--_avatar);
    border-radius: 50%;
  }
  .skeleton .lines {
    display: grid;
    flex: 1;
    gap: ${token('space-xs')};
    padding-block-start: 0.125rem;
  }
  /* Widths here, not in style attributes: a page whose CSP has no 'unsafe-inline' for styles
     refuses style attributes written in a template. */
  .skeleton .line {
    block-size: 0.75rem;
    inline-size: 70%;
  }
  .skeleton .line + .line {
    inline-size: 45%;
  }
  .skeleton:nth-child(2) .bone {
    animation-delay: 0.15s;
  }
  .skeleton:nth-child(3) .bone {
    animation-delay: 0.3s;
  }
  @keyframes crm-activity-pulse {
    50% {
      opacity: 0.45;
    }
  }

  @media (prefers-reduced-motion: reduce) {
    .skeleton .bone,
    .spinner {
      animation: none;
    }
  }
  @media print {
    :host {
      print-color-adjust: exact;
      max-block-size: none;
      overflow: visible;
    }
    .scroller {
      overflow: visible;
    }
    .item {
      break-inside: avoid;
      animation: none;
    }
    .item:focus-visible {
      outline: none;
    }
    .filters,
    .banner,
    .pill,
    .footer {
      display: none;
    }
  }
  @media (forced-colors: active) {
    .chip[aria-pressed='true'] {
      border-width: 2px;
      forced-color-adjust: none;
      background: Highlight;
      color: HighlightText;
    }
    .pill {
      border: 1px solid ButtonText;
    }
    .value.to {
      text-decoration: underline;
    }
  }
`;

export const styles = [hostBase, visuallyHidden, buttonReset, host, filters, itemStyles, states];
