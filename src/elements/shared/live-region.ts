/**
 * The visually hidden, polite live region of `<crm-presence>` and `<crm-huddle>`, and the batching
 * behind it: arrivals and departures go in, at most one message per window comes out. The clock
 * is the client's (a manual one in tests), read when the first change of a batch arrives.
 */
import { html, type ReactiveElement, type TemplateResult } from 'lit';
import type { Clock } from '../../util/clock.js';
import { PresenceAnnouncer, type AnnouncementBatch } from './announcer.js';
import { nextLiveText } from './live-text.js';

export interface LiveRegionOptions {
  clock(): Clock;
  /** One message for a batch, in the element's language. */
  format(batch: AnnouncementBatch): string;
}

export class PresenceLiveRegion {
  private text = '';
  private announcer: PresenceAnnouncer | undefined;
  private clock: Clock | undefined;

  constructor(
    private readonly host: ReactiveElement,
    private readonly options: LiveRegionOptions,
  ) {}

  /** What the region says now (for tests and debugging). */
  get message(): string {
    return this.text.trim();
  }

  joined(id: string, name: string): void {
    this.get().joined(id, name);
  }

  left(id: string, name: string): void {
    this.get().left(id, name);
  }

  /** Drop what is pending (another room, or the element left the page). */
  dispose(): void {
    this.announcer?.dispose();
    this.announcer = undefined;
  }

  render(): TemplateResult {
    return html`<div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">
      ${this.text}
    </div>`;
  }

  private get(): PresenceAnnouncer {
    const clock = this.options.clock();
    if (!this.announcer || this.clock !== clock) {
      this.announcer?.dispose();
      this.clock = clock;
      this.announcer = new PresenceAnnouncer({
        clock,
        format: (batch) => this.options.format(batch),
        announce: (message) => {
          this.text = nextLiveText(message, this.text);
          this.host.requestUpdate();
        },
      });
    }
    return this.announcer;
  }
}
