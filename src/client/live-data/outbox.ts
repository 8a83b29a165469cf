/**
 * The outbox: every save not answered yet, kept in order in a durable store (IndexedDB in
 * browsers) so it survives a closed tab, and replayed with its original mutation id when the
 * connection returns (so nothing applies twice). A save made on an open connection is written as
 * it is sent and removed on its answer: a link that died without the browser noticing, then a
 * closed tab, loses nothing. `client.outbox` shows how many wait to be sent (made while offline,
 * or whose answer never came) and which of them conflicted.
 *
 * ```ts
 * client.outbox.subscribe(({ size }) => (badge.textContent = size ? `${size} waiting` : ''));
 * ```
 *
 * Storage is pluggable (`RealtimeClientOptions.outbox`): `IndexedDbOutboxStore` by default where
 * IndexedDB exists, else `MemoryOutboxStore`, which keeps edits only while the page lives (the
 * client warns once when an edit goes there).
 */
import type { ChangeInfo, LiveConflict } from './live-data-types.js';
import { IndexedDbOutboxStore } from './outbox-idb.js';
import { randomId } from '../connection/client-id.js';
import type { NewOutboxEntry, OutboxEntry, OutboxStore } from './outbox-store.js';
import { deliverNow, Notifier } from '../store/notifier.js';
import type { Unsubscribe } from '../types.js';
import { LOG_PREFIX } from '../../util/warn.js';

export type { NewOutboxEntry, OutboxEntry, OutboxStore } from './outbox-store.js';

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

/**
 * Which page an outbox entry belongs to, so that a page that outlives another sends the changes it
 * left behind (the leader tab of a shared connection that closes with saves queued offline, any
 * tab closed while offline or before a save was answered), and no page takes those of a page
 * still open. Each client's outbox holds a Web Lock named for it while the page lives and stamps
 * its entries with that name; an entry whose lock nobody holds any more belongs to a page that is
 * gone, and the next page that loads, or whose connection opens, claims it (stamps it with its
 * own name) and sends it, with its mutation id, so a change two pages send is applied once.
 */
export interface OutboxOwner {
  /** This page's name, stamped on the entries it makes. */
  readonly id: string;
  /** The locks held now: the owners whose page is alive, among others. */
  alive(): Promise<ReadonlySet<string | undefined>>;
  /** Runs `claim` while no other page claims entries. */
  exclusive<T>(claim: () => Promise<T>): Promise<T>;
}

/** Owner locks are named `<prefix><id>`; the prefix alone is held while a page claims entries. */
const OWNER_LOCK = 'crm-realtime:outbox:';

/** A page's ownership through Web Locks; undefined where there are none (each page keeps its own). */
export function webLocksOwner(
  locks: Pick<LockManager, 'request' | 'query'> | undefined = (
    globalThis.navigator as Partial<Navigator> | undefined
  )?.locks,
): OutboxOwner | undefined {
  if (!locks?.query) return undefined;
  const id = OWNER_LOCK + randomId();
  // Held until the page goes: its release is how other pages learn the entries are orphans.
  void locks.request(id, () => new Promise<never>(() => {})).catch(() => {});
  return {
    id,
    alive: async () => new Set((await locks.query()).held?.map((lock) => lock.name)),
    exclusive: (claim) => locks.request(OWNER_LOCK, claim) as ReturnType<typeof claim>,
  };
}

/** IndexedDB where the environment has it, else memory (`fallback: true`). */
export function defaultOutboxStore(): { store: OutboxStore; fallback: boolean } {
  if (typeof globalThis.indexedDB !== 'undefined' && globalThis.indexedDB !== null) {
    return { store: new IndexedDbOutboxStore(), fallback: false };
  }
  return { store: new MemoryOutboxStore(), fallback: true };
}

/** @internal One entry as the client holds it, ahead of the store (`seq` once stored). */
export interface OutboxRecord {
  entry: NewOutboxEntry & { seq?: number };
  /** Resolves when the entry reached the store (or failed to). */
  stored: Promise<void>;
  /**
   * Waits to be sent: made while the connection was not open, caught by a drop before its answer,
   * or left by an earlier page. False while a save made online is on its way (it is in the store
   * all the same, but not "waiting").
   */
  parked: boolean;
  /**
   * Made by this page before it learned who is signed in: it belongs to the user the page's
   * connection first signs in as (`attribute`), and is sent as no one else.
   */
  provisional: boolean;
}

/** What `client.outbox.subscribe` listeners receive. */
export interface OutboxSnapshot {
  /** Changes waiting to be sent for the current user (not those on their way on an open connection). */
  readonly size: number;
  /** Every entry held, waiting or on its way, of any user. */
  readonly entries: readonly OutboxEntry[];
  /** Conflicts waiting for a decision (the entries stay until resolved or discarded). */
  readonly conflicts: readonly LiveConflict[];
  /**
   * Entries nobody can be sure whose they are: saved before the page that made them learned who
   * was signed in, by a page closed before it did (and with no `devUser` to say). They stay on
   * this device and are never sent, since whoever signs in now may be someone else; they are
   * listed in `entries` with `userId` undefined.
   */
  readonly unattributed: number;
  /** Changes the server refused during replay (dropped from the outbox), most recent last. */
  readonly rejected: readonly ChangeInfo[];
}

export interface OutboxOptions {
  /** The signed-in user (or the one the page is configured as), to count only their entries. */
  userId: () => string | undefined;
  logger: Pick<Console, 'warn'>;
  /**
   * Called with the entries found in the store, once before `ready` resolves, and again with those
   * a page that is gone left (`adoptOrphans`).
   */
  adopt: (records: OutboxRecord[]) => void;
  /** This page's claim on its entries; without it, a page sends only what it found at load. */
  owner?: OutboxOwner | undefined;
}

const MAX_REJECTED = 20;

/** A record of an entry found in the store: it waits to be sent, as its user. */
const found = (entry: OutboxEntry): OutboxRecord => ({
  entry,
  stored: Promise.resolve(),
  parked: true,
  provisional: false,
});

export class Outbox {
  /** Resolves once the entries left by an earlier page have been loaded. */
  readonly ready: Promise<void>;
  private store: OutboxStore;
  private records: OutboxRecord[] = [];
  private chain: Promise<unknown>;
  private readonly notifier = new Notifier(deliverNow, () => this.snapshot());
  private openConflicts: readonly LiveConflict[] = [];
  private rejectedChanges: ChangeInfo[] = [];
  private cached: OutboxSnapshot | undefined;
  private warnedWrite = false;
  /** Store operations asked for and not finished. */
  private writing = 0;

  constructor(
    store: OutboxStore,
    private readonly options: OutboxOptions,
  ) {
    this.store = store;
    const loading = this.load();
    this.writing = 1;
    void loading.finally(() => (this.writing -= 1));
    this.chain = loading;
    this.ready = loading;
  }

  /** Survives a closed tab (false for the in-memory store). */
  get persistent(): boolean {
    return this.store.persistent;
  }

  /** Changes waiting for the current user. */
  get size(): number {
    return this.snapshot().size;
  }

  get entries(): readonly OutboxEntry[] {
    return this.snapshot().entries;
  }

  get conflicts(): readonly LiveConflict[] {
    return this.openConflicts;
  }

  snapshot(): OutboxSnapshot {
    if (this.cached) return this.cached;
    const user = this.options.userId();
    // Before anyone signed in, and with no configured user, every waiting entry is counted.
    const mine = this.records.filter(
      (r) => r.parked && (user === undefined || r.provisional || r.entry.userId === user),
    );
    this.cached = Object.freeze({
      size: mine.length,
      unattributed: this.records.filter((r) => r.entry.userId === undefined && !r.provisional)
        .length,
      entries: Object.freeze(
        this.records.map((r) => Object.freeze({ ...r.entry, seq: r.entry.seq ?? -1 })),
      ),
      conflicts: this.openConflicts,
      rejected: Object.freeze([...this.rejectedChanges]),
    });
    return this.cached;
  }

  /** Called with a new snapshot on every change (an entry added, sent, conflicted …). */
  subscribe(listener: (snapshot: OutboxSnapshot) => void): Unsubscribe {
    return this.notifier.subscribe(listener);
  }

  /** Resolves when every write so far reached the store. */
  async flush(): Promise<void> {
    await this.chain;
  }

  // ------------------------------------------------------------------------------------------
  // @internal: used by the live-data hub

  /**
   * @internal Append an entry; it is held at once and reaches the store in order, without making
   * the caller wait (a save's frame leaves before its store write completes). `parked`: it waits
   * to be sent, and counts in `size`; `provisional`: see `OutboxRecord`.
   */
  add(made: NewOutboxEntry, parked: boolean, provisional = false): OutboxRecord {
    const owner = this.options.owner?.id;
    const entry: NewOutboxEntry = owner === undefined ? made : { ...made, owner };
    const record: OutboxRecord = {
      entry: { ...entry },
      stored: Promise.resolve(),
      parked,
      provisional,
    };
    record.stored = this.write(async () => {
      record.entry.seq = await this.store.add(copy(entry));
    });
    this.records.push(record);
    this.changed();
    return record;
  }

  /** @internal A held entry waits to be sent from now on (the connection went, the answer did not come). */
  park(record: OutboxRecord): void {
    if (record.parked || !this.records.includes(record)) return;
    record.parked = true;
    this.changed();
  }

  /** @internal A provisional entry belongs to `userId`, the first user this page signed in as. */
  attribute(record: OutboxRecord, userId: string): void {
    record.provisional = false;
    this.replace(record, { userId });
  }

  /** @internal Change an entry in place (a conflict resolved, a rebase): same position. */
  replace(record: OutboxRecord, patch: Partial<NewOutboxEntry>): void {
    Object.assign(record.entry, patch);
    const entry = { ...record.entry };
    record.stored = this.write(async () => {
      if (record.entry.seq !== undefined && this.records.includes(record)) {
        await this.store.put(copy({ ...entry, seq: record.entry.seq }));
      }
    });
    this.changed();
  }

  /** @internal The entry was sent and answered, dropped or discarded. */
  remove(record: OutboxRecord): void {
    const index = this.records.indexOf(record);
    if (index < 0) return;
    this.records.splice(index, 1);
    void this.write(async () => {
      if (record.entry.seq !== undefined) await this.store.delete(record.entry.seq);
    });
    this.changed();
  }

  /**
   * @internal Take the entries that pages now gone left in the store (made after this page
   * loaded, so not among those it adopted then): the leader tab of a shared connection closed with
   * saves queued offline, say. They are claimed for this page first, so another page does not
   * take them too. Called when the connection opens; resolves once they are in line.
   */
  adoptOrphans(): Promise<void> {
    if (!this.options.owner) return Promise.resolve();
    return this.write(async () => {
      const orphans = await this.claim(false);
      if (orphans.length === 0) return;
      const adopted = orphans.map((entry) => found(entry));
      this.records = [...adopted, ...this.records];
      this.options.adopt(adopted);
      this.changed();
    });
  }

  /** @internal The conflicts waiting for a decision changed. */
  setConflicts(conflicts: readonly LiveConflict[]): void {
    this.openConflicts = Object.freeze([...conflicts]);
    this.changed();
  }

  /** @internal A replayed change was refused by the server and dropped. */
  reportRejected(change: ChangeInfo): void {
    this.rejectedChanges.push(change);
    if (this.rejectedChanges.length > MAX_REJECTED) this.rejectedChanges.shift();
    this.changed();
  }

  /** @internal The signed-in user may have changed: recount. */
  userChanged(): void {
    this.changed();
  }

  private changed(): void {
    this.cached = undefined;
    this.notifier.changed();
  }

  /**
   * The stored entries this page may take, stamped as its own: those of no page (made where there
   * are no Web Locks, taken only at load) and those of a page that is gone, never those of a page
   * still open (it sends them itself; two pages sending one change show its conflict twice) nor
   * those this page holds.
   */
  private async claim(atLoad: boolean): Promise<OutboxEntry[]> {
    const owner = this.options.owner;
    if (!owner) return atLoad ? this.store.load() : [];
    return owner.exclusive(async () => {
      const [entries, alive] = await Promise.all([this.store.load(), owner.alive()]);
      const held = new Set(this.records.map((r) => r.entry.seq));
      const taken = entries.filter(
        (e) =>
          !held.has(e.seq) &&
          e.owner !== owner.id &&
          (e.owner === undefined ? atLoad : !alive.has(e.owner)),
      );
      for (const entry of taken) {
        entry.owner = owner.id;
        await this.store.put(copy(entry));
      }
      return taken;
    });
  }

  private async load(): Promise<void> {
    let entries: OutboxEntry[];
    try {
      entries = await this.claim(true);
    } catch (error) {
      this.options.logger.warn(
        `${LOG_PREFIX} the offline outbox could not be opened; offline edits are kept in memory ` +
          'only and will not survive a closed tab:',
        error,
      );
      this.store = new MemoryOutboxStore();
      entries = [];
    }
    const loaded = entries.map((entry) => found(entry));
    // Entries added while loading (an edit in the first instant) come after the stored ones.
    this.records = [...loaded, ...this.records];
    this.options.adopt(loaded);
    this.changed();
  }

  /**
   * Store operations run one at a time, in the order asked. With none under way, one starts at
   * once, in the caller's task: a save's entry is on its way to the disk before the task ends,
   * and an answered change's entry is gone before the code awaiting its outcome runs.
   */
  private write(operation: () => Promise<void>): Promise<void> {
    const run = () =>
      operation().catch((error: unknown) => {
        if (this.warnedWrite) return;
        this.warnedWrite = true;
        this.options.logger.warn(
          `${LOG_PREFIX} the offline outbox could not store a change:`,
          error,
        );
      });
    const next = this.writing === 0 ? run() : this.chain.then(run);
    this.writing += 1;
    void next.finally(() => (this.writing -= 1));
    this.chain = next;
    return next;
  }
}
