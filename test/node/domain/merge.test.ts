/**
 * The merge rules are written once (src/domain/merge.ts) and run by both the reference server's
 * store and the fake server. This proves the two agree: random sequences of concurrent edits —
 * stale and current base versions, a base ahead of the entity, values equal to the current one,
 * repeated mutation ids — are applied to a real SQLite store and to the fake, and every answer
 * (applied with which version and fields, duplicate, conflict with which base/mine/theirs/who/when)
 * must be the same.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { Fields, ServerFrame, UserProfile } from '../../../src/protocol/index.js';
import { SqliteStorage } from '../../../src/server/sqlite-storage.js';
import { toEntity } from '../../../src/server/entities/entity-store.js';
import { FakeEntities } from '../../../src/testing/fake-entities.js';
import { changedFields, findConflicts, type MergeState } from '../../../src/domain/merge.js';

const people: UserProfile[] = [
  { id: 'alice', name: 'Alice Martin' },
  { id: 'bob', name: 'Bob Chen' },
  { id: 'carol', name: 'Carol Diaz' },
];
const seedFields: Fields = { name: 'Ada Ltd', phone: '+44 20', stage: 'lead' };

interface Edit {
  by: number;
  fields: Fields;
  /** Offset from the current version: negative is stale, positive is ahead. */
  baseOffset: number;
  mutation: number;
}

const edit: fc.Arbitrary<Edit> = fc.record({
  by: fc.integer({ min: 0, max: 2 }),
  fields: fc
    .dictionary(
      fc.constantFrom('name', 'phone', 'stage', 'owner'),
      // Few values, so "set to the value it already has" happens often.
      fc.constantFrom<Fields[string]>(
        'Ada Ltd',
        'Ada Lovelace Ltd',
        '+44 20',
        '+1 555',
        'lead',
        'won',
        null,
        3,
      ),
      { minKeys: 1, maxKeys: 3 },
    )
    .map((fields) => fields as Fields),
  baseOffset: fc.integer({ min: -4, max: 1 }),
  mutation: fc.integer({ min: 0, max: 6 }),
});

/** One answer, in a shape both servers can be compared in. */
type Outcome =
  | { kind: 'applied'; version: number; fields: unknown; duplicate: boolean }
  | { kind: 'conflict'; conflicts: unknown; version: number };

function fromFake(frame: ServerFrame): Outcome {
  if (frame.type === 'entity.ack') {
    return {
      kind: 'applied',
      version: frame.entity.version,
      fields: frame.entity.fields,
      duplicate: frame.duplicate ?? false,
    };
  }
  if (frame.type === 'entity.conflict') {
    return { kind: 'conflict', conflicts: frame.conflicts, version: frame.current.version };
  }
  throw new Error(`fake answered ${JSON.stringify(frame)}`);
}

async function runBoth(edits: readonly Edit[]): Promise<{ fake: Outcome[]; server: Outcome[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'crm-merge-'));
  const storage = new SqliteStorage(join(dir, 'db.sqlite'));
  let now = 1_000;
  const fake = new FakeEntities({ now: () => now, publish: () => undefined, mayJoin: () => true });
  try {
    await storage.putEntity({
      type: 'customer',
      id: '42',
      version: 1,
      fields: { ...seedFields },
      updatedAt: now,
      updatedBy: null,
    });
    fake.put({ type: 'customer', id: '42', fields: { ...seedFields }, updatedAt: now });
    const server: Outcome[] = [];
    const fakeOutcomes: Outcome[] = [];
    for (const [index, e] of edits.entries()) {
      now += 1_000;
      const current = fake.get('customer', '42')!.version;
      const baseVersion = Math.max(0, current + e.baseOffset);
      const by = people[e.by]!;
      const mutationId = `m${e.mutation}`;
      const result = await storage.writeEntity({
        type: 'customer',
        id: '42',
        fields: e.fields,
        baseVersion,
        mutationId,
        by,
        source: 'client',
        at: now,
      });
      if (result.outcome === 'applied') {
        server.push({
          kind: 'applied',
          version: result.entity.version,
          fields: result.entity.fields,
          duplicate: false,
        });
      } else if (result.outcome === 'duplicate') {
        server.push({
          kind: 'applied',
          version: result.entity.version,
          fields: result.entity.fields,
          duplicate: true,
        });
      } else if (result.outcome === 'conflict') {
        server.push({
          kind: 'conflict',
          conflicts: result.conflicts,
          version: toEntity(result.current).version,
        });
      } else {
        throw new Error(`server answered ${result.outcome}`);
      }
      fakeOutcomes.push(
        fromFake(
          fake.answer(by, {
            type: 'entity.update',
            id: `r${index}`,
            entityType: 'customer',
            entityId: '42',
            baseVersion,
            fields: e.fields,
            mutationId,
          }),
        ),
      );
    }
    return { fake: fakeOutcomes, server };
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('merge rules: the fake server and the reference server agree', () => {
  test('on a corpus of concurrent edits (stale, current and ahead bases, same values, repeated ids)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 12 }), async (edits) => {
        const { fake, server } = await runBoth(edits);
        assert.deepEqual(JSON.parse(JSON.stringify(fake)), JSON.parse(JSON.stringify(server)));
      }),
      { numRuns: 150, seed: 20261205 },
    );
  });

  test('a conflict on a field only the seed set says when from the entity, and names nobody', () => {
    const state: MergeState = {
      entity: { version: 3, fields: { phone: '+44 20' }, updatedAt: 5_000 },
      fieldVersions: { phone: 1 },
    };
    const none = { firstChangeAfter: () => undefined, changeAt: () => undefined };
    assert.deepEqual(findConflicts(state, { phone: '+1 555' }, 0, none), [
      { field: 'phone', mine: '+1 555', theirs: '+44 20', changedAt: 5_000 },
    ]);
  });

  test('a field absent before counts as changed; the same value does not', () => {
    assert.deepEqual(changedFields({ a: 1, b: { c: [1] } }, { a: 1, b: { c: [1] }, d: null }), [
      'd',
    ]);
  });
});
