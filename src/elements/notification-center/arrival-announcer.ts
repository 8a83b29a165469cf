/**
 * What a screen reader hears when notifications arrive: one message per burst, not one per toast.
 * The first arrival opens a window (1 s by default, on the client's clock); what arrives within it
 * is said together when it closes, e.g. "Warning: Renewal at risk. And 9 more new notifications".
 * Urgent notifications are batched apart and said in an assertive region, the others in a polite
 * one. Both regions are visually hidden and in the page from the start, so the first message is
 * heard. The toasts themselves are not live regions: ten arriving at once were read one by one,
 * each in full. A message is emptied from its region a while after it was said (removed text is
 * not spoken): left there, a reader browsing the page later would come upon a stale "New
 * notification: …". The next message, the same words included, is then a change and is spoken.
 */
import { html, type ReactiveElement, type TemplateResult } from 'lit';
import type { Clock } from '../../client/types.js';
import type { Notification } from '../../protocol/notifications.js';
import { nextLiveText } from '../shared/live-text.js';

export interface ArrivalAnnouncerOptions {
  clock(): Clock;
  /** One message for the notifications that arrived within one window, oldest first. */
  format(batch: readonly Notification[]): string;
  /** Length of the batching window in ms. Default 1000. */
  windowMs?: number;
  /** How long a message stays in its region once said, in ms. Default 5000. */
  clearMs?: number;
}

/** One region's pending notifications and what it says now. */
class Batch {
  pending: Notification[] = [];
  text = '';
  timer: unknown;
  clock: Clock | undefined;
  /** Empties `text` once it was said; on `sayClock`. */
  clearTimer: unknown;
  sayClock: Clock | undefined;
}

export class ArrivalAnnouncer {
  private readonly polite = new Batch();
  private readonly urgent = new Batch();

  constructor(
    private readonly host: ReactiveElement,
    private readonly options: ArrivalAnnouncerOptions,
  ) {}

  /** What the polite and the assertive region say now (for tests and debugging). */
  get messages(): { polite: string; assertive: string } {
    return { polite: this.polite.text.trim(), assertive: this.urgent.text.trim() };
  }

  /** A notification arrived live. */
  add(n: Notification): void {
    const batch = n.priority === 'urgent' ? this.urgent : this.polite;
    batch.pending.push(n);
    if (batch.clock) return;
    const clock = this.options.clock();
    batch.clock = clock;
    batch.timer = clock.setTimeout(() => this.say(batch), this.options.windowMs ?? 1000);
  }

  /** Drop what is pending (the element left the page). */
  dispose(): void {
    for (const batch of [this.polite, this.urgent]) {
      batch.clock?.clearTimeout(batch.timer);
      batch.clock = undefined;
      batch.pending = [];
      batch.sayClock?.clearTimeout(batch.clearTimer);
      batch.sayClock = undefined;
      batch.text = '';
    }
  }

  render(): TemplateResult {
    return html`<div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">
        ${this.polite.text}
      </div>
      <div class="visually-hidden" aria-live="assertive" aria-atomic="true">
        ${this.urgent.text}
      </div>`;
  }

  private say(batch: Batch): void {
    const clock = batch.clock!;
    batch.clock = undefined;
    const pending = batch.pending;
    batch.pending = [];
    if (pending.length === 0) return;
    batch.text = nextLiveText(this.options.format(pending), batch.text);
    batch.sayClock?.clearTimeout(batch.clearTimer);
    batch.sayClock = clock;
    batch.clearTimer = clock.setTimeout(() => {
      batch.sayClock = undefined;
      batch.text = '';
      this.host.requestUpdate();
    }, this.options.clearMs ?? 5000);
    this.host.requestUpdate();
  }
}
