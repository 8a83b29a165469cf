/**
 * The toasts of `<crm-notification-center>`: one per notification that arrives live, stacked in a
 * corner of the viewport, in the top layer (a manual popover, so no page `overflow` or `z-index`
 * hides them).
 *
 * - Non-urgent toasts hide after `duration` ms of being seen: every countdown pauses while the
 *   pointer is over the stack, while the focus is in it, and while the page is hidden, and goes on
 *   with the time it had left.
 * - Urgent toasts stay until dismissed.
 * - Non-urgent toasts live in a polite live region, urgent ones in an assertive one: the regions
 *   are always in the page (empty and click-through when no toast is shown), so a screen reader
 *   hears a toast when it is added.
 * - At most `MAX_TOASTS` are shown; beyond that the oldest non-urgent ones go first.
 * - While the host's panel is open (`quiet(true)`) no toast is drawn: the panel lists each
 *   notification, and a toast in the top layer would cover it or be cut by it. Toasts on screen
 *   go at once (no fade-out over the panel); what arrives is only announced, by a visually hidden
 *   entry in the same live region a toast would have used, so it is heard once. When the panel
 *   closes the announcements go too: nothing is replayed as a toast, the panel and the badge
 *   already show it.
 */
import { html, nothing, type ReactiveElement, type TemplateResult } from 'lit';
import { keyedList } from '../shared/keyed-list.js';
import type { Clock } from '../../client/types.js';
import type { Notification } from '../../protocol/notifications.js';
import { ToastTimer, type PauseReason } from './toast-timer.js';

/** Toasts shown at once; the oldest non-urgent ones make room for new ones. */
export const MAX_TOASTS = 5;

export interface Toast {
  readonly notification: Notification;
  /** Animating out: not focusable, not announced, removed when the animation ends. */
  leaving: boolean;
  /** Arrived while the stack was quiet: announced in its live region, never drawn. */
  readonly announceOnly: boolean;
}

/** The two ways an entry of the stack is rendered. */
export interface ToastTemplates {
  /** A toast on screen (or animating out). */
  toast(toast: Toast): TemplateResult;
  /** A notification that arrived while the panel was open: text for screen readers only. */
  announcement(notification: Notification): TemplateResult;
}

export interface ToastStackOptions {
  /** The clock the countdowns run on (the client's, so tests use a manual one). */
  clock(): Clock;
  /** How long a toast stays, in ms; 0 or less: until dismissed. */
  duration(): number;
}

const isUrgent = (t: Toast) => t.notification.priority === 'urgent';

export class ToastStack {
  /** Oldest first (the DOM order; CSS puts the newest nearest the corner). */
  private toasts: Toast[] = [];
  private timer: ToastTimer | undefined;
  private timerClock: Clock | undefined;
  private pointerInside = false;
  private quieted = false;
  private readonly onVisibility = () => this.syncVisibility();
  /** The animation frame an empty stack waits for to open (see `show`). */
  private frame = 0;

  constructor(
    private readonly host: ReactiveElement,
    private readonly options: ToastStackOptions,
  ) {}

  /** Toasts on screen (not those animating out, nor announcements), oldest first. */
  get visible(): readonly Notification[] {
    return this.drawn.filter((t) => !t.leaving).map((t) => t.notification);
  }

  /** Toasts drawn, those animating out included. */
  get drawn(): readonly Toast[] {
    return this.toasts.filter((t) => !t.announceOnly);
  }

  /** Whether the countdowns are paused (hover, focus or hidden page). */
  get paused(): boolean {
    return this.timer?.paused ?? false;
  }

  /** Time left before a toast hides, in ms; `undefined` for urgent or unknown ones. */
  remaining(id: string): number | undefined {
    return this.timer?.remaining(id);
  }

  connect(): void {
    globalThis.document?.addEventListener('visibilitychange', this.onVisibility);
  }

  disconnect(): void {
    globalThis.document?.removeEventListener('visibilitychange', this.onVisibility);
    if (this.frame !== 0) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.timer?.dispose();
    this.timer = undefined;
    this.toasts = [];
    this.pointerInside = false;
    this.quieted = false;
  }

  /**
   * `true` while the host's panel is open: every toast goes at once and new arrivals are only
   * announced. `false` when it closes: the announcements go and nothing is replayed.
   */
  quiet(on: boolean): void {
    if (this.quieted === on) return;
    this.quieted = on;
    if (this.toasts.length === 0) return;
    this.timer?.dispose();
    this.timer = undefined;
    // The nodes under the pointer or the focus are gone: their pause reasons go with them.
    this.pointerInside = false;
    this.toasts = [];
    this.host.requestUpdate();
  }

  /** Show a toast for a notification that just arrived. */
  add(notification: Notification): void {
    if (this.toasts.some((t) => t.notification.id === notification.id && !t.leaving)) return;
    this.toasts = this.toasts.filter((t) => t.notification.id !== notification.id);
    const toast: Toast = { notification, leaving: false, announceOnly: this.quieted };
    this.toasts.push(toast);
    const duration = this.options.duration();
    if (!toast.announceOnly && !isUrgent(toast) && duration > 0) {
      this.getTimer().start(notification.id, duration);
    }
    // Too many: the oldest non-urgent go (urgent ones only when nothing else is left).
    let shown = this.toasts.filter((t) => !t.leaving);
    while (shown.length > MAX_TOASTS) {
      const oldest = shown.find((t) => !isUrgent(t)) ?? shown[0]!;
      this.remove(oldest.notification.id);
      shown = this.toasts.filter((t) => !t.leaving);
    }
    this.host.requestUpdate();
  }

  /** Take a toast away (dismissed, opened, timed out, or read elsewhere). */
  remove(id: string): void {
    const toast = this.toasts.find((t) => t.notification.id === id && !t.leaving);
    if (!toast) return;
    // An announcement has nothing to animate: removing it from the live region says nothing.
    if (toast.announceOnly) {
      this.drop(toast);
      return;
    }
    this.timer?.stop(id);
    toast.leaving = true;
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

  /** After the host rendered: drop leaving toasts that have no animation to wait for. */
  updated(root: ParentNode): void {
    for (const toast of this.toasts.filter((t) => t.leaving)) {
      const node = root.querySelector<HTMLElement>(
        `.toast[data-id="${CSS.escape(toast.notification.id)}"]`,
      );
      if (!node || node.getAnimations().length === 0) this.drop(toast);
    }
  }

  /** The two live regions with their toasts and announcements. */
  render(label: string, templates: ToastTemplates): TemplateResult {
    const urgent = this.toasts.filter(isUrgent);
    const polite = this.toasts.filter((t) => !isUrgent(t));
    const list = (toasts: Toast[]) =>
      keyedList(
        toasts,
        (t) => t.notification.id,
        (t) => (t.announceOnly ? templates.announcement(t.notification) : templates.toast(t)),
      );
    return html`<div
      part="toasts"
      class="toasts"
      popover="manual"
      role=${this.toasts.length > 0 ? 'region' : nothing}
      aria-label=${this.toasts.length > 0 ? label : nothing}
      ?data-empty=${this.drawn.length === 0}
      ?data-paused=${this.paused}
      @pointerenter=${() => this.pointer(true)}
      @pointerleave=${() => this.pointer(false)}
      @focusin=${() => this.pause('focus')}
      @focusout=${this.onFocusOut}
      @animationend=${this.onAnimationEnd}
      @animationcancel=${this.onAnimationEnd}
    >
      <ol class="stack urgent" aria-live="assertive" aria-relevant="additions">
        ${list(urgent)}
      </ol>
      <ol class="stack polite" aria-live="polite" aria-relevant="additions">
        ${list(polite)}
      </ol>
    </div>`;
  }

  /**
   * Keep the stack in the top layer while the host is rendered. Opening a popover makes the
   * browser compute the page's style and layout on the spot: a stack with nothing in it opens in
   * the next animation frame, which computes them anyway. (On a page's load, the host's first
   * render would otherwise lay out the whole page inside the task that upgrades every element.)
   * A stack with a toast or an announcement in it opens at once, so it is seen and heard.
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

  private onFocusOut = (event: FocusEvent): void => {
    const to = event.relatedTarget as Node | null;
    const stack = event.currentTarget as HTMLElement;
    if (to && stack.contains(to)) return;
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
