/**
 * Public types of live data: the states a change goes through, what a conflict hands the page,
 * and what a `LiveData` handle shows. Framework-free; `LiveDataController` re-exposes them to Lit.
 */
import type { Entity, FieldConflict, Fields } from '../../protocol/index.js';
import type { RealtimeError } from '../realtime-error.js';

/**
 * Where one change stands:
 * - `pending`: shown at once (optimistic), waiting to be sent or answered, kept in the durable
 *   outbox until then; while offline it waits there (`queued`);
 * - `confirmed`: the server applied it (or had already applied it: a replayed mutation id);
 * - `rejected`: the server refused it (`forbidden`, `not_found`, an invalid value …); its values
 *   are no longer shown and `error` says why;
 * - `rolled-back`: the page withdrew it (`rollback`, or `discard` of a conflict), or it was never
 *   sent because a newer change of the same user, from this page, had already set its fields
 *   (`superseded`: an older save a closed tab left, replayed after it);
 * - `conflicted`: someone changed the same field since the version it was based on. Its values
 *   stay shown until the conflict is resolved (a new change replaces it) or discarded.
 */
export type ChangeState = 'pending' | 'confirmed' | 'rejected' | 'rolled-back' | 'conflicted';

/** One change made through `update` (or replayed from the outbox), as the page observes it. */
export interface ChangeInfo {
  /** Unique per change; a replay sends the same id, so the server applies it once. */
  readonly mutationId: string;
  readonly entityType: string;
  readonly entityId: string;
  /** The fields it sets. */
  readonly fields: Readonly<Fields>;
  readonly state: ChangeState;
  /**
   * Waiting in the outbox to be sent: made while offline, or its answer never came. (Every
   * unanswered change is kept in the durable outbox, so it survives a closed tab; this says it
   * waits, rather than being on its way.)
   */
  readonly queued: boolean;
  /** Epoch ms when the change was made. */
  readonly createdAt: number;
  /** The version the change is based on; `undefined` when the entity was not loaded yet. */
  readonly baseVersion: number | undefined;
  /** `confirmed`: the entity's version after it. */
  readonly version?: number;
  /** `confirmed`: the server had already applied this mutation id (a replay). */
  readonly duplicate?: boolean;
  /**
   * `rejected`: why (`invalid`: the CRM backend's messages per field are in `error.fields`;
   * `forbidden` for fields read-only or hidden for the user: those fields are in `error.fields`).
   * With `refused`: the `forbidden` refusal of those values until the rest of the change meets
   * another (the CRM did not answer, or refused it `invalid`), which then takes its place here.
   * `pending`: why the last attempt did not go through when the page may want to say so, for
   * the answers retried later from the outbox (`backend_unavailable`: the CRM did not answer;
   * `rate_limited`: the user's write budget is spent for now; `timeout`, `internal`).
   */
  readonly error?: RealtimeError;
  /**
   * `pending`: the server refused it for now (`error` says why: `rate_limited`,
   * `backend_unavailable`, `timeout`, `internal`) while the connection is open, and it waits in
   * the outbox (`queued`) to be sent again at about this time (epoch ms, the client's clock).
   * Later changes of its entity wait behind it; past the user's budget (`rate_limited`), all of
   * the user's changes do. The wait grows with each refusal of its record since the record's last
   * answer, whatever saves of other records do. A newer save of its record may send it again
   * sooner: while it is on its way, this is when it was sent (a countdown reads "now"); refused
   * again, the wait under way goes on (or, once that has passed, the record's next, longer one).
   * Gone once an answer comes or the connection is lost (then it waits for the connection
   * instead, and is sent as soon as it opens).
   */
  readonly retryAt?: number;
  /** `conflicted`: the fields that clashed, with base, mine, theirs and who changed them. */
  readonly conflicts?: readonly FieldConflict[];
  /** `conflicted`: the mutation id of the change that resolved it, once resolved. */
  readonly resolvedBy?: string;
  /**
   * `rolled-back`: not applied because a newer change of the same user had already set every
   * field it sets (its values would have overwritten newer ones). A change superseded only in
   * some fields goes on with the others (`fields` then lists those).
   */
  readonly superseded?: true;
  /**
   * Values not saved because the user's field rules refuse them (the fields became read-only or
   * hidden for them after the edit; `error` is the `forbidden` refusal, its `fields` the server's
   * message per field, unless the rest met another error since). The change's other fields went
   * on without them, as a new change (a new
   * `mutationId`), and `fields` lists those. A change whose every field was refused is
   * `rejected` instead, its values in `fields`. Not a value of a field a later change of the
   * user's sets (saved again meanwhile): their newer value stands, and that change says what
   * became of it. Kept in the change's outbox entry until the rest is answered: a page opened
   * after a reload or a closed tab has them on the change it sends (with `error` the
   * `forbidden` refusal), and lists it in the outbox's `rejected`.
   */
  readonly refused?: Readonly<Fields>;
}

/**
 * A conflict handed to `onConflict`; stays open until `resolve` or `discard`. One object per
 * conflict, for as long as it lasts (also `conflicts` of a snapshot and `client.outbox.conflicts`).
 */
export interface LiveConflict {
  readonly entityType: string;
  readonly entityId: string;
  /** The change that conflicted (state `conflicted`). */
  readonly change: ChangeInfo;
  /** One entry per clashing field: `base` (value at the change's base version, when known), `mine`, `theirs`, `changedBy`, `changedAt`. */
  readonly conflicts: readonly FieldConflict[];
  /** The entity as the server has it now. */
  readonly current: Entity;
  /** The fields of the conflicting change. */
  readonly mine: Readonly<Fields>;
  /** Everything as the user sees it: the current entity with their unconfirmed changes on top. */
  readonly local: Readonly<Fields>;
  /**
   * Save the chosen values: a new change (new mutation id) based on the current version that
   * replaces the conflicting one, in its place in the queue. Resolves with its outcome.
   */
  resolve(fields: Fields): Promise<ChangeInfo>;
  /** Give up the conflicting change: its values are no longer shown (state `rolled-back`). */
  discard(): void;
  /**
   * The user's newer values of clashing fields, while the decision waits (they typed on after
   * choosing to decide later): they replace the conflicting change's at once, and in the durable
   * outbox too (a new mutation id), so after a reload the conflict offers them as `mine`. Call it
   * on every keystroke if need be: the outbox writes the latest values once the typing pauses
   * (about a second), and at once when the page is hidden or goes (`visibilitychange`,
   * `pagehide`) or `client.outbox.flush()` is called. This object stays the conflict: its
   * `change`, `conflicts`, `mine` and `local` show the newer values. False, and
   * nothing changes, for a field that did not clash or once the conflict is resolved or
   * discarded: a late amend never overwrites the decision.
   */
  amend(fields: Fields): boolean;
}

/** The second argument of `LiveData.update`. */
export interface LiveUpdateOptions {
  /**
   * What the user saw in the saved fields before editing, for a save made before the record
   * loaded (the handle cannot tell then): the values the page printed, say. When the record
   * arrives, a field whose value is no longer what the user saw (someone changed it meanwhile)
   * makes the save a conflict, handed to `onConflict`, instead of overwriting the change. Ignored
   * once the record is loaded: the handle knows what the user saw then. A save made before the
   * record loaded without `seen` for a field cannot be checked there: it is based on the version
   * current when it is sent, and the last writer wins.
   */
  seen?: Fields;
}

/** `loading` until the first snapshot, `error` when it could not be read (see `error`). */
export type LiveDataStatus = 'loading' | 'ready' | 'error';

/** Everything a `LiveData` handle shows, as one immutable value (new object on every change). */
export interface LiveDataSnapshot {
  readonly entityType: string;
  readonly entityId: string;
  readonly status: LiveDataStatus;
  /** Why the entity could not be read (`not_found`, `forbidden`), or is gone (`deleted`). */
  readonly error: RealtimeError | undefined;
  /**
   * The CRM deleted the record while this handle showed it (its room said `entity.deleted`, or a
   * re-read found it gone). `entity` and `data` keep what was last shown, `status` stays `ready`
   * and `error` is `not_found`; saves are refused `not_found`, and unsettled ones were. It stays deleted: a record created again with the same
   * id shows in a handle opened once every handle of the deleted one was released.
   */
  readonly deleted: boolean;
  /** The entity as the server confirmed it. */
  readonly entity: Entity | undefined;
  readonly version: number | undefined;
  /**
   * The fields as the user sees them: the confirmed entity, with remote changes to fields they are
   * editing held back, and their own unconfirmed changes (pending, queued, conflicted) on top.
   */
  readonly data: Readonly<Fields>;
  /** Recent changes of this entity, oldest first: the unsettled ones and the last few settled. */
  readonly changes: readonly ChangeInfo[];
  /** Conflicts waiting for a decision. */
  readonly conflicts: readonly LiveConflict[];
  /** Fields being edited whose remote change is held back (shown as it was). */
  readonly held: readonly string[];
  /**
   * Fields this user may read but not change (the server's permissions say so, in the snapshot's
   * `readOnly`); a save of one is refused `forbidden` (with other fields: they are saved, and
   * the change lists the refused values in `refused`). Empty when every field is writable or the
   * server does not say.
   */
  readonly readOnly: readonly string[];
}

export interface LiveDataOptions {
  entityType: string;
  entityId: string;
  /** Called with the new snapshot after every change of what the handle shows. */
  onUpdate?: (snapshot: LiveDataSnapshot) => void;
  /**
   * Called when a change of this handle (or, when its own handle is gone, any change of the
   * entity, e.g. replayed from the outbox) conflicts. Without it, open conflicts stay listed in
   * `conflicts` until someone resolves or discards them.
   */
  onConflict?: (conflict: LiveConflict) => void;
  /**
   * The fields the user is editing right now, read whenever a remote change arrives (in addition
   * to those given to `setEditing`). A remote change to one of them is held back.
   */
  editing?: () => Iterable<string>;
}
