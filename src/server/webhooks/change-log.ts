/**
 * The change log: every accepted change (an entity change, a notification, an activity item) as
 * one row in commit order, written by the storage in the SAME transaction as the change itself.
 * It feeds both ways a CRM backend learns of changes: the pull feed (`GET /api/changes`) reads it
 * by sequence number, and webhook delivery keeps each row's delivery state (pending, delivered,
 * dead) in it, so a committed change can never lose its delivery, not even to kill -9.
 *
 * A storage implements it by (1) appending a row inside each write's transaction (entity writes
 * that make a new version, notification inserts, activity appends; `putEntity` seeding is silent)
 * and (2) the methods below. Rules an implementation keeps:
 * - `seq` grows in commit order: a reader that saw `seq` n never later finds a new row below n.
 *   SQLite gets this from its single writer; PostgreSQL must serialize appends (e.g. a
 *   transaction-scoped advisory lock taken before the insert) or hand out `seq` at commit.
 * - A row is appended with delivery `pending` only while `trackDeliveries(true)` is in force (a
 *   webhook URL is configured), otherwise with no delivery state, so turning webhooks on later does
 *   not send the whole history.
 * - `pendingHeads` returns, per entity, only the oldest pending row: a later delivery for the same
 *   entity waits until the earlier one is delivered or dead. Rows about no entity are their own head.
 */
import { randomUUID } from 'node:crypto';

export const CHANGE_KINDS = ['entity.change', 'notification', 'activity'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** What a write hands the log: the log assigns `id` and `seq`. */
export interface NewChange {
  kind: ChangeKind;
  /** The entity the change is about; deliveries of one entity leave in order. */
  entity?: { type: string; id: string } | undefined;
  /** Epoch ms of the change. */
  at: number;
  /** The change as the feed and the webhook carry it (JSON). */
  data: unknown;
}

/** A recorded change. */
export interface ChangeRecord extends NewChange {
  /** Position in commit order, from 1. */
  seq: number;
  /** Stable id of the change, sent as the webhook's delivery id (idempotency key). */
  id: string;
}

export type DeliveryState = 'pending' | 'delivered' | 'dead';

/** A change with its webhook delivery state. */
export interface DeliveryRecord extends ChangeRecord {
  state: DeliveryState;
  /** Attempts made so far. */
  attempts: number;
  /** When the next attempt is due (epoch ms); undefined: at once. */
  nextAttemptAt: number | undefined;
  lastAttemptAt: number | undefined;
  /** Why the last attempt failed. */
  lastError: string | undefined;
}

/** The outcome of one delivery attempt, as stored. */
export type AttemptResult =
  | { state: 'delivered'; attempts: number; at: number }
  | { state: 'pending'; attempts: number; at: number; error: string; nextAttemptAt: number }
  | { state: 'dead'; attempts: number; at: number; error: string };

/** Called synchronously inside a write's transaction, on the same database, to append a row. */
export type ChangeRecorder = (change: NewChange) => void;

export interface ChangeLogRepository {
  /** From now on, append rows as pending webhook deliveries (`true`) or without one (`false`). */
  trackDeliveries(on: boolean): void;
  /**
   * Whether this process may deliver webhooks now. Several processes on one database must not
   * deliver at once: two of them could each take the head of one entity's queue and let its
   * deliveries overtake each other. A store shared by processes grants this to one at a time and
   * to another as soon as that one dies; absent, this process may always deliver (SQLite: one
   * process per database file).
   */
  mayDeliver?(): Promise<boolean>;
  /**
   * Calls `listener` after a transaction that appended rows has ended (asynchronously; on
   * another process's append not at all, so a worker also polls). Returns the unsubscribe.
   */
  onAppend(listener: () => void): () => void;
  /** Changes with `seq` above `after`, in commit order, at most `limit`. */
  after(after: number, limit: number): Promise<ChangeRecord[]>;
  /**
   * The oldest pending delivery of each entity (and every pending one about no entity), by `seq`:
   * those with `seq` above `after` (default 0) whose next attempt is due by `dueBy` (default: any).
   */
  pendingHeads(limit: number, options?: HeadsQuery): Promise<DeliveryRecord[]>;
  /** The log's last `seq` (0 when empty). */
  lastSeq(): Promise<number>;
  /** The earliest next attempt of a pending delivery due after `now` (undefined: none waits). */
  nextAttemptAfter(now: number): Promise<number | undefined>;
  /** Stores an attempt's outcome for a pending delivery (a delivery no longer pending is left). */
  recordAttempt(seq: number, result: AttemptResult): Promise<void>;
  /** Dead deliveries with `seq` above `after`, oldest first, at most `limit`. */
  deadLetters(after: number, limit: number): Promise<DeliveryRecord[]>;
  /**
   * Makes dead deliveries pending again with a fresh count of attempts, due at once. Resolves to
   * the ids that were dead (others are ignored).
   */
  retryDead(ids: readonly string[] | 'all'): Promise<string[]>;
  /**
   * Gives up dead deliveries for good: they are no longer listed, retried or counted, and the
   * change log's retention removes their changes like delivered ones. Resolves to the ids that
   * were dead (others are ignored).
   */
  discardDead(ids: readonly string[] | 'all'): Promise<string[]>;
  /** Deliveries pending and dead now. */
  deliveryCounts(): Promise<{ pending: number; dead: number }>;
  /**
   * Retention: deletes changes from before `cutoff` (epoch ms) whose delivery is done or was
   * never tracked (or discarded); pending and dead ones stay. Resolves to how many went.
   */
  prune(cutoff: number): Promise<number>;
}

/** Which pending heads `pendingHeads` reads. */
export interface HeadsQuery {
  /** Only heads with `seq` above this. */
  after?: number | undefined;
  /** Only heads due by this time (epoch ms); a head never tried is due at once. */
  dueBy?: number | undefined;
}

/** The parameters of `CHANGE_LOG_SQL.pendingHeads`. */
export function headsValues(limit: number, options: HeadsQuery = {}): unknown[] {
  return [options.after ?? 0, options.dueBy ?? Number.MAX_SAFE_INTEGER, limit];
}

/** A change as a webhook body and a `GET /api/changes` item (see docs/webhooks.md). */
export interface ChangeJson {
  id: string;
  cursor: string;
  kind: ChangeKind;
  at: number;
  entity?: { type: string; id: string };
  data: unknown;
}

export function changeJson(change: ChangeRecord, cursor: string): ChangeJson {
  // Keys in the documented order: id, cursor, kind, at, entity, data.
  return {
    id: change.id,
    cursor,
    kind: change.kind,
    at: change.at,
    ...(change.entity ? { entity: { type: change.entity.type, id: change.entity.id } } : {}),
    data: change.data,
  };
}

/**
 * A `change_log` row as both SQL stores select it (the same columns in SQLite and PostgreSQL);
 * `Data` is the `data` column as the driver returns it: text in SQLite, parsed JSON in PostgreSQL.
 */
export interface ChangeRow<Data = unknown> {
  seq: number;
  id: string;
  kind: ChangeKind;
  entity_type: string | null;
  entity_id: string | null;
  at: number;
  data: Data;
  delivery: DeliveryState | null;
  attempts: number;
  next_attempt_at: number | null;
  last_attempt_at: number | null;
  last_error: string | null;
}

/** The columns of a `ChangeRow`, in a SELECT list. */
export const CHANGE_COLUMNS =
  'seq, id, kind, entity_type, entity_id, at, data, delivery, attempts, next_attempt_at, last_attempt_at, last_error';

/** A row as a change (its `data` already parsed). */
export function changeOfRow(row: ChangeRow): ChangeRecord {
  const change: ChangeRecord = {
    seq: row.seq,
    id: row.id,
    kind: row.kind,
    at: row.at,
    data: row.data,
  };
  if (row.entity_type !== null && row.entity_id !== null) {
    change.entity = { type: row.entity_type, id: row.entity_id };
  }
  return change;
}

/** A row as a delivery: the change with its webhook state (no state yet reads as pending). */
export function deliveryOfRow(row: ChangeRow): DeliveryRecord {
  return {
    ...changeOfRow(row),
    state: row.delivery ?? 'pending',
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at ?? undefined,
    lastAttemptAt: row.last_attempt_at ?? undefined,
    lastError: row.last_error ?? undefined,
  };
}

/**
 * The statements both SQL stores run on `change_log`, where their dialects agree. `?` stands for
 * each parameter in order (SQLite's own syntax; the PostgreSQL store numbers them).
 */
export const CHANGE_LOG_SQL = {
  /** Parameters: `changeValues`. */
  insert: `INSERT INTO change_log (id, kind, entity_type, entity_id, at, data, delivery)
    VALUES (?, ?, ?, ?, ?, ?, ?)`,
  /** Parameters: after, limit. */
  after: `SELECT ${CHANGE_COLUMNS} FROM change_log WHERE seq > ? ORDER BY seq LIMIT ?`,
  /**
   * The oldest pending row of each entity, and pending rows about no entity, above a `seq` and
   * due by a time. Parameters: `headsValues`.
   */
  pendingHeads: `SELECT ${CHANGE_COLUMNS} FROM change_log c
    WHERE c.delivery = 'pending' AND c.seq > ? AND COALESCE(c.next_attempt_at, 0) <= ?
      AND (c.entity_type IS NULL OR NOT EXISTS (
        SELECT 1 FROM change_log p
         WHERE p.delivery = 'pending' AND p.entity_type = c.entity_type
           AND p.entity_id = c.entity_id AND p.seq < c.seq))
    ORDER BY c.seq LIMIT ?`,
  lastSeq: `SELECT MAX(seq) AS n FROM change_log`,
  /** The earliest retry due after a time. Parameter: now. */
  nextAttemptAfter: `SELECT MIN(next_attempt_at) AS n FROM change_log
    WHERE delivery = 'pending' AND next_attempt_at > ?`,
  /** Parameters: `attemptValues`. */
  recordAttempt: `UPDATE change_log SET delivery = ?, attempts = ?, last_attempt_at = ?,
      next_attempt_at = ?, last_error = ?
    WHERE seq = ? AND delivery = 'pending'`,
  /** Parameters: after, limit. */
  deadLetters: `SELECT ${CHANGE_COLUMNS} FROM change_log WHERE delivery = 'dead' AND seq > ? ORDER BY seq LIMIT ?`,
  /** Every dead row back to pending; a store adds its own test of `id` to revive some. */
  revive: `UPDATE change_log SET delivery = 'pending', attempts = 0, next_attempt_at = NULL
    WHERE delivery = 'dead'`,
  /**
   * Every dead row to no delivery at all (as a row never tracked); a store adds its own test of
   * `id` to discard some.
   */
  discard: `UPDATE change_log SET delivery = NULL, next_attempt_at = NULL WHERE delivery = 'dead'`,
  /** Rows older than the cutoff whose delivery is over (or was never asked for). Parameter: cutoff. */
  prune: `DELETE FROM change_log WHERE at < ? AND (delivery IS NULL OR delivery = 'delivered')`,
} as const;

/** The parameters of `CHANGE_LOG_SQL.insert` for a new row (a pending delivery when `tracking`). */
export function changeValues(change: NewChange, tracking: boolean): unknown[] {
  return [
    randomUUID(),
    change.kind,
    change.entity?.type ?? null,
    change.entity?.id ?? null,
    change.at,
    JSON.stringify(change.data),
    tracking ? 'pending' : null,
  ];
}

/** The parameters of `CHANGE_LOG_SQL.recordAttempt`; a stored error is cut to 500 characters. */
export function attemptValues(seq: number, result: AttemptResult): unknown[] {
  return [
    result.state,
    result.attempts,
    result.at,
    result.state === 'pending' ? result.nextAttemptAt : null,
    result.state === 'delivered' ? null : result.error.slice(0, 500),
    seq,
  ];
}

/**
 * What both SQL stores' change logs keep besides their SQL: whether new rows are pending
 * deliveries, and who hears that rows were appended (told once their transaction committed).
 */
export abstract class ChangeLogState {
  /** New rows are appended as pending webhook deliveries. */
  protected tracking = false;
  private readonly listeners = new Set<() => void>();

  trackDeliveries(on: boolean): void {
    this.tracking = on;
  }

  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Someone listens for appends. */
  protected get heard(): boolean {
    return this.listeners.size > 0;
  }

  /** Tells the listeners that rows were appended and committed. */
  protected tellAppended(): void {
    for (const listener of this.listeners) listener();
  }
}
