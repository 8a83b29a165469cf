/**
 * The outbox in IndexedDB: one object store keyed by an auto-increment `seq`, so entries come back
 * in the order they were made. Each write resolves when its transaction completed (durable), and
 * the connection closes itself when another page upgrades or deletes the database.
 */
import type { NewOutboxEntry, OutboxEntry, OutboxStore } from './outbox-store.js';

/** The database name every client of an origin shares by default. */
export const DEFAULT_OUTBOX_DB = 'crm-realtime-outbox';
const STORE = 'entries';
const VERSION = 1;

function done(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error ?? new Error('transaction aborted'));
  });
}

export class IndexedDbOutboxStore implements OutboxStore {
  readonly persistent = true;
  private db: Promise<IDBDatabase> | undefined;

  constructor(
    /** Database name; tests use their own so they do not share entries. */
    readonly name: string = DEFAULT_OUTBOX_DB,
    private readonly factory: IDBFactory = globalThis.indexedDB,
  ) {}

  async load(): Promise<OutboxEntry[]> {
    const db = await this.open();
    const transaction = db.transaction(STORE, 'readonly');
    const request = transaction.objectStore(STORE).getAll();
    await done(transaction);
    // getAll returns records in key order: the order they were added.
    return request.result as OutboxEntry[];
  }

  async add(entry: NewOutboxEntry): Promise<number> {
    const db = await this.open();
    const transaction = db.transaction(STORE, 'readwrite');
    const value: Record<string, unknown> = { ...entry };
    delete value['seq']; // let the store assign the key
    const request = transaction.objectStore(STORE).add(value);
    await done(transaction);
    return request.result as number;
  }

  async put(entry: OutboxEntry): Promise<void> {
    const db = await this.open();
    const transaction = db.transaction(STORE, 'readwrite');
    transaction.objectStore(STORE).put(entry);
    await done(transaction);
  }

  async delete(seq: number): Promise<void> {
    const db = await this.open();
    const transaction = db.transaction(STORE, 'readwrite');
    transaction.objectStore(STORE).delete(seq);
    await done(transaction);
  }

  close(): void {
    const db = this.db;
    this.db = undefined;
    void db?.then((d) => d.close()).catch(() => undefined);
  }

  private open(): Promise<IDBDatabase> {
    if (this.db) return this.db;
    const opening = new Promise<IDBDatabase>((resolve, reject) => {
      const request = this.factory.open(this.name, VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains(STORE)) {
          db.createObjectStore(STORE, { keyPath: 'seq', autoIncrement: true });
        }
      };
      request.onsuccess = () => {
        const db = request.result;
        // Another page upgrades or deletes the database: step aside, reopen on the next write.
        db.onversionchange = () => {
          db.close();
          if (this.db === opening) this.db = undefined;
        };
        db.onclose = () => {
          if (this.db === opening) this.db = undefined;
        };
        resolve(db);
      };
      request.onerror = () => reject(request.error ?? new Error(`cannot open ${this.name}`));
    });
    this.db = opening;
    opening.catch(() => {
      if (this.db === opening) this.db = undefined;
    });
    return opening;
  }
}
