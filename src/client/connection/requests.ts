/** Requests waiting for the frame that answers their `id` (`replyTo`), each with a timeout. */
import type { ServerFrame } from '../../protocol/index.js';
import { RealtimeError } from '../realtime-error.js';
import type { Clock } from '../types.js';

interface Pending {
  resolve(frame: ServerFrame): void;
  reject(error: RealtimeError): void;
  timer: unknown;
}

export class PendingRequests {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly clock: Clock) {}

  get size(): number {
    return this.pending.size;
  }

  /** Wait for the answer to `id`; rejects with `timeout` after `timeoutMs`. */
  wait(id: string, what: string, timeoutMs: number): Promise<ServerFrame> {
    return new Promise<ServerFrame>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        this.pending.delete(id);
        reject(new RealtimeError('timeout', `no answer to ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
    });
  }

  /** Settle the request a frame answers: resolve, or reject on an `error` frame. */
  settle(frame: ServerFrame): boolean {
    // A frame that answers nothing finds nothing: no request waits under `undefined`.
    const replyTo = (frame as { replyTo?: string }).replyTo!;
    const pending = this.pending.get(replyTo);
    if (!pending) return false;
    this.pending.delete(replyTo);
    this.clock.clearTimeout(pending.timer);
    if (frame.type === 'error') {
      pending.reject(
        new RealtimeError(frame.code, frame.message, frame.room, frame.errors, frame.retryAfterMs),
      );
    } else {
      pending.resolve(frame);
    }
    return true;
  }

  /** Reject everything in flight (the connection dropped or the client closed). */
  rejectAll(code: 'disconnected' | 'closed', message: string): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const pending of all) {
      this.clock.clearTimeout(pending.timer);
      pending.reject(new RealtimeError(code, message));
    }
  }
}
