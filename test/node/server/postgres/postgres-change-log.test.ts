/**
 * The change log (webhooks, `GET /api/changes`) in PostgreSQL: each accepted change appended in
 * its own transaction (none for a rolled-back one), delivery state as in SQLite, and `seq` in
 * commit order with writers in two processes: a reader that follows the log while they write
 * never skips a row that commits later below its cursor.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PostgresStorage } from '../../../../src/server/postgres/postgres-storage.js';
import { createServer } from '../../../../src/server/server.js';
import { startPostgres, type PostgresInstance } from '../../../services/postgres.js';

let postgres: PostgresInstance;
let databases = 0;
before(async () => {
  postgres = await startPostgres();
});
after(() => postgres.dispose());
const fresh = (): Promise<string> => postgres.createDatabase(`log_${++databases}`);

const KEY = 'api-key-for-postgres-change-log';

describe('the change log in PostgreSQL', () => {
  test('entity changes, notifications and activity reach GET /api/changes in commit order', async () => {
    const server = createServer({
      auth: { devIdentities: true },
      quiet: true,
      apiKeys: [KEY],
      databaseUrl: await fresh(),
    });
    await server.listen(0, '127.0.0.1');
    try {
      await server.entities.update({
        type: 'customer',
        id: '42',
        fields: { name: 'Acme' },
        source: 'backend',
        create: true,
      });
      await server.notifications.send({
        target: { user: 'bob' },
        type: 'info',
        priority: 'normal',
        title: 'Hello',
      });
      await server.activity.append({ kind: 'call.logged', customerId: '42' });
      const res = await fetch(`http://127.0.0.1:${server.port}/api/changes`, {
        headers: { authorization: `Bearer ${KEY}` },
      });
      assert.equal(res.status, 200);
      const page = (await res.json()) as {
        items: { kind: string; entity?: unknown; data: Record<string, unknown> }[];
      };
      assert.deepEqual(
        page.items.map((i) => i.kind),
        ['entity.change', 'activity', 'notification', 'activity'],
      );
      assert.deepEqual(page.items[0]!.entity, { type: 'customer', id: '42' });
      // The entity change's activity item was appended in its transaction, with its id.
      assert.match(String(page.items[1]!.data['id']), /^\d+$/);
      assert.deepEqual(page.items[2]!.data['recipients'], ['bob']);
    } finally {
      await server.close();
    }
  });

  test('a write that rolls back leaves no row; deliveries: heads per entity, attempts, dead letters', async () => {
    const storage = await PostgresStorage.open({ url: await fresh() });
    try {
      const log = storage.changes;
      log.trackDeliveries(true);
      const write = (id: string, fields: Record<string, string>, version?: number) =>
        storage.writeEntity({
          type: 'customer',
          id,
          fields,
          baseVersion: version,
          create: version === undefined,
          source: 'backend',
          at: 1_000,
        });
      await write('a', { n: '1' });
      await write('a', { n: '2' }, 1);
      await write('b', { n: '1' });
      await assert.rejects(
        storage.writeEntity({
          type: 'customer',
          id: 'a',
          fields: { n: '3' },
          baseVersion: 2,
          source: 'client',
          at: 1_000,
          inTransaction: () => {
            throw new Error('refused');
          },
        }),
        /refused/,
      );
      assert.equal((await log.after(0, 10)).length, 3, 'no row for the rolled-back write');
      const heads = await log.pendingHeads(10);
      assert.deepEqual(
        heads.map((h) => [h.entity?.id, h.seq]),
        [
          ['a', 1],
          ['b', 3],
        ],
      );
      await log.recordAttempt(1, { state: 'dead', attempts: 12, at: 2_000, error: 'HTTP 500' });
      assert.deepEqual(await log.deliveryCounts(), { pending: 2, dead: 1 });
      const [dead] = await log.deadLetters(0, 10);
      assert.equal(dead?.lastError, 'HTTP 500');
      assert.deepEqual(await log.retryDead([dead!.id, 'unknown']), [dead!.id]);
      await log.recordAttempt(1, { state: 'delivered', attempts: 1, at: 3_000 });
      assert.equal(await log.prune(5_000), 1, 'only the delivered row goes');
      // A dead letter given up goes with the retention like a delivered row.
      const [b] = await log.pendingHeads(10);
      await log.recordAttempt(b!.seq, {
        state: 'dead',
        attempts: 12,
        at: 2_000,
        error: 'HTTP 500',
      });
      assert.deepEqual(await log.discardDead('all'), [b!.id]);
      assert.deepEqual(await log.deliveryCounts(), { pending: 1, dead: 0 });
      assert.equal(await log.prune(5_000), 1, 'the discarded row goes too');
    } finally {
      await storage.close();
    }
  });

  test('writers in two processes: a reader following the log never misses a row', async () => {
    const url = await fresh();
    const [one, two] = await Promise.all([
      PostgresStorage.open({ url, poolSize: 8 }),
      PostgresStorage.open({ url, poolSize: 8 }),
    ]);
    try {
      const total = 120;
      let writing = true;
      const seen: number[] = [];
      // Follows the log as a backend's feed does: from its cursor, while the writers run.
      const reader = (async () => {
        let cursor = 0;
        for (;;) {
          const done = !writing;
          const rows = await one.changes.after(cursor, 500);
          for (const row of rows) seen.push(row.seq);
          cursor = rows.at(-1)?.seq ?? cursor;
          if (done && rows.length === 0) return;
        }
      })();
      await Promise.all(
        Array.from({ length: total }, (_, i) =>
          (i % 2 ? one : two).writeEntity({
            type: 'customer',
            id: `c${i % 30}`,
            fields: { [`f${i}`]: i },
            source: 'backend',
            create: true,
            at: 1_000 + i,
          }),
        ),
      );
      writing = false;
      await reader;
      const all = (await two.changes.after(0, 1000)).map((r) => r.seq);
      assert.equal(all.length, total);
      assert.deepEqual(seen, all, 'every row seen once, in seq order, none behind the cursor');
    } finally {
      await one.close();
      await two.close();
    }
  });
});
