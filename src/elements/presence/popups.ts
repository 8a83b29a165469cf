/**
 * What `<crm-presence>` shows on demand: the tooltip of an avatar and the list of everyone behind
 * "+N", with their styles. The element loads this module on first need (a hover or a focus on an
 * avatar, someone behind "+N"), so a page that only shows the row of avatars downloads none of it.
 */
import type { CSSResult } from 'lit';
import { popupStyles } from './popups.styles.js';

export { OverflowPanel } from './overflow-panel.js';
export { Tooltip } from './tooltip.js';

/**
 * Adds the popups' styles to `root`, after the element's own. Constructable sheets where the
 * browser adopts them (every browser with the popover API does); a `<style>` before the rendered
 * content otherwise, outside the range the element renders into.
 */
export function addPopupStyles(root: HTMLElement | DocumentFragment): void {
  const sheets = popupStyles.map((style: CSSResult) => style.styleSheet);
  if (root instanceof ShadowRoot && sheets.every((sheet) => sheet !== undefined)) {
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, ...sheets];
    return;
  }
  const style = document.createElement('style');
  style.textContent = popupStyles.map((s) => s.cssText).join('\n');
  root.prepend(style);
}
