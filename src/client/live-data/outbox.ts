/**
 * The outbox: every save not answered yet, kept in order in a durable store (IndexedDB in
 * browsers) so it survives a closed tab, and replayed with its original mutation id when the
 * connection returns (so nothing applies twice). A save made on an open connection is written as
 * it is sent and removed on its answer: a link that died without the browser noticing, then a
 * closed tab, loses nothing. `client.outbox` shows how many wait to be sent (made while offline,
 * or whose answer never came), which of them conflicted, and how many could not be stored on this
 * device (a full disk, site data cleared): those are written again later, and until then the page
 * asks the browser to confirm before it is closed (`warnBeforeUnload`).
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
import { HeldWrites } from './outbox-held.js';
import { IndexedDbOutboxStore } from './outbox-idb.js';
import { MemoryOutboxStore } from './outbox-memory.js';
import type { OutboxOwner } from './outbox-owner.js';
import type { NewOutboxEntry, OutboxEntry, OutboxStore } from './outbox-store.js';
import { UnloadGuard, windowTarget, type UnloadTarget } from '../../util/unload-guard.js';
import { OutboxWriter, type Claimed, type DiskState, type OutboxRecord } from './outbox-writer.js';
import { deliverNow, Notifier } from '../store/notifier.js';
import type { Clock, Unsubscribe } from '../types.js';

export type { NewOutboxEntry, OutboxEntry, OutboxStore } from './outbox-store.js';
export type { OutboxRecord } from './outbox-writer.js';
export type { OutboxOwner } from './outbox-owner.js';
export { MemoryOutboxStore } from './outbox-memory.js';
export { webLocksOwner } from './outbox-owner.js';

/** IndexedDB where the environment has it, else memory (`fallback: true`). */
export function defaultOutboxStore(): { store: OutboxStore; fallback: boolean } {
  if (typeof globalThis.indexedDB !== 'undefined' && globalThis.indexedDB !== null) {
    return { store: new IndexedDbOutboxStore(), fallback: false };
  }
  return { store: new MemoryOutboxStore(), fallback: true };
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
   * Waiting changes that could not be stored on this device (the disk is full, site data was
   * cleared): they live in this page's memory only, and are lost if it is closed before they are
   * sent. The outbox keeps trying to store them. Changes on their way on an open connection are
   * not counted (their answer comes in moments), but the page still asks before it is closed.
   */
  readonly unstored: number;
  /**
   * Entries nobody can be sure whose they are: saved before the page that made them learned who
   * was signed in, by a page closed before it did (and with no `devUser` to say). They stay on
   * this device and are never sent, since whoever signs in now may be someone else; they are
   * listed in `entries` with `userId` undefined.
   */
  readonly unattributed: number;
  /**
   * Changes the server refused during replay (dropped from the outbox), most recent last; also
   * one refused only in some fields (`refused`: those values; its other fields are sent on),
   * here or by a page closed before the rest was answered (listed when this page takes it).
   * Only the signed-in user's (or the configured user's): on a shared device, another user's
   * refused values are theirs to see; before anyone is known, only those nobody's are listed,
   * and the user's are once they are.
   */
  readonly rejected: readonly ChangeInfo[];
}

export interface OutboxOptions {
  /** The signed-in user (or the one the page is configured as), to count only their entries. */
  userId: () => string | undefined;
  logger: Pick<Console, 'warn'>;
  /** For the waits before writing again after a failure. */
  clock: Clock;
  random?: (() => number) | undefined;
  /**
   * Called with the entries found in the store, once before `ready` resolves, and again with those
   * a page that is gone left (`adoptOrphans`), or a store unreadable at first had (read later).
   */
  adopt: (records: OutboxRecord[]) => void;
  /**
   * Makes this page's claim on its entries (again when a closed client connects anew); without
   * one, a page sends only what it found at load.
   */
  owner: () => OutboxOwner | undefined;
  /** The unattributed entries this page holds become the signed-in user's; how many. */
  claimUnattributed: () => number;
  /** The unattributed entries this page holds are dropped, unsent; how many. */
  discardUnattributed: () => number;
  /**
   * Where `beforeunload`, `pagehide` and `visibilitychange` are listened to. Default: the window,
   * when there is one.
   */
  unload?: UnloadTarget | undefined;
}

const MAX_REJECTED = 20;

export class Outbox {
  /** Resolves once the entries left by an earlier page have been loaded. */
  readonly ready: Promise<void>;
  private records: OutboxRecord[] = [];
  private readonly writer: OutboxWriter;
  private readonly guard: UnloadGuard;
  /** Entries changed in memory whose store write waits for a pause (see `amend`). */
  private readonly held: HeldWrites;
  private readonly notifier = new Notifier(deliverNow, () => this.snapshot());
  private openConflicts: readonly LiveConflict[] = [];
  /** Refused changes, each with whose it is. */
  private rejectedChanges: [ChangeInfo, string | undefined][] = [];
  private cached: OutboxSnapshot | undefined;

  constructor(
    store: OutboxStore,
    private readonly options: OutboxOptions,
  ) {
    const unload = 'unload' in options ? options.unload : windowTarget();
    this.guard = new UnloadGuard(unload);
    this.writer = new OutboxWriter(store, {
      clock: options.clock,
      random: options.random,
      logger: options.logger,
      owner: options.owner,
      records: () => this.records,
      diskChanged: (record, previous) => this.diskChanged(record, previous),
      found: (claimed) => this.take(claimed),
    });
    this.held = new HeldWrites(options.clock, unload, (record) => {
      if (this.records.includes(record)) this.writer.put(record);
    });
    // Entries added while loading (an edit in the first instant) stay after the stored ones.
    this.ready = this.writer.load((claimed) => this.take(claimed, true));
  }

  /** Survives a closed tab (false for the in-memory store). */
  get persistent(): boolean {
    return this.writer.persistent;
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

  /**
   * Ask the browser to confirm leaving the page while a change is neither answered nor stored on
   * this device (default true; only then, so the normal case never asks). A page that warns in
   * its own way sets it to false.
   */
  get warnBeforeUnload(): boolean {
    return this.guard.enabled;
  }

  set warnBeforeUnload(on: boolean) {
    this.guard.enabled = on;
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
      entries: Object.freeze(
        this.records.map((r) => Object.freeze({ ...r.entry, seq: r.entry.seq ?? -1 })),
      ),
      conflicts: this.openConflicts,
      unstored: this.records.filter((r) => r.parked && r.disk === 'failed').length,
      unattributed: this.records.filter((r) => r.entry.userId === undefined && !r.provisional)
        .length,
      rejected: Object.freeze(this.rejectedChanges.filter((r) => r[1] === user).map((r) => r[0])),
    });
    return this.cached;
  }

  /** Called with a new snapshot on every change (an entry added, sent, conflicted …). */
  subscribe(listener: (snapshot: OutboxSnapshot) => void): Unsubscribe {
    return this.notifier.subscribe(listener);
  }

  /**
   * Resolves when every change so far reached the store (or failed to), also those whose write
   * waited for a pause in the typing (written now).
   */
  flush(): Promise<void> {
    this.held.writeAll();
    return this.writer.flush();
  }

  /**
   * Make the `unattributed` entries this page holds the signed-in user's: they are sent as theirs,
   * in the order they were made, with their mutation ids (so one the server already applied is not
   * applied twice). The kit never does this by itself, since whoever signs in now may not be who
   * made them; a page that knows better calls it (a device with one user, or after asking: "2
   * changes saved before you signed in: send them as yours?"). Returns how many; 0 while nobody is
   * signed in.
   */
  claimUnattributed(): number {
    return this.options.claimUnattributed();
  }

  /** Remove the `unattributed` entries this page holds from the device, unsent. Returns how many. */
  discardUnattributed(): number {
    return this.options.discardUnattributed();
  }

  // ------------------------------------------------------------------------------------------
  // @internal: used by the live-data hub

  /**
   * @internal Append an entry; it is held at once and its store write starts in the caller's task
   * (behind earlier writes, if any), without making the caller wait: a save's frame does not wait
   * for the disk. `parked`: it waits to be sent, and counts in `size`; `provisional`: see
   * `OutboxRecord`.
   */
  add(made: NewOutboxEntry, parked: boolean, provisional = false): OutboxRecord {
    const owner = this.writer.ownerId;
    const entry: NewOutboxEntry = owner === undefined ? { ...made } : { ...made, owner };
    const record: OutboxRecord = { entry, parked, provisional, disk: 'writing' };
    this.records.push(record);
    this.writer.add(record);
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
    // This write takes what a held one would have written.
    this.held.release(record);
    if (this.records.includes(record)) this.writer.put(record);
    this.changed();
  }

  /**
   * @internal Change an entry in place, as the user types (an open conflict amended): held in
   * memory at once, written to the store once the typing pauses, and at once when the page is
   * hidden or goes (see `HeldWrites`), so a keystroke is not a store write.
   */
  amend(record: OutboxRecord, patch: Partial<NewOutboxEntry>): void {
    Object.assign(record.entry, patch);
    if (this.records.includes(record)) this.held.hold(record);
    this.changed();
  }

  /** @internal The entry was sent and answered, dropped or discarded. */
  remove(record: OutboxRecord): void {
    const index = this.records.indexOf(record);
    if (index < 0) return;
    this.records.splice(index, 1);
    this.held.release(record);
    this.writer.delete(record);
    this.changed();
  }

  /**
   * @internal Take the entries that pages now gone left in the store (made after this page
   * loaded, so not among those it adopted then): a tab closed while offline, or before its save
   * was answered; the leader tab of a shared connection. They are claimed for this page first, so
   * another page does not take them too. Called when the connection opens; resolves once they
   * are in line.
   */
  adoptOrphans(): Promise<void> {
    this.writer.rejoin();
    if (!this.writer.claims) return Promise.resolve();
    return this.writer.adopt((claimed) => this.take(claimed));
  }

  /**
   * @internal The client was closed while the page lives on (a provider made a new one): the
   * entries it stored are let go, for the next client or page to send (this one takes them back
   * if it connects again). Resolves with the records dropped; those not in the store stay.
   */
  async retire(): Promise<OutboxRecord[]> {
    // What the next client or page takes is what the user typed last.
    this.held.writeAll();
    let dropped: OutboxRecord[] = [];
    await this.writer.retire(() => {
      // What the store holds goes; what it could not take (or is still to take) stays here.
      dropped = this.records.filter((r) => r.disk === 'stored');
      this.records = this.records.filter((r) => r.disk !== 'stored');
      this.changed();
    });
    return dropped;
  }

  /** @internal The conflicts waiting for a decision changed. */
  setConflicts(conflicts: readonly LiveConflict[]): void {
    this.openConflicts = Object.freeze([...conflicts]);
    this.changed();
  }

  /** @internal A replayed change was refused by the server and dropped (a `Change`). */
  reportRejected(m: { info(): ChangeInfo; readonly userId: string | undefined }): void {
    this.rejectedChanges.push([m.info(), m.userId]);
    if (this.rejectedChanges.length > MAX_REJECTED) this.rejectedChanges.shift();
    this.changed();
  }

  /** @internal The signed-in user may have changed: recount. */
  userChanged(): void {
    this.changed();
  }

  /** Entries claimed from the store join the line (`atLoad`: even none, so the hub is ready). */
  private take(claimed: Claimed[], atLoad = false): void {
    const records: OutboxRecord[] = claimed.map(({ entry, stamped }) => ({
      entry,
      parked: true,
      provisional: false,
      disk: stamped ? 'stored' : 'failed',
    }));
    if (records.length === 0 && !atLoad) return;
    this.records = atLoad ? [...records, ...this.records] : [...this.records, ...records];
    this.options.adopt(records);
    this.changed();
  }

  private diskChanged(record: OutboxRecord, previous: DiskState): void {
    if (record.disk === 'failed' || previous === 'failed') this.changed();
  }

  /**
   * A change not answered, whose store write failed, would be lost with the page. A write under
   * way (a few milliseconds after each save) does not count, and neither does a store that keeps
   * nothing by design (`MemoryOutboxStore`, chosen by the page or where there is no IndexedDB:
   * every change would count; the console says so once): the normal case never asks.
   */
  private guardUnload(): void {
    this.guard.update(this.records.some((r) => r.disk === 'failed'));
  }

  private changed(): void {
    this.cached = undefined;
    this.guardUnload();
    this.notifier.changed();
  }
}
