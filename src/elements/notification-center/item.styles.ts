import { css } from 'lit';
import { focusRing, token } from '../../styles/index.js';

/**
 * One notification's content, the same in the panel and on a toast: the type icon in a tinted
 * disc, a priority chip (text and icon, never colour alone), the title, the message, the time and
 * sender, the entity link and the actions.
 */
export const itemStyles = css`
  /* A page's own type colour (--crm-notification-center-<type>-color) draws the icon and tints
     its disc; unset, --_custom is invalid and the theme's text colour and tint are used. */
  [data-type] {
    --_custom: var(--crm-notification-center-info-color);
    --_tint: color-mix(in srgb, var(--_custom) 15%, transparent);
    --_type: var(--_info);
    --_type-text: var(--_custom, ${token('color-info-text')});
    --_type-subtle: var(--_tint, ${token('color-info-subtle')});
  }
  [data-type='success'] {
    --_custom: var(--crm-notification-center-success-color);
    --_type: var(--_success);
    --_type-text: var(--_custom, ${token('color-success-text')});
    --_type-subtle: var(--_tint, ${token('color-success-subtle')});
  }
  [data-type='warning'] {
    --_custom: var(--crm-notification-center-warning-color);
    --_type: var(--_warning);
    --_type-text: var(--_custom, ${token('color-warning-text')});
    --_type-subtle: var(--_tint, ${token('color-warning-subtle')});
  }
  [data-type='error'] {
    --_custom: var(--crm-notification-center-error-color);
    --_type: var(--_error);
    --_type-text: var(--_custom, ${token('color-danger-text')});
    --_type-subtle: var(--_tint, ${token('color-danger-subtle')});
  }

  .icon {
    display: inline-grid;
    place-items: center;
    flex: none;
    inline-size: 2rem;
    block-size: 2rem;
    border-radius: 50%;
    color: var(--_type-text);
    background: var(--_type-subtle);
    forced-color-adjust: none;
  }
  .icon svg {
    inline-size: 1.125rem;
    block-size: 1.125rem;
  }

  .body {
    display: flex;
    flex-direction: column;
    gap: ${token('space-3xs')};
    min-inline-size: 0;
    flex: 1;
  }

  .headline {
    display: flex;
    flex-wrap: wrap;
    align-items: baseline;
    gap: ${token('space-2xs')} ${token('space-xs')};
  }
  .title {
    min-inline-size: 0;
    font-weight: ${token('font-weight-medium')};
    line-height: ${token('font-line-height-tight')};
    overflow-wrap: anywhere;
  }
  [data-unread] .title {
    font-weight: ${token('font-weight-semibold')};
  }

  .priority {
    display: inline-flex;
    align-items: center;
    gap: 0.125rem;
    flex: none;
    padding-block: 0.0625rem;
    padding-inline: ${token('space-xs')};
    border-radius: ${token('radius-pill')};
    font-size: ${token('font-size-2xs')};
    font-weight: ${token('font-weight-semibold')};
    line-height: 1.35;
    letter-spacing: 0.02em;
    text-transform: uppercase;
    color: ${token('color-warning-text')};
    background: ${token('color-warning-subtle')};
    box-shadow: inset 0 0 0 1px color-mix(in srgb, currentColor 35%, transparent);
    /* The chip sits on the title's baseline. */
    transform: translateY(-0.0625rem);
  }
  .priority[data-priority='urgent'] {
    padding-inline-start: 0.125rem;
    color: var(--_urgent-text);
    background: var(--_urgent);
    box-shadow: none;
  }
  .priority svg {
    inline-size: 0.75rem;
    block-size: 0.75rem;
    stroke-width: 2.4;
  }

  .message {
    margin: 0;
    /* Each paragraph takes the direction of its first letter, as someone wrote it. */
    unicode-bidi: plaintext;
    font-size: ${token('font-size-s')};
    color: ${token('color-text-muted')};
    overflow-wrap: anywhere;
    display: -webkit-box;
    -webkit-box-orient: vertical;
    -webkit-line-clamp: 3;
    line-clamp: 3;
    overflow: hidden;
  }

  .meta {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: ${token('space-2xs')};
    font-size: ${token('font-size-xs')};
    color: ${token('color-text-muted')};
    font-variant-numeric: tabular-nums;
  }
  .meta:empty {
    display: none;
  }
  /* A touch screen shows no tooltip: the time of day follows the relative time, always (a tap
     opens the notification, so it cannot show the tooltip's text; the panel's day headings give
     the day). */
  @media (hover: none) {
    time[data-clock]::after {
      content: ' · ' attr(data-clock);
    }
  }

  .links {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: ${token('space-xs')};
    margin-block-start: ${token('space-2xs')};
  }
  .entity,
  .action {
    display: inline-flex;
    align-items: center;
    gap: ${token('space-2xs')};
    min-block-size: 1.5rem;
    max-inline-size: 100%;
    padding-inline: ${token('space-s')};
    border-radius: ${token('radius-m')};
    font-size: ${token('font-size-s')};
    font-weight: ${token('font-weight-medium')};
    line-height: ${token('font-line-height-tight')};
    text-decoration: none;
    color: ${token('color-text')};
    background: transparent;
    box-shadow: inset 0 0 0 1px ${token('color-border-strong')};
    transition:
      background-color ${token('duration-fast')} ${token('easing-standard')},
      box-shadow ${token('duration-fast')} ${token('easing-standard')};
  }
  .entity {
    color: ${token('color-accent-hover')};
    background: transparent;
    box-shadow: none;
    padding-inline: ${token('space-2xs')};
    margin-inline-start: calc(-1 * ${token('space-2xs')});
  }
  .entity span {
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    text-decoration: underline;
    text-decoration-color: color-mix(in srgb, currentColor 40%, transparent);
    text-underline-offset: 0.18em;
  }
  .entity svg {
    flex: none;
    inline-size: 0.875rem;
    block-size: 0.875rem;
  }
  /* Hover only where a pointer hovers: a touch screen leaves :hover on what was tapped. */
  @media (hover: hover) {
    .entity:hover span {
      text-decoration-color: currentColor;
    }
    .action:hover {
      background: ${token('color-surface-hover')};
      box-shadow: inset 0 0 0 1px ${token('color-border-strong')};
    }
  }
  .entity:focus-visible,
  .action:focus-visible {
    ${focusRing}
  }
  @media (forced-colors: active) {
    .action {
      border: 1px solid ButtonText;
    }
    .priority {
      border: 1px solid CanvasText;
    }
  }
`;
