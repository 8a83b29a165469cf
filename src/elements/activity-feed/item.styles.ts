import { css } from 'lit';
import { token } from '../../styles/index.js';

// One feed item: avatar with its kind badge, headline and time, summary, field changes. Private
// variables (--_pad, --_bg, --_divider, --_avatar, --_easing) come from the host's styles.
export const itemStyles = css`
  .item {
    display: flex;
    gap: ${token('space-m')};
    padding: ${token('space-m')} var(--_pad);
    border-block-end: 1px solid var(--_divider);
    background: var(--_bg);
    outline: none;
    transition: background-color ${token('duration-fast')} var(--_easing);
  }
  /* Hover only where a pointer hovers: a touch screen leaves :hover on what was tapped. */
  @media (hover: hover) {
    .item:hover {
      background: var(--crm-activity-feed-hover-background, ${token('color-surface-sunken')});
    }
  }
  .item:focus-visible {
    outline: ${token('focus-ring-width')} solid ${token('color-focus-ring')};
    outline-offset: calc(-1 * ${token('focus-ring-width')});
  }
  .item.pinned {
    position: absolute;
    inset-inline: 0;
  }
  .item.entering {
    animation:
      crm-activity-enter ${token('duration-slow')} var(--_easing) both,
      crm-activity-flash 1.6s ease-out;
  }
  @keyframes crm-activity-enter {
    from {
      opacity: 0;
      translate: 0 -0.5rem;
    }
  }
  @keyframes crm-activity-flash {
    from {
      background-color: ${token('color-accent-subtle')};
    }
  }

  .avatar {
    position: relative;
    flex: none;
    inline-size: var(--_avatar);
    block-size: var(--_avatar);
  }
  .face {
    display: grid;
    place-items: center;
    inline-size: 100%;
    block-size: 100%;
    border-radius: 50%;
    overflow: hidden;
    background: var(--_avatar-bg, ${token('color-neutral-subtle')});
    color: #fff;
    font-size: calc(var(--_avatar) * 0.38);
    font-weight: ${token('font-weight-semibold')};
    letter-spacing: 0.02em;
    user-select: none;
  }
  .anonymous .face {
    color: ${token('color-neutral-text')};
  }
  .anonymous .face svg {
    inline-size: 55%;
    block-size: 55%;
  }
  .image {
    inline-size: 100%;
    block-size: 100%;
    object-fit: cover;
  }
  .kind-icon {
    position: absolute;
    inset-block-end: -0.3125rem;
    inset-inline-end: -0.4375rem;
    display: grid;
    place-items: center;
    inline-size: 1.0625rem;
    block-size: 1.0625rem;
    border-radius: 50%;
    background: var(--_kind-bg, ${token('color-neutral-subtle')});
    color: var(--_kind-fg, ${token('color-neutral-text')});
    box-shadow: 0 0 0 2px var(--_bg);
  }
  .kind-icon svg {
    inline-size: 0.625rem;
    block-size: 0.625rem;
  }
  .anonymous .kind-icon {
    display: none;
  }
  [data-icon='change'],
  [data-icon='email'] {
    --_kind-bg: ${token('color-info-subtle')};
    --_kind-fg: ${token('color-info-text')};
  }
  [data-icon='call'],
  [data-icon='create'] {
    --_kind-bg: ${token('color-success-subtle')};
    --_kind-fg: ${token('color-success-text')};
  }
  [data-icon='meeting'] {
    --_kind-bg: ${token('color-warning-subtle')};
    --_kind-fg: ${token('color-warning-text')};
  }
  [data-icon='delete'] {
    --_kind-bg: ${token('color-danger-subtle')};
    --_kind-fg: ${token('color-danger-text')};
  }

  .body {
    flex: 1 1 auto;
    min-inline-size: 0;
  }
  .top {
    display: flex;
    align-items: baseline;
    gap: ${token('space-s')};
  }
  .headline {
    flex: 1 1 auto;
    min-inline-size: 0;
    margin: 0;
    line-height: ${token('font-line-height-tight')};
    padding-block: 0.125rem;
    overflow-wrap: anywhere;
    /* Its own direction is the sentence's (dir="auto"); it still lines up with the page's
       (Chromium resolves match-parent against the element's own direction). */
    text-align: left;
  }
  :host(:dir(rtl)) .headline {
    text-align: right;
  }
  .actor {
    font-weight: ${token('font-weight-semibold')};
  }
  .fields,
  .entity {
    font-weight: ${token('font-weight-medium')};
  }
  a.entity {
    color: ${token('color-info-text')};
    text-decoration: underline;
    text-decoration-color: color-mix(in srgb, currentColor 35%, transparent);
    text-underline-offset: 0.15em;
    border-radius: ${token('radius-s')};
  }
  @media (hover: hover) {
    a.entity:hover {
      text-decoration-color: currentColor;
    }
  }
  .time {
    flex: none;
    color: ${token('color-text-muted')};
    font-size: ${token('font-size-xs')};
    white-space: nowrap;
    font-variant-numeric: tabular-nums;
  }
  /* A touch screen shows no tooltip: the item a tap focused shows its time's (the date and the
     time of day) under the relative one. Not when the keyboard moved the focus there (a tablet's
     keyboard): the item would grow under the focus as it moves. */
  @media (hover: none) {
    .item:focus:not(:focus-visible) .time[title]::after {
      content: attr(title);
      display: block;
    }
    /* Likewise field names and values cut short: wrapped, whole, the full value for one the
       feed shortened (its tooltip's text). */
    .item:focus:not(:focus-visible) :is(.field, .value) {
      white-space: normal;
      overflow-wrap: anywhere;
    }
    .item:focus:not(:focus-visible) .cut {
      display: none;
    }
    .item:focus:not(:focus-visible) .value[title]::after {
      content: attr(title);
    }
  }
  .detail:empty {
    display: none;
  }
  .summary {
    margin: ${token('space-2xs')} 0 0;
    color: ${token('color-text-muted')};
    font-size: ${token('font-size-s')};
    overflow-wrap: anywhere;
    white-space: pre-line;
  }
  .changes {
    display: grid;
    grid-template-columns: minmax(0, max-content) minmax(0, 1fr);
    column-gap: ${token('space-m')};
    row-gap: ${token('space-2xs')};
    margin: ${token('space-xs')} 0 0;
    padding: 0;
    list-style: none;
    font-size: ${token('font-size-s')};
  }
  .change {
    display: grid;
    grid-column: 1 / -1;
    grid-template-columns: subgrid;
    align-items: baseline;
  }
  .field {
    max-inline-size: 12rem;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    color: ${token('color-text-muted')};
  }
  .values {
    display: flex;
    flex-wrap: wrap;
    align-items: baseline;
    gap: ${token('space-3xs')} ${token('space-xs')};
    min-inline-size: 0;
  }
  .value {
    max-inline-size: 100%;
    padding: 0 ${token('space-xs')};
    border-radius: ${token('radius-s')};
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .value.from {
    background: ${token('color-neutral-subtle')};
    color: ${token('color-text-muted')};
    text-decoration: line-through;
    text-decoration-color: color-mix(in srgb, currentColor 45%, transparent);
  }
  .value.to {
    background: ${token('color-accent-subtle')};
    color: ${token('color-text')};
    font-weight: ${token('font-weight-medium')};
  }
  .value.empty {
    text-decoration: none;
    background: transparent;
    color: ${token('color-text-muted')};
    padding: 0;
  }
  .arrow {
    color: ${token('color-text-muted')};
  }
  /* The values run right to left there: the arrow turns to point from the old to the new. */
  :host(:dir(rtl)) .arrow {
    transform: scaleX(-1);
  }
  .more {
    margin-block-start: ${token('space-2xs')};
    color: ${token('color-info-text')};
    font-size: ${token('font-size-s')};
    font-weight: ${token('font-weight-medium')};
    border-radius: ${token('radius-s')};
  }
  @media (hover: hover) {
    .more:hover {
      text-decoration: underline;
    }
  }

  @container (max-width: 24rem) {
    .top {
      flex-direction: column;
      gap: 0;
    }
    .changes {
      display: block;
    }
    .change {
      display: flex;
      flex-wrap: wrap;
      align-items: baseline;
      column-gap: ${token('space-xs')};
    }
    .change + .change {
      margin-block-start: ${token('space-2xs')};
    }
  }
`;
