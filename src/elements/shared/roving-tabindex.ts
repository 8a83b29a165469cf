/**
 * One Tab stop for a group of controls (a `role="toolbar"`), with the arrow keys moving between
 * them: the WAI-ARIA roving tabindex. The control focused last keeps `tabindex="0"`, the others
 * get `-1`; when that control goes away with a re-render, the first one takes the stop, so the
 * group always has exactly one. Natively `disabled` controls cannot take focus and are skipped;
 * a control that should stay discoverable while unusable carries `aria-disabled="true"` instead
 * and keeps its place in the arrow order (as in the APG toolbar example).
 */
import type { ReactiveController, ReactiveElement } from 'lit';

/** Where an arrow, Home or End key moves in a row of `count` entries, or undefined for no move. */
export interface RovingKeyOptions {
  /** Right-to-left: ArrowLeft moves forward, ArrowRight back, as the row is laid out. */
  rtl: boolean;
  /** Past either end, go round to the other one (toolbars do; a clamped list stops). */
  wrap: boolean;
  /** `horizontal` leaves ArrowUp and ArrowDown to the page (a toolbar's row); `both` takes them. */
  orientation: 'horizontal' | 'both';
}

export function rovingIndex(
  key: string,
  current: number,
  count: number,
  options: RovingKeyOptions,
): number | undefined {
  if (count === 0 || current < 0) return undefined;
  if (key === 'Home') return 0;
  if (key === 'End') return count - 1;
  const forward = options.rtl ? 'ArrowLeft' : 'ArrowRight';
  const back = options.rtl ? 'ArrowRight' : 'ArrowLeft';
  const vertical = options.orientation === 'both';
  let delta = 0;
  if (key === forward || (vertical && key === 'ArrowDown')) delta = 1;
  else if (key === back || (vertical && key === 'ArrowUp')) delta = -1;
  else return undefined;
  const next = current + delta;
  if (options.wrap) return (next + count) % count;
  return Math.min(count - 1, Math.max(0, next));
}

export interface RovingTabindexOptions {
  /** The group in the current render (it may come and go with the host's state), or null. */
  group(): HTMLElement | null;
  /** The controls of the group, in order; defaults to its buttons. */
  selector?: string;
}

/**
 * Keeps the Tab stop of the host's group and handles its keys (Left/Right with wrap-around, Home,
 * End, mirrored on right-to-left pages). It also keeps the focus from falling to the page when
 * the control that had it goes away (removed by a re-render, or disabled, which blurs it): Join
 * replaced by the call's controls, Leave by Join. The group's Tab stop takes the focus, at once
 * or with the first update that renders one, so the keyboard user stays where they were.
 */
export class RovingTabindexController implements ReactiveController {
  /** The control that holds the Tab stop, kept while it stays in the group. */
  private active: HTMLElement | undefined;
  /** The element inside the host's shadow root that had the focus when an update began. */
  private focusedBefore: Element | null = null;
  /** The focus left with a control that went away; the next Tab stop is owed it. */
  private owed = false;

  constructor(
    private readonly host: ReactiveElement,
    private readonly options: RovingTabindexOptions,
  ) {
    host.addController(this);
  }

  // On the shadow root, not the host: focus moving between two controls inside it is not
  // dispatched to the host (target and related target are both the host once retargeted).
  hostConnected(): void {
    const root = this.host.renderRoot;
    root.addEventListener('keydown', this.onKeyDown as EventListener);
    root.addEventListener('focusin', this.onFocusIn as EventListener);
    root.addEventListener('focusout', this.onFocusOut as EventListener);
  }

  hostDisconnected(): void {
    const root = this.host.renderRoot;
    root.removeEventListener('keydown', this.onKeyDown as EventListener);
    root.removeEventListener('focusin', this.onFocusIn as EventListener);
    root.removeEventListener('focusout', this.onFocusOut as EventListener);
    this.active = undefined;
    this.owed = false;
  }

  hostUpdate(): void {
    this.focusedBefore = this.host.shadowRoot?.activeElement ?? null;
  }

  hostUpdated(): void {
    const stop = this.sync();
    if (this.focusedBefore && !this.focusedBefore.isConnected) this.owed = true;
    this.focusedBefore = null;
    if (!this.owed) return;
    // Never take the focus from where the user has put it since.
    const page = document.activeElement;
    const elsewhere = page && page !== document.body && page !== this.host;
    const inside = this.host.shadowRoot?.activeElement;
    if (elsewhere || (inside && !gone(inside))) {
      this.owed = false;
    } else if (stop) {
      this.owed = false;
      stop.focus();
    }
  }

  /** The controls that can take the focus, in order (natively disabled ones cannot). */
  items(): HTMLElement[] {
    const group = this.options.group();
    if (!group) return [];
    const all = group.querySelectorAll<HTMLElement>(this.options.selector ?? 'button');
    return [...all].filter((el) => !gone(el));
  }

  /** Gives the Tab stop to the remembered control, or the first one; returns it. */
  private sync(): HTMLElement | undefined {
    const items = this.items();
    const stop = this.active && items.includes(this.active) ? this.active : items[0];
    this.active = stop;
    for (const item of items) item.tabIndex = item === stop ? 0 : -1;
    return stop;
  }

  private readonly onFocusIn = (event: FocusEvent): void => {
    this.owed = false;
    const target = event.composedPath()[0];
    const items = this.items();
    if (!(target instanceof HTMLElement) || !items.includes(target)) return;
    this.active = target;
    for (const item of items) item.tabIndex = item === target ? 0 : -1;
  };

  /** A control blurred because it was disabled or removed, not because the user moved on. */
  private readonly onFocusOut = (event: FocusEvent): void => {
    const target = event.composedPath()[0];
    if (event.relatedTarget === null && target instanceof Element && gone(target)) {
      this.owed = true;
    }
  };

  private readonly onKeyDown = (event: KeyboardEvent): void => {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const items = this.items();
    const current = items.indexOf(event.composedPath()[0] as HTMLElement);
    if (current < 0) return;
    const rtl = getComputedStyle(items[current]!).direction === 'rtl';
    const next = rovingIndex(event.key, current, items.length, {
      rtl,
      wrap: true,
      orientation: 'horizontal',
    });
    if (next === undefined) return;
    event.preventDefault();
    items[next]!.focus(); // focusin moves the Tab stop
  };
}

/** Removed from the page, or natively disabled: it cannot hold the focus. */
function gone(el: Element): boolean {
  return !el.isConnected || (el as HTMLButtonElement).disabled === true;
}
