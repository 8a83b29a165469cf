/**
 * Paces the top of the feed during a burst. The store already coalesces live items into one
 * notification per animation frame; a feed that re-renders its top every frame while hundreds of
 * items a second pour in still replaces every article on screen 60 times a second, which costs a
 * core and shows nothing anyone can read. So, while the reader is at the top, new items are shown
 * at most once per `intervalMs`: one item alone appears at once, a flood refreshes a few times a
 * second. Anything else (scrolling, focus, filters, the reader scrolled down) renders at once.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Clock } from '../../client/types.js';

export class BurstGate implements ReactiveController {
  private last = -Infinity;
  private timer: { clock: Clock; handle: unknown } | undefined;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly clock: () => Clock,
    private readonly intervalMs: number,
  ) {
    host.addController(this);
  }

  /** May new items be shown now? If not, an update is scheduled for when they may. */
  allow(): boolean {
    const clock = this.clock();
    const wait = this.last + this.intervalMs - clock.now();
    if (wait <= 0) return true;
    if (!this.timer) {
      const handle = clock.setTimeout(() => {
        this.timer = undefined;
        this.host.requestUpdate();
      }, wait);
      this.timer = { clock, handle };
    }
    return false;
  }

  /** New items were just shown at the top. */
  shown(): void {
    this.last = this.clock().now();
  }

  hostDisconnected(): void {
    if (this.timer) this.timer.clock.clearTimeout(this.timer.handle);
    this.timer = undefined;
    this.last = -Infinity;
  }
}
