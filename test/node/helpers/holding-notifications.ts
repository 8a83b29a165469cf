/**
 * A storage whose notification store the test can stop at the two points where a count and a
 * live notification cross: after a notification is stored and before it is delivered live
 * (`holdDelivery`), and after an unread count was read and before it is sent (`holdCount`);
 * also after notifications were marked read and before the read is told (`holdRead`).
 * Each hold stops the next call only; the test waits for it to be reached and lets it go.
 */
import type { NotificationRepository } from '../../../src/server/notifications/notification-repository.js';
import type { Storage } from '../../../src/server/storage.js';

export interface Hold {
  /** Resolves when a call reached the hold (and waits there). */
  readonly reached: Promise<void>;
  release(): void;
}

interface Armed {
  arrive(): Promise<void>;
}

function arm(): Hold & Armed {
  let reach!: () => void;
  let release!: () => void;
  const reached = new Promise<void>((resolve) => (reach = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  return {
    reached,
    release,
    arrive: () => {
      reach();
      return released;
    },
  };
}

/** Binds what it passes through, so the wrapped object's methods keep their `this`. */
function passThrough<T extends object>(target: T, prop: string | symbol): unknown {
  const value = Reflect.get(target, prop, target) as unknown;
  return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
}

export function holdingNotifications(inner: Storage): {
  storage: Storage;
  holdDelivery(): Hold;
  holdCount(): Hold;
  holdRead(): Hold;
} {
  let delivery: Armed | undefined;
  let count: Armed | undefined;
  let read: Armed | undefined;
  const notifications = new Proxy(inner.notifications!, {
    get(target, prop) {
      if (prop === 'insert') {
        return async (...args: Parameters<NotificationRepository['insert']>) => {
          const orders = await target.insert(...args);
          const hold = delivery;
          delivery = undefined;
          await hold?.arrive();
          return orders;
        };
      }
      if (prop === 'unread') {
        return async (userId: string) => {
          const tally = await target.unread(userId);
          const hold = count;
          count = undefined;
          await hold?.arrive();
          return tally;
        };
      }
      if (prop === 'markRead') {
        return async (...args: Parameters<NotificationRepository['markRead']>) => {
          const marked = await target.markRead(...args);
          const hold = read;
          read = undefined;
          await hold?.arrive();
          return marked;
        };
      }
      return passThrough(target, prop);
    },
  });
  const storage = new Proxy(inner, {
    get: (target, prop) => (prop === 'notifications' ? notifications : passThrough(target, prop)),
  });
  return {
    storage,
    holdDelivery: () => (delivery = arm()),
    holdCount: () => (count = arm()),
    holdRead: () => (read = arm()),
  };
}
