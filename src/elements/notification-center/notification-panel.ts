/**
 * The dropdown of `<crm-notification-center>`: a non-modal dialog in the top layer (an `auto`
 * popover the bell toggles), placed under the bell (above it when there is no room), its inline
 * end on the bell's, never outside the viewport.
 *
 * Keyboard: Enter, Space or ArrowDown on the bell opens it and puts the focus on the first item
 * (ArrowUp: on the last); ArrowDown/ArrowUp, Home/End move between items (one Tab stop for the
 * list, the item's own links and buttons follow it); Escape closes it and returns the focus to the
 * bell; Tab moves on through the page and closes it, and so does Shift+Tab back to the bell (the
 * focus stays on the bell, whose next Enter opens it again); so does a click outside.
 */
import type { ReactiveElement } from 'lit';
import { placeBox, zoomOf } from '../shared/placement.js';

export interface PanelOptions {
  /**
   * The panel is about to show (`true`) or to hide (`false`): called on `beforetoggle`, before it
   * is drawn, so nothing that must not cover it is drawn in the same frame.
   */
  toggling(open: boolean): void;
  /** The panel opened (before the focus moves in). */
  opened(): void;
  /** The panel closed. */
  closed(): void;
  /** The list was scrolled (or the keyboard went) to its end: load older items. */
  reachedEnd(): void;
}

/** How close to the end of the list (px) counts as the end. */
const END_SLACK = 96;

export class NotificationPanel {
  /** Whether the panel is open. */
  open = false;
  /** The item that holds the list's Tab stop (roving tabindex), by notification id. */
  activeId: string | undefined;
  /** Where the focus goes when the panel opens: an end of the list, or an item by id. */
  private focusOnOpen: 'first' | 'last' | { id: string } = 'first';
  private frame = 0;
  private detach: (() => void) | undefined;
  /**
   * A pointer went down on the bell since the last key in the panel: the focus moving to the bell
   * is that press, whose click toggles the panel itself.
   */
  private bellPressed = false;
  /**
   * `show()` came while the panel could not open (before the first render, or the host out of
   * the page): it opens once drawn in the page, unless `hide()` came meanwhile.
   */
  private showWhenDrawn = false;

  constructor(
    private readonly host: ReactiveElement,
    private readonly options: PanelOptions,
  ) {}

  /**
   * Open it; the focus goes to the first or last item, or to the item with `{ id }`. Asked before
   * the host's first render (a framework's "mounted" hook runs right after it is inserted) or
   * while the host is out of the page (a popover opens only in the page), it opens once the panel
   * is drawn in the page, unless `hide()` came meanwhile.
   */
  show(focus: 'first' | 'last' | { id: string } = 'first'): void {
    const panel = this.panel;
    this.focusOnOpen = focus;
    this.showWhenDrawn = !panel?.isConnected;
    if (this.showWhenDrawn) this.connected();
    else if (!panel!.matches(':popover-open')) panel!.showPopover();
  }

  /** The host is (back) in the page: a `show()` asked for meanwhile opens it once drawn. */
  connected(): void {
    if (!this.showWhenDrawn) return;
    void this.host.updateComplete.then(() => {
      if (this.showWhenDrawn && this.panel?.isConnected) this.show(this.focusOnOpen);
    });
  }

  /** Close it; with `returnFocus`, the bell takes the focus. */
  hide(returnFocus = false): void {
    this.showWhenDrawn = false;
    const panel = this.panel;
    if (panel?.matches(':popover-open')) panel.hidePopover();
    this.setOpen(false);
    if (returnFocus) this.bell?.focus();
  }

  /** The Tab stop of the list: the active item, or the first. */
  tabIndexOf(id: string, first: boolean): 0 | -1 {
    return this.activeId === id || (this.activeId === undefined && first) ? 0 : -1;
  }

  /** Keep the roving Tab stop on an item that is still there. */
  sync(ids: readonly string[]): void {
    if (this.activeId !== undefined && !ids.includes(this.activeId)) this.activeId = ids[0];
  }

  /** After the host rendered: keep the panel by its bell. */
  updated(): void {
    if (this.open) this.place();
  }

  dispose(): void {
    cancelAnimationFrame(this.frame);
    this.detach?.();
    this.detach = undefined;
    this.open = false;
  }

  /** The list scrolled: near its end, ask for more. */
  atEnd(): boolean {
    const list = this.list;
    if (!list) return false;
    return list.scrollTop + list.clientHeight >= list.scrollHeight - END_SLACK;
  }

  // ---- listeners the host puts in its template ------------------------------------------------

  onBellPointerDown = (): void => {
    this.bellPressed = true;
  };

  onBellKeydown = (event: KeyboardEvent): void => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    event.preventDefault();
    if (this.open) this.focusItem(event.key === 'ArrowDown' ? 0 : -1);
    else this.show(event.key === 'ArrowDown' ? 'first' : 'last');
  };

  onBeforeToggle = (event: Event): void => {
    const opening = (event as ToggleEvent).newState === 'open';
    this.options.toggling(opening);
    if (!opening) return;
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => this.place());
  };

  onToggle = (event: Event): void => {
    const opened = (event as ToggleEvent).newState === 'open';
    if (opened === this.open) return;
    this.setOpen(opened);
    this.bellPressed = false;
    if (opened) {
      this.place();
      this.options.opened();
      // The items are rendered by the update `opened` asked for.
      void this.host.updateComplete.then(() => {
        if (!this.open) return;
        const target = this.focusOnOpen;
        this.focusOnOpen = 'first';
        const index =
          target === 'first'
            ? 0
            : target === 'last'
              ? -1
              : Math.max(
                  0,
                  this.items().findIndex((item) => item.dataset['id'] === target.id),
                );
        if (!this.focusItem(index)) this.panel?.focus();
      });
    } else {
      // Closed with the focus inside (not by a click or Tab elsewhere): back to the bell.
      const active = (this.host.renderRoot as ShadowRoot).activeElement;
      if (active && this.panel?.contains(active)) this.bell?.focus();
    }
  };

  onKeydown = (event: KeyboardEvent): void => {
    this.bellPressed = false;
    if (event.key === 'Escape') {
      // The browser closes an auto popover on Escape; do it here too, so focus surely returns.
      event.preventDefault();
      event.stopPropagation();
      this.hide(true);
      return;
    }
    const items = this.items();
    const current = items.indexOf(event.composedPath()[0] as HTMLElement);
    if (current < 0) return;
    let next: number | undefined;
    if (event.key === 'ArrowDown') next = Math.min(items.length - 1, current + 1);
    else if (event.key === 'ArrowUp') next = Math.max(0, current - 1);
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = items.length - 1;
    if (next === undefined) return;
    event.preventDefault();
    this.focusItem(next);
    if (next === items.length - 1) this.options.reachedEnd();
  };

  onFocusOut = (event: FocusEvent): void => {
    const to = event.relatedTarget as Node | null;
    // Focus went nowhere (a click on nothing focusable): light dismiss decides. A press on the
    // bell closes it by its click; closing here first, that click would open it again.
    if (!to || this.panel?.contains(to) || (to === this.bell && this.bellPressed)) return;
    this.hide();
  };

  onScroll = (): void => {
    if (this.atEnd()) this.options.reachedEnd();
  };

  /**
   * An item or something in it got the focus (click, or keyboard): it takes the Tab stop, and its
   * links and buttons with it. The items' own tabindex changes at once (a key pressed before the
   * render must find it); the links follow in the render.
   */
  onItemFocus(id: string): void {
    if (this.activeId === id) return;
    this.activeId = id;
    for (const item of this.items()) item.tabIndex = item.dataset['id'] === id ? 0 : -1;
    this.host.requestUpdate();
  }

  // ---- internals --------------------------------------------------------------------------

  /** Focus the item at `index` (negative: from the end). False when there is none. */
  private focusItem(index: number): boolean {
    const items = this.items();
    const item = items.at(index);
    if (!item) return false;
    this.onItemFocus(item.dataset['id'] ?? '');
    item.focus();
    return true;
  }

  private setOpen(open: boolean): void {
    if (this.open === open) return;
    this.open = open;
    if (open) {
      const reposition = () => this.place();
      addEventListener('resize', reposition);
      addEventListener('scroll', reposition, { capture: true, passive: true });
      this.detach = () => {
        removeEventListener('resize', reposition);
        removeEventListener('scroll', reposition, { capture: true });
      };
    } else {
      this.detach?.();
      this.detach = undefined;
      this.options.closed();
    }
    this.host.requestUpdate();
  }

  private place(): void {
    const panel = this.panel;
    const bell = this.bell;
    if (!panel || !bell || !panel.matches(':popover-open')) return;
    const dir = getComputedStyle(bell).direction === 'rtl' ? 'rtl' : 'ltr';
    // Measured at its natural height, then shrunk to the room on its side.
    panel.style.removeProperty('--_room');
    // Its layout size, not its box on screen: it opens scaled down by its entrance animation,
    // and placed by that smaller box it would end up past the bell's end once grown.
    const zoom = zoomOf(panel);
    const placement = placeBox(
      panel,
      bell.getBoundingClientRect(),
      { width: panel.offsetWidth * zoom, height: panel.offsetHeight * zoom },
      { gap: 6, margin: 8, align: 'end', dir, prefer: 'below' },
    );
    panel.style.setProperty('--_room', `${placement.maxHeight}px`);
    panel.dataset['side'] = placement.side;
  }

  private items(): HTMLElement[] {
    return [...(this.panel?.querySelectorAll<HTMLElement>('.item') ?? [])];
  }

  private get panel(): HTMLElement | null {
    return this.find('.panel');
  }

  private get list(): HTMLElement | null {
    return this.find('.list');
  }

  private get bell(): HTMLElement | null {
    return this.find('.bell');
  }

  /** A part of the host's shadow root, which an element never put in the page has not yet. */
  private find(selector: string): HTMLElement | null {
    return (this.host.renderRoot as ParentNode | undefined)?.querySelector(selector) ?? null;
  }
}
