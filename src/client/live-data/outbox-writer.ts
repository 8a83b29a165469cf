/**
 * The outbox's side of the store: every operation on it, one at a time and in order, and whether
 * each entry the page holds is durably stored. A write that fails (a full disk, site data cleared
 * under the page) leaves the entry in memory, marked `failed`; the writer tries again later, with
 * a growing wait, reopening the database and writing again every entry the store no longer holds,
 * so a change is never stored by chance only. A store that could not be read at load is read
 * again the same way, and what it held is taken then.
 */
import { Backoff } from '../connection/backoff.js';
import type { OutboxOwner } from './outbox-owner.js';
import type { NewOutboxEntry, OutboxEntry, OutboxStore } from './outbox-store.js';
import type { Clock } from '../types.js';
import { LOG_PREFIX } from '../../util/warn.js';

const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** Where an entry stands in the store: a write under way, written, or the last write failed. */
export type DiskState = 'writing' | 'stored' | 'failed';

/** @internal One entry as the client holds it, ahead of the store (`seq` once stored). */
export interface OutboxRecord {
  entry: NewOutboxEntry & { seq?: number };
  /**
   * Waits to be sent: made while the connection was not open, caught by a drop before its answer,
   * or left by an earlier page. False while a save made online is on its way (it is in the store
   * all the same, but not "waiting").
   */
  parked: boolean;
  /**
   * Made by this page before it learned who is signed in: it belongs to the user the page's
   * connection first signs in as, and is sent as no one else.
   */
  provisional: boolean;
  /** `failed`: held in memory only until a later write succeeds. */
  disk: DiskState;
}

/** An entry a claim took, and whether its new owner reached the store. */
export interface Claimed {
  entry: OutboxEntry;
  stamped: boolean;
}

export interface OutboxWriterOptions {
  clock: Clock;
  random?: (() => number) | undefined;
  logger: Pick<Console, 'warn'>;
  /** Makes this page's claim on its entries, where there are Web Locks (again after `retire`). */
  owner: () => OutboxOwner | undefined;
  /** The records the page holds now: what must be in the store. */
  records(): readonly OutboxRecord[];
  /** A record's `disk` changed from `previous`. */
  diskChanged(record: OutboxRecord, previous: DiskState): void;
  /** A store that could not be read at load was read at last: what the page takes of it. */
  found(entries: Claimed[]): void;
}

/** First wait before writing again after a failure, and the longest, in ms. */
const RETRY_BASE = 2000;
const RETRY_CAP = 60_000;

/** The same stored entry as a record's: the store's key and what never changes about it. */
const same = (stored: OutboxEntry, record: OutboxRecord): boolean =>
  stored.seq === record.entry.seq &&
  stored.createdAt === record.entry.createdAt &&
  stored.entityType === record.entry.entityType &&
  stored.entityId === record.entry.entityId;

export class OutboxWriter {
  private chain: Promise<unknown> = Promise.resolve();
  /** Operations asked for and not finished. */
  private pending = 0;
  /** The store was read (at load, or by a later retry). */
  private loaded = false;
  /** Records removed whose delete has not reached the store yet, and those whose delete failed. */
  private readonly settling = new Set<OutboxRecord>();
  private readonly undeleted = new Set<OutboxRecord>();
  private retryTimer: unknown;
  private readonly backoff: Backoff;
  private warned = false;
  /** This page's claim; undefined without Web Locks, or while retired. */
  private owner: OutboxOwner | undefined;
  private retired = false;

  constructor(
    private readonly store: OutboxStore,
    private readonly options: OutboxWriterOptions,
  ) {
    this.backoff = new Backoff({
      base: RETRY_BASE,
      cap: RETRY_CAP,
      ...(options.random ? { random: options.random } : {}),
    });
    this.owner = options.owner();
    // The database was deleted under the page (site data cleared): write what it held again.
    store.onLost?.(() => this.retry(0));
  }

  /** The name stamped on this page's entries (undefined without Web Locks). */
  get ownerId(): string | undefined {
    return this.owner?.id;
  }

  /** Claims are made (Web Locks exist, and the writer is not retired). */
  get claims(): boolean {
    return this.owner !== undefined;
  }

  /**
   * The client was closed, the page lives on: in the store's turn (after every write asked for
   * before), `forget` drops what the page holds and this page's lock is let go, so what it
   * stored becomes orphans that the next client or page sends. Other pages claim nothing
   * meanwhile.
   */
  retire(forget: () => void): Promise<void> {
    const owner = this.owner;
    if (!owner || this.retired) return Promise.resolve();
    this.retired = true;
    return this.run(() =>
      owner.exclusive(async () => {
        forget();
        this.owner = undefined;
        await owner.release();
      }),
    ).catch((error: unknown) => this.warn(error));
  }

  /** The client connects again after `retire`: a new claim, stamped on what it still holds. */
  rejoin(): void {
    if (!this.retired) return;
    this.retired = false;
    this.owner = this.options.owner();
    for (const record of this.options.records()) {
      if (this.owner) record.entry.owner = this.owner.id;
      this.put(record);
    }
  }

  get persistent(): boolean {
    return this.store.persistent;
  }

  /** Resolves when every operation asked for so far has finished. */
  async flush(): Promise<void> {
    await this.chain;
  }

  /**
   * Hands `take` the entries this page takes at load, in the store's turn (so nothing else claims
   * meanwhile); none when the store cannot be read (read again later, see `found`).
   */
  load(take: (claimed: Claimed[]) => void): Promise<void> {
    return this.run(async () => {
      let claimed: Claimed[] = [];
      try {
        claimed = await this.claim(true);
        this.loaded = true;
      } catch (error) {
        this.warn(error);
        this.retry();
      }
      take(claimed);
    });
  }

  /** Hands `take` what pages now gone left (see `claim`), in the store's turn. */
  adopt(take: (claimed: Claimed[]) => void): Promise<void> {
    return this.run(async () => {
      let claimed: Claimed[] = [];
      try {
        // Most often the store holds nothing of another page: then no lock needs asking for.
        if (await this.othersStored()) claimed = await this.claim(false);
      } catch (error) {
        this.warn(error);
      }
      if (claimed.length > 0) take(claimed);
    });
  }

  /** The store holds entries of another page (alive or gone) that this page does not hold. */
  private async othersStored(): Promise<boolean> {
    const mine = this.held();
    return (await this.store.load()).some(
      (e) => !mine.has(e.seq) && e.owner !== undefined && e.owner !== this.owner?.id,
    );
  }

  /** The `seq` of every entry this page holds, or has just let go of. */
  private held(): Set<number | undefined> {
    return new Set(
      [...this.options.records(), ...this.settling, ...this.undeleted].map((r) => r.entry.seq),
    );
  }

  /** Write a new record; it is `writing` until the store has it. */
  add(record: OutboxRecord): void {
    this.set(record, 'writing');
    void this.run(async () => {
      // Answered before its turn came: nothing to keep.
      if (!this.holds(record)) return;
      try {
        const { seq: _seq, ...entry } = record.entry;
        record.entry.seq = await this.store.add(copy(entry));
        this.set(record, 'stored');
      } catch (error) {
        this.failed(record, error);
      }
    });
  }

  /** Write a record's new content (a rebase, a resolution, its user). */
  put(record: OutboxRecord): void {
    if (record.disk === 'stored') this.set(record, 'writing');
    void this.run(async () => {
      // Not written yet: its add (or a retry) writes what it holds then.
      if (record.entry.seq === undefined || !this.holds(record)) return;
      try {
        await this.store.put(copy(record.entry as OutboxEntry));
        this.set(record, 'stored');
      } catch (error) {
        this.failed(record, error);
      }
    });
  }

  /** A record was removed: its entry leaves the store. */
  delete(record: OutboxRecord): void {
    // Settled, but in the store until its delete ran: no claim may take it for a new entry (it
    // would be sent again, and its refusal or conflict shown twice).
    this.settling.add(record);
    void this.run(async () => {
      try {
        if (record.entry.seq !== undefined) await this.store.delete(record.entry.seq);
      } catch (error) {
        this.undeleted.add(record);
        this.warn(error);
        this.retry();
      } finally {
        this.settling.delete(record);
      }
    });
  }

  /**
   * The stored entries this page may take, stamped as its own: those of no page (made where there
   * are no Web Locks, taken only at load) and those of a page that is gone, never those of a page
   * still open (it sends them itself; two pages sending one change show its conflict twice) nor
   * those this page holds or has just settled. An entry whose new owner could not be written is
   * taken all the same (`stamped: false`: written again later).
   */
  private async claim(atLoad: boolean): Promise<Claimed[]> {
    const owner = this.owner;
    if (!owner) {
      if (!atLoad) return [];
      const mine = this.held();
      return (await this.store.load())
        .filter((entry) => !mine.has(entry.seq))
        .map((entry) => ({ entry, stamped: true }));
    }
    return owner.exclusive(async () => {
      const [entries, alive] = await Promise.all([this.store.load(), owner.alive()]);
      const mine = this.held();
      const taken: Claimed[] = [];
      for (const entry of entries) {
        if (mine.has(entry.seq) || entry.owner === owner.id) continue;
        if (entry.owner === undefined ? !atLoad : alive.has(entry.owner)) continue;
        entry.owner = owner.id;
        let stamped = true;
        try {
          await this.store.put(copy(entry));
        } catch (error) {
          this.warn(error);
          this.retry();
          stamped = false;
        }
        taken.push({ entry, stamped });
      }
      return taken;
    });
  }

  /** Write again, after `delay` (default: the next wait of the backoff), what failed. */
  private retry(delay?: number): void {
    if (this.retryTimer !== undefined) {
      if (delay !== 0) return;
      this.options.clock.clearTimeout(this.retryTimer);
    }
    this.retryTimer = this.options.clock.setTimeout(() => {
      this.retryTimer = undefined;
      void this.run(() => this.repair());
    }, delay ?? this.backoff.next());
  }

  /**
   * Make the store hold what the page holds: read it when it never was, delete what failed to be
   * deleted, and write every held record it does not have (a database deleted and made anew) or
   * whose last write failed. Stops at the first failure, to go on after the next wait.
   */
  private async repair(): Promise<void> {
    const records = this.options.records();
    if (this.loaded && records.length === 0 && this.undeleted.size === 0) return;
    try {
      if (!this.loaded) {
        const found = await this.claim(true);
        this.loaded = true;
        this.options.found(found);
      }
      const stored = new Map((await this.store.load()).map((e) => [e.seq, e]));
      for (const record of [...this.undeleted]) {
        const there = stored.get(record.entry.seq!);
        if (there && same(there, record)) await this.store.delete(there.seq);
        this.undeleted.delete(record);
      }
      for (const record of this.options.records()) {
        // A write of it is queued behind this one.
        if (record.disk === 'writing') continue;
        const there = record.entry.seq === undefined ? undefined : stored.get(record.entry.seq);
        if (!there || !same(there, record)) {
          const { seq: _seq, ...entry } = record.entry;
          record.entry.seq = await this.store.add(copy(entry));
        } else if (record.disk === 'failed') {
          await this.store.put(copy(record.entry as OutboxEntry));
        }
        this.set(record, 'stored');
      }
      this.backoff.reset();
    } catch (error) {
      this.warn(error);
      this.retry();
    }
  }

  private failed(record: OutboxRecord, error: unknown): void {
    this.set(record, 'failed');
    this.warn(error);
    this.retry();
  }

  private set(record: OutboxRecord, disk: DiskState): void {
    const previous = record.disk;
    if (previous === disk) return;
    record.disk = disk;
    this.options.diskChanged(record, previous);
  }

  private holds(record: OutboxRecord): boolean {
    return this.options.records().includes(record);
  }

  private warn(error: unknown): void {
    if (this.warned) return;
    this.warned = true;
    this.options.logger.warn(
      `${LOG_PREFIX} the outbox could not store a change on this device; it is kept in memory ` +
        'and written again later:',
      error,
    );
  }

  /**
   * Operations run one at a time, in the order asked. With none under way, one starts at once, in
   * the caller's task: a save's entry is on its way to the disk before the task ends, and an
   * answered change's entry is gone before the code awaiting its outcome runs.
   */
  private run<T>(operation: () => Promise<T>): Promise<T> {
    const next = this.pending === 0 ? operation() : this.chain.then(operation);
    this.pending += 1;
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.chain = settled;
    void settled.then(() => (this.pending -= 1));
    return next;
  }
}
