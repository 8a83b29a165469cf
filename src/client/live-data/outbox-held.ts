/**
 * Store writes of an outbox entry that changes with every keystroke (an open conflict the user
 * types on into, `LiveConflict.amend`), coalesced: the entry changes in memory at once, and is
 * written once the typing pauses (`HOLD_IDLE` ms), at the latest `HOLD_MAX` ms after the first
 * change not written, and at once when the page is hidden or goes (`visibilitychange` to hidden,
 * `pagehide`): after either the page may be frozen or closed without running another timer, so
 * the last value typed is on the device before a reload or a closed tab. One store write per
 * pause, instead of one per keystroke, each a new IndexedDB transaction.
 *
 * The listeners are there only while something is held, so a page in the normal case keeps none.
 */
import type { UnloadTarget } from '../../util/unload-guard.js';
import type { OutboxRecord } from './outbox-writer.js';
import type { Clock } from '../types.js';

/** Quiet, in ms, after which what is held is written. */
export const HOLD_IDLE = 1000;
/** The longest, in ms, a change is held while changes keep coming. */
export const HOLD_MAX = 5000;

export class HeldWrites {
  private readonly held = new Set<OutboxRecord>();
  private timer: unknown;
  /** When the oldest change held was made. */
  private since: number | undefined;
  private listening = false;

  constructor(
    private readonly clock: Clock,
    private readonly target: UnloadTarget | undefined,
    private readonly write: (record: OutboxRecord) => void,
  ) {}

  /** `record` changed: written once changes pause (or the page is hidden, or goes). */
  hold(record: OutboxRecord): void {
    this.held.add(record);
    const now = this.clock.now();
    this.since ??= now;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    const wait = Math.max(0, Math.min(HOLD_IDLE, this.since + HOLD_MAX - now));
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.writeAll();
    }, wait);
    this.listen(true);
  }

  /** `record` is written (or removed) now by other means: nothing is held for it. */
  release(record: OutboxRecord): void {
    if (!this.held.delete(record) || this.held.size > 0) return;
    this.stop();
  }

  /** Write everything held, now. */
  writeAll(): void {
    const records = [...this.held];
    this.held.clear();
    this.stop();
    for (const record of records) this.write(record);
  }

  private stop(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.since = undefined;
    this.listen(false);
  }

  private readonly onPageHide = (): void => this.writeAll();

  private readonly onVisibilityChange = (): void => {
    const doc = (globalThis as { document?: Pick<Document, 'visibilityState'> }).document;
    if (doc?.visibilityState !== 'visible') this.writeAll();
  };

  private listen(on: boolean): void {
    if (!this.target || on === this.listening) return;
    this.listening = on;
    const method = on ? this.target.addEventListener : this.target.removeEventListener;
    method.call(this.target, 'pagehide', this.onPageHide);
    // Fired at the document, and bubbles to the window.
    method.call(this.target, 'visibilitychange', this.onVisibilityChange);
  }
}
