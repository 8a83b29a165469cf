/**
 * Keeps the form's tabs on their fields: placed from the fields' boxes and what is drawn around
 * them after each render and when a field resizes, and moved once per frame while anything on the
 * page scrolls (a field in a scrolling container moves without the element moving; its tab keeps
 * the place it had, so it does not jump while it moves), and placed afresh in the next frame when
 * a `<details>` opens or closes (its fields appear or go, perhaps with no size changing around
 * them). Does nothing while there are no tabs.
 */
import { layoutTabs, type FieldTabs } from './field-tabs.js';
import type { Placement } from './tab-placement.js';

export class TabOverlay {
  /** The tabs to show, per field. */
  groups: readonly FieldTabs[] = [];
  private frame = false;
  /** The frame's pass places the tabs afresh (a section opened), not only moves them. */
  private afresh = false;
  /** Each field's tab place, kept while the page scrolls. */
  private readonly placements = new Map<string, Placement>();

  constructor(
    private readonly host: HTMLElement,
    /** The element's overlay, once rendered. */
    private readonly overlay: () => HTMLElement | null | undefined,
  ) {}

  connect(): void {
    // Scroll events do not bubble, but a capturing listener on the document hears every one.
    document.addEventListener('scroll', this.onScroll, { capture: true, passive: true });
    // `toggle` does not bubble either.
    document.addEventListener('toggle', this.onToggle, { capture: true });
  }

  disconnect(): void {
    document.removeEventListener('scroll', this.onScroll, { capture: true });
    document.removeEventListener('toggle', this.onToggle, { capture: true });
  }

  /** Place the tabs afresh (`moved`: only follow their fields, which scrolled, to their places). */
  layout(moved = false): void {
    const overlay = this.overlay();
    if (!overlay || this.groups.length === 0) {
      this.placements.clear();
      return;
    }
    const rtl = getComputedStyle(this.host).direction === 'rtl';
    layoutTabs(overlay, this.groups, rtl, this.placements, moved);
  }

  private onScroll = (): void => this.nextFrame(false);

  private onToggle = (event: Event): void => {
    if (event.target instanceof HTMLDetailsElement) this.nextFrame(true);
  };

  /** One pass per frame, however many events asked for it. */
  private nextFrame(afresh: boolean): void {
    if (this.groups.length === 0) return;
    this.afresh ||= afresh;
    if (this.frame) return;
    this.frame = true;
    requestAnimationFrame(() => {
      const moved = !this.afresh;
      this.frame = this.afresh = false;
      this.layout(moved);
    });
  }
}
