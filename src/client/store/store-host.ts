/**
 * What the notification and activity stores need from their client besides its public API: the
 * frame scheduler their `Notifier` batches on (see notifier.ts) and a logger that warns once.
 */
import type { Schedule } from './notifier.js';
import type { CapabilityClient } from '../types.js';

/** The parts of the client a store uses. */
export type StoreClient = Pick<
  CapabilityClient,
  'user' | 'status' | 'joinRoom' | 'lastSeq' | 'on' | 'onResume' | 'onFrame' | 'onStatus'
> & { request: CapabilityClient['request']; emit: CapabilityClient['emit'] };

export interface StoreHost {
  /** Schedules one batched notification (an animation frame, or a timer). */
  readonly scheduleFrame: Schedule;
  /** Logs a warning once per message (invalid payloads and the like). */
  warn(message: string, detail?: unknown): void;
}

export function createStoreHost(scheduleFrame: Schedule, logger: Pick<Console, 'warn'>): StoreHost {
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
