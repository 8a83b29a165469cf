/**
 * Transactions on the PostgreSQL pool: one client, BEGIN … COMMIT, retried when PostgreSQL says
 * another writer got there first, plus the queue that lets a synchronous in-transaction step
 * (an entity change's activity item) join the open transaction.
 */
import pg from 'pg';

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

/**
 * Whether PostgreSQL answered `err` to a statement and the session lives on (a constraint, a
 * serialization failure, a cancelled statement): it is usable again after a ROLLBACK. Anything
 * else leaves the session in an unknown state or gone: the connection dropped, a deadline passed
 * with the statement still under way, a FATAL answer such as `pg_terminate_backend`'s.
 */
function sessionSurvives(err: unknown): boolean {
  return err instanceof pg.DatabaseError && err.severity !== 'FATAL' && err.severity !== 'PANIC';
}

/**
 * Runs `use` on one client taken from the pool, then gives it back. While a client is out of the
 * pool, pg has removed the pool's own 'error' listener from it: a connection dropped meanwhile (a
 * DBA's `pg_terminate_backend`, a server's fast shutdown) would be an unhandled 'error' event and
 * end the process, every socket with it. Here it only marks the client lost; the statement under
 * way rejects with that error on its own. A lost client, or one `use` calls `discard` on, is
 * closed instead of being handed to the next caller.
 */
export async function withClient<T>(
  pool: pg.Pool,
  use: (client: pg.PoolClient, discard: (reason: unknown) => void) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let lost: Error | undefined;
  const discard = (reason: unknown): void => {
    lost ??= reason instanceof Error ? reason : new Error(String(reason));
  };
  client.on('error', discard);
  try {
    return await use(client, discard);
  } finally {
    // The pool puts its listener back in `release`, in the same turn: no moment without one.
    client.off('error', discard);
    client.release(lost);
  }
}

/** Runs `work` in a transaction on one pooled client; retries it on the errors above. */
export async function transaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await withClient(pool, async (client, discard) => {
        try {
          await client.query('BEGIN');
          const result = await work(client);
          await client.query('COMMIT');
          return result;
        } catch (err) {
          if (!sessionSurvives(err)) {
            // No answer from the server (connection gone, deadline passed): a ROLLBACK would
            // wait behind the statement still under way. Closing the connection rolls back.
            discard(err);
          } else {
            await client.query('ROLLBACK').catch(discard);
          }
          throw err;
        }
      });
    } catch (err) {
      const state = sqlState(err);
      if (attempt < MAX_ATTEMPTS && state !== undefined && RETRYABLE.has(state)) continue;
      throw err;
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
