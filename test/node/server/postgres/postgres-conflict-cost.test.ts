/**
 * A conflicting write on PostgreSQL reads the history rows its conflict needs, not every change
 * since a stale base: an entity changed thousands of times would otherwise bring all those
 * values into memory for one frame naming a field of it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { EntityWrite } from '../../../../src/server/entities/entity-store.js';
import { PostgresStorage } from '../../../../src/server/postgres/postgres-storage.js';
import { startPostgres, type PostgresInstance } from '../../../services/postgres.js';

let server: PostgresInstance;
before(async () => {
  server = await startPostgres();
});
after(() => server.dispose());

/** Counts the rows carrying change values (`previous`) that queries return while it is on. */
function countValueRows(): { rows: () => number; stop: () => void } {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  let rows = 0;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const result = original.apply(this, args);
    if (!(result instanceof Promise)) return result;
    return result.then((res: pg.QueryResult) => {
      if (res?.fields?.some((f) => f.name === 'previous')) rows += res.rows.length;
      return res;
    });
  };
  return { rows: () => rows, stop: () => void (proto.query = original) };
}

describe('a conflicting update against a long history on PostgreSQL', () => {
  test('reads the changes its conflict names, not every change since the base', async () => {
    const storage = await PostgresStorage.open({ url: await server.createDatabase('cost') });
    const write = async (w: Partial<EntityWrite>) =>
      storage.writeEntity({
        type: 'customer',
        id: '42',
        fields: {},
        source: 'backend',
        at: 1,
        ...w,
      });
    await write({ fields: { a: 0, f: 'first' }, create: true });
    for (let i = 1; i <= 200; i++) await write({ fields: { a: `${i}`.padEnd(500, '.') } });
    await write({ fields: { f: 'now' } });
    const probe = countValueRows();
    try {
      const result = await write({
        baseVersion: 1,
        fields: { f: 'mine' },
        source: 'client',
        mutationId: 'mutation-conflict',
      });
      assert.ok(result.outcome === 'conflict');
      assert.deepEqual(
        result.conflicts.map((c) => [c.field, c.base, c.theirs]),
        [['f', 'first', 'now']],
      );
    } finally {
      probe.stop();
    }
    assert.ok(probe.rows() <= 2, `${probe.rows()} change rows read with their values`);
    await storage.close();
  });
});
