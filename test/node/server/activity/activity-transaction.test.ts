/**
 * An accepted entity change and its activity item commit in one SQLite transaction: a crash (or a
 * failed insert) between the two can neither leave a change without its item nor an item without
 * its change. The failure is made real with a trigger that refuses activity rows, so the test holds
 * whatever the code between the two inserts looks like.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { createServer, type RealtimeServer } from '../../../../src/server/server.js';
import { SqliteStorage } from '../../../../src/server/sqlite-storage.js';

describe('entity change and activity item in one transaction', () => {
  let dir: string;
  let server: RealtimeServer;
  let db: Database.Database;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crm-activity-tx-'));
    const file = join(dir, 'crm.sqlite');
    server = createServer({
      auth: { devIdentities: true },
      quiet: true,
      storage: new SqliteStorage(file),
    });
    // A second connection to the same file: to count rows and to break activity inserts.
    db = new Database(file);
  });

  after(async () => {
    db.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const count = (sql: string): number => db.prepare<[], { n: number }>(sql).get()?.n ?? 0;
  const items = (): number => count(`SELECT COUNT(*) AS n FROM activity WHERE entity_id = 'tx-1'`);
  const changes = (): number => count(`SELECT COUNT(*) AS n FROM entity_changes WHERE id = 'tx-1'`);

  test('a change is recorded with exactly one item; a repeated mutation id adds none', async () => {
    const write = {
      type: 'customer',
      id: 'tx-1',
      fields: { name: 'Acme' },
      source: 'backend' as const,
      create: true,
      mutationId: 'tx-m-1',
    };
    const first = await server.entities.update(write);
    assert.equal(first.kind, 'applied');
    assert.equal(changes(), 1);
    assert.equal(items(), 1);
    const again = await server.entities.update(write);
    assert.ok(again.kind === 'applied' && again.duplicate);
    assert.equal(changes(), 1);
    assert.equal(items(), 1, 'no second item for the replayed mutation');
  });

  test('when the item cannot be written, the change is not committed either', async () => {
    db.exec(`CREATE TRIGGER refuse_activity BEFORE INSERT ON activity
             BEGIN SELECT RAISE(ABORT, 'activity refused'); END`);
    try {
      await assert.rejects(
        server.entities.update({
          type: 'customer',
          id: 'tx-1',
          fields: { name: 'Acme Corp' },
          baseVersion: 1,
          mutationId: 'tx-m-2',
          source: 'client',
          by: { id: 'alice', name: 'Alice' },
        }),
        /activity refused/,
      );
    } finally {
      db.exec('DROP TRIGGER refuse_activity');
    }
    const entity = await server.entities.get('customer', 'tx-1');
    assert.equal(entity?.version, 1, 'the entity is as before');
    assert.equal(entity?.fields.name, 'Acme');
    assert.equal(changes(), 1, 'no history row');
    assert.equal(count(`SELECT COUNT(*) AS n FROM mutations WHERE mutation_id = 'tx-m-2'`), 0);
    assert.equal(items(), 1);
    // The writer's retry, once the log takes items again, is applied as new (not a duplicate).
    const retry = await server.entities.update({
      type: 'customer',
      id: 'tx-1',
      fields: { name: 'Acme Corp' },
      baseVersion: 1,
      mutationId: 'tx-m-2',
      source: 'client',
      by: { id: 'alice', name: 'Alice' },
    });
    assert.ok(retry.kind === 'applied' && !retry.duplicate && retry.entity.version === 2);
    assert.equal(changes(), 2);
    assert.equal(items(), 2);
  });
});
