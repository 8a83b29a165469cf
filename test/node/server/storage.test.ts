import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { MIGRATIONS, schemaAheadWarning } from '../../../src/server/migrations.js';
import { SqliteStorage } from '../../../src/server/sqlite-storage.js';
import { storageContract, writeRefusedAndApplied } from '../helpers/storage-contract.js';

// What every engine must do the same; PostgreSQL runs it in server/postgres/postgres-storage.test.ts.
storageContract('SQLite', async () => new SqliteStorage(':memory:'));

describe('SQLite storage', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crm-storage-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('a new file is migrated to the latest schema, in WAL mode, with every table', async () => {
    const file = join(dir, 'nested', 'crm.sqlite');
    const storage = new SqliteStorage(file);
    assert.equal(storage.schemaVersion, MIGRATIONS.at(-1)!.version);
    assert.equal(storage.journalMode, 'wal');
    assert.deepEqual(
      storage.appliedMigrations().map((m) => m.version),
      MIGRATIONS.map((m) => m.version),
    );
    await storage.close();

    const db = new Database(file, { readonly: true });
    const tables = db
      .prepare<[], { name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
      )
      .all()
      .map((r) => r.name);
    db.close();
    for (const table of [
      'schema_migrations',
      'entities',
      'entity_changes',
      'activity',
      'notifications',
      'notification_recipients',
    ]) {
      assert.ok(tables.includes(table), `table ${table}`);
    }
  });

  test('reopening applies nothing twice; a new migration is applied once', async () => {
    const file = join(dir, 'reopen.sqlite');
    await new SqliteStorage(file).close();
    const again = new SqliteStorage(file);
    assert.equal(again.appliedMigrations().length, MIGRATIONS.length);
    await again.close();

    const next = [
      ...MIGRATIONS,
      { version: 99, name: 'add tags', sql: 'ALTER TABLE entities ADD COLUMN tags TEXT' },
    ];
    const upgraded = new SqliteStorage(file, next);
    assert.equal(upgraded.schemaVersion, 99);
    await upgraded.close();
    const reopened = new SqliteStorage(file, next);
    assert.deepEqual(
      reopened.appliedMigrations().map((m) => m.version),
      [...MIGRATIONS.map((m) => m.version), 99],
    );
    await reopened.close();
  });

  test('a database a newer release migrated opens, and says it is ahead of this server', async () => {
    const file = join(dir, 'ahead', 'crm.sqlite');
    const newer = new SqliteStorage(file, [
      ...MIGRATIONS,
      { version: 99, name: 'add tags', sql: 'ALTER TABLE entities ADD COLUMN tags TEXT' },
    ]);
    assert.equal(schemaAheadWarning(newer), undefined);
    await newer.close();

    const older = new SqliteStorage(file);
    assert.equal(older.schemaVersion, 99);
    assert.equal(older.knownSchemaVersion, MIGRATIONS.at(-1)!.version);
    assert.match(
      schemaAheadWarning(older) ?? '',
      new RegExp(`schema is at version 99, newer than this server's ${MIGRATIONS.at(-1)!.version}`),
    );
    await older.close();
  });

  test('a refused mutation id is kept apart from applied answers, which the previous release reads', async () => {
    const file = join(dir, 'refusals.sqlite');
    const storage = new SqliteStorage(file);
    await writeRefusedAndApplied(storage);
    await storage.close();
    // A process of the previous release (a rolling deploy, a rollback) takes every row of
    // `mutations` for an applied save's answer: a refusal there left its save unanswered.
    const db = new Database(file, { readonly: true });
    const ids = db
      .prepare<[], { mutation_id: string }>(
        'SELECT mutation_id FROM mutations ORDER BY mutation_id',
      )
      .all()
      .map((r) => r.mutation_id);
    db.close();
    assert.deepEqual(ids, ['m-applied']);
  });

  test('a failing migration leaves no trace and the schema at the previous version', async () => {
    const file = join(dir, 'failing.sqlite');
    const latest = MIGRATIONS.at(-1)!.version;
    const broken = [
      ...MIGRATIONS,
      { version: latest + 1, name: 'broken', sql: 'CREATE TABLE t (a); SELECT nope FROM missing;' },
    ];
    assert.throws(() => new SqliteStorage(file, broken));
    const storage = new SqliteStorage(file);
    assert.equal(storage.schemaVersion, latest);
    await storage.close();
    const db = new Database(file, { readonly: true });
    assert.equal(db.prepare("SELECT name FROM sqlite_master WHERE name = 't'").get(), undefined);
    db.close();
  });
  test('an entity write commits without the inline sync (its flush is the WAL sync); others with it', async () => {
    const storage = new SqliteStorage(join(dir, 'relaxed.sqlite'));
    // After a health probe, which sets the pragmas its own way.
    assert.equal(storage.healthy(), true);
    let during: number | undefined;
    const result = await storage.writeEntity({
      type: 'customer',
      id: '1',
      fields: { name: 'Acme' },
      source: 'backend',
      at: Date.now(),
      create: true,
      inTransaction: () => {
        during = storage.synchronous;
      },
    });
    assert.equal(result.outcome, 'applied');
    assert.equal(during, 1, 'NORMAL while the entity write commits');
    assert.equal(storage.synchronous, 2, 'FULL again after it');
    await storage.entityWritesDurable();
    await storage.close();
  });
});
