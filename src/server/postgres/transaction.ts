/**
 * Transactions on the PostgreSQL pool: one client, BEGIN … COMMIT, retried when PostgreSQL says
 * another writer got there first, plus the queue that lets a synchronous in-transaction step
 * (an entity change's activity item) join the open transaction.
 */
import type pg from 'pg';

/**
 * SQLSTATEs after which the whole transaction is run again from the start: a unique key another
 * process inserted first (two creators of one entity, one mutation id twice), a serialization
 * failure, a deadlock. The retry reads the winner's committed row and answers from it.
 */
const RETRYABLE = new Set(['23505', '40001', '40P01']);
const MAX_ATTEMPTS = 5;

function sqlState(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err
    ? String((err as { code: unknown }).code)
    : undefined;
}

/** Runs `work` in a transaction on one pooled client; retries it on the errors above. */
export async function transaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollback) {
        // The connection itself failed: it must not go back to the pool.
        broken = rollback instanceof Error ? rollback : new Error(String(rollback));
      }
      const state = sqlState(err);
      if (attempt < MAX_ATTEMPTS && state !== undefined && RETRYABLE.has(state)) continue;
      throw err;
    } finally {
      client.release(broken);
    }
  }
}

/** One statement a synchronous step asked for, and what to do with the row it returns. */
interface QueuedStatement {
  sql: string;
  /** The parameters, or a function giving them when the statement runs (after earlier ones). */
  params: unknown[] | (() => unknown[]);
  onRow: (row: Record<string, unknown>) => void;
}

/**
 * Statements queued by synchronous steps while a transaction is open, run on it before it
 * commits. A step cannot await, so it queues; whatever the statement returns (a new row's id) is
 * filled in before the commit, so what runs after the commit sees it.
 */
export class PendingStatements {
  private readonly queue: QueuedStatement[] = [];

  add(
    sql: string,
    params: unknown[] | (() => unknown[]),
    onRow: (row: Record<string, unknown>) => void = () => {},
  ): void {
    this.queue.push({ sql, params, onRow });
  }

  /** Runs the queued statements in order on the transaction's client. */
  async flush(client: pg.PoolClient): Promise<void> {
    for (const { sql, params, onRow } of this.queue.splice(0)) {
      const result = await client.query(sql, typeof params === 'function' ? params() : params);
      const row = result.rows[0] as Record<string, unknown> | undefined;
      if (row) onRow(row);
    }
  }
}

/**
 * The transaction a synchronous step may join: set by the entity store only while it runs the
 * write's `inTransaction` step (synchronously, so no other write can see it), undefined otherwise.
 */
export class AmbientTransaction {
  current: PendingStatements | undefined;

  /** Runs `step` with `pending` as the open transaction. */
  run<T>(pending: PendingStatements, step: () => T): T {
    this.current = pending;
    try {
      return step();
    } finally {
      this.current = undefined;
    }
  }
}
