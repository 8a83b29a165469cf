import { css } from 'lit';
import {
  buttonReset,
  focusRing,
  hostBase,
  token,
  touchTarget,
  visuallyHidden,
} from '../../styles/index.js';

/**
 * Three layers, as everywhere in the kit: global tokens (`--crm-color-*`), the public
 * `--crm-huddle-*` properties, and private `--_*` variables. Logical properties only, so a
 * right-to-left page mirrors the layout; the dark theme comes from the tokens alone.
 */
export const styles = [
  hostBase,
  visuallyHidden,
  buttonReset,
  css`
    :host {
      display: block;
      --_gap: var(--crm-huddle-gap, ${token('space-s')});
      --_surface: var(--crm-huddle-surface, ${token('color-surface-raised')});
      --_tile: var(--crm-huddle-tile-background, ${token('color-surface-sunken')});
      --_tile-size: var(--crm-huddle-tile-size, 9rem);
      --_speaking: var(--crm-huddle-speaking-color, ${token('color-success')});
      --_sharing: var(--crm-huddle-sharing-color, ${token('color-danger')});
      --_radius: var(--crm-huddle-radius, ${token('radius-l')});
    }
    [part~='base'] {
      display: flex;
      flex-direction: column;
      gap: var(--_gap);
      padding: var(--_gap);
      background: var(--_surface);
      border: 1px solid ${token('color-border')};
      border-radius: var(--_radius);
      box-shadow: ${token('shadow-s')};
    }
    [part~='message'] {
      margin: 0;
      color: ${token('color-text-muted')};
      font-size: ${token('font-size-s')};
    }
    [part~='message'][data-tone='error'] {
      color: ${token('color-danger-text')};
    }
    [part~='ring'] {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: var(--_gap);
      padding: ${token('space-xs')} ${token('space-s')};
      border-radius: ${token('radius-m')};
      background: ${token('color-accent-subtle')};
    }
    /* A long name without spaces wraps instead of widening the page. */
    [part~='ring'] > span:first-child {
      flex: 1 1 12rem;
      min-inline-size: 0;
      overflow-wrap: anywhere;
    }
    /* Join and Dismiss go under the name together, not one by one. */
    .ring-actions {
      display: flex;
      flex: none;
      gap: var(--_gap);
    }
    [part~='sharing'] {
      display: flex;
      align-items: center;
      gap: ${token('space-xs')};
      padding: ${token('space-2xs')} ${token('space-s')};
      border-radius: ${token('radius-pill')};
      background: ${token('color-danger-subtle')};
      color: ${token('color-danger-text')};
      font-weight: ${token('font-weight-semibold')};
      font-size: ${token('font-size-s')};
      inline-size: fit-content;
    }
    [part~='sharing']::before {
      content: '';
      inline-size: 0.5rem;
      block-size: 0.5rem;
      border-radius: 50%;
      background: var(--_sharing);
    }
    [part~='tiles'] {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(var(--_tile-size), 1fr));
      gap: var(--_gap);
      margin: 0;
      padding: 0;
      list-style: none;
    }
    [part~='tile'] {
      position: relative;
      display: grid;
      place-items: center;
      aspect-ratio: 4 / 3;
      overflow: hidden;
      border-radius: ${token('radius-m')};
      background: var(--_tile);
      outline: 2px solid transparent;
      outline-offset: -2px;
      transition: outline-color ${token('duration-fast')};
    }
    [part~='tile'][data-speaking] {
      outline-color: var(--_speaking);
    }
    [part~='tile'] video {
      inline-size: 100%;
      block-size: 100%;
      object-fit: cover;
    }
    [part~='tile'][data-screen] video {
      object-fit: contain;
      background: #000;
    }
    [part~='name'] {
      position: absolute;
      inset-block-end: ${token('space-2xs')};
      inset-inline-start: ${token('space-2xs')};
      max-inline-size: calc(100% - 2 * ${token('space-2xs')});
      padding: ${token('space-3xs')} ${token('space-xs')};
      border-radius: ${token('radius-s')};
      background: ${token('color-surface')};
      font-size: ${token('font-size-xs')};
      white-space: nowrap;
      overflow: hidden;
      text-overflow: ellipsis;
    }
    /* The user's colour (set on the element from the id, shared with presence and the feed: one
       person, one colour on the page); every palette colour holds white text at 4.5:1. */
    [part~='initials'],
    [part~='picture'] {
      inline-size: 3rem;
      block-size: 3rem;
      border-radius: 50%;
    }
    [part~='initials'] {
      display: grid;
      place-items: center;
      background: var(--_avatar-bg, ${token('color-neutral-subtle')});
      color: #fff;
      font-weight: ${token('font-weight-semibold')};
    }
    [part~='picture'] {
      object-fit: cover;
    }
    [part~='controls'] {
      display: flex;
      flex-wrap: wrap;
      gap: var(--_gap);
    }
    button {
      display: inline-flex;
      align-items: center;
      gap: ${token('space-xs')};
      min-block-size: ${touchTarget};
      padding: ${token('space-xs')} ${token('space-m')};
      border-radius: ${token('radius-pill')};
      border: 1px solid ${token('color-border-strong')};
      background: ${token('color-surface')};
      font-weight: ${token('font-weight-medium')};
    }
    button:focus-visible {
      ${focusRing}
    }
    button[aria-disabled='true'] {
      color: ${token('color-text-muted')};
      cursor: default;
    }
    /* Hover only where a pointer hovers: a touch screen leaves :hover on what was tapped. */
    @media (hover: hover) {
      button:hover {
        background: ${token('color-surface-hover')};
      }
      button[aria-disabled='true']:hover {
        background: ${token('color-surface')};
      }
    }
    button[aria-pressed='true'] {
      background: ${token('color-accent-subtle')};
      border-color: ${token('color-accent')};
      color: ${token('color-accent-hover')};
    }
    button[part~='join'] {
      background: ${token('color-accent')};
      border-color: ${token('color-accent')};
      color: ${token('color-accent-contrast')};
    }
    button[part~='leave'] {
      background: ${token('color-danger-subtle')};
      border-color: ${token('color-danger')};
      color: ${token('color-danger-text')};
    }
    /* Join while it cannot be used (joining, no connection, a room the client refuses, a full
       call): as the kit's other disabled buttons, muted text and the arrow cursor, and the accent
       fill dropped, which otherwise says "press me" on a button that does nothing. */
    button:disabled,
    button:disabled:hover {
      background: ${token('color-neutral-subtle')};
      border-color: ${token('color-border')};
      color: ${token('color-text-muted')};
      cursor: default;
    }
    /* Forced colours drop fills and the muted tone: the system's GrayText says "unusable", for
       Invite once rung (aria-disabled, which the browser knows nothing of) as for Join. */
    /* Paper: a call's tiles and controls mean nothing there. */
    @media print {
      :host {
        display: none !important;
      }
    }
    @media (forced-colors: active) {
      button:disabled,
      button[aria-disabled='true'] {
        color: GrayText;
        border-color: GrayText;
      }
      [part~='initials'] {
        border: 1px solid CanvasText;
      }
    }
    audio {
      display: none;
    }
  `,
];
