/**
 * The one tooltip of `<crm-presence>`: name, state, what they do and tab count of the avatar under
 * the pointer or with the focus. It lives in the top layer (a manual popover), so a header with
 * `overflow: hidden` cannot clip it; it stays while the pointer moves onto it and Escape hides it
 * (WCAG 1.4.13). It repeats the avatar's accessible name, so it is hidden from assistive technology.
 */
import { html, nothing, type ReactiveElement, type TemplateResult } from 'lit';
import type { PersonText } from './person-text.js';
import { bdi } from '../shared/bidi.js';
import { placeBox } from '../shared/placement.js';

type Via = 'pointer' | 'focus';

export interface TooltipOptions {
  /** The texts of a person by user id; `undefined` once they are gone. */
  text(id: string): PersonText | undefined;
  /** The side to try first. */
  prefer(): 'above' | 'below';
}

export class Tooltip {
  private id: string | undefined;
  private anchor: HTMLElement | undefined;
  private readonly via = new Set<Via>();
  /** The side it is on; the host renders it `below` first. */
  private side: 'above' | 'below' = 'below';

  constructor(
    private readonly host: ReactiveElement,
    private readonly options: TooltipOptions,
  ) {}

  /** The user id whose tooltip is shown, if any. */
  get shownFor(): string | undefined {
    return this.id;
  }

  enter(anchor: HTMLElement, id: string, via: Via): void {
    if (this.id !== id) this.via.clear();
    this.id = id;
    this.anchor = anchor;
    this.via.add(via);
    this.host.requestUpdate();
  }

  leave(event: Event, via: Via): void {
    const to = (event as PointerEvent | FocusEvent).relatedTarget as Node | null;
    // Moving from the avatar onto its tooltip (or back) keeps it open.
    if (via === 'pointer' && to && (this.element?.contains(to) || this.anchor?.contains(to)))
      return;
    this.via.delete(via);
    if (this.via.size === 0) this.hide();
  }

  /** Hide it; true when it was shown. */
  hide(): boolean {
    if (this.id === undefined) return false;
    this.id = undefined;
    this.anchor = undefined;
    this.via.clear();
    this.host.requestUpdate();
    return true;
  }

  /**
   * The lines of the tooltip, for the host to render into its `.tooltip` popover (which the host
   * renders from the start, so the tooltip's place in the shadow root never moves).
   */
  content(): TemplateResult | typeof nothing {
    const text = this.id === undefined ? undefined : this.options.text(this.id);
    if (!text) return nothing;
    return html`<span part="tooltip-name" class="tooltip-name"
        >${bdi(text.name)}${text.you ? ` (${text.you})` : ''}</span
      ><span part="tooltip-detail" class="tooltip-detail">${text.status} · ${text.doing}</span
      >${text.tabs ? html`<span part="tooltip-detail" class="tooltip-detail">${text.tabs}</span>` : nothing}`;
  }

  /** Show, place or hide the popover after the host rendered. */
  updated(): void {
    const tooltip = this.element;
    if (!tooltip) return;
    const anchor = this.anchor;
    const wanted =
      this.id !== undefined && anchor?.isConnected && this.options.text(this.id) !== undefined;
    const open = tooltip.matches(':popover-open');
    if (!wanted) {
      if (open) tooltip.hidePopover();
      if (this.id !== undefined) this.hide();
      return;
    }
    if (!open) tooltip.showPopover?.();
    const placement = placeBox(
      tooltip,
      anchor.getBoundingClientRect(),
      tooltip.getBoundingClientRect(),
      { gap: 8, margin: 8, align: 'center', dir: 'ltr', prefer: this.options.prefer() },
    );
    if (placement.side !== this.side) {
      this.side = placement.side;
      tooltip.classList.toggle('above', this.side === 'above');
      tooltip.classList.toggle('below', this.side === 'below');
    }
  }

  private get element(): HTMLElement | null {
    return this.host.renderRoot.querySelector<HTMLElement>('.tooltip');
  }
}
