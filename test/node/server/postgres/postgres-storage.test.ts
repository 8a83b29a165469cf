/**
 * The PostgreSQL store against a private PostgreSQL 15: the storage contract every engine passes
 * (`helpers/storage-contract.ts`, which SQLite runs too), its migrations (recorded once, a failing
 * one leaves no trace, two processes starting at once on an empty database), and writers in two
 * processes on one entity (two stores, two pools, as two server processes would have).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { EntityWriteResult } from '../../../../src/server/entities/entity-store.js';
import { schemaAheadWarning, type Migration } from '../../../../src/server/migrations.js';
import { POSTGRES_MIGRATIONS } from '../../../../src/server/postgres/postgres-migrations.js';
import type { PostgresChangeLog } from '../../../../src/server/postgres/postgres-change-log.js';
import { PostgresNotifications } from '../../../../src/server/postgres/postgres-notifications.js';
import { PostgresStorage } from '../../../../src/server/postgres/postgres-storage.js';
import { startPostgres, type PostgresInstance } from '../../../services/postgres.js';
import { storageContract, writeRefusedAndApplied } from '../../helpers/storage-contract.js';

let server: PostgresInstance;
let databases = 0;
before(async () => {
  server = await startPostgres();
});
after(() => server.dispose());

/** A fresh empty database's URL. */
const freshDatabase = (): Promise<string> => server.createDatabase(`db_${++databases}`);

storageContract('PostgreSQL', async () => PostgresStorage.open({ url: await freshDatabase() }));

async function tables(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ tablename: string }>(
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
    );
    return rows.map((r) => r.tablename);
  } finally {
    await client.end();
  }
}

describe('PostgreSQL migrations', () => {
  test('a new database is migrated to the latest schema with every table; reopening applies nothing twice', async () => {
    const url = await freshDatabase();
    const storage = await PostgresStorage.open({ url });
    assert.equal(storage.schemaVersion, POSTGRES_MIGRATIONS.at(-1)!.version);
    const applied = await storage.appliedMigrations();
    assert.deepEqual(
      applied.map((m) => m.version),
      POSTGRES_MIGRATIONS.map((m) => m.version),
    );
    await storage.close();
    for (const table of [
      'schema_migrations',
      'entities',
      'entity_changes',
      'mutations',
      'activity',
      'notifications',
      'notification_recipients',
    ]) {
      assert.ok((await tables(url)).includes(table), `table ${table}`);
    }
    const again = await PostgresStorage.open({ url });
    assert.deepEqual(await again.appliedMigrations(), applied);
    await again.close();
  });

  test('a refused mutation id is kept apart from applied answers, which the previous release reads', async () => {
    const url = await freshDatabase();
    const storage = await PostgresStorage.open({ url });
    await writeRefusedAndApplied(storage);
    await storage.close();
    // A process of the previous release (a rolling deploy, a rollback) takes every row of
    // `mutations` for an applied save's answer: a refusal there left its save unanswered.
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ mutation_id: string }>(
        'SELECT mutation_id FROM mutations ORDER BY mutation_id',
      );
      assert.deepEqual(
        rows.map((r) => r.mutation_id),
        ['m-applied'],
      );
    } finally {
      await client.end();
    }
  });

  test('a failing migration leaves no trace and the schema at the previous version', async () => {
    const url = await freshDatabase();
    const latest = POSTGRES_MIGRATIONS.at(-1)!.version;
    const broken: Migration[] = [
      ...POSTGRES_MIGRATIONS,
      {
        version: latest + 1,
        name: 'broken',
        sql: 'CREATE TABLE t (a int); SELECT nope FROM missing;',
      },
    ];
    await assert.rejects(PostgresStorage.open({ url, migrations: broken }), /missing/);
    const storage = await PostgresStorage.open({ url });
    assert.equal(storage.schemaVersion, latest);
    await storage.close();
    assert.ok(!(await tables(url)).includes('t'));
  });

  test('a database a newer release migrated opens, and says it is ahead of this server', async () => {
    const url = await freshDatabase();
    const latest = POSTGRES_MIGRATIONS.at(-1)!.version;
    const newer = await PostgresStorage.open({
      url,
      migrations: [
        ...POSTGRES_MIGRATIONS,
        { version: latest + 1, name: 'add tags', sql: 'ALTER TABLE entities ADD COLUMN tags TEXT' },
      ],
    });
    assert.equal(schemaAheadWarning(newer), undefined);
    await newer.close();
    const older = await PostgresStorage.open({ url });
    assert.equal(older.schemaVersion, latest + 1);
    assert.equal(older.knownSchemaVersion, latest);
    assert.match(schemaAheadWarning(older) ?? '', /newer than this server's/);
    await older.close();
  });

  test('two processes starting at once on an empty database migrate it once', async () => {
    const url = await freshDatabase();
    // Four stores with their own pools, started in the same turn: without the advisory lock
    // they race on CREATE TABLE and on the schema_migrations key, and some fail to start.
    const stores = await Promise.all(
      [1, 2, 3, 4].map(() => PostgresStorage.open({ url, poolSize: 2 })),
    );
    for (const store of stores) {
      assert.equal(store.schemaVersion, POSTGRES_MIGRATIONS.at(-1)!.version);
    }
    assert.equal((await stores[0]!.appliedMigrations()).length, POSTGRES_MIGRATIONS.length);
    await Promise.all(stores.map((s) => s.close()));
  });
});

describe('PostgreSQL writers in two processes', () => {
  let url: string;
  let one: PostgresStorage;
  let two: PostgresStorage;
  before(async () => {
    url = await freshDatabase();
    [one, two] = await Promise.all([
      PostgresStorage.open({ url, poolSize: 8 }),
      PostgresStorage.open({ url, poolSize: 8 }),
    ]);
  });
  after(async () => {
    await one.close();
    await two.close();
  });

  test('concurrent writers of one entity: no lost update, versions strictly increase, conflicts reported', async () => {
    await one.writeEntity({
      type: 'customer',
      id: 'hot',
      fields: { counter: 0 },
      source: 'backend',
      create: true,
      at: 1,
    });
    const writers = 40;
    // Each writer changes its own field from base 1 (they all merge) and half of them also
    // the shared field from base 1 (only the first of those may win it; the rest conflict).
    const results = await Promise.all(
      Array.from({ length: writers }, (_, i) =>
        (i % 2 === 0 ? one : two).writeEntity({
          type: 'customer',
          id: 'hot',
          fields: i % 4 === 0 ? { [`f${i}`]: i, shared: `by ${i}` } : { [`f${i}`]: i },
          baseVersion: 1,
          mutationId: `w-${i}`,
          by: { id: `u${i}`, name: `User ${i}` },
          source: 'client',
          at: 10 + i,
        }),
      ),
    );
    const applied = results.filter(
      (r): r is Extract<EntityWriteResult, { outcome: 'applied' }> => r.outcome === 'applied',
    );
    const conflicts = results.filter((r) => r.outcome === 'conflict');
    const sharedWriters = Array.from({ length: writers }, (_, i) => i).filter((i) => i % 4 === 0);
    assert.equal(conflicts.length, sharedWriters.length - 1, 'all but one shared-field writer');
    for (const conflict of conflicts) {
      assert.ok(conflict.outcome === 'conflict');
      assert.deepEqual(
        conflict.conflicts.map((c) => c.field),
        ['shared'],
      );
      assert.equal(conflict.conflicts[0]!.base, undefined, 'shared did not exist at base 1');
    }
    assert.equal(applied.length, writers - conflicts.length);
    const versions = applied.map((r) => r.entity.version).sort((a, b) => a - b);
    assert.deepEqual(
      versions,
      Array.from({ length: applied.length }, (_, i) => i + 2),
      'each accepted write got its own version',
    );
    const final = await two.getEntity('customer', 'hot');
    assert.equal(final?.version, applied.length + 1);
    for (const r of applied) {
      const i = Number(r.change!.mutationId!.slice(2));
      assert.equal(final?.fields[`f${i}`], i, `write ${i} is not lost`);
    }
    const history = await one.entityChanges('customer', 'hot');
    assert.deepEqual(
      history.map((c) => c.version),
      Array.from({ length: applied.length + 1 }, (_, i) => i + 1),
    );
    assert.deepEqual(
      history
        .slice(1)
        .map((c) => c.mutationId)
        .sort(),
      applied.map((r) => r.change!.mutationId).sort(),
      'every accepted write is in the history',
    );
  });

  test('one mutation id sent to both processes at once is applied once; both get its answer', async () => {
    await one.writeEntity({
      type: 'customer',
      id: 'dup',
      fields: { name: 'Acme' },
      source: 'backend',
      create: true,
      at: 1,
    });
    const send = (store: PostgresStorage): Promise<EntityWriteResult> =>
      store.writeEntity({
        type: 'customer',
        id: 'dup',
        fields: { phone: '+1' },
        baseVersion: 1,
        mutationId: 'same-id',
        source: 'client',
        at: 2,
      });
    const results = await Promise.all([send(one), send(two), send(one), send(two)]);
    assert.equal(results.filter((r) => r.outcome === 'applied').length, 1);
    assert.equal(results.filter((r) => r.outcome === 'duplicate').length, 3);
    for (const r of results) {
      const entity = r.outcome === 'applied' || r.outcome === 'duplicate' ? r.entity : undefined;
      assert.equal(entity?.version, 2);
    }
    assert.equal((await two.entityChanges('customer', 'dup')).length, 2);
  });

  test('two processes creating one entity at once: one creates it, the other writes over it', async () => {
    const create = (store: PostgresStorage, field: string): Promise<EntityWriteResult> =>
      store.writeEntity({
        type: 'customer',
        id: 'born',
        fields: { [field]: field },
        source: 'backend',
        create: true,
        at: 3,
      });
    const [a, b] = await Promise.all([create(one, 'a'), create(two, 'b')]);
    assert.ok(a.outcome === 'applied' && b.outcome === 'applied');
    assert.deepEqual([a.created, b.created].sort(), [false, true]);
    const stored = await one.getEntity('customer', 'born');
    assert.equal(stored?.version, 2);
    assert.deepEqual(stored?.fields, { a: 'a', b: 'b' });
  });
});

describe('PostgreSQL notification orders', () => {
  test("a recipient's rows commit in the order of their numbers: a count never reaches past one still being stored", async () => {
    const url = await freshDatabase();
    const storage = await PostgresStorage.open({ url });
    // Another process's store, whose insert stops inside its transaction (at the change log
    // append, after numbering alice's row) until the test lets it go.
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    let appending!: () => void;
    let commit!: () => void;
    const appended = new Promise<void>((resolve) => (appending = resolve));
    const held = new PostgresNotifications(pool, () => Promise.resolve(), {
      append: () => {
        appending();
        return new Promise<void>((resolve) => (commit = resolve));
      },
      appended: () => {},
    } as unknown as PostgresChangeLog);
    const notification = (id: string) => ({
      id,
      target: { user: 'alice' },
      type: 'info' as const,
      priority: 'normal' as const,
      title: id,
      createdAt: 1,
    });
    const first = held.insert(notification('first'), ['alice']);
    await appended;
    const second = storage.notifications.insert(notification('second'), ['alice']);
    // Asked on a connection of its own: the held insert's is busy.
    const probe = new pg.Pool({ connectionString: url, max: 1 });
    const lockWaits = async () => {
      for (;;) {
        const { rows } = await probe.query(
          "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted",
        );
        if (rows.length > 0) return 'waiting';
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    assert.equal(
      await Promise.race([second.then(() => 'stored'), lockWaits()]),
      'waiting',
      "the second notification to alice waits until the first one's transaction ends",
    );
    assert.deepEqual(await storage.notifications.unread('alice'), { unread: 0, upTo: 0 });
    commit();
    const [a, b] = await Promise.all([first, second]);
    assert.ok(Number(a.get('alice')) < b.get('alice')!, 'numbered in commit order');
    assert.deepEqual(await storage.notifications.unread('alice'), {
      unread: 2,
      upTo: b.get('alice'),
    });
    await Promise.all([pool.end(), probe.end(), storage.close()]);
  });
});

describe('PostgreSQL outage', () => {
  test('health follows the database: down when it stops, up again when it is back; a write in between rejects', async () => {
    const storage = await PostgresStorage.open({ url: await freshDatabase(), poolSize: 2 });
    try {
      assert.equal(await storage.check(), true);
      // A fast shutdown: the test server runs without synchronous commit, so a crash could
      // lose the migrations just committed (not what this test is about).
      await server.stop();
      assert.equal(await storage.check(), false);
      assert.equal(storage.healthy(), false);
      await assert.rejects(
        storage.writeEntity({
          type: 'customer',
          id: 'down',
          fields: { a: 1 },
          source: 'backend',
          create: true,
          at: 1,
        }),
      );
      await server.restart();
      assert.equal(await storage.check(), true);
      assert.equal(storage.healthy(), true);
      const after = await storage.writeEntity({
        type: 'customer',
        id: 'down',
        fields: { a: 1 },
        source: 'backend',
        create: true,
        at: 1,
      });
      assert.equal(after.outcome, 'applied');
    } finally {
      await storage.close();
    }
  });
});
