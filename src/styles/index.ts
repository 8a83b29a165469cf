/** Design tokens and shared styles, for the kit's elements and for pages that theme them. */
export {
  darkTokens,
  installTokens,
  token,
  tokenDefaults,
  tokenStyles,
  tokensCssText,
  type TokenName,
} from './tokens.js';
export { buttonReset, focusRing, hostBase, touchTarget, visuallyHidden } from './shared.js';
