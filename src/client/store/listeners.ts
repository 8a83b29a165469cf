/**
 * A set of listeners where one throwing listener cannot starve the others: the client's event
 * streams (status, room messages, frames) and, through `Notifier`, every store's changes.
 */
import type { Unsubscribe } from '../types.js';

export class Listeners<T> {
  private readonly set = new Set<(value: T) => void>();

  add(listener: (value: T) => void): Unsubscribe {
    this.set.add(listener);
    return () => {
      this.set.delete(listener);
    };
  }

  get size(): number {
    return this.set.size;
  }

  clear(): void {
    this.set.clear();
  }

  emit(value: T): void {
    for (const listener of [...this.set]) {
      try {
        listener(value);
      } catch (error) {
        // Report it like an uncaught error without breaking the loop.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
