/**
 * What one conflicting `entity.update` costs the store. A frame names thousands of fields, and a
 * stale base can lie thousands of changes back: the history behind the conflict's `base` and
 * `changedBy` must be read once for the write, not once per field (a query per field scanning
 * the changes since the base blocked the event loop for seconds per frame).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type Database from 'better-sqlite3';
import { SqliteStorage } from '../../../../src/server/sqlite-storage.js';
import { SqliteEntities } from '../../../../src/server/entities/sqlite-entities.js';
import type { EntityWrite } from '../../../../src/server/entities/entity-store.js';
import { historyOfChanges } from '../../../../src/domain/merge.js';

const READS = new Set(['get', 'all', 'iterate']);

/** The database with every statement it prepares counting its executions in `reads`. */
function counting(db: Database.Database): { db: Database.Database; reads: () => number } {
  let reads = 0;
  const proxy = new Proxy(db, {
    get(target, key) {
      if (key === 'prepare') {
        return (sql: string) =>
          new Proxy(target.prepare(sql), {
            get(statement, method) {
              const value = Reflect.get(statement, method) as unknown;
              if (typeof value !== 'function') return value;
              return (...args: unknown[]) => {
                if (READS.has(String(method))) reads++;
                return (value as (...a: unknown[]) => unknown).apply(statement, args);
              };
            },
          });
      }
      const value = Reflect.get(target, key) as unknown;
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
  return { db: proxy, reads: () => reads };
}

describe('a conflicting update against a long history', () => {
  test('reads the history a few times, not once or twice per field it names', () => {
    const storage = new SqliteStorage(':memory:');
    const db = (storage as unknown as { db: Database.Database }).db;
    const probe = counting(db);
    const entities = new SqliteEntities(probe.db);
    const fields = 300;
    const history = 300;
    const write = (w: Partial<EntityWrite>): void => {
      const result = entities.write({
        type: 'customer',
        id: '42',
        fields: {},
        source: 'backend',
        at: 1,
        ...w,
      });
      assert.notEqual(result.outcome, 'not_found');
    };
    write({ fields: { a: 0 }, create: true });
    for (let i = 1; i < history; i++) write({ fields: { a: i } });
    // Every field added by one change, then all changed again by the next.
    const all = (value: string) =>
      Object.fromEntries(Array.from({ length: fields }, (_, i) => [`f${i}`, value]));
    write({ fields: all('first') });
    write({ fields: all('now') });

    const before = probe.reads();
    const result = entities.write({
      type: 'customer',
      id: '42',
      baseVersion: 1,
      fields: all('mine'),
      source: 'client',
      at: 2,
      mutationId: 'mutation-conflict',
    });
    const reads = probe.reads() - before;

    assert.equal(result.outcome, 'conflict');
    assert.ok(result.outcome === 'conflict');
    assert.equal(result.conflicts.length, fields);
    // At the base no field existed (no `base`); each has its current value and its last change.
    for (const conflict of result.conflicts) {
      assert.equal(conflict.base, undefined);
      assert.equal(conflict.theirs, 'now');
      assert.equal(conflict.changedAt, 1);
    }
    assert.ok(reads < 20, `${reads} reads for one conflicting write of ${fields} fields`);
    storage.close();
  });

  test('each field still reports its value at the base from its own first later change', () => {
    const storage = new SqliteStorage(':memory:');
    const db = (storage as unknown as { db: Database.Database }).db;
    const entities = new SqliteEntities(db);
    const write = (w: Partial<EntityWrite>): void => {
      entities.write({ type: 'customer', id: '42', fields: {}, source: 'backend', at: 1, ...w });
    };
    write({ fields: { a: 'a1', b: 'b1', c: 'c1' }, create: true }); // v1
    write({ fields: { a: 'a2' } }); // v2
    write({ fields: { b: 'b2', a: 'a3' } }); // v3
    write({ fields: { c: 'c2' } }); // v4
    const result = entities.write({
      type: 'customer',
      id: '42',
      baseVersion: 1,
      fields: { a: 'x', b: 'x', c: 'x' },
      source: 'client',
      at: 2,
    });
    assert.ok(result.outcome === 'conflict');
    const byField = Object.fromEntries(result.conflicts.map((c) => [c.field, c]));
    assert.equal(byField.a?.base, 'a1');
    assert.equal(byField.b?.base, 'b1');
    assert.equal(byField.c?.base, 'c1');
    assert.equal(byField.a?.theirs, 'a3');
    storage.close();
  });
});

describe('historyOfChanges', () => {
  test('answers the first change after a version per field, from changes in any order', () => {
    const change = (version: number, previous: Record<string, string>) => ({
      version,
      changed: Object.keys(previous),
      previous,
      at: version,
    });
    const history = historyOfChanges([
      change(4, { c: 'c1' }),
      change(2, { a: 'a1' }),
      change(3, { a: 'a2', b: 'b1' }),
    ]);
    assert.equal(history.firstChangeAfter(1, 'a')?.previous.a, 'a1');
    assert.equal(history.firstChangeAfter(2, 'a')?.previous.a, 'a2');
    assert.equal(history.firstChangeAfter(1, 'b')?.previous.b, 'b1');
    assert.equal(history.firstChangeAfter(1, 'c')?.previous.c, 'c1');
    assert.equal(history.firstChangeAfter(4, 'c'), undefined);
    assert.equal(history.firstChangeAfter(1, 'd'), undefined);
    assert.equal(history.changeAt(3)?.previous.b, 'b1');
    assert.equal(history.changeAt(5), undefined);
  });
});
