/**
 * The list of everyone behind the "+N" button (a disclosure in the top layer; the host renders the
 * button, with `popovertarget="panel"` and `aria-expanded` from `open`).
 *
 * Keyboard: Enter or Space on the button opens it (a native `popovertarget` button) and puts the
 * focus on the first person; ArrowDown/ArrowUp, Home/End move in the list; Escape closes it and
 * returns the focus to the button (the browser's popover behaviour, made sure of here); clicking
 * outside or tabbing out closes it too.
 */
import { html, type ReactiveElement, type TemplateResult } from 'lit';
import { keyedList } from '../shared/keyed-list.js';
import type { Person } from '../../client/types.js';
import { placeBox } from '../shared/placement.js';
import { rovingTarget } from './roving.js';

export interface OverflowPanelOptions {
  /** The side to try first. */
  prefer(): 'above' | 'below';
  /** Which edges of the list and of the whole group line up (`end`: the "+N" side). */
  align(): 'start' | 'end';
}

export interface PanelRow {
  /** The accessible name of the row. */
  label: string;
  content: TemplateResult;
}

export class OverflowPanel {
  /** Whether the list is open. */
  open = false;
  /** The row that takes the Tab stop of the list (roving tabindex). */
  private index = 0;
  private count = 0;
  private frame = 0;

  constructor(
    private readonly host: ReactiveElement,
    private readonly options: OverflowPanelOptions,
  ) {}

  /** The list of everyone. */
  render(
    people: readonly Person[],
    heading: string,
    row: (person: Person) => PanelRow,
  ): TemplateResult {
    this.count = people.length;
    if (this.index >= people.length) this.index = Math.max(0, people.length - 1);
    // The heading is drawn in capitals (`text-transform`), which Chromium hands on to screen
    // readers ("12 PEOPLE HERE", spelled out or shouted): the group is named by the words, and the
    // heading is hidden from assistive technology.
    return html`<div
      part="panel"
      class="panel"
      id="panel"
      popover="auto"
      role="group"
      aria-label=${heading}
      @beforetoggle=${this.onBeforeToggle}
      @toggle=${this.onToggle}
      @keydown=${this.onKeydown}
      @focusout=${this.onFocusOut}
    >
      <div part="panel-heading" class="panel-heading" aria-hidden="true">${heading}</div>
      <ul part="panel-list" class="panel-list" role="list">
        ${keyedList(
          people,
          (p) => p.user.id,
          (p, i) => {
            const { label, content } = row(p);
            return html`<li
              part="row"
              class="row"
              data-id=${p.user.id}
              tabindex=${i === this.index ? 0 : -1}
              aria-label=${label}
              @focus=${() => (this.index = i)}
            >
              ${content}
            </li>`;
          },
        )}
      </ul>
    </div>`;
  }

  /** Close the list when there is nothing left to overflow. */
  sync(hasOverflow: boolean): void {
    if (!hasOverflow && this.open) this.close();
  }

  /** Keep the list next to its button after the host rendered (people came or went). */
  updated(): void {
    if (this.open) this.place();
  }

  close(): void {
    const panel = this.panel;
    if (panel?.matches(':popover-open')) panel.hidePopover();
    this.setOpen(false);
  }

  private onBeforeToggle = (event: Event): void => {
    if ((event as ToggleEvent).newState !== 'open') return;
    this.index = 0;
    // Placed in the next frame, once shown and measurable, before it is painted.
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => this.place());
  };

  private onToggle = (event: Event): void => {
    const opened = (event as ToggleEvent).newState === 'open';
    this.setOpen(opened);
    if (opened) {
      this.place();
      this.rows()[0]?.focus();
    } else {
      // Closed with the focus still inside (not by a click or Tab elsewhere): back to "+N".
      const active = this.activeElement;
      if (active && this.panel?.contains(active)) this.buttonElement?.focus();
    }
  };

  private onKeydown = (event: KeyboardEvent): void => {
    const rows = this.rows();
    const current = rows.indexOf(event.composedPath()[0] as HTMLElement);
    if (event.key === 'Escape') {
      // The browser closes an auto popover on Escape; do it here too, so focus surely returns.
      event.preventDefault();
      event.stopPropagation();
      this.close();
      this.buttonElement?.focus();
      return;
    }
    if (
      event.key !== 'ArrowDown' &&
      event.key !== 'ArrowUp' &&
      event.key !== 'Home' &&
      event.key !== 'End'
    )
      return;
    const next = rovingTarget(event.key, current, rows.length, false);
    if (next === undefined) return;
    event.preventDefault();
    this.index = next;
    for (const [i, row] of rows.entries()) row.tabIndex = i === next ? 0 : -1;
    rows[next]?.focus();
  };

  private onFocusOut = (event: FocusEvent): void => {
    const to = event.relatedTarget as Node | null;
    if (!to || this.panel?.contains(to) || to === this.buttonElement) return;
    this.close();
  };

  private setOpen(open: boolean): void {
    if (this.open === open) return;
    this.open = open;
    const scrollOrResize = () => this.place();
    if (open) {
      addEventListener('resize', scrollOrResize);
      addEventListener('scroll', scrollOrResize, { capture: true, passive: true });
      this.detach = () => {
        removeEventListener('resize', scrollOrResize);
        removeEventListener('scroll', scrollOrResize, { capture: true });
      };
    } else {
      this.detach?.();
      this.detach = undefined;
    }
    this.host.requestUpdate();
  }
  private detach: (() => void) | undefined;

  /** Disconnect listeners (the host left the document). */
  dispose(): void {
    cancelAnimationFrame(this.frame);
    this.detach?.();
    this.detach = undefined;
    this.open = false;
  }

  private place(): void {
    const panel = this.panel;
    const button = this.buttonElement;
    if (!panel || !button || !panel.matches(':popover-open')) return;
    const dir = getComputedStyle(button).direction === 'rtl' ? 'rtl' : 'ltr';
    // Measure at its natural height, then shrink it to the room on the side it goes.
    panel.style.removeProperty('--_room');
    // Next to the whole group (the row, or the pill of a positioned element), not only "+N".
    const group = button.closest('.base') ?? button;
    const placement = placeBox(
      panel,
      group.getBoundingClientRect(),
      panel.getBoundingClientRect(),
      { gap: 8, margin: 8, align: this.options.align(), dir, prefer: this.options.prefer() },
    );
    panel.style.setProperty('--_room', `${placement.maxHeight}px`);
    panel.dataset['side'] = placement.side;
  }

  private rows(): HTMLElement[] {
    return [...(this.panel?.querySelectorAll<HTMLElement>('.row') ?? [])];
  }

  private get panel(): HTMLElement | null {
    return this.host.renderRoot.querySelector<HTMLElement>('.panel');
  }

  private get buttonElement(): HTMLElement | null {
    return this.host.renderRoot.querySelector<HTMLElement>('.overflow');
  }

  private get activeElement(): Element | null {
    return (this.host.renderRoot as ShadowRoot).activeElement ?? null;
  }
}
