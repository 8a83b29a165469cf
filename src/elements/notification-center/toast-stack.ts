/**
 * The toasts of `<crm-notification-center>`: one per notification that arrives live, stacked in a
 * corner of the viewport, in the top layer (a manual popover, so no page `overflow` or `z-index`
 * hides them).
 *
 * - Non-urgent toasts hide after `duration` ms of being seen: every countdown pauses while the
 *   pointer is over the stack, while the focus is in it, while the page is hidden and while the
 *   stack stands aside (see `toast-clearance.ts`), and goes on with the time it had left.
 * - A touch screen has no hover: a finger (or a pen) put on the stack pauses it while it is down
 *   and after it lifts, until the next touch or click lands outside the stack (or no toast is
 *   left). One lifts the finger to read what one held; the toast must not vanish then, with
 *   whatever time it had left. The next touch elsewhere ends it, as it ends the hover a touch
 *   screen's browser leaves on what was tapped.
 * - Urgent toasts stay until dismissed.
 * - The toasts are not live regions (a burst was read toast by toast): the element's
 *   `ArrivalAnnouncer` says what arrived, one message per burst.
 * - At most `MAX_TOASTS` are shown; beyond that the oldest non-urgent ones go first, but never the
 *   one holding the focus: whoever is reading it keeps it.
 * - The focus goes with the keyboard to and from the toasts, and on when its toast goes: see
 *   `toast-focus.ts`.
 * - While the host's panel is open (`quiet(true)`) no toast is drawn: the panel lists each
 *   notification, and a toast in the top layer would cover it or be cut by it. Toasts on screen
 *   go at once (no fade-out over the panel), and what arrives meanwhile is not drawn after it
 *   closes: the panel and the badge already show it.
 */
import { html, nothing, type ReactiveElement, type TemplateResult } from 'lit';
import { cssEscape } from '../shared/css-escape.js';
import { keyedList } from '../shared/keyed-list.js';
import type { Clock } from '../../client/types.js';
import type { Notification } from '../../protocol/notifications.js';
import type { ToastPosition } from './settings.js';
import { ToastClearance } from './toast-clearance.js';
import { TOAST_SHORTCUT, ToastFocus } from './toast-focus.js';
import { ToastTimer, type PauseReason } from './toast-timer.js';

/** Toasts shown at once; the oldest non-urgent ones make room for new ones. */
export const MAX_TOASTS = 5;

export interface Toast {
  readonly notification: Notification;
  /** Animating out: not focusable, hidden from assistive technology, removed when it ends. */
  leaving: boolean;
}

export interface ToastStackOptions {
  /** The clock the countdowns run on (the client's, so tests use a manual one). */
  clock(): Clock;
  /** How long a toast stays, in ms; 0 or less: until dismissed. */
  duration(): number;
  /** The corner of the viewport the host asks for. */
  position(): ToastPosition;
  /** Where the focus goes when the last toast goes with it. */
  bell(): HTMLElement | null;
  /** Whether the host shows toasts at all (`no-toasts`): a second center leaves the key alone. */
  shown(): boolean;
}

const isUrgent = (t: Toast) => t.notification.priority === 'urgent';

export class ToastStack {
  /** Oldest first (the DOM order; CSS puts the newest nearest the corner). */
  private toasts: Toast[] = [];
  private timer: ToastTimer | undefined;
  private timerClock: Clock | undefined;
  private pointerInside = false;
  /** A finger or pen touched the stack; no touch or click outside it since. */
  private held = false;
  private quieted = false;
  private readonly onVisibility = () => this.syncVisibility();
  /** The animation frame an empty stack waits for to open (see `show`). */
  private frame = 0;
  private readonly clearance: ToastClearance;
  private readonly focus: ToastFocus;

  constructor(
    private readonly host: ReactiveElement,
    private readonly options: ToastStackOptions,
  ) {
    this.clearance = new ToastClearance(host, {
      preferred: () => (options.position().startsWith('top') ? 'top' : 'bottom'),
      drawn: () => this.toasts.length > 0,
      stack: () => host.renderRoot.querySelector<HTMLElement>('.toasts'),
      // Standing aside, the toasts are not seen: their time does not run.
      measured: () => (this.clearance.aside ? this.pause('aside') : this.resume('aside')),
    });
    this.focus = new ToastFocus({
      root: () => host.renderRoot as ShadowRoot,
      newest: () => this.toasts.findLast((t) => !t.leaving)?.notification.id,
      dismiss: (id) => this.remove(id),
      reveal: () => {
        this.clearance.reveal();
        return host.updateComplete;
      },
      off: () => !options.shown() || this.clearance.modalOpen,
      bell: options.bell,
    });
  }

  /** Toasts on screen (not those animating out), oldest first. */
  get visible(): readonly Notification[] {
    return this.toasts.filter((t) => !t.leaving).map((t) => t.notification);
  }

  /** Toasts drawn, those animating out included. */
  get drawn(): readonly Toast[] {
    return this.toasts;
  }

  /** Whether the countdowns are paused (hover, focus, hidden page, or standing aside). */
  get paused(): boolean {
    return this.timer?.paused ?? false;
  }

  /** Time left before a toast hides, in ms; `undefined` for urgent or unknown ones. */
  remaining(id: string): number | undefined {
    return this.timer?.remaining(id);
  }

  connect(): void {
    globalThis.document?.addEventListener('visibilitychange', this.onVisibility);
    this.focus.connect();
    this.clearance.connect();
  }

  disconnect(): void {
    globalThis.document?.removeEventListener('visibilitychange', this.onVisibility);
    this.focus.disconnect();
    this.clearance.disconnect();
    if (this.frame !== 0) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.timer?.dispose();
    this.timer = undefined;
    this.toasts = [];
    this.pointerInside = false;
    this.release();
    this.quieted = false;
  }

  /**
   * `true` while the host's panel is open: every toast goes at once and new arrivals make none.
   * `false` when it closes: nothing is replayed.
   */
  quiet(on: boolean): void {
    if (this.quieted === on) return;
    this.quieted = on;
    if (this.toasts.length === 0) return;
    this.timer?.dispose();
    this.timer = undefined;
    // The nodes under the pointer or the focus are gone: their pause reasons go with them (the
    // panel that is opening takes the focus).
    this.pointerInside = false;
    this.release();
    this.toasts = [];
    this.host.requestUpdate();
  }

  /** Show a toast for a notification that just arrived (none while the panel is open). */
  add(notification: Notification): void {
    if (this.quieted) return;
    if (this.toasts.some((t) => t.notification.id === notification.id && !t.leaving)) return;
    this.toasts = this.toasts.filter((t) => t.notification.id !== notification.id);
    const toast: Toast = { notification, leaving: false };
    this.toasts.push(toast);
    const duration = this.options.duration();
    if (!isUrgent(toast) && duration > 0) this.getTimer().start(notification.id, duration);
    // Too many: the oldest non-urgent go (urgent ones only when nothing else is left), never the
    // focused one. With one focus and room for several that always leaves one to take.
    const pinned = this.focus.focused()?.dataset['id'];
    let shown = this.toasts.filter((t) => !t.leaving);
    while (shown.length > MAX_TOASTS) {
      const candidates = shown.filter((t) => t.notification.id !== pinned);
      const oldest = candidates.find((t) => !isUrgent(t)) ?? candidates[0];
      if (!oldest) break;
      this.remove(oldest.notification.id);
      shown = this.toasts.filter((t) => !t.leaving);
    }
    this.host.requestUpdate();
  }

  /** Take a toast away (dismissed, opened, timed out, or read elsewhere). */
  remove(id: string): void {
    const toast = this.toasts.find((t) => t.notification.id === id && !t.leaving);
    if (!toast) return;
    const node = this.host.renderRoot.querySelector<HTMLElement>(
      `.toast[data-id="${cssEscape(id)}"]`,
    );
    if (node) this.focus.leaving(node);
    this.timer?.stop(id);
    toast.leaving = true;
    // Nothing left to read: the next toast is not held by a touch it never had.
    if (this.toasts.every((t) => t.leaving)) this.release();
    this.host.requestUpdate();
  }

  /** Replace the notification a toast shows (its read state changed, say). */
  refresh(byId: ReadonlyMap<string, Notification>): void {
    let changed = false;
    this.toasts = this.toasts.map((t) => {
      const fresh = byId.get(t.notification.id);
      if (!fresh || fresh === t.notification) return t;
      changed = true;
      return { ...t, notification: fresh };
    });
    if (changed) this.host.requestUpdate();
  }

  /** After the host rendered: drop leaving toasts with no animation to wait for; keep clear. */
  updated(root: ParentNode): void {
    const done = this.toasts.filter((toast) => {
      if (!toast.leaving) return false;
      const node = root.querySelector<HTMLElement>(
        `.toast[data-id="${cssEscape(toast.notification.id)}"]`,
      );
      // No Web Animations (jsdom, happy-dom, where host apps run unit tests): nothing to wait for.
      return (node?.getAnimations?.().length ?? 0) === 0;
    });
    // Dropped once this update is over, not from within it: an update scheduled from `updated()`
    // is what Lit's development build warns of in the host app's console (and its tests').
    if (done.length > 0) queueMicrotask(() => done.forEach((toast) => this.drop(toast)));
    this.clearance.updated();
  }

  /** The stack and its toasts, urgent ones first. */
  render(label: string, toast: (t: Toast) => TemplateResult): TemplateResult {
    const list = (toasts: Toast[]) => keyedList(toasts, (t) => t.notification.id, toast);
    const drawn = this.toasts.length > 0;
    return html`<div
      part="toasts"
      class="toasts"
      popover="manual"
      role=${drawn ? 'region' : nothing}
      aria-label=${drawn ? label : nothing}
      aria-keyshortcuts=${drawn ? TOAST_SHORTCUT : nothing}
      data-edge=${this.clearance.edge}
      ?data-aside=${this.clearance.aside}
      ?data-empty=${!drawn}
      ?data-paused=${this.paused}
      @pointerenter=${() => this.pointer(true)}
      @pointerleave=${() => this.pointer(false)}
      @pointerdown=${this.onPointerDown}
      @focusin=${() => this.pause('focus')}
      @focusout=${this.onFocusOut}
      @keydown=${this.focus.onKeydown}
      @animationend=${this.onAnimationEnd}
      @animationcancel=${this.onAnimationEnd}
    >
      <ol class="stack urgent">
        ${list(this.toasts.filter(isUrgent))}
      </ol>
      <ol class="stack polite">
        ${list(this.toasts.filter((t) => !isUrgent(t)))}
      </ol>
    </div>`;
  }

  /**
   * Keep the stack in the top layer while the host is rendered. Opening a popover makes the
   * browser compute the page's style and layout on the spot: a stack with nothing in it opens in
   * the next animation frame, which computes them anyway. (On a page's load, the host's first
   * render would otherwise lay out the whole page inside the task that upgrades every element.)
   * A stack with a toast in it opens at once, so it is seen.
   */
  show(root: ParentNode): void {
    const stack = root.querySelector<HTMLElement>('.toasts');
    if (!stack?.isConnected || stack.matches(':popover-open')) return;
    if (this.toasts.length > 0) this.open(stack);
    else if (this.frame === 0 && typeof requestAnimationFrame === 'function') {
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        if (stack.isConnected && !stack.matches(':popover-open')) this.open(stack);
      });
    }
  }

  private open(stack: HTMLElement): void {
    try {
      stack.showPopover();
    } catch {
      // Not rendered (a `display: none` ancestor): it is shown on the next update.
    }
  }

  private getTimer(): ToastTimer {
    const clock = this.options.clock();
    if (!this.timer || this.timerClock !== clock) {
      this.timer?.dispose();
      this.timerClock = clock;
      this.timer = new ToastTimer(clock, (id) => this.remove(id));
      if (this.pointerInside) this.timer.pause('hover');
      if (this.held) this.timer.pause('touch');
      this.syncVisibility();
    }
    return this.timer;
  }

  private pause(reason: PauseReason): void {
    const timer = this.getTimer();
    const was = timer.paused;
    timer.pause(reason);
    if (!was) this.host.requestUpdate();
  }

  private resume(reason: PauseReason): void {
    const timer = this.timer;
    if (!timer?.paused) return;
    timer.resume(reason);
    if (!timer.paused) this.host.requestUpdate();
  }

  private pointer(inside: boolean): void {
    this.pointerInside = inside;
    if (inside) this.pause('hover');
    else this.resume('hover');
  }

  private onPointerDown = (event: PointerEvent): void => {
    if (this.held || (event.pointerType !== 'touch' && event.pointerType !== 'pen')) return;
    this.held = true;
    // Added while this press is at its target: its capture phase on the document is over.
    globalThis.document?.addEventListener('pointerdown', this.onPageDown, true);
    this.pause('touch');
  };

  /** A press anywhere: outside the stack, it ends a touch's hold. */
  private onPageDown = (event: PointerEvent): void => {
    const stack = this.host.renderRoot.querySelector('.toasts');
    if (!stack || !event.composedPath().includes(stack)) this.release();
  };

  private release(): void {
    if (!this.held) return;
    this.held = false;
    globalThis.document?.removeEventListener('pointerdown', this.onPageDown, true);
    this.resume('touch');
  }

  private onFocusOut = (event: FocusEvent): void => {
    const to = event.relatedTarget as Node | null;
    const stack = event.currentTarget as HTMLElement;
    if (to && stack.contains(to)) return;
    this.focus.left();
    this.resume('focus');
  };

  private syncVisibility(): void {
    if (!this.timer) return;
    if (globalThis.document?.visibilityState === 'hidden') this.timer.pause('hidden');
    else this.timer.resume('hidden');
  }

  private onAnimationEnd = (event: AnimationEvent): void => {
    const node = (event.target as HTMLElement).closest?.('.toast') as HTMLElement | null;
    if (!node || node !== event.target) return;
    const toast = this.toasts.find((t) => t.notification.id === node.dataset['id'] && t.leaving);
    if (toast) this.drop(toast);
  };

  private drop(toast: Toast): void {
    const before = this.toasts.length;
    this.toasts = this.toasts.filter((t) => t !== toast);
    if (this.toasts.length !== before) this.host.requestUpdate();
  }
}
