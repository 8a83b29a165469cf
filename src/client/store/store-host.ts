/**
 * What the notification and activity stores need from their client besides its public API: a
 * frame scheduler for batched notifications and a logger, and the batching itself: listeners are
 * called at most once per animation frame however many changes happen, with the latest snapshot.
 */
import type { CapabilityClient, Unsubscribe } from '../types.js';

/** The parts of the client a store uses. */
export type StoreClient = Pick<
  CapabilityClient,
  'user' | 'status' | 'joinRoom' | 'lastSeq' | 'on' | 'onResume' | 'onFrame' | 'onStatus'
> & { request: CapabilityClient['request']; emit: CapabilityClient['emit'] };

export interface StoreHost {
  /** Schedules one batched notification (an animation frame, or a timer). */
  scheduleFrame(callback: () => void): void;
  /** Logs a warning once per message (invalid payloads and the like). */
  warn(message: string, detail?: unknown): void;
}

export function createStoreHost(
  scheduleFrame: (callback: () => void) => void,
  logger: Pick<Console, 'warn'>,
): StoreHost {
  const warned = new Set<string>();
  return {
    scheduleFrame,
    warn(message, detail) {
      if (warned.has(message)) return;
      warned.add(message);
      logger.warn(`crm-realtime: ${message}`, ...(detail === undefined ? [] : [detail]));
    },
  };
}

/** Listeners of one store, notified at most once per frame with the store's latest snapshot. */
export class StoreNotifier<S> {
  private readonly listeners = new Set<(snapshot: S) => void>();
  private scheduled = false;
  /** Notifications delivered so far (for tests, benchmarks and debugging). */
  notifications = 0;

  constructor(
    private readonly host: StoreHost,
    private readonly snapshot: () => S,
  ) {}

  get size(): number {
    return this.listeners.size;
  }

  /** The listener is called on the next batched change, not immediately: read the snapshot. */
  subscribe(listener: (snapshot: S) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  clear(): void {
    this.listeners.clear();
  }

  /** Something changed: notify on the next frame (once, however many changes come before it). */
  changed(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.host.scheduleFrame(() => {
      this.scheduled = false;
      if (this.listeners.size === 0) return;
      this.notifications += 1;
      const snapshot = this.snapshot();
      for (const listener of [...this.listeners]) {
        try {
          listener(snapshot);
        } catch (error) {
          // One broken widget must not starve the others.
          queueMicrotask(() => {
            throw error;
          });
        }
      }
    });
  }
}

/** A positive integer option, or the fallback for anything else (bad input never throws). */
export function positiveInt(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value >= 1 ? Math.floor(value) : fallback;
}
