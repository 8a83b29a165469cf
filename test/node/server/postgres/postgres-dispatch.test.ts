/**
 * Webhook delivery with several processes on one PostgreSQL: one process delivers at a time (a
 * session advisory lock), so two processes cannot each take the head of one entity's queue and
 * let its deliveries overtake each other; when the delivering process goes, another takes over.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { PostgresStorage } from '../../../../src/server/postgres/postgres-storage.js';
import { startPostgres, type PostgresInstance } from '../../../services/postgres.js';

let server: PostgresInstance;
before(async () => {
  server = await startPostgres();
});
after(() => server.dispose());

describe('PostgreSQL webhook dispatch: one process at a time', () => {
  test('the first process to ask delivers; the others wait and take over when it closes', async () => {
    const url = await server.createDatabase('dispatch_handover');
    const a = new PostgresStorage({ url });
    const b = new PostgresStorage({ url });
    const c = new PostgresStorage({ url });
    try {
      await Promise.all([a.ready, b.ready, c.ready]);
      assert.equal(await a.changes.mayDeliver(), true, 'the first to ask');
      assert.equal(await b.changes.mayDeliver(), false);
      assert.equal(await c.changes.mayDeliver(), false);
      // Asking again keeps it where it is.
      assert.equal(await a.changes.mayDeliver(), true);
      assert.equal(await b.changes.mayDeliver(), false);

      await a.close();
      const next = [await b.changes.mayDeliver(), await c.changes.mayDeliver()];
      assert.deepEqual(next, [true, false], 'the next to ask after the holder went');
    } finally {
      await Promise.allSettled([a.close(), b.close(), c.close()]);
    }
  });

  test('a process whose database session dies loses the lock to the others', async () => {
    const url = await server.createDatabase('dispatch_killed');
    const a = new PostgresStorage({ url });
    const b = new PostgresStorage({ url });
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await Promise.all([a.ready, b.ready]);
      assert.equal(await a.changes.mayDeliver(), true);
      assert.equal(await b.changes.mayDeliver(), false);
      // As when the process holding it is killed: PostgreSQL ends its session, and the lock.
      const { rows } = await admin.query<{ pid: number }>(
        `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted`,
      );
      assert.equal(rows.length, 1);
      await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
      await waitFor(() => b.changes.mayDeliver(), 'b to take over');
      assert.equal(await a.changes.mayDeliver(), false, 'a lost it and does not deliver');
    } finally {
      await admin.end();
      await Promise.allSettled([a.close(), b.close()]);
    }
  });
});

/**
 * Asks until `probe` says yes (the terminated session is noticed on a later query), polling; the
 * 30 s limit only tells a hang from a slow machine.
 */
async function waitFor(probe: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await probe())) {
    if (Date.now() > deadline) assert.fail(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
