/**
 * Keeps relative times true: while `active`, the host re-renders every `everyMs` on a clock (the
 * client's, so a test's manual clock drives it). One timer at most; none while the host is out of
 * the document.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Clock } from '../../client/types.js';

export class TimeTicker implements ReactiveController {
  private tick: { clock: Clock; handle: unknown } | undefined;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly clock: () => Clock,
    private readonly everyMs: number,
  ) {
    host.addController(this);
  }

  /** Call after each update: start, keep or stop the timer. */
  sync(active: boolean): void {
    const clock = this.clock();
    if (!active || !this.host.isConnected) return this.stop();
    if (this.tick?.clock === clock) return;
    this.stop();
    const handle = clock.setTimeout(() => {
      this.tick = undefined;
      this.host.requestUpdate();
    }, this.everyMs);
    this.tick = { clock, handle };
  }

  hostDisconnected(): void {
    this.stop();
  }

  private stop(): void {
    if (!this.tick) return;
    this.tick.clock.clearTimeout(this.tick.handle);
    this.tick = undefined;
  }
}
