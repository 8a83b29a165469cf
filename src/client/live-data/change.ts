/**
 * One change of an entity on its way to the server, and the states it goes through. Every
 * transition is a method here, called by `Changes` (changes.ts), the one owner of a change's life,
 * and its parts (change-sending.ts, change-conflicts.ts):
 *
 * ```
 *   pending ──ack──────────────► confirmed
 *     │  ├───entity.rejected / error──► rejected
 *     │  ├───rebase (stale-only conflict: new id, current version) ──► pending
 *     │  ├───superseded (every field since set by a newer change of this client) ──► rolled-back
 *     │  ├───refuse (field rules refuse some of its fields: the others, new id) ──► pending
 *     │  ├───resend (its id was refused for fields it no longer sets: new id) ──► pending
 *     │  └───conflict──► conflicted ──resolve──► conflicted + resolvedBy (a new change takes its place)
 *     │                      ├───────amend (the user's newer values, new id) ──► conflicted
 *     │                      └───────discard──► rolled-back
 *     └───rollback───────────────────────────► rolled-back
 * ```
 *
 * A pending change has an outbox `record` from the moment it is made until its final answer (so a
 * closed tab loses nothing); it is `inFlight` while sent and unanswered, and `queued` (its record
 * is parked) while it waits out a closed connection; its mutation id is kept across replays so
 * the server applies it once. Its `settled` promise resolves once, with the first final state.
 */
import type { Entity, FieldConflict, Fields } from '../../protocol/index.js';
import type { ChangeInfo, ChangeState, LiveConflict } from './live-data-types.js';
import type { OutboxRecord } from './outbox.js';
import { RealtimeError } from '../realtime-error.js';
import { fieldRefusal } from '../../domain/field-refusal.js';

/** A random id, unique per change (the protocol wants 8 to 64 characters). */
export function newMutationId(): string {
  const crypto = globalThis.crypto;
  if (crypto && typeof crypto.randomUUID === 'function') return `m-${crypto.randomUUID()}`;
  const bytes = new Uint8Array(16);
  if (crypto && typeof crypto.getRandomValues === 'function') crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return `m-${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * The server's refusal of a save of `fields` of `room`, read-only for the user: the same code,
 * message and `fields` as its answer, for what is known refused without asking it again.
 */
export function readOnlyRefusal(room: string, fields: readonly string[]): RealtimeError {
  const { message, errors } = fieldRefusal(room, [...fields].sort());
  return new RealtimeError('forbidden', message, room, errors);
}

/** A handle that may be given a conflict (a `LiveData`). */
export interface ConflictTaker {
  readonly handlesConflicts: boolean;
  offerConflict(conflict: LiveConflict): void;
}

export interface ChangeInit {
  mutationId?: string;
  entityType: string;
  entityId: string;
  fields: Fields;
  baseVersion: number | undefined;
  seen: Fields;
  createdAt: number;
  userId: string | undefined;
  serial: number;
  /** The handle that made it (gets its conflict first). */
  owner?: ConflictTaker;
  /** Values the server's field rules refused (an outbox entry an earlier page narrowed). */
  refused?: Fields | undefined;
  error?: RealtimeError | undefined;
}

export class Change {
  mutationId: string;
  readonly entityType: string;
  readonly entityId: string;
  readonly key: string;
  /** The fields it sets (fewer once a newer change of this client superseded some). */
  fields: Fields;
  baseVersion: number | undefined;
  readonly seen: Fields;
  readonly createdAt: number;
  userId: string | undefined;
  /** Order of creation, across entities. */
  readonly serial: number;
  owner: ConflictTaker | undefined;

  state: ChangeState = 'pending';
  /** Sent and not answered yet. */
  inFlight = false;
  /** Automatic re-sends after a conflict that was only with what the user had seen or written. */
  rebases = 0;
  /** Every id this change was sent with (a rebase takes a new one). */
  readonly ids = new Set<string>();
  /** Its outbox entry, held from the save until the final answer (or a resolution takes it). */
  record: OutboxRecord | undefined;
  version: number | undefined;
  duplicate: boolean | undefined;
  error: RealtimeError | undefined;
  conflicts: FieldConflict[] | undefined;
  current: Entity | undefined;
  resolvedBy: string | undefined;
  /** The conflict object handed out: one per conflict, for as long as it is open. */
  conflict: LiveConflict | undefined;
  /** A handler was given the conflict. */
  conflictOffered = false;
  /** Not applied: a newer change of this client had set its fields (`rolled-back`). */
  superseded = false;
  /** Values the server's field rules refused (no longer writable for the user): not saved. */
  refused: Fields | undefined;
  /** The outcome of the change that resolved this conflict. */
  resolution: Promise<ChangeInfo> | undefined;
  /** The server refused it for now on an open connection: sent again at about this time. */
  retryAt: number | undefined;
  /**
   * The serial the next change was to get when this one's last try ended: a change of its entity
   * with a serial from it on was saved since (the cue to send it again before its wait is over).
   */
  serialAfterTry: number | undefined;
  /** When it was last tried, in the order of tries (`ChangeLife.tries`). */
  lastTry: number | undefined;
  /**
   * Tries that failed for now since its last answer: how far its record's wait has grown. Only
   * the first unsettled change of a record is tried, so this is the record's count.
   */
  fails = 0;

  readonly settled: Promise<ChangeInfo>;
  private settle!: (info: ChangeInfo) => void;
  private cachedInfo: ChangeInfo | undefined;

  constructor(init: ChangeInit) {
    this.mutationId = init.mutationId ?? newMutationId();
    this.ids.add(this.mutationId);
    this.entityType = init.entityType;
    this.entityId = init.entityId;
    this.key = `${init.entityType}:${init.entityId}`;
    this.fields = init.fields;
    this.baseVersion = init.baseVersion;
    this.seen = init.seen;
    this.createdAt = init.createdAt;
    this.userId = init.userId;
    this.serial = init.serial;
    this.owner = init.owner;
    this.refused = init.refused;
    this.error = init.error;
    this.settled = new Promise((resolve) => (this.settle = resolve));
  }

  /** Waits in the outbox to be sent (offline, or its answer never came), not just kept there. */
  get queued(): boolean {
    return this.record?.parked === true;
  }

  /** Its values are shown on top of the confirmed entity. */
  get overlays(): boolean {
    return this.state === 'pending' || this.openConflict;
  }

  /** Waiting for a decision. */
  get openConflict(): boolean {
    return this.state === 'conflicted' && !this.resolvedBy;
  }

  // ------------------------------------------------------------------------------------------
  // transitions

  /** pending → confirmed: the server applied it (`duplicate`: it had already). */
  confirm(version: number, duplicate: boolean): void {
    this.version = version;
    this.duplicate = duplicate;
    this.finish('confirmed');
  }

  /** pending → rejected: refused, for good. */
  reject(error: RealtimeError): void {
    this.error = error;
    this.finish('rejected');
  }

  /** pending → conflicted: someone changed a field it sets since its base version. */
  conflicted(conflicts: FieldConflict[], current: Entity): void {
    this.conflicts = conflicts;
    this.current = current;
    this.finish('conflicted');
  }

  /** pending → pending: sent again on `version` as a new change (a stale-only conflict). */
  rebase(version: number): void {
    this.rebases += 1;
    this.renew();
    this.baseVersion = version;
  }

  /** pending → pending: these fields were set since by a newer change of this client; not sent. */
  narrow(fields: readonly string[]): void {
    const kept: Fields = { ...this.fields };
    for (const field of fields) delete kept[field];
    this.fields = kept;
    this.touch();
  }

  /**
   * pending → pending: the server's field rules refuse these fields; the others go on as a new
   * change (new id). Of the refused values, `kept` (those still the user's last word) stay in
   * `refused` for the page, with `error` the refusal naming them.
   */
  refuse(fields: readonly string[], kept: Fields | undefined, error: RealtimeError): void {
    if (kept) {
      this.refused = { ...this.refused, ...kept };
      this.error = error;
    }
    this.narrow(fields);
    this.renew();
  }

  /**
   * pending → pending: its id was refused for fields it no longer sets (they were dropped for a
   * newer change of this client's, the id kept): sent again as a new change (new id), counted as
   * an automatic re-send.
   */
  resend(): void {
    this.rebases += 1;
    this.renew();
  }

  /** pending → rolled-back: a newer change of this client set every field this one sets. */
  supersede(): void {
    this.superseded = true;
    this.finish('rolled-back');
  }

  /** pending or conflicted → rolled-back: the page withdrew it. */
  withdraw(): void {
    this.finish('rolled-back');
  }

  /** An open conflict → resolved: `next` takes this change's place in line. */
  resolvedWith(next: Change): void {
    this.resolvedBy = next.mutationId;
    this.touch();
  }

  /**
   * An open conflict → the same, with the user's newer values of clashing fields: other content,
   * so a new id; still the same conflict, handed out as the same object (it reads the change).
   */
  amend(fields: Fields): void {
    this.fields = { ...this.fields, ...fields };
    // An open conflict lists its clashes, each a field of its own.
    this.conflicts = this.conflicts!.map((c) => ({ ...c, mine: this.fields[c.field]! }));
    this.renew();
  }

  /**
   * Still pending, waiting for a reason the page may show ("the CRM did not answer"), and, when
   * the server refused it for now on an open connection, until when (`retryAt`, epoch ms).
   */
  waiting(error: RealtimeError | undefined, retryAt?: number): void {
    this.error = error;
    this.retryAt = retryAt;
    this.touch();
  }

  /** Based on `version` from now on (made before the entity was read). */
  based(version: number): void {
    this.baseVersion = version;
    this.touch();
  }

  /** Into (`record`) or out of (`undefined`) the outbox, or its record was parked. */
  recorded(record: OutboxRecord | undefined): void {
    this.record = record;
    this.touch();
  }

  /** Take a new id (after a conflict, so a retry is a new change). */
  private renew(): void {
    this.mutationId = newMutationId();
    this.ids.add(this.mutationId);
    this.touch();
  }

  /** Move to a final state; the first one settles the promise. */
  private finish(state: Exclude<ChangeState, 'pending'>): void {
    this.state = state;
    this.touch();
    this.settle(this.info());
  }

  /** Something observable changed: the next `info()` is a new object. */
  private touch(): void {
    this.cachedInfo = undefined;
  }

  info(): ChangeInfo {
    if (this.cachedInfo) return this.cachedInfo;
    const info: {
      -readonly [K in keyof ChangeInfo]: ChangeInfo[K];
    } = {
      mutationId: this.mutationId,
      entityType: this.entityType,
      entityId: this.entityId,
      fields: this.fields,
      state: this.state,
      queued: this.queued,
      createdAt: this.createdAt,
      baseVersion: this.baseVersion,
    };
    if (this.version !== undefined) info.version = this.version;
    if (this.duplicate !== undefined) info.duplicate = this.duplicate;
    if (this.error) info.error = this.error;
    if (this.conflicts) info.conflicts = this.conflicts;
    if (this.resolvedBy) info.resolvedBy = this.resolvedBy;
    if (this.superseded) info.superseded = true;
    if (this.refused) info.refused = this.refused;
    if (this.retryAt !== undefined) info.retryAt = this.retryAt;
    this.cachedInfo = Object.freeze(info);
    return this.cachedInfo;
  }
}
