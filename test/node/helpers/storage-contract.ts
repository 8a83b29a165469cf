/**
 * The storage contract: what every `Storage` engine must do the same (entities, the merge rules
 * and mutation ids, history and its retention, notifications and read state, the activity log
 * with its in-transaction append, health and close). Each engine's test file runs it with a
 * function that opens a fresh, empty, migrated store.
 *
 *   storageContract('SQLite', async () => new SqliteStorage(':memory:'));
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { toEntity, type EntityWrite } from '../../../src/server/entities/entity-store.js';
import type { Storage, StoredEntity } from '../../../src/server/storage.js';

const alice = { id: 'alice', name: 'Alice Martin' };
const bob = { id: 'bob', name: 'Bob Chen' };

function write(fields: EntityWrite['fields'], extra: Partial<EntityWrite> = {}): EntityWrite {
  return { type: 'customer', id: '42', fields, source: 'client', at: 1_000, ...extra };
}

/**
 * Customer 42 created, then a save refused by field rules (`m-refused`, stays refused) and one
 * applied (`m-applied`).
 */
export async function writeRefusedAndApplied(storage: Storage): Promise<void> {
  await storage.writeEntity(write({ name: 'Acme' }, { create: true, source: 'backend' }));
  const refused = await storage.writeEntity(
    write({ phone: '1' }, { baseVersion: 1, mutationId: 'm-refused', refusedFields: ['phone'] }),
  );
  assert.deepEqual(refused, { outcome: 'refused', fields: ['phone'] });
  const applied = await storage.writeEntity(
    write({ name: 'Acme SA' }, { baseVersion: 1, mutationId: 'm-applied' }),
  );
  assert.equal(applied.outcome, 'applied');
  assert.deepEqual(await storage.mutationRefusal('customer', '42', 'm-refused'), ['phone']);
}

export function storageContract(engine: string, open: () => Promise<Storage>): void {
  describe(`${engine} storage contract`, () => {
    test('entities round-trip with their fields, version and writer; list and count', async () => {
      const storage = await open();
      assert.equal(await storage.getEntity('customer', '42'), undefined);
      const entity: StoredEntity = {
        type: 'customer',
        id: '42',
        version: 3,
        fields: { name: 'ACME', phone: '+33 1 23', tags: ['vip'], score: 1.5, nested: { a: 1 } },
        updatedAt: 1_736_154_000_000,
        updatedBy: 'alice',
      };
      await storage.putEntity(entity);
      assert.deepEqual(await storage.getEntity('customer', '42'), entity);
      await storage.putEntity({
        ...entity,
        version: 4,
        fields: { name: 'ACME SA' },
        updatedBy: null,
      });
      assert.deepEqual(await storage.getEntity('customer', '42'), {
        ...entity,
        version: 4,
        fields: { name: 'ACME SA' },
        updatedBy: null,
      });
      await storage.putEntity({ ...entity, id: '7' });
      await storage.putEntity({ ...entity, type: 'call', id: '1' });
      const page = await storage.listEntities('customer', { limit: 1, offset: 1 });
      assert.equal(page.total, 2);
      assert.deepEqual(
        page.items.map((e) => e.id),
        ['7'],
      );
      assert.equal(await storage.countEntities(), 3);
      assert.equal(storage.healthy(), true);
      await storage.close();
      assert.equal(storage.healthy(), false);
    });

    test('writes follow the merge rules: merge, conflict with base/mine/theirs/who, ahead, no-op', async () => {
      const storage = await open();
      assert.deepEqual(await storage.writeEntity(write({ name: 'Acme' })), {
        outcome: 'not_found',
      });
      const created = await storage.writeEntity(
        write({ name: 'Acme', phone: '1' }, { create: true, source: 'backend' }),
      );
      assert.ok(created.outcome === 'applied' && created.created);
      assert.equal(created.entity.version, 1);
      const a = await storage.writeEntity(
        write({ phone: '2' }, { baseVersion: 1, by: alice, at: 2_000, mutationId: 'm-a' }),
      );
      assert.ok(a.outcome === 'applied' && a.entity.version === 2);
      assert.deepEqual(a.change?.previous, { phone: '1' });
      // Another field from the same base merges.
      const b = await storage.writeEntity(write({ name: 'Acme SA' }, { baseVersion: 1, by: bob }));
      assert.ok(b.outcome === 'applied' && b.entity.version === 3);
      assert.deepEqual(b.entity.fields, { name: 'Acme SA', phone: '2' });
      assert.deepEqual(b.entity.updatedByProfile, bob);
      // The same field from the old base conflicts, explained by the history.
      const c = await storage.writeEntity(write({ phone: '3' }, { baseVersion: 1, by: bob }));
      assert.equal(c.outcome, 'conflict');
      assert.ok(c.outcome === 'conflict');
      assert.deepEqual(c.conflicts, [
        { field: 'phone', mine: '3', base: '1', theirs: '2', changedBy: alice, changedAt: 2_000 },
      ]);
      assert.equal(c.current.version, 3);
      // A base ahead of the entity conflicts on every field it would change, without base.
      const ahead = await storage.writeEntity(write({ name: 'X' }, { baseVersion: 9 }));
      assert.ok(ahead.outcome === 'conflict');
      assert.deepEqual(
        ahead.conflicts.map((x) => [x.field, 'base' in x]),
        [['name', false]],
      );
      // The value it already has: no conflict, no new version.
      const same = await storage.writeEntity(write({ phone: '2' }, { baseVersion: 1 }));
      assert.ok(same.outcome === 'applied' && same.change === undefined);
      assert.equal(same.entity.version, 3);
      // A backend's write without a base never conflicts; replace clears the fields left out.
      const replaced = await storage.writeEntity(
        write({ name: 'New' }, { source: 'backend', replace: true }),
      );
      assert.ok(replaced.outcome === 'applied');
      assert.deepEqual(replaced.entity.fields, { name: 'New', phone: null });
      const changes = await storage.entityChanges('customer', '42');
      assert.deepEqual(
        changes.map((x) => [x.version, x.changed]),
        [
          [1, ['name', 'phone']],
          [2, ['phone']],
          [3, ['name']],
          [4, ['name', 'phone']],
        ],
      );
      assert.deepEqual(
        (await storage.entityChanges('customer', '42', 2, 1)).map((x) => x.version),
        [3],
      );
      await storage.close();
    });

    test('a mutation id is applied once and answered as the first time; ids are per entity', async () => {
      const storage = await open();
      await storage.writeEntity(write({ name: 'Acme' }, { create: true, source: 'backend' }));
      const first = await storage.writeEntity(
        write({ phone: '1' }, { baseVersion: 1, mutationId: 'm-1' }),
      );
      assert.ok(first.outcome === 'applied');
      const again = await storage.writeEntity(
        write({ phone: '9' }, { baseVersion: 1, mutationId: 'm-1' }),
      );
      assert.equal(again.outcome, 'duplicate');
      assert.ok(again.outcome === 'duplicate');
      assert.equal(again.entity.version, 2);
      assert.equal(again.entity.fields['phone'], '1');
      const other = await storage.writeEntity(
        write({ name: 'Other' }, { id: '43', create: true, source: 'backend', mutationId: 'm-1' }),
      );
      assert.ok(other.outcome === 'applied' && other.created);
      assert.equal((await storage.getEntity('customer', '42'))?.version, 2);
      await storage.close();
    });

    test('an applied write says how many UTF-8 bytes the answer to its mutation id takes', async () => {
      // What the server charges a save against the user's write budget: the copy of the entity
      // it stored, in bytes, not characters (one euro sign is three).
      const storage = await open();
      const notes = `${'€'.repeat(20_000)} rappel à 9h ☎ 🙂`;
      await storage.writeEntity(write({ notes }, { create: true, source: 'backend' }));
      const saved = await storage.writeEntity(
        write({ phone: 'né à Zürich' }, { baseVersion: 1, mutationId: 'm-bytes' }),
      );
      assert.ok(saved.outcome === 'applied');
      const stored = JSON.stringify(toEntity(saved.entity));
      assert.ok(stored.length < 30_000 && Buffer.byteLength(stored) > 60_000);
      assert.equal(saved.answerBytes, Buffer.byteLength(stored));
      // The same text a retry is answered with.
      const again = await storage.writeEntity(
        write({ phone: 'né à Zürich' }, { baseVersion: 1, mutationId: 'm-bytes' }),
      );
      assert.ok(again.outcome === 'duplicate');
      assert.equal(Buffer.byteLength(JSON.stringify(again.entity)), saved.answerBytes);
      // No mutation id, no copy stored.
      const backend = await storage.writeEntity(write({ phone: '2' }, { source: 'backend' }));
      assert.ok(backend.outcome === 'applied');
      assert.equal(backend.answerBytes, undefined);
      await storage.close();
    });

    test('a write with refused fields is refused unless its mutation id was applied, and stays so', async () => {
      const storage = await open();
      await storage.writeEntity(write({ name: 'Acme' }, { create: true, source: 'backend' }));
      await storage.writeEntity(write({ phone: '1' }, { baseVersion: 1, mutationId: 'm-1' }));
      // The same mutation again, its field now refused by the writer's rules: as applied.
      const replay = await storage.writeEntity(
        write({ phone: '1' }, { baseVersion: 1, mutationId: 'm-1', refusedFields: ['phone'] }),
      );
      assert.ok(replay.outcome === 'duplicate', JSON.stringify(replay));
      assert.equal(replay.entity.fields['phone'], '1');
      const fresh = await storage.writeEntity(
        write({ phone: '2' }, { baseVersion: 2, mutationId: 'm-2', refusedFields: ['phone'] }),
      );
      assert.deepEqual(fresh, { outcome: 'refused', fields: ['phone'] });
      // Refused before the entity is looked for, as the rules answer before `not_found`.
      const missing = await storage.writeEntity(
        write({ phone: '2' }, { id: '7', mutationId: 'm-3', refusedFields: ['phone'] }),
      );
      assert.deepEqual(missing, { outcome: 'refused', fields: ['phone'] });
      assert.equal((await storage.getEntity('customer', '42'))?.version, 2, 'nothing stored');
      // The refusal is the id's answer: its first apply coming after it, under a writer's older
      // rules (no refused fields), is refused for the same fields, and nothing is stored.
      const later = await storage.writeEntity(
        write({ phone: '2', name: 'Acme SA' }, { baseVersion: 2, mutationId: 'm-2' }),
      );
      assert.deepEqual(later, { outcome: 'refused', fields: ['phone'] });
      assert.equal((await storage.getEntity('customer', '42'))?.version, 2, 'still nothing');
      assert.deepEqual(await storage.mutationRefusal('customer', '42', 'm-2'), ['phone']);
      assert.equal(await storage.mutationRefusal('customer', '42', 'm-1'), undefined, 'applied');
      assert.equal(await storage.mutationRefusal('customer', '42', 'm-9'), undefined, 'unknown');
      // Other content is another id: applied.
      const rest = await storage.writeEntity(
        write({ name: 'Acme SA' }, { baseVersion: 2, mutationId: 'm-4' }),
      );
      assert.ok(rest.outcome === 'applied' && rest.entity.version === 3);
      await storage.close();
    });

    test('a change too large for a frame is refused and not stored', async () => {
      const storage = await open();
      await storage.writeEntity(write({ name: 'Acme' }, { create: true, source: 'backend' }));
      const big = await storage.writeEntity(
        write({ notes: 'x'.repeat(5000) }, { baseVersion: 1, maxChangeBytes: 1000 }),
      );
      assert.equal(big.outcome, 'too_large');
      assert.equal((await storage.getEntity('customer', '42'))?.version, 1);
      await storage.close();
    });

    test('the in-transaction step commits its activity item with the change, or neither', async () => {
      const storage = await open();
      const log = storage.activity!;
      assert.ok(log.appendNow, 'the log can join an entity write');
      let appended: { id: string } | undefined;
      const ok = await storage.writeEntity(
        write(
          { name: 'Acme' },
          {
            create: true,
            source: 'backend',
            inTransaction: (change) => {
              appended = log.appendNow!({
                kind: 'entity.updated',
                at: change.at,
                customerId: '42',
              });
            },
          },
        ),
      );
      assert.equal(ok.outcome, 'applied');
      assert.ok(appended && Number(appended.id) > 0, 'the item has its id once committed');
      assert.equal(await log.count(), 1);
      await assert.rejects(
        storage.writeEntity(
          write(
            { name: 'Acme SA' },
            {
              baseVersion: 1,
              mutationId: 'm-x',
              inTransaction: (change) => {
                log.appendNow!({ kind: 'entity.updated', at: change.at });
                throw new Error('step refused');
              },
            },
          ),
        ),
        /step refused/,
      );
      assert.equal((await storage.getEntity('customer', '42'))?.version, 1);
      assert.equal((await storage.entityChanges('customer', '42')).length, 1);
      assert.equal(await log.count(), 1);
      // The mutation id was not recorded: the retry applies.
      const retry = await storage.writeEntity(
        write({ name: 'Acme SA' }, { baseVersion: 1, mutationId: 'm-x' }),
      );
      assert.ok(retry.outcome === 'applied' && retry.entity.version === 2);
      await storage.close();
    });

    test('entity history retention deletes old changes and mutation answers only', async () => {
      const storage = await open();
      await storage.writeEntity(
        write({ a: 1 }, { create: true, source: 'backend', at: 100, mutationId: 'old' }),
      );
      await storage.writeEntity(write({ a: 2 }, { baseVersion: 1, at: 500, mutationId: 'new' }));
      const refusal = { baseVersion: 2, refusedFields: ['a'] };
      await storage.writeEntity(
        write({ a: 3 }, { ...refusal, at: 200, mutationId: 'old-refused' }),
      );
      await storage.writeEntity(
        write({ a: 3 }, { ...refusal, at: 600, mutationId: 'new-refused' }),
      );
      assert.deepEqual(await storage.pruneEntityHistory!(300), { changes: 1, mutations: 2 });
      assert.equal(await storage.mutationRefusal('customer', '42', 'old-refused'), undefined);
      assert.deepEqual(await storage.mutationRefusal('customer', '42', 'new-refused'), ['a']);
      assert.deepEqual(
        (await storage.entityChanges('customer', '42')).map((c) => c.version),
        [2],
      );
      const replay = await storage.writeEntity(
        write({ a: 2 }, { baseVersion: 1, mutationId: 'new' }),
      );
      assert.equal(replay.outcome, 'duplicate');
      assert.equal((await storage.getEntity('customer', '42'))?.version, 2);
      await storage.close();
    });

    test('deleting an entity erases its row, history, mutation answers and change-log rows, in one go', async () => {
      const storage = await open();
      storage.changes?.trackDeliveries(true);
      await storage.writeEntity(
        write({ email: 'ada@example.com' }, { create: true, source: 'backend', mutationId: 'm-c' }),
      );
      await storage.writeEntity(
        write({ email: 'ada@erased.example' }, { baseVersion: 1, mutationId: 'm-u' }),
      );
      await storage.writeEntity(write({ name: 'Other' }, { id: '7', create: true }));
      await storage.writeEntity(
        write({ email: 'x' }, { baseVersion: 2, mutationId: 'm-r', refusedFields: ['email'] }),
      );
      assert.equal(await storage.deleteEntity('customer', '42'), true);
      assert.equal(await storage.mutationRefusal('customer', '42', 'm-r'), undefined);
      assert.equal(await storage.getEntity('customer', '42'), undefined);
      assert.deepEqual(await storage.entityChanges('customer', '42'), []);
      // The erased values are nowhere: not in the change log (feed and pending webhooks) either.
      const log = JSON.stringify(await storage.changes?.after(0, 100));
      assert.doesNotMatch(log, /ada@/);
      assert.match(log, /Other/, 'other entities keep their rows');
      // Its mutation answers went too: a replay is judged anew and finds no entity, instead of
      // being acknowledged with the erased values.
      assert.deepEqual(
        await storage.writeEntity(write({ email: 'x' }, { baseVersion: 2, mutationId: 'm-u' })),
        { outcome: 'not_found' },
      );
      // Again: nothing to delete. Another entity is untouched.
      assert.equal(await storage.deleteEntity('customer', '42'), false);
      assert.equal((await storage.getEntity('customer', '7'))?.version, 1);
      // Created again (a backend's PUT): a fresh record at version 1, with no history.
      const again = await storage.writeEntity(
        write({ name: 'New' }, { create: true, source: 'backend', mutationId: 'm-c' }),
      );
      assert.ok(again.outcome === 'applied' && again.created && again.entity.version === 1);
      assert.deepEqual(again.entity.fields, { name: 'New' });
      // A save racing a delete (another connection, on PostgreSQL) never brings the record back:
      // it lands first and is erased with it, or finds nothing.
      const [raced] = await Promise.all([
        storage.writeEntity(write({ name: 'Raced' }, { baseVersion: 1, mutationId: 'm-r' })),
        storage.deleteEntity('customer', '42'),
      ]);
      assert.ok(['applied', 'not_found'].includes(raced.outcome), raced.outcome);
      assert.equal(await storage.getEntity('customer', '42'), undefined);
      assert.deepEqual(await storage.entityChanges('customer', '42'), []);
      await storage.close();
    });

    test('notifications: one row per recipient, pages, unread counts, read marks, retention', async () => {
      const storage = await open();
      const repo = storage.notifications!;
      assert.deepEqual(await repo.unread('alice'), { unread: 0, upTo: 0 }, 'none: reaches 0');
      const orders: Map<string, number>[] = [];
      for (let i = 1; i <= 3; i++) {
        const given = await repo.insert(
          {
            id: `n${i}`,
            target: { room: 'team' },
            type: 'info',
            priority: i === 3 ? 'urgent' : 'normal',
            title: `Title ${i}`,
            createdAt: i * 100,
            ...(i === 2
              ? { message: 'body', actions: [{ label: 'Open', event: 'open' }], from: alice }
              : {}),
          },
          ['alice', 'bob', 'alice'],
        );
        orders.push(given);
      }
      // Each recipient's row has its order (one row for alice, named twice), growing per recipient.
      assert.deepEqual(
        orders.map((o) => [...o.keys()]),
        [
          ['alice', 'bob'],
          ['alice', 'bob'],
          ['alice', 'bob'],
        ],
      );
      const ofAlice = orders.map((o) => o.get('alice')!);
      const ofBob = orders.map((o) => o.get('bob')!);
      for (const mine of [ofAlice, ofBob]) {
        assert.ok(mine[0]! < mine[1]! && mine[1]! < mine[2]!, `orders grow: ${mine.join(', ')}`);
      }
      const first = await repo.page('alice', undefined, 2);
      assert.equal(first.upTo, ofAlice[2], "the page's count reaches alice's newest");
      assert.deepEqual(
        first.items.map((n) => n.order),
        [ofAlice[2], ofAlice[1]],
        'each item has its order',
      );
      assert.deepEqual(
        first.items.map((n) => n.id),
        ['n3', 'n2'],
      );
      assert.equal(first.unread, 3);
      assert.equal(first.items[0]!.priority, 'urgent');
      assert.equal(first.items[1]!.message, 'body');
      assert.deepEqual(first.items[1]!.from, alice);
      assert.deepEqual(first.items[1]!.target, { room: 'team' });
      const second = await repo.page('alice', first.next, 2);
      assert.deepEqual(
        second.items.map((n) => n.id),
        ['n1'],
      );
      assert.equal(second.next, undefined);
      const marked = await repo.markRead('alice', ['n1', 'nope'], 1_000);
      assert.deepEqual(marked, { ids: ['n1'], unread: 2, upTo: ofAlice[2] });
      assert.deepEqual(await repo.unread('bob'), { unread: 3, upTo: ofBob[2] });
      assert.deepEqual(await repo.markRead('bob', 'all', 1_000), {
        ids: 'all',
        unread: 0,
        upTo: ofBob[2],
      });
      assert.equal(
        (await repo.page('alice', undefined, 5)).items.find((n) => n.id === 'n1')?.read,
        true,
      );
      assert.equal(await repo.newestTime(), 300);
      assert.equal(await repo.deleteBefore(250), 2);
      assert.deepEqual(
        (await repo.page('alice', undefined, 5)).items.map((n) => n.id),
        ['n3'],
      );
      await storage.close();
    });

    test('notifications: unread ones counted per entity, newest first, for the unread count a user may see', async () => {
      const storage = await open();
      const repo = storage.notifications!;
      const about = [{ id: '42' }, { id: '7' }, { id: '42' }, undefined, { id: '9' }];
      const orders: number[] = [];
      for (const [i, entity] of about.entries()) {
        const stored = await repo.insert(
          {
            id: `n${i}`,
            target: { user: 'alice' },
            type: 'info',
            priority: 'normal',
            title: `Title ${i}`,
            createdAt: (i + 1) * 100,
            ...(entity ? { entity: { type: 'customer', id: entity.id, label: 'L' } } : {}),
          },
          ['alice'],
        );
        orders.push(stored.get('alice')!);
      }
      await repo.markRead('alice', ['n4'], 1_000);
      const all = orders[orders.length - 1]!;
      assert.deepEqual(await repo.unreadAbout('alice', all), [
        { type: 'customer', id: '42', count: 2 },
        { type: 'customer', id: '7', count: 1 },
      ]);
      // Up to a count's reach: rows stored after it are not taken off that count.
      assert.deepEqual(await repo.unreadAbout('alice', orders[1]!), [
        { type: 'customer', id: '7', count: 1 },
        { type: 'customer', id: '42', count: 1 },
      ]);
      assert.deepEqual(await repo.unreadAbout('bob', all), []);
      await storage.close();
    });

    test('activity: feeds, filters, pages, newest time, count and retention', async () => {
      const storage = await open();
      const log = storage.activity!;
      assert.equal(await log.newestTime(), 0);
      const items = [
        { kind: 'call.logged', at: 10, actor: alice, customerId: 'c1' },
        {
          kind: 'entity.updated',
          at: 20,
          actor: bob,
          entity: { type: 'customer', id: 'c1', label: 'Acme' },
          customerId: 'c1',
          changes: [{ field: 'phone', from: '1', to: '2' }],
        },
        { kind: 'entity.updated', at: 30, actor: alice, summary: 'did it' },
      ];
      const stored = [];
      for (const item of items) stored.push(await log.append(item));
      assert.deepEqual(stored[1], { ...items[1], id: stored[1]!.id });
      const global = await log.page({ kind: 'global' }, undefined, undefined, 2);
      assert.deepEqual(
        global.items.map((i) => i.at),
        [30, 20],
      );
      const older = await log.page({ kind: 'global' }, undefined, global.next, 2);
      assert.deepEqual(
        older.items.map((i) => i.at),
        [10],
      );
      assert.equal(older.next, undefined);
      assert.deepEqual(
        (await log.page({ kind: 'user', userId: 'alice' }, undefined, undefined, 5)).items.map(
          (i) => i.at,
        ),
        [30, 10],
      );
      assert.deepEqual(
        (
          await log.page(
            { kind: 'customer', entityId: 'c1' },
            { kinds: ['entity.updated'] },
            undefined,
            5,
          )
        ).items.map((i) => i.at),
        [20],
      );
      assert.deepEqual(
        (
          await log.page(
            { kind: 'global' },
            { actors: ['bob', 'alice'], kinds: ['call.logged'] },
            undefined,
            5,
          )
        ).items.map((i) => i.at),
        [10],
      );
      assert.equal(await log.newestTime(), 30);
      assert.equal(await log.count(), 3);
      assert.equal(await log.prune({ cutoff: 15 }), 1);
      assert.equal(await log.prune({ keepRows: 1 }), 1);
      assert.deepEqual(
        (await log.page({ kind: 'global' }, undefined, undefined, 5)).items.map((i) => i.at),
        [30],
      );
      await storage.close();
    });

    test('revocations: the latest per user, until it expires; others untouched', async () => {
      const storage = await open();
      const revocations = storage.revocations!;
      assert.ok(revocations, 'the store keeps revocations');
      assert.equal(await revocations.revokedAt('alice', 1_000), undefined);
      await revocations.revoke('alice', 1_000, 60_000);
      await revocations.revoke('bob', 2_000, 1_000);
      assert.equal(await revocations.revokedAt('alice', 30_000), 1_000);
      assert.equal(await revocations.revokedAt('bob', 2_999), 2_000);
      assert.equal(await revocations.revokedAt('bob', 3_000), undefined, 'expired');
      await revocations.revoke('alice', 5_000, 60_000); // cut off again after signing in again
      assert.equal(await revocations.revokedAt('alice', 30_000), 5_000);
      // What fills a shared store (Redis) that lost them: the ones still kept, each the latest.
      await revocations.revoke('bob', 6_000, 60_000);
      const kept = await revocations.active!(30_000);
      assert.deepEqual(
        kept.sort((x, y) => (x.userId < y.userId ? -1 : 1)),
        [
          { userId: 'alice', at: 5_000, until: 65_000 },
          { userId: 'bob', at: 6_000, until: 66_000 },
        ],
      );
      assert.deepEqual(await revocations.active!(66_000), []);
      assert.equal(await revocations.revokedAt('alice', 65_000), undefined);
      assert.equal(await revocations.revokedAt('carol', 30_000), undefined);
      await storage.close();
    });
  });
}
