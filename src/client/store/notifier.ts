/**
 * How every client store tells its listeners that its state changed — one rule for all of them:
 * a listener gets the store's latest snapshot (never a diff) and reads it; one throwing listener
 * cannot starve the others; and delivery is **batched**: however many changes happen before the
 * batch runs, each listener is called once, with the newest snapshot.
 *
 * The batch is the client's `scheduleFrame` (an animation frame in a page, a timer elsewhere) for
 * presence, notifications and activity: a room of 200 people arriving, or a burst of feed events,
 * renders once. Live data and the offline outbox batch on `deliverNow` instead (a batch of one
 * change, delivered before `changed()` returns), because their listeners must see every state of
 * a save: a save's own pending state is shown in the task that made it, right after its frame
 * left, and not a frame later; a pending change confirmed within one frame still shows
 * `pending` then `confirmed` (test/node/client/live-data/live-data.test.ts, "shows a change at
 * once as pending …" and "sends the save before it shows …"); and the outbox badge counts every
 * queued edit (test/node/client/live-data/outbox.test.ts, "queues edits while offline …").
 */
import { Listeners } from './listeners.js';
import type { Unsubscribe } from '../types.js';

/** Runs a batch: later (an animation frame, a timer) or, with `deliverNow`, at once. */
export type Schedule = (callback: () => void) => void;

/** No batching: every change is delivered before `changed()` returns. */
export const deliverNow: Schedule = (callback) => callback();

export class Notifier<S> {
  private readonly listeners = new Listeners<S>();
  private scheduled = false;
  /** Batches delivered so far (for tests, benchmarks and debugging). */
  notifications = 0;

  constructor(
    private readonly schedule: Schedule,
    private readonly snapshot: () => S,
  ) {}

  get size(): number {
    return this.listeners.size;
  }

  /** Called with the latest snapshot when the next batch runs, not immediately. */
  subscribe(listener: (snapshot: S) => void): Unsubscribe {
    return this.listeners.add(listener);
  }

  clear(): void {
    this.listeners.clear();
  }

  /** Something changed: deliver with the next batch (once, however many changes come before it). */
  changed(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(() => {
      this.scheduled = false;
      if (this.listeners.size === 0) return;
      this.notifications += 1;
      this.listeners.emit(this.snapshot());
    });
  }
}
