/**
 * Countdowns that hide toasts, on an injected clock: each toast gets `duration` ms of being shown;
 * `pause()` stops every countdown (the pointer is over the toasts, the focus is in them, a finger
 * touched them, the page is hidden) and `resume()` continues each with the time it had left. A toast started while paused
 * waits for the resume. Pure logic: no DOM.
 */
import type { Clock } from '../../client/types.js';

interface Countdown {
  /** Time left when not running; the time it was started when running. */
  remaining: number;
  startedAt: number;
  handle: unknown;
  running: boolean;
}

/** Why the countdowns are paused; they run only when no reason is left. */
export type PauseReason = 'hover' | 'focus' | 'touch' | 'hidden' | 'aside';

export class ToastTimer {
  private readonly countdowns = new Map<string, Countdown>();
  private readonly reasons = new Set<PauseReason>();

  constructor(
    private readonly clock: Clock,
    /** Called when a toast's time is up. */
    private readonly expire: (id: string) => void,
  ) {}

  get paused(): boolean {
    return this.reasons.size > 0;
  }

  /** Toasts with a countdown (running or paused). */
  get size(): number {
    return this.countdowns.size;
  }

  has(id: string): boolean {
    return this.countdowns.has(id);
  }

  /** Time left for a toast, in ms (for tests and for a progress indicator). */
  remaining(id: string): number | undefined {
    const c = this.countdowns.get(id);
    if (!c) return undefined;
    return c.running ? Math.max(0, c.remaining - (this.clock.now() - c.startedAt)) : c.remaining;
  }

  /** Start hiding a toast after `duration` ms of being visible and not paused. */
  start(id: string, duration: number): void {
    this.stop(id);
    const countdown: Countdown = { remaining: duration, startedAt: 0, handle: 0, running: false };
    this.countdowns.set(id, countdown);
    if (!this.paused) this.run(id, countdown);
  }

  /** Forget a toast's countdown (it was dismissed, or it is urgent). */
  stop(id: string): void {
    const c = this.countdowns.get(id);
    if (!c) return;
    if (c.running) this.clock.clearTimeout(c.handle);
    this.countdowns.delete(id);
  }

  pause(reason: PauseReason): void {
    const wasPaused = this.paused;
    this.reasons.add(reason);
    if (wasPaused) return;
    const now = this.clock.now();
    for (const c of this.countdowns.values()) {
      if (!c.running) continue;
      this.clock.clearTimeout(c.handle);
      c.remaining = Math.max(0, c.remaining - (now - c.startedAt));
      c.running = false;
    }
  }

  resume(reason: PauseReason): void {
    if (!this.reasons.delete(reason) || this.paused) return;
    for (const [id, c] of this.countdowns) this.run(id, c);
  }

  /** Stop everything (the element left the page). */
  dispose(): void {
    for (const id of [...this.countdowns.keys()]) this.stop(id);
    this.reasons.clear();
  }

  private run(id: string, c: Countdown): void {
    c.running = true;
    c.startedAt = this.clock.now();
    c.handle = this.clock.setTimeout(() => {
      if (this.countdowns.get(id) !== c) return;
      this.countdowns.delete(id);
      this.expire(id);
    }, c.remaining);
  }
}
