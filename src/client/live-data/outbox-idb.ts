/**
 * The outbox in IndexedDB: one object store keyed by an auto-increment `seq`, so entries come back
 * in the order they were made. Each write resolves when its transaction completed (durable), and
 * the connection closes itself when another page upgrades or deletes the database. An operation
 * that fails drops the connection, so the next one opens the database again (made anew when it
 * was deleted); a database deleted while open (the user cleared the site's data) is reported
 * through `onLost`, so the outbox writes again what it holds.
 */
import type { NewOutboxEntry, OutboxEntry, OutboxStore } from './outbox-store.js';

/** The database name every client of an origin shares by default. */
export const DEFAULT_OUTBOX_DB = 'crm-realtime-outbox';
const STORE = 'entries';

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
  private readonly lost = new Set<() => void>();

  constructor(
    /** Database name; tests use their own so they do not share entries. */
    readonly name: string = DEFAULT_OUTBOX_DB,
    private readonly factory: IDBFactory = globalThis.indexedDB,
  ) {}

  load(): Promise<OutboxEntry[]> {
    return this.use(async (db) => {
      const transaction = db.transaction(STORE, 'readonly');
      const request = transaction.objectStore(STORE).getAll();
      await done(transaction);
      // getAll returns records in key order: the order they were added.
      return request.result as OutboxEntry[];
    });
  }

  add(entry: NewOutboxEntry): Promise<number> {
    return this.use(async (db) => {
      const transaction = db.transaction(STORE, 'readwrite');
      const value: Record<string, unknown> = { ...entry };
      delete value['seq']; // let the store assign the key
      const request = transaction.objectStore(STORE).add(value);
      await done(transaction);
      return request.result as number;
    });
  }

  put(entry: OutboxEntry): Promise<void> {
    return this.use(async (db) => {
      const transaction = db.transaction(STORE, 'readwrite');
      transaction.objectStore(STORE).put(entry);
      await done(transaction);
    });
  }

  delete(seq: number): Promise<void> {
    return this.use(async (db) => {
      const transaction = db.transaction(STORE, 'readwrite');
      transaction.objectStore(STORE).delete(seq);
      await done(transaction);
    });
  }

  onLost(listener: () => void): void {
    this.lost.add(listener);
  }

  close(): void {
    const db = this.db;
    this.db = undefined;
    void db?.then((d) => d.close()).catch(() => undefined);
  }

  /**
   * Runs `operation` on the open database. A failure (a full disk, a connection the browser closed
   * when the site's data was cleared) drops the connection: the next operation opens it again.
   */
  private async use<T>(operation: (db: IDBDatabase) => Promise<T>): Promise<T> {
    const opening = this.open();
    try {
      return await operation(await opening);
    } catch (error) {
      if (this.db === opening) {
        this.db = undefined;
        void opening.then((db) => db.close()).catch(() => undefined);
      }
      throw error;
    }
  }

  private reportLost(): void {
    for (const listener of this.lost) listener();
  }

  private open(): Promise<IDBDatabase> {
    if (this.db) return this.db;
    const opening: Promise<IDBDatabase> = this.connect().then((db) => {
      // Another page upgrades or deletes the database: step aside, reopen on the next write.
      // Deleted (no new version), it took the entries with it.
      db.onversionchange = (event) => {
        db.close();
        if (this.db === opening) this.db = undefined;
        if (event.newVersion === null) this.reportLost();
      };
      // Closed by the browser, not by this page: the site's data was cleared.
      db.onclose = () => {
        if (this.db === opening) this.db = undefined;
        this.reportLost();
      };
      return db;
    });
    this.db = opening;
    opening.catch(() => {
      if (this.db === opening) this.db = undefined;
    });
    return opening;
  }

  /**
   * Opens the database (at its current version, or `version`), making the object store when it is
   * new or upgraded. A database that exists without it (made by something else after ours was
   * deleted) is upgraded to a version that has it.
   */
  private connect(version?: number): Promise<IDBDatabase> {
    return new Promise<IDBDatabase>((resolve, reject) => {
      const request =
        version === undefined
          ? this.factory.open(this.name)
          : this.factory.open(this.name, version);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains(STORE)) {
          db.createObjectStore(STORE, { keyPath: 'seq', autoIncrement: true });
        }
      };
      request.onsuccess = () => {
        const db = request.result;
        if (db.objectStoreNames.contains(STORE)) return resolve(db);
        db.close();
        this.connect(db.version + 1).then(resolve, reject);
      };
      request.onerror = () => reject(request.error ?? new Error(`cannot open ${this.name}`));
    });
  }
}
