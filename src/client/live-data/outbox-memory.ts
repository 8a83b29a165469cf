/**
 * The outbox store that keeps entries in memory: the fallback where there is no IndexedDB (a page's
 * edits then live only as long as the page), and the store tests share between two clients to
 * stand for a reload.
 */
import type { NewOutboxEntry, OutboxEntry, OutboxStore } from './outbox-store.js';

const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * Entries in memory. Share one instance between two clients to stand for a page reload in tests;
 * in a page it keeps edits only while the page lives.
 */
export class MemoryOutboxStore implements OutboxStore {
  readonly persistent = false;
  private readonly entries = new Map<number, OutboxEntry>();
  private next = 1;

  async load(): Promise<OutboxEntry[]> {
    return [...this.entries.values()].sort((a, b) => a.seq - b.seq).map(copy);
  }

  async add(entry: NewOutboxEntry): Promise<number> {
    const seq = this.next++;
    this.entries.set(seq, { ...copy(entry), seq });
    return seq;
  }

  async put(entry: OutboxEntry): Promise<void> {
    this.entries.set(entry.seq, copy(entry));
  }

  async delete(seq: number): Promise<void> {
    this.entries.delete(seq);
  }

  /** Entries stored now (for tests). */
  get size(): number {
    return this.entries.size;
  }
}
