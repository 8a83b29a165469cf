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
 * The states and their transitions are `Change`'s methods (change.ts), and every call to them is
 * here; where a change sits (in line, in the outbox, in the recent history) is `ChangeLine`'s.
 * The entities and the handles that show them are the hub's: `ChangeViews` is what this needs of them.
 */
import {
  fieldValue,
  hasField,
  type Entity,
  type EntityAckFrame,
  type EntityChange,
  type EntityConflictFrame,
  type EntityRejectedFrame,
  type FieldConflict,
  type Fields,
  type ServerFrame,
} from '../../protocol/index.js';
import { checkFields } from '../../protocol/checks/fields.js';
import { Change, type ConflictTaker } from './change.js';
import { ChangeLine } from './change-line.js';
import type { ChangeInfo, LiveConflict } from './live-data-types.js';
import {
  defaultOutboxStore,
  Outbox,
  webLocksOwner,
  type OutboxRecord,
  type OutboxStore,
} from './outbox.js';
import type { UnloadTarget } from './outbox-unload.js';
import { OwnWrites } from './own-writes.js';
import { Backoff } from '../connection/backoff.js';
import { RealtimeError } from '../realtime-error.js';
import type { CapabilityClient, Clock } from '../types.js';
import { sameJson } from '../../util/same-json.js';
import { LOG_PREFIX } from '../../util/warn.js';

/** What changes need of the entities and the handles that show them (the hub has them). */
export interface ChangeViews {
  /** The confirmed entity as a handle shows it, if any. */
  entity(key: string): Entity | undefined;
  /** An answer told the entity's state; `own` fields were this client's change's. */
  learned(key: string, entity: Entity, own: readonly string[]): void;
  /** Something the entity's handles show changed. */
  notify(key: string): void;
  /** The handles showing an entity (a conflict nobody owns goes to one of them). */
  takers(key: string): Iterable<ConflictTaker>;
}

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
   * `maxRetryDelay`.
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

/** Automatic re-sends of one change after stale-only conflicts. */
const MAX_REBASES = 3;
/** The longest wait, in ms, for the entries of closed pages before sending on a new connection. */
const ADOPT_WAIT = 3000;
/** The change may have been applied or may still be: keep it (same id) and send it again. */
const KEEP = new Set([
  'disconnected',
  'not_connected',
  'closed',
  'timeout',
  'internal',
  'backend_unavailable',
]);
/** Worth another try on this connection after a while. */
const RETRY_LATER = new Set(['timeout', 'internal', 'rate_limited', 'backend_unavailable']);

export class Changes {
  readonly outbox: Outbox;
  private readonly line: ChangeLine;
  private readonly own = new OwnWrites();
  /** The outbox was loaded: entries left by a previous page go first. */
  private ready = false;
  /** Entries of pages closed meanwhile are being taken into line: nothing is sent until they are. */
  private adopting = 0;
  private pumping = false;
  private pumpAgain = false;
  private retryTimer: unknown;
  /**
   * The wait before the next re-send: a CRM or server that keeps failing is asked less and less
   * often (the edit is never dropped), and full jitter spreads the clients of an outage over the
   * window instead of all coming back at once. Starts over after any other answer, and on reconnect.
   */
  private readonly retryBackoff: Backoff;
  private readonly volatile: boolean;
  private warnedVolatile = false;

  constructor(
    private readonly client: Pick<CapabilityClient, 'request' | 'status' | 'user'>,
    private readonly views: ChangeViews,
    private readonly options: ChangesOptions,
  ) {
    const chosen = options.store ? { store: options.store, fallback: false } : defaultOutboxStore();
    this.volatile = chosen.fallback;
    this.outbox = new Outbox(chosen.store, {
      userId: () => this.user(),
      logger: options.logger,
      clock: options.clock,
      random: options.random,
      adopt: (records) => this.adopt(records),
      ...('unload' in options ? { unload: options.unload } : {}),
      // Where the browser has Web Locks: a page that outlives this one sends what it leaves.
      owner: () => webLocksOwner(),
    });
    this.line = new ChangeLine(this.outbox);
    this.retryBackoff = new Backoff({
      base: options.retryDelay ?? DEFAULT_RETRY_DELAY,
      cap: options.maxRetryDelay ?? DEFAULT_MAX_RETRY_DELAY,
      ...(options.random ? { random: options.random } : {}),
    });
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
    return Object.freeze(this.line.openConflicts(key).map((m) => this.conflictOf(m)));
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
    this.line.record(m, !this.isOpen(), this.client.user === undefined);
    if (!this.isOpen()) this.warnIfVolatile();
    // Send first, then show: the frame leaves before the handles render the optimistic state.
    this.pump();
    this.views.notify(m.key);
    return m.settled;
  }

  /** Withdraw unsettled changes of an entity (`rollback`). */
  withdraw(key: string, which: (m: Change) => boolean): void {
    const victims = this.overlay(key).filter(which);
    for (const m of victims) {
      m.withdraw();
      this.line.settleOut(m);
    }
    if (victims.length === 0) return;
    this.conflictsChanged();
    this.views.notify(key);
    this.pump();
  }

  /** A handle that takes conflicts opened: give it those of its entity nobody took yet. */
  opened(key: string, taker: ConflictTaker): void {
    if (!taker.handlesConflicts) return;
    for (const m of this.line.openConflicts(key)) if (!m.conflictOffered) this.offer(m);
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
    // A new connection, perhaps to another server: sent at once, the next wait from the start.
    this.retryNow();
    // What a page that closed meanwhile left (a tab closed while offline, a shared connection's
    // leader tab) is sent by the pages still here, in line by when it was made: it is taken
    // before anything is sent, so an older change of the same user never goes after a newer
    // one. A store that does not answer holds sending up for `ADOPT_WAIT` at most.
    this.adopting += 1;
    let done = false;
    const go = () => {
      if (done) return;
      done = true;
      this.options.clock.clearTimeout(timer);
      this.adopting -= 1;
      this.pump();
    };
    const timer = this.options.clock.setTimeout(go, ADOPT_WAIT);
    void this.outbox.adoptOrphans().then(go);
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
    const touched = new Set<string>();
    for (const m of this.line.items) if (this.park(m)) touched.add(m.key);
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
      if (queued) this.outbox.reportRejected(m.info());
    }
    this.conflictsChanged();
    this.views.notify(key);
  }

  /** An `entity.change` arrived; true when one of our changes made it. */
  observed(key: string, change: EntityChange): boolean {
    const id = change.mutationId;
    const mine = id === undefined ? undefined : this.line.sent(key, id);
    this.own.observed(key, change.entity.version, change.changed, mine?.createdAt);
    return mine !== undefined;
  }

  // ------------------------------------------------------------------------------------------
  // sending

  /**
   * Send what is waiting (no-op while sending; then it goes on after the current one). Until the
   * outbox has been read, and while the entries of pages closed meanwhile are being taken, only
   * changes made on the open connection go: the queued ones wait, so that what an earlier page
   * left goes before them, in the order it was made. A save made now never waits for the disk or
   * for another page's claim; it is newer than anything a closed page left, and a clash of an older
   * change with it later supersedes the older one.
   */
  private pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    void this.drain().finally(() => {
      this.pumping = false;
      if (!this.pumpAgain) return;
      this.pumpAgain = false;
      this.pump();
    });
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (!this.isOpen()) return;
      const queuedToo = this.ready && this.adopting === 0;
      const m = this.line.nextToSend(this.client.user?.id, queuedToo);
      if (!m) return;
      if (!(await this.send(m))) return;
    }
  }

  /**
   * Send one change; false when sending should stop until the connection is back. A change whose
   * base version is known leaves in the same task as the `pump()` that picked it, before anything
   * awaits: the save's frame waits neither for the page to render the optimistic state nor for
   * its outbox entry to reach the store.
   */
  private async send(m: Change): Promise<boolean> {
    let frame: ServerFrame;
    m.inFlight = true;
    try {
      if (m.baseVersion === undefined && !(await this.baseOnCurrent(m))) return true;
      if (m.state !== 'pending') return true; // withdrawn meanwhile
      frame = await this.client.request({
        type: 'entity.update',
        mutationId: m.mutationId,
        entityType: m.entityType,
        entityId: m.entityId,
        // Moved up over the versions right after it that this client made with earlier changes.
        baseVersion: this.own.rebase(m.key, m.baseVersion!, m.createdAt),
        fields: m.fields,
      });
    } catch (error) {
      return this.failed(m, error);
    } finally {
      m.inFlight = false;
    }
    // An answer came: the reason an earlier attempt did not go through no longer holds.
    if (m.error?.code === 'backend_unavailable') m.waiting(undefined);
    this.retryBackoff.reset();
    if (frame.type === 'entity.ack') this.acked(m, frame);
    else if (frame.type === 'entity.conflict') this.conflicted(m, frame);
    else if (frame.type === 'entity.rejected') this.refused(m, frame);
    else this.failed(m, new RealtimeError('bad_frame', `unexpected ${frame.type} answer`));
    return true;
  }

  /**
   * A change made before its entity was ever read gets its base version now, from the entity as a
   * handle shows it or, when none does, as the server has it. What the user saw in its fields
   * before editing (`seen`: the values the page printed, say) is checked against it first: a
   * field that holds something else now was changed by someone since, a conflict handed over
   * like any other (never a blind overwrite); one this client set since with a newer change is
   * superseded, seen or not. Another field whose user's view is unknown (no `seen` value) cannot
   * be checked: the change is based on whatever is current, and the last writer wins there. False
   * when the change is not to be sent (a conflict, superseded, or withdrawn meanwhile).
   */
  private async baseOnCurrent(m: Change): Promise<boolean> {
    const current = this.views.entity(m.key) ?? (await this.read(m));
    if (m.state !== 'pending') return false;
    const clashes: FieldConflict[] = [];
    for (const [field, mine] of Object.entries(m.fields)) {
      const now = fieldValue(current.fields, field);
      if (sameJson(now, mine)) continue;
      const saw = hasField(m.seen, field) ? m.seen[field] : undefined;
      // What the user saw is no longer there; or, seen or not, a newer change of this client's
      // set what is (this change waited in a tab closed meanwhile).
      const moved = saw !== undefined && !sameJson(now, saw);
      if (!moved && !this.own.wroteAfter(m.key, field, now, m.createdAt)) continue;
      const clash: FieldConflict = { field, mine };
      if (saw !== undefined) clash.base = saw;
      if (now !== undefined) clash.theirs = now;
      clashes.push(clash);
    }
    const real = clashes.length > 0 ? this.judge(m, clashes) : [];
    if (real === undefined) return false;
    if (real.length > 0) {
      // Left without a base version: after a reload, the check is made again.
      this.conflict(m, real, current);
      return false;
    }
    m.based(current.version);
    this.line.stored(m, { baseVersion: current.version });
    return true;
  }

  /** The entity as the server has it now. */
  private async read(m: Change): Promise<Entity> {
    const frame = await this.client.request({
      type: 'entity.get',
      entityType: m.entityType,
      entityId: m.entityId,
    });
    if (frame.type !== 'entity.snapshot') {
      throw new RealtimeError('bad_frame', `unexpected ${frame.type} answer to entity.get`);
    }
    return frame.entity;
  }

  // ------------------------------------------------------------------------------------------
  // answers

  private acked(m: Change, frame: EntityAckFrame): void {
    this.own.acknowledged(m.key, m.fields, frame.entity, frame.duplicate, m.createdAt);
    this.views.learned(m.key, frame.entity, Object.keys(m.fields));
    if (m.state === 'pending') m.confirm(frame.entity.version, frame.duplicate);
    this.line.settleOut(m);
    this.views.notify(m.key);
  }

  private conflicted(m: Change, frame: EntityConflictFrame): void {
    this.views.learned(m.key, frame.current, []);
    if (m.state !== 'pending') return;
    const real = this.judge(m, frame.conflicts);
    if (real === undefined) return;
    if (m.rebases < MAX_REBASES && real.length === 0) {
      // Nothing the user did not see: send again on the current version, as a new change.
      m.rebase(frame.current.version);
      this.line.stored(m, { mutationId: m.mutationId, baseVersion: m.baseVersion });
      this.views.notify(m.key);
      return;
    }
    this.conflict(
      m,
      frame.conflicts.filter((c) => hasField(m.fields, c.field)),
      frame.current,
    );
  }

  /**
   * Clashes of a change with the entity: those with a value this client wrote with a newer change
   * of the same user (this change waited in a tab closed meanwhile) drop their fields from it —
   * the newer values stand, an older one never overwrites them, and asking the user to choose
   * between two of their own values would only confuse; with none left, the change is superseded
   * (settled, undefined returned). Returns the clashes that are real: neither what the user saw
   * nor what this client wrote before.
   */
  private judge(m: Change, clashes: readonly FieldConflict[]): FieldConflict[] | undefined {
    const { superseded, real } = this.own.judge(m.key, m.seen, m.createdAt, clashes);
    if (superseded.length === 0) return real;
    m.narrow(superseded);
    if (Object.keys(m.fields).length === 0) {
      m.supersede();
      this.line.settleOut(m);
      this.views.notify(m.key);
      return undefined;
    }
    this.line.stored(m, { fields: m.fields });
    return real;
  }

  /** The change conflicts: its values stay shown, its handle (or another) gets to decide. */
  private conflict(m: Change, conflicts: FieldConflict[], current: Entity): void {
    m.conflicted(conflicts, current);
    this.conflictsChanged();
    this.views.notify(m.key);
    this.offer(m);
  }

  /** The CRM backend refused values: final, with its message per field. */
  private refused(m: Change, frame: EntityRejectedFrame): void {
    const fields = Object.keys(frame.errors);
    const message =
      frame.message ??
      (fields.length > 0
        ? fields.map((field) => `${field}: ${frame.errors[field]}`).join('; ')
        : 'the CRM refused the change');
    this.failed(m, new RealtimeError('invalid', message, m.key, frame.errors));
  }

  private failed(m: Change, error: unknown): boolean {
    const e = error instanceof RealtimeError ? error : new RealtimeError('internal', String(error));
    if (m.state !== 'pending') return true;
    if (KEEP.has(e.code) || RETRY_LATER.has(e.code)) {
      // Still pending, but the page may say why it waits ("the CRM did not answer").
      if (e.code === 'backend_unavailable') m.waiting(e);
      this.park(m);
      this.views.notify(m.key);
      if (RETRY_LATER.has(e.code)) this.retryLater();
      return false;
    }
    const queued = m.queued;
    m.reject(e);
    this.line.settleOut(m);
    if (queued) this.outbox.reportRejected(m.info());
    this.views.notify(m.key);
    return true;
  }

  private retryLater(): void {
    if (this.retryTimer !== undefined) return;
    this.retryTimer = this.options.clock.setTimeout(() => {
      this.retryTimer = undefined;
      this.pump();
    }, this.retryBackoff.next());
  }

  /** Forget the wait under way and its growth: the next failure waits the first delay again. */
  private retryNow(): void {
    if (this.retryTimer !== undefined) this.options.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.retryBackoff.reset();
  }

  // ------------------------------------------------------------------------------------------
  // conflicts

  /** The open conflicts changed (for `client.outbox.conflicts`). */
  private conflictsChanged(): void {
    this.outbox.setConflicts(this.line.openConflicts().map((m) => this.conflictOf(m)));
  }

  /**
   * The one object of a change's conflict, for as long as it lasts: an amend changes what it
   * holds (`change`, `conflicts`, `mine`, `local` read the change as it is now), never which
   * object it is. Whoever holds it — a page that took it over, the form's dialog, a list by
   * identity — keeps holding the conflict, not a stale copy of it.
   */
  private conflictOf(m: Change): LiveConflict {
    if (m.conflict) return m.conflict;
    const current = m.current!;
    const localOf = () => {
      const local: Fields = { ...current.fields };
      for (const o of this.overlay(m.key)) Object.assign(local, o.fields);
      return Object.freeze(local);
    };
    // What the user saw when the change last changed (it conflicted, or was amended).
    let local = localOf();
    let localOfInfo = m.info();
    m.conflict = Object.freeze({
      entityType: m.entityType,
      entityId: m.entityId,
      get change() {
        return m.info();
      },
      get conflicts() {
        return m.conflicts ?? [];
      },
      current,
      get mine() {
        return m.fields;
      },
      get local() {
        if (localOfInfo !== m.info()) {
          localOfInfo = m.info();
          local = localOf();
        }
        return local;
      },
      resolve: (fields: Fields) => this.resolve(m, fields),
      discard: () => this.discard(m),
      amend: (fields: Fields) => this.amend(m, fields),
    });
    return m.conflict;
  }

  /** Hand a conflict to its change's handle, else to any handle of the entity taking them. */
  private offer(m: Change): void {
    const owner = m.owner?.handlesConflicts ? m.owner : undefined;
    const target = owner ?? [...this.views.takers(m.key)].find((h) => h.handlesConflicts);
    if (!target) return;
    m.conflictOffered = true;
    try {
      target.offerConflict(this.conflictOf(m));
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }

  private resolve(m: Change, fields: Fields): Promise<ChangeInfo> {
    if (m.resolution) return m.resolution;
    if (!m.openConflict) return Promise.resolve(m.info());
    const valid = checkFields(fields);
    if (!valid.success) return Promise.reject(new RealtimeError('bad_frame', valid.message));
    const current = m.current!;
    const seen: Fields = {};
    for (const field of Object.keys(fields)) {
      if (hasField(current.fields, field)) seen[field] = current.fields[field]!;
    }
    // Based on the version the user decided against: a change made after it is a new conflict.
    const next = new Change({
      entityType: m.entityType,
      entityId: m.entityId,
      fields: JSON.parse(JSON.stringify(valid.data)) as Fields,
      baseVersion: current.version,
      seen,
      createdAt: this.options.clock.now(),
      userId: m.userId,
      serial: this.line.takeSerial(),
      owner: m.owner,
    });
    m.resolvedWith(next);
    // The resolution takes the conflicting change's place: later changes stay behind it.
    this.line.replace(m, next);
    if (!next.record) this.line.record(next, !this.isOpen());
    else if (!this.isOpen()) this.park(next);
    m.resolution = next.settled;
    this.conflictsChanged();
    this.views.notify(m.key);
    this.pump();
    return next.settled;
  }

  /**
   * The user's newer values of an open conflict's clashing fields replace the conflicting
   * change's, in its outbox entry too, so a reload offers them. Amends come with the user's
   * typing: the entry is written once it pauses, or the page is hidden or goes, with what the
   * change holds then (the latest amend wins), not once per keystroke. A decided conflict keeps
   * its decision.
   */
  private amend(m: Change, fields: Fields): boolean {
    const clashing = (field: string) => m.conflicts!.some((c) => c.field === field);
    const valid = checkFields(fields);
    if (!m.openConflict || !valid.success || !Object.keys(fields).every(clashing)) return false;
    m.amend(JSON.parse(JSON.stringify(valid.data)) as Fields);
    this.line.amended(m, { mutationId: m.mutationId, fields: m.fields });
    this.conflictsChanged();
    this.views.notify(m.key);
    return true;
  }

  private discard(m: Change): void {
    if (!m.openConflict) return;
    m.withdraw();
    this.line.settleOut(m);
    this.conflictsChanged();
    this.views.notify(m.key);
    this.pump();
  }

  // ------------------------------------------------------------------------------------------
  // the outbox

  /** A pending change waits in the outbox: the connection is not open, or dropped before the answer. */
  private park(m: Change): boolean {
    if (!this.line.park(m)) return false;
    this.warnIfVolatile();
    return true;
  }

  /**
   * Entries a previous (or a closed) page left in the outbox: first in line, in their order, then
   * replayed.
   */
  private adopt(records: OutboxRecord[]): void {
    const adopted = this.line.adopt(records);
    this.ready = true;
    for (const key of new Set(adopted.map((m) => m.key))) this.views.notify(key);
    this.pump();
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

  private isOpen(): boolean {
    return this.client.status.state === 'open';
  }

  private warnIfVolatile(): void {
    if (!this.volatile || this.warnedVolatile) return;
    this.warnedVolatile = true;
    this.options.logger.warn(
      `${LOG_PREFIX} no IndexedDB here: offline edits are kept in memory and will not ` +
        'survive a closed tab (pass an `outbox` store to keep them).',
    );
  }
}

/** Why a deleted entity is not shown fresh or saved: `not_found`. */
export function deletedError(key: string): RealtimeError {
  return new RealtimeError('not_found', `${key} was deleted`, key);
}
