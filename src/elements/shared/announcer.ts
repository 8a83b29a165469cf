/**
 * Turns a stream of arrivals and departures into few, short announcements for screen readers:
 * everything that happens within one window (1 s by default) becomes one message, such as
 * "Ana Ortiz and Ben Lee joined. Carl left." Someone who arrives and leaves within the same window
 * is not mentioned at all. Pure logic: the clock and the output are injected.
 */
import type { Clock } from '../../util/clock.js';

export interface AnnouncementBatch {
  /** Names of the people who joined, in the order they did. */
  readonly joined: readonly string[];
  /** Names of the people who left, in the order they did. */
  readonly left: readonly string[];
}

export interface AnnouncerOptions {
  clock: Clock;
  /** Receives each message; the element writes it into its live region. */
  announce(message: string): void;
  /** Turns a non-empty batch into one message (translated by the element's messages). */
  format(batch: AnnouncementBatch): string;
  /** Length of the batching window in ms. Default 1000. */
  windowMs?: number;
}

type Change = 'joined' | 'left';

export class PresenceAnnouncer {
  private readonly pending = new Map<string, { change: Change; name: string }>();
  private timer: unknown;
  private timerSet = false;

  constructor(private readonly options: AnnouncerOptions) {}

  /** Someone arrived. */
  joined(id: string, name: string): void {
    this.add(id, name, 'joined');
  }

  /** Someone left. */
  left(id: string, name: string): void {
    this.add(id, name, 'left');
  }

  /** Announces what is pending now instead of at the end of the window. */
  flush(): void {
    this.cancelTimer();
    const joined: string[] = [];
    const left: string[] = [];
    for (const { change, name } of this.pending.values())
      (change === 'joined' ? joined : left).push(name);
    this.pending.clear();
    if (joined.length === 0 && left.length === 0) return;
    this.options.announce(this.options.format({ joined, left }));
  }

  /** Drops what is pending and stops the timer (the element left the page). */
  dispose(): void {
    this.cancelTimer();
    this.pending.clear();
  }

  private add(id: string, name: string, change: Change): void {
    const earlier = this.pending.get(id);
    if (earlier && earlier.change !== change) {
      // Arrived and left (or left and came back) within one window: nothing worth saying.
      this.pending.delete(id);
    } else {
      this.pending.delete(id);
      this.pending.set(id, { change, name });
    }
    if (!this.timerSet) {
      this.timerSet = true;
      this.timer = this.options.clock.setTimeout(() => {
        this.timerSet = false;
        this.flush();
      }, this.options.windowMs ?? 1000);
    }
  }

  private cancelTimer(): void {
    if (this.timerSet) this.options.clock.clearTimeout(this.timer);
    this.timerSet = false;
  }
}
