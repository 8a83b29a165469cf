/**
 * The one rule for sharing a store on a client: what every reader of a key sees alike (a room
 * with its presence, an entity, the user's notifications) is one store per key, made by the first
 * reader to hold the key and disposed when the last one lets go; each reader gets its own view or
 * handle holding one reference, and keeps what is its own there (an activity filter, a scroll
 * position, the fields being edited). A capability has one instance per client (`client.use`,
 * see capability.ts) and keeps its shared stores in a `SharedStores`.
 */
export class SharedStores<K, S> {
  private readonly entries = new Map<K, { store: S; refs: number }>();

  constructor(
    /** The last reference was released: free what the store holds. */
    private readonly dispose: (store: S, key: K) => void,
  ) {}

  /**
   * The key's store, made by `make` when nobody holds it yet; the caller holds one reference
   * until `release(key)`.
   */
  hold(key: K, make: (key: K) => S): S {
    let entry = this.entries.get(key);
    if (!entry) this.entries.set(key, (entry = { store: make(key), refs: 0 }));
    entry.refs += 1;
    return entry.store;
  }

  /** Drop one reference; true when it was the last (the store is then disposed). */
  release(key: K): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    entry.refs -= 1;
    if (entry.refs > 0) return false;
    this.entries.delete(key);
    this.dispose(entry.store, key);
    return true;
  }

  /** The key's store while someone holds it. */
  get(key: K): S | undefined {
    return this.entries.get(key)?.store;
  }

  /** How many references the key's store has (0: none). */
  refs(key: K): number {
    return this.entries.get(key)?.refs ?? 0;
  }

  keys(): IterableIterator<K> {
    return this.entries.keys();
  }

  *values(): IterableIterator<S> {
    for (const entry of this.entries.values()) yield entry.store;
  }
}
