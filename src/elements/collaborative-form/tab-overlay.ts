/**
 * Keeps the form's tabs on their fields: laid out from the fields' boxes after each render and
 * when a field resizes, and once per frame while anything on the page scrolls (a field in a
 * scrolling container moves without the element moving). Does nothing while there are no tabs.
 */
import { layoutTabs, type FieldTabs } from './field-tabs.js';

export class TabOverlay {
  /** The tabs to show, per field. */
  groups: readonly FieldTabs[] = [];
  private frame = false;

  constructor(
    private readonly host: HTMLElement,
    /** The element's overlay, once rendered. */
    private readonly overlay: () => HTMLElement | null | undefined,
  ) {}

  connect(): void {
    // Scroll events do not bubble, but a capturing listener on the document hears every one.
    document.addEventListener('scroll', this.onScroll, { capture: true, passive: true });
  }

  disconnect(): void {
    document.removeEventListener('scroll', this.onScroll, { capture: true });
  }

  layout(): void {
    const overlay = this.overlay();
    if (!overlay || this.groups.length === 0) return;
    layoutTabs(overlay, this.groups, getComputedStyle(this.host).direction === 'rtl');
  }

  private onScroll = (): void => {
    if (this.frame || this.groups.length === 0) return;
    this.frame = true;
    requestAnimationFrame(() => {
      this.frame = false;
      this.layout();
    });
  };
}
