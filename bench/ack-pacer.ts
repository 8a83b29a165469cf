/**
 * How a bench publisher paces its messages by the server's acknowledgements, shared by the
 * fan-out bench (one process) and the scale-out bench (several processes, or Socket.IO): a burst
 * keeps a window of unacknowledged messages in flight, a paced run sends at a fixed rate, and
 * both end when every message sent is acknowledged. A publisher says how to send one message and
 * calls `acknowledged()` for each ack it reads.
 */
/** Messages a burst keeps unacknowledged. */
export const BURST_WINDOW = 16;

export abstract class AckPacer {
  protected sent = 0;
  private acked = 0;
  private onAck: (() => void) | undefined;

  /** Sends message number `this.sent` (and counts it). */
  protected abstract sendOne(): void;

  protected acknowledged(): void {
    this.acked++;
    this.onAck?.();
  }

  /** Sends `count` messages keeping `window` unacknowledged; resolves when all are acked. */
  burst(count: number, window = BURST_WINDOW): Promise<void> {
    const target = this.sent + count;
    return new Promise((resolve) => {
      const pump = (): void => {
        while (this.sent < target && this.sent - this.acked < window) this.sendOne();
        if (this.acked >= target) {
          this.onAck = undefined;
          resolve();
        }
      };
      this.onAck = pump;
      pump();
    });
  }

  /** Sends at `rate` per second for `seconds`; resolves with the count once all are acked. */
  async paced(rate: number, seconds: number): Promise<number> {
    const start = performance.now();
    const first = this.sent;
    const total = Math.round(rate * seconds);
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
        while (this.sent - first < due) this.sendOne();
        if (this.sent - first >= total) {
          clearInterval(timer);
          resolve();
        }
      }, 2);
    });
    await this.allAcked();
    return total;
  }

  /** Resolves once every message sent so far is acknowledged. */
  protected allAcked(): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.acked < this.sent) return;
        this.onAck = undefined;
        resolve();
      };
      this.onAck = check;
      check();
    });
  }
}
