/**
 * The change log in PostgreSQL (table `change_log`, migration 2), as SQLite's
 * (`../webhooks/sqlite-change-log.ts`): the entity, notification and activity writers append a row
 * inside their own transactions. Processes write concurrently, so an append first takes a
 * transaction-scoped advisory lock, held until its transaction ends: appending transactions commit
 * one at a time, and a `seq` taken later always commits later, so a reader past `seq` n never
 * finds a new row below n.
 */
import type pg from 'pg';
import {
  attemptValues,
  CHANGE_LOG_SQL,
  changeOfRow,
  changeValues,
  ChangeLogState,
  headsValues,
  deliveryOfRow,
  type AttemptResult,
  type ChangeLogRepository,
  type ChangeRecord,
  type ChangeRow,
  type DeliveryRecord,
  type HeadsQuery,
  type NewChange,
} from '../webhooks/change-log.js';
import { numbered } from './placeholders.js';
import type { PendingStatements } from './transaction.js';

/** The advisory lock key appends take (arbitrary; "crm-cl" in ASCII). */
export const CHANGE_LOG_LOCK_KEY = 0x63726d2d636c;

/**
 * The session advisory lock held by the one process that delivers webhooks ("crm-wh" in ASCII).
 * Held on a connection of its own: when that process dies, PostgreSQL ends its session and the
 * lock goes with it, so the next process to look takes over.
 */
export const DISPATCH_LOCK_KEY = 0x63726d2d7768;

type Row = ChangeRow;
const LOCK = 'SELECT pg_advisory_xact_lock($1)';
const INSERT = numbered(CHANGE_LOG_SQL.insert);
const AFTER = numbered(CHANGE_LOG_SQL.after);
const PENDING_HEADS = numbered(CHANGE_LOG_SQL.pendingHeads);
const NEXT_ATTEMPT_AFTER = numbered(CHANGE_LOG_SQL.nextAttemptAfter);
const RECORD_ATTEMPT = numbered(CHANGE_LOG_SQL.recordAttempt);
const DEAD_LETTERS = numbered(CHANGE_LOG_SQL.deadLetters);
const PRUNE = numbered(CHANGE_LOG_SQL.prune);

export class PostgresChangeLog extends ChangeLogState implements ChangeLogRepository {
  /** The connection holding the dispatch lock (or trying to), while it is open. */
  private dispatcher: pg.Client | undefined;
  /** Whether `dispatcher`'s session holds the lock. */
  private holdsDispatch = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly ready: () => Promise<void>,
    /** Opens a connection outside the pool, for the dispatch lock's session. */
    private readonly connect?: () => pg.Client,
  ) {
    super();
  }

  async mayDeliver(): Promise<boolean> {
    await this.ready();
    if (!this.connect) return true;
    try {
      if (!this.dispatcher) {
        const client = this.connect();
        // A dropped session has lost the lock: forget it, the next look opens a new one.
        client.on('error', () => this.dropDispatcher(client));
        client.on('end', () => this.dropDispatcher(client));
        this.dispatcher = client;
        this.holdsDispatch = false;
        await client.connect();
      }
      if (this.holdsDispatch) {
        // Still this process's only while its session lives: prove that before delivering.
        await this.dispatcher.query('SELECT 1');
        return true;
      }
      const { rows } = await this.dispatcher.query<{ held: boolean }>(
        'SELECT pg_try_advisory_lock($1) AS held',
        [DISPATCH_LOCK_KEY],
      );
      this.holdsDispatch = rows[0]?.held === true;
      return this.holdsDispatch;
    } catch {
      if (this.dispatcher) this.dropDispatcher(this.dispatcher);
      return false;
    }
  }

  /** Ends the dispatch session (the lock goes with it), e.g. when the storage closes. */
  async releaseDispatch(): Promise<void> {
    const client = this.dispatcher;
    if (!client) return;
    this.dispatcher = undefined;
    this.holdsDispatch = false;
    await client.end().catch(() => {});
  }

  private dropDispatcher(client: pg.Client): void {
    if (this.dispatcher !== client) return;
    this.dispatcher = undefined;
    this.holdsDispatch = false;
    void client.end().catch(() => {});
  }

  private params(change: NewChange): unknown[] {
    return changeValues(change, this.tracking);
  }

  /** Appends a row inside the transaction `client` has open. */
  async append(client: Pick<pg.PoolClient, 'query'>, change: NewChange): Promise<void> {
    await client.query(LOCK, [CHANGE_LOG_LOCK_KEY]);
    await client.query(INSERT, this.params(change));
  }

  /**
   * Queues a row on a transaction's pending statements (a synchronous step's append); `change`
   * is read when the statement runs, after the statements queued before it (an item's id).
   */
  queue(pending: PendingStatements, change: () => NewChange): void {
    pending.add(LOCK, [CHANGE_LOG_LOCK_KEY]);
    pending.add(INSERT, () => this.params(change()));
  }

  /** Tells the listeners that a transaction which appended rows has committed. */
  appended(): void {
    this.tellAppended();
  }

  async after(after: number, limit: number): Promise<ChangeRecord[]> {
    await this.ready();
    const { rows } = await this.pool.query<Row>(AFTER, [after, limit]);
    return rows.map(changeOfRow);
  }

  async pendingHeads(limit: number, options?: HeadsQuery): Promise<DeliveryRecord[]> {
    await this.ready();
    const { rows } = await this.pool.query<Row>(PENDING_HEADS, headsValues(limit, options));
    return rows.map(deliveryOfRow);
  }

  async lastSeq(): Promise<number> {
    await this.ready();
    const { rows } = await this.pool.query<{ n: number | null }>(CHANGE_LOG_SQL.lastSeq);
    return rows[0]?.n ?? 0;
  }

  async nextAttemptAfter(now: number): Promise<number | undefined> {
    await this.ready();
    const { rows } = await this.pool.query<{ n: number | null }>(NEXT_ATTEMPT_AFTER, [now]);
    return rows[0]?.n ?? undefined;
  }

  async recordAttempt(seq: number, result: AttemptResult): Promise<void> {
    await this.ready();
    await this.pool.query(RECORD_ATTEMPT, attemptValues(seq, result));
  }

  async deadLetters(after: number, limit: number): Promise<DeliveryRecord[]> {
    await this.ready();
    const { rows } = await this.pool.query<Row>(DEAD_LETTERS, [after, limit]);
    return rows.map(deliveryOfRow);
  }

  async retryDead(ids: readonly string[] | 'all'): Promise<string[]> {
    return this.updateDead(CHANGE_LOG_SQL.revive, ids);
  }

  async discardDead(ids: readonly string[] | 'all'): Promise<string[]> {
    return this.updateDead(CHANGE_LOG_SQL.discard, ids);
  }

  /** Runs an update of dead rows (all, or those with the ids) and resolves to the ids it changed. */
  private async updateDead(update: string, ids: readonly string[] | 'all'): Promise<string[]> {
    await this.ready();
    const { rows } =
      ids === 'all'
        ? await this.pool.query<{ id: string }>(`${update} RETURNING id`)
        : await this.pool.query<{ id: string }>(`${update} AND id = ANY($1::text[]) RETURNING id`, [
            ids,
          ]);
    return rows.map((r) => r.id);
  }

  async deliveryCounts(): Promise<{ pending: number; dead: number }> {
    await this.ready();
    const { rows } = await this.pool.query<{ pending: number; dead: number }>(
      `SELECT COUNT(*) FILTER (WHERE delivery = 'pending') AS pending,
              COUNT(*) FILTER (WHERE delivery = 'dead') AS dead
         FROM change_log WHERE delivery IN ('pending', 'dead')`,
    );
    return { pending: rows[0]?.pending ?? 0, dead: rows[0]?.dead ?? 0 };
  }

  async prune(cutoff: number): Promise<number> {
    await this.ready();
    const result = await this.pool.query(PRUNE, [cutoff]);
    return result.rowCount ?? 0;
  }
}
