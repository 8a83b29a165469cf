/**
 * Small style pieces every element shares: the focus ring, a visually hidden class for live
 * regions, the base text settings of a host, and the reduced-motion switch.
 */
import { css, unsafeCSS } from 'lit';
import { token } from './tokens.js';

/**
 * The declarations of the kit's focus ring, to use inside a `:focus-visible` rule:
 * `button:focus-visible { ${focusRing} }`.
 */
export const focusRing = css`
  outline: ${token('focus-ring-width')} solid ${token('color-focus-ring')};
  outline-offset: ${token('focus-ring-offset')};
`;

/** `.visually-hidden`: read by screen readers, not shown (for live regions and extra labels). */
export const visuallyHidden = css`
  .visually-hidden {
    position: absolute !important;
    inline-size: 1px !important;
    block-size: 1px !important;
    margin: -1px !important;
    padding: 0 !important;
    overflow: hidden !important;
    clip-path: inset(50%) !important;
    white-space: nowrap !important;
    border: 0 !important;
  }
`;

/**
 * The kit's own text settings, on every host (`hostBase`) and on the collaborative form's own
 * parts (its slot shows the page's form, which keeps the page's settings).
 *
 * Selectors stop at a shadow root, inherited properties do not: a legacy page's
 * `body { font: italic bold 11px/1 Tahoma; text-transform: uppercase; text-align: center;
 * white-space: nowrap; letter-spacing: … }` would reach every text of the kit (an e-mail address
 * shown in capitals, initials pushed out of their avatar by an indent). So this sets the `font`
 * shorthand (weight, style, small caps and line height included) and every inherited text
 * property a page commonly sets. Left inherited on purpose: `direction` (right-to-left pages),
 * `visibility` (a hidden panel hides its widgets), `cursor` and `color-scheme`.
 */
export const kitText = css`
  font: ${token('font-size-m')} / ${token('font-line-height-normal')} ${token('font-family')};
  color: ${token('color-text')};
  letter-spacing: normal;
  word-spacing: normal;
  text-align: start;
  text-indent: 0;
  text-transform: none;
  text-shadow: none;
  white-space: normal;
  -webkit-font-smoothing: antialiased;
`;

/**
 * Host basics: the kit's own text settings, `[hidden]` honoured, box sizing inside the shadow
 * root, and every animation and transition off under `prefers-reduced-motion`.
 */
export const hostBase = css`
  :host {
    ${kitText}
  }
  :host([hidden]) {
    display: none !important;
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  @media (prefers-reduced-motion: reduce) {
    *,
    *::before,
    *::after {
      animation-duration: 0.01ms !important;
      animation-iteration-count: 1 !important;
      transition-duration: 0.01ms !important;
    }
  }
`;

/** A button reset that keeps the font of its host. */
export const buttonReset = css`
  button {
    font: inherit;
    color: inherit;
    margin: 0;
    background: none;
    border: 0;
    padding: 0;
    cursor: pointer;
  }
`;

/** The kit's minimum hit area on touch devices, as a length, for `min-block-size` and friends. */
export const touchTarget = unsafeCSS('1.5rem');
