/**
 * The one owner of a live-data change's life, from save to final answer:
 *
 * - **save** (`submit`): the change joins the line (in the order made, across entities) and the
 *   outbox, and, on an open connection, is sent at once — in the save's own task, before the
 *   handles render it;
 * - **send**: one change at a time, `entity.update` with its mutation id and its base version
 *   (moved up over versions this client made itself, read from the server when never known);
 * - **answer**: `entity.ack` confirms it; `entity.rejected` (the CRM backend's field errors) or an
 *   `error` rejects it; `entity.conflict` re-sends it on the current version when the clash is only
 *   with what the user saw or this client wrote before it (at most three times), drops the fields
 *   this client wrote since with a newer change (all of them: it is superseded), else makes it a
 *   conflict;
 * - **conflict**: handed to its handle's `onConflict` (else any handle of the entity taking them,
 *   else the first to open); its values stay shown and later changes of the entity wait behind it
 *   until `resolve` (a new change takes its place in line) or `discard`; `amend` replaces its
 *   values of clashing fields with the user's newer ones meanwhile (in the outbox too);
 * - **outbox**: every change is written to the durable outbox when it is made, and leaves it on its
 *   final answer; one made while the connection is not open, or whose answer may never come (a
 *   drop, a timeout, a CRM backend that did not answer), is parked there to wait; entries a closed
 *   tab left join the line by when they were made, before anything is sent; all are replayed in
 *   order when the connection opens, with their mutation ids, so the server (and the backend,
 *   which gets the id as its idempotency key) applies each once.
 *
 * This class holds the state and hears the hub, the handles and the connection; the parts of a
 * change's life are in files named for them, functions over the state it shares (`ChangeLife`,
 * change-life.ts): sending and answers in change-sending.ts, conflicts and their resolution in
 * change-conflicts.ts, parking and replay in change-outbox.ts. The states and their transitions
 * are `Change`'s methods (change.ts), and every call to them is in these files; where a change
 * sits (in line, in the outbox, in the recent history) is `ChangeLine`'s. The entities and the
 * handles that show them are the hub's: `ChangeViews` is what this needs of them.
 */
import type { EntityChange, Fields } from '../../protocol/index.js';
import { checkFields } from '../../protocol/checks/fields.js';
import { Change, type ConflictTaker } from './change.js';
import { conflictOf, conflictsChanged, offer } from './change-conflicts.js';
import type { ChangeLife, ChangeViews } from './change-life.js';
import { ChangeLine } from './change-line.js';
import { adopt, adoptOrphans, park, warnIfVolatile } from './change-outbox.js';
import { pump } from './change-sending.js';
import { retryNow } from './change-retry.js';
import type { ChangeInfo, LiveConflict } from './live-data-types.js';
import { defaultOutboxStore, Outbox, webLocksOwner, type OutboxStore } from './outbox.js';
import type { UnloadTarget } from '../../util/unload-guard.js';
import { OwnWrites } from './own-writes.js';
import { Backoff, backoffDelay } from '../connection/backoff.js';
import { RealtimeError } from '../realtime-error.js';
import type { CapabilityClient, Clock } from '../types.js';
import { MAX_BACKEND_RETRY_AFTER_MS } from '../../protocol/constants.js';

export type { ChangeViews };

/** Who makes a change: a handle of the entity. */
export interface ChangeOwner extends ConflictTaker {
  readonly entityType: string;
  readonly entityId: string;
}

export interface ChangesOptions {
  clock: Clock;
  logger: Pick<Console, 'warn'>;
  /**
   * Who the page says the user is before the server does (the client's `devUser`): a save made
   * before the first `welcome` is kept for them, so a page closed before it connected leaves
   * entries that only they send.
   */
  configuredUser?: string | undefined;
  /** Where the outbox lives. Default: IndexedDB when present, else memory (with a warning). */
  store?: OutboxStore;
  /** Where the page's `pagehide`, `visibilitychange` and `beforeunload` are heard. Default: the window. */
  unload?: UnloadTarget | undefined;
  /**
   * Ceiling of the first wait before re-sending after `timeout`, `internal`, `rate_limited` or
   * `backend_unavailable`. Default 5000 ms; it doubles with each such answer in a row, up to
   * `maxRetryDelay`: in a row for the record (answers for other records do not start it over),
   * or, for `rate_limited` and for the server failing three records in a row, for any record.
   */
  retryDelay?: number;
  /** Largest ceiling of that wait. Default 60000 ms. */
  maxRetryDelay?: number;
  /** Randomness of the wait, in `[0, 1)` (the client's `random` option). Default `Math.random`. */
  random?: (() => number) | undefined;
}

/** The first wait's ceiling and the largest, in ms, of a re-send; a record's re-read waits alike. */
export const DEFAULT_RETRY_DELAY = 5000;
export const DEFAULT_MAX_RETRY_DELAY = 60_000;

export class Changes {
  readonly outbox: Outbox;
  private readonly line: ChangeLine;
  private readonly own = new OwnWrites();
  /** What the parts of a change's life share (change-life.ts); made here only. */
  private readonly life: ChangeLife;

  constructor(
    private readonly client: Pick<CapabilityClient, 'request' | 'status' | 'user'>,
    private readonly views: ChangeViews,
    private readonly options: ChangesOptions,
  ) {
    const chosen = options.store ? { store: options.store, fallback: false } : defaultOutboxStore();
    this.outbox = new Outbox(chosen.store, {
      userId: () => this.user(),
      logger: options.logger,
      clock: options.clock,
      random: options.random,
      adopt: (records) => adopt(this.life, records),
      ...('unload' in options ? { unload: options.unload } : {}),
      // Where the browser has Web Locks: a page that outlives this one sends what it leaves.
      owner: () => webLocksOwner(),
      claimUnattributed: () => this.claimUnattributed(),
      discardUnattributed: () => this.discardUnattributed(),
    });
    this.line = new ChangeLine(this.outbox);
    const pace = {
      base: options.retryDelay ?? DEFAULT_RETRY_DELAY,
      cap: options.maxRetryDelay ?? DEFAULT_MAX_RETRY_DELAY,
      ...(options.random ? { random: options.random } : {}),
    };
    const life: ChangeLife = {
      client,
      views,
      clock: options.clock,
      logger: options.logger,
      outbox: this.outbox,
      line: this.line,
      own: this.own,
      pumping: false,
      pumpAgain: false,
      retryTimer: undefined,
      retryAt: undefined,
      retryHolds: false,
      holdUntil: undefined,
      inARow: new Set(),
      tries: 0,
      triesAtRetry: 0,
      firedAt: -Infinity,
      random: options.random ?? Math.random,
      retryBackoff: new Backoff(pace),
      retryDelay: (attempt) => backoffDelay(attempt, pace),
      // A named wait's jitter is at most a second more.
      longestWait: Math.max(pace.cap, MAX_BACKEND_RETRY_AFTER_MS + 1000),
      ready: false,
      adopting: 0,
      volatile: chosen.fallback,
      warnedVolatile: false,
      pump: () => pump(life),
      isOpen: () => client.status.state === 'open',
      overlay: (key) => this.overlay(key),
    };
    this.life = life;
  }

  /** The serial the next change gets (for `optimisticUpdate` marks). */
  get serial(): number {
    return this.line.serial;
  }

  // ------------------------------------------------------------------------------------------
  // what handles show

  /**
   * Changes whose values show on top of the confirmed entity, in order: the signed-in user's
   * (another user's queued edits on a shared computer, or edits nobody can attribute, are not
   * theirs to see as pending).
   */
  overlay(key: string): Change[] {
    return this.line.overlay(key).filter((m) => this.shown(m));
  }

  /** Recent and unsettled changes of an entity, oldest first (the signed-in user's). */
  changes(key: string): readonly ChangeInfo[] {
    return this.line.changes(key, (m) => this.shown(m));
  }

  /** Open conflicts of an entity, as handed out. */
  conflicts(key: string): readonly LiveConflict[] {
    return Object.freeze(this.line.openConflicts(key).map((m) => conflictOf(this.life, m)));
  }

  // ------------------------------------------------------------------------------------------
  // save, withdraw

  /** A handle saves fields (see `LiveData.update`); resolves with the outcome. */
  submit(
    owner: ChangeOwner,
    fields: Fields,
    baseVersion: number | undefined,
    seen: Fields,
  ): Promise<ChangeInfo> {
    const valid = checkFields(fields);
    const m = new Change({
      entityType: owner.entityType,
      entityId: owner.entityId,
      fields: valid.success ? (JSON.parse(JSON.stringify(valid.data)) as Fields) : {},
      baseVersion,
      seen,
      createdAt: this.options.clock.now(),
      userId: this.user(),
      serial: this.line.takeSerial(),
      owner,
    });
    if (!valid.success || Object.keys(fields).length === 0) {
      m.reject(
        new RealtimeError(
          'bad_frame',
          valid.success ? 'an update needs at least one field' : valid.message,
        ),
      );
      this.line.remember(m);
      this.views.notify(m.key);
      return m.settled;
    }
    this.line.push(m);
    // Into the durable outbox whether or not it can be sent now: a link that died unnoticed
    // answers nothing, and a tab closed meanwhile must not take the edit with it. Neither waits
    // for the other: the entry is held at once and its store write starts in this task (behind
    // earlier writes, if any), the frame leaves in this task too (`pump`), and the write commits
    // a few milliseconds later — long before a person can close the tab. An answer that comes
    // first removes the entry after it is written (store writes run one at a time, in order), so
    // the store never keeps an answered change, and holds an unanswered one from the start.
    // Made before the page learned who is signed in: it is this page's user's, whoever the
    // connection signs in as, and nobody else's (see `connectionOpened`).
    this.line.record(m, !this.life.isOpen(), this.client.user === undefined);
    if (!this.life.isOpen()) warnIfVolatile(this.life);
    // Send first, then show: the frame leaves before the handles render the optimistic state.
    pump(this.life);
    this.views.notify(m.key);
    return m.settled;
  }

  /** Withdraw unsettled changes of an entity (`rollback`). */
  withdraw(key: string, which: (m: Change) => boolean): void {
    const victims = this.overlay(key).filter(which);
    let fails = 0;
    for (const m of victims) {
      fails = Math.max(fails, m.fails);
      m.withdraw();
      this.line.settleOut(m);
    }
    if (victims.length === 0) return;
    // The record's count goes on with its next change (sent now, as a save of it would be): one
    // the CRM keeps refusing is not asked more often for a withdrawn change.
    const next = this.line.items.find((m) => m.key === key && m.state === 'pending');
    if (next) next.fails = Math.max(next.fails, fails);
    conflictsChanged(this.life);
    this.views.notify(key);
    pump(this.life);
  }

  /** The unattributed changes this page holds become the signed-in user's and are sent. */
  private claimUnattributed(): number {
    const user = this.client.user?.id;
    if (user === undefined) return 0;
    const claimed = this.line.unattributed();
    for (const m of claimed) {
      m.userId = user;
      this.outbox.attribute(m.record!, user);
    }
    this.unattributedSettled(claimed);
    return claimed.length;
  }

  /** The unattributed changes this page holds leave the device, unsent. */
  private discardUnattributed(): number {
    const dropped = this.line.unattributed();
    for (const m of dropped) {
      m.withdraw();
      this.line.settleOut(m);
    }
    this.unattributedSettled(dropped);
    return dropped.length;
  }

  private unattributedSettled(changes: readonly Change[]): void {
    if (changes.length === 0) return;
    for (const key of new Set(changes.map((m) => m.key))) this.views.notify(key);
    pump(this.life);
  }

  /** A handle that takes conflicts opened: give it those of its entity nobody took yet. */
  opened(key: string, taker: ConflictTaker): void {
    if (!taker.handlesConflicts) return;
    for (const m of this.line.openConflicts(key)) if (!m.conflictOffered) offer(this.life, m);
  }

  /** A handle was released; `last`: nobody shows its entity any more. */
  released(handle: ConflictTaker, key: string, last: boolean): void {
    for (const m of this.line.items) if (m.owner === handle) m.owner = undefined;
    // Nobody shows the entity and nothing of it waits: forget what was kept for it.
    if (last && this.line.forget(key)) this.own.forget(key);
  }

  // ------------------------------------------------------------------------------------------
  // the connection and the room events

  /** The connection opened and the user is known: recount the outbox and replay it. */
  connectionOpened(): void {
    // The first sign-in of this page: what it saved before is this user's (the person at the
    // page). Entries a page closed before it knew are not: they stay unattributed.
    const user = this.client.user?.id;
    if (user !== undefined) this.line.attribute(user);
    this.outbox.userChanged();
    // Whose changes show may have changed with who signed in.
    for (const key of new Set(this.line.items.map((m) => m.key))) this.views.notify(key);
    // A new connection, perhaps to another server: sent at once, and the pace of an outage from
    // the start. A record refused again here is still failing: its own wait goes on growing.
    retryNow(this.life);
    // What closed pages left goes first (see `adoptOrphans`).
    adoptOrphans(this.life);
  }

  /**
   * The client was closed for good (`close()`), the page lives on: what this client holds is let
   * go, for the next client (a provider's new one) or page to send; its changes leave the line
   * unsettled. It takes them back if it connects again.
   */
  closed(): void {
    void this.outbox.retire().then((dropped) => {
      const keys = this.line.drop(dropped);
      for (const key of keys) this.views.notify(key);
    });
  }

  /** The connection is not open: what waits goes to the outbox. */
  connectionLost(): void {
    // What waited for a retry on this connection now waits for the next one.
    retryNow(this.life);
    const touched = new Set<string>();
    for (const m of this.line.items) if (park(this.life, m)) touched.add(m.key);
    for (const key of touched) this.views.notify(key);
  }

  /**
   * The CRM deleted the entity: every change of it still waiting (pending, queued, in a conflict)
   * is refused `not_found` and leaves the outbox, reported like any refusal: sent, the server
   * would refuse it anyway, and kept it would wait forever. The handles are told.
   */
  deleted(key: string): void {
    const error = deletedError(key);
    for (const m of this.line.items.filter((c) => c.key === key)) {
      const queued = m.queued;
      m.reject(error);
      this.line.settleOut(m);
      if (queued) this.outbox.reportRejected(m);
    }
    conflictsChanged(this.life);
    this.views.notify(key);
  }

  /** An `entity.change` arrived; true when one of our changes made it. */
  observed(key: string, change: EntityChange): boolean {
    const id = change.mutationId;
    const mine = id === undefined ? undefined : this.line.sent(key, id);
    this.own.observed(key, change.entity.version, change.changed, mine?.createdAt);
    return mine !== undefined;
  }

  /** A change the page shows: the user's, this page's own, or any while nobody is known. */
  private shown(m: Change): boolean {
    const user = this.user();
    return user === undefined || m.userId === user || m.record?.provisional === true;
  }

  /** The signed-in user, else the one the page is configured as. */
  private user(): string | undefined {
    return this.client.user?.id ?? this.options.configuredUser;
  }
}

/** Why a deleted entity is not shown fresh or saved: `not_found`. */
export function deletedError(key: string): RealtimeError {
  return new RealtimeError('not_found', `${key} was deleted`, key);
}
