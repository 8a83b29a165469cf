/**
 * Live data on the reference server over real sockets: snapshots, the merge rules, idempotent
 * mutation ids, the one broadcast per accepted change, the onChange hook and authorization.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type {
  EntityChange,
  FrameOf,
  ServerFrame,
  UserProfile,
} from '../../../../src/protocol/index.js';
import type { AuthorizeRequest } from '../../../../src/server/authorize.js';
import type { EntityChangeNotice } from '../../../../src/server/entities/entity-service.js';
import { demoEntities, seedDemo } from '../../../../src/server/seed-demo.js';
import { ConfigError, loadConfig } from '../../../../src/server/config.js';
import { SqliteStorage } from '../../../../src/server/sqlite-storage.js';
import { nextId, type TestClient } from '../../helpers/server-client.js';
import { alice, bob, carol, startHarness, type Harness } from '../../helpers/server-harness.js';

const ROOM = 'customer:42';
const DAY = 86_400_000;

async function seed(h: Harness, fields: Record<string, string> = {}): Promise<void> {
  const outcome = await h.server.entities.update({
    type: 'customer',
    id: '42',
    fields: { name: 'Acme', email: 'info@acme.test', phone: '100', ...fields },
    source: 'backend',
    create: true,
  });
  assert.equal(outcome.kind, 'applied');
}

function update(
  client: TestClient,
  fields: Record<string, unknown>,
  baseVersion: number,
  mutationId = nextId('mutation-'),
  entityId = '42',
): Promise<ServerFrame> {
  return client.request({
    type: 'entity.update',
    id: nextId('u'),
    mutationId: mutationId.padEnd(8, '0'),
    entityType: 'customer',
    entityId,
    baseVersion,
    fields: fields as Record<string, string>,
  });
}

function get(client: TestClient, entityId = '42'): Promise<ServerFrame> {
  return client.request({
    type: 'entity.get',
    id: nextId('g'),
    entityType: 'customer',
    entityId,
  });
}

function as<T extends ServerFrame['type']>(frame: ServerFrame, type: T): FrameOf<ServerFrame, T> {
  assert.equal(frame.type, type, JSON.stringify(frame));
  return frame as FrameOf<ServerFrame, T>;
}

function errorCode(frame: ServerFrame): string | undefined {
  return frame.type === 'error' ? frame.code : undefined;
}

const changesIn = (client: TestClient, room = ROOM) =>
  client
    .ofType('event')
    .filter((e) => e.room === room && e.event === 'entity.change')
    .map((e) => ({ seq: e.seq, from: e.from, payload: e.payload as EntityChange }));

describe('server entities: reads and the merge rules', () => {
  let h: Harness;
  afterEach(() => h.close());

  test('entity.get answers the snapshot, or not_found', async () => {
    h = await startHarness();
    await seed(h);
    const a = await h.connect(alice);
    const snapshot = as(await get(a), 'entity.snapshot');
    assert.deepEqual(snapshot.entity, {
      type: 'customer',
      id: '42',
      version: 1,
      fields: { name: 'Acme', email: 'info@acme.test', phone: '100' },
      updatedAt: h.clock.now(),
    });
    const missing = await get(a, '404');
    assert.equal(errorCode(missing), 'not_found');
  });

  test('an update based on the current version is applied: new version, ack, stored', async () => {
    h = await startHarness();
    await seed(h);
    const a = await h.connect(alice);
    h.clock.advanceSync(1000);
    const ack = as(await update(a, { phone: '200' }, 1, 'mutation-a1'), 'entity.ack');
    assert.equal(ack.duplicate, false);
    assert.equal(ack.mutationId, 'mutation-a1');
    assert.equal(ack.entity.version, 2);
    assert.deepEqual(ack.entity.fields, { name: 'Acme', email: 'info@acme.test', phone: '200' });
    assert.deepEqual(ack.entity.updatedBy, alice);
    assert.equal(ack.entity.updatedAt, h.clock.now());
    assert.deepEqual(as(await get(a), 'entity.snapshot').entity, ack.entity);
  });

  test('changes to different fields from the same base version merge', async () => {
    h = await startHarness();
    await seed(h);
    const a = await h.connect(alice);
    const b = await h.connect(bob);
    as(await update(a, { phone: '200' }, 1), 'entity.ack');
    const merged = as(await update(b, { email: 'sales@acme.test' }, 1), 'entity.ack');
    assert.equal(merged.entity.version, 3);
    assert.deepEqual(merged.entity.fields, {
      name: 'Acme',
      email: 'sales@acme.test',
      phone: '200',
    });
  });

  test('the same field changed since the base version conflicts with base, mine, theirs, who and when', async () => {
    h = await startHarness();
    await seed(h);
    const a = await h.connect(alice);
    const b = await h.connect(bob);
    h.clock.advanceSync(5000);
    const aliceAt = h.clock.now();
    as(await update(a, { phone: '200', name: 'Acme Ltd' }, 1), 'entity.ack');
    h.clock.advanceSync(5000);
    const conflict = as(
      await update(b, { phone: '300', email: 'bob@acme.test' }, 1, 'mutation-b1'),
      'entity.conflict',
    );
    assert.equal(conflict.mutationId, 'mutation-b1');
    assert.deepEqual(conflict.conflicts, [
      {
        field: 'phone',
        base: '100',
        mine: '300',
        theirs: '200',
        changedBy: alice,
        changedAt: aliceAt,
      },
    ]);
    assert.equal(conflict.current.version, 2);
    // Nothing of a conflicting update is applied, not even its disjoint field.
    const after = as(await get(b), 'entity.snapshot').entity;
    assert.equal(after.version, 2);
    assert.equal(after.fields['email'], 'info@acme.test');
    // Resolved on the current version, it is applied.
    const resolved = as(await update(b, { phone: '300' }, 2, 'mutation-b2'), 'entity.ack');
    assert.equal(resolved.entity.fields['phone'], '300');
  });

  test('a stale base version conflicts only on fields changed after it, with their value at that base', async () => {
    h = await startHarness();
    await seed(h);
    const a = await h.connect(alice);
    const b = await h.connect(bob);
    as(await update(a, { phone: '200' }, 1), 'entity.ack'); // v2
    as(await update(a, { name: 'Acme 2' }, 2), 'entity.ack'); // v3
    as(await update(a, { phone: '300' }, 3), 'entity.ack'); // v4
    // Bob saw v2: name changed since (conflict, base 'Acme'); phone at v2 was '200' and changed
    // again at v4 (conflict, base '200'); email never changed (merges).
    const conflict = as(
      await update(b, { name: 'Bob Co', phone: '999', email: 'b@acme.test' }, 2),
      'entity.conflict',
    );
    assert.deepEqual(
      conflict.conflicts.map((c) => [c.field, c.base, c.mine, c.theirs]),
      [
        ['name', 'Acme', 'Bob Co', 'Acme 2'],
        ['phone', '200', '999', '300'],
      ],
    );
    // Based on v3 only phone (changed at v4) conflicts.
    const later = as(await update(b, { name: 'Bob Co', phone: '999' }, 3), 'entity.conflict');
    assert.deepEqual(
      later.conflicts.map((c) => c.field),
      ['phone'],
    );
    // A field set to the value it already has is no conflict, whatever the base.
    const same = as(await update(b, { phone: '300', email: 'b@acme.test' }, 1), 'entity.ack');
    assert.equal(same.entity.version, 5);
  });

  test('a base version ahead of the entity conflicts on every field it changes, without base', async () => {
    h = await startHarness();
    await seed(h);
    const a = await h.connect(alice);
    const conflict = as(await update(a, { phone: '200', name: 'Acme' }, 7), 'entity.conflict');
    assert.deepEqual(conflict.conflicts, [
      { field: 'phone', mine: '200', theirs: '100', changedAt: h.clock.now() },
    ]);
    assert.equal(conflict.current.version, 1);
  });

  test('an update that changes nothing is acknowledged without a new version or event', async () => {
    h = await startHarness();
    await seed(h);
    const a = await h.connect(alice);
    await a.join(ROOM);
    const ack = as(await update(a, { phone: '100' }, 1), 'entity.ack');
    assert.equal(ack.entity.version, 1);
    await a.sync();
    assert.deepEqual(changesIn(a), []);
  });

  test('a client cannot create an entity: an update of an unknown one is not_found', async () => {
    h = await startHarness();
    const a = await h.connect(alice);
    assert.equal(
      errorCode(await update(a, { name: 'New' }, 0, 'mutation-new', 'new-1')),
      'not_found',
    );
    assert.equal(errorCode(await get(a, 'new-1')), 'not_found');
  });

  test('a change whose event would exceed the frame size is refused and not stored', async () => {
    h = await startHarness({ limits: { maxFrameBytes: 4096 } });
    await seed(h);
    const a = await h.connect(alice);
    const big = 'x'.repeat(3000);
    const refused = await update(a, { notes: big }, 1);
    assert.equal(errorCode(refused), 'payload_too_large');
    assert.equal(as(await get(a), 'entity.snapshot').entity.version, 1);
  });
});

describe('server entities: a conflict too large for one frame', () => {
  let h: Harness;
  afterEach(() => h.close());

  // Each value fits a frame, but a conflict carries the writer's, the stored one, the one the
  // writer saw and the whole entity: sent as it is, the client drops it as too large and sends
  // the save again and again, holding up the saves behind it.
  test('leaves out what the writer saw, or is refused payload_too_large: never a frame over the limit', async () => {
    h = await startHarness({ limits: { maxFrameBytes: 4096 } });
    await seed(h, { notes: 'b'.repeat(1000) });
    const a = await h.connect(alice);
    const b = await h.connect(bob);
    as(await update(b, { notes: 'x'.repeat(1200) }, 1), 'entity.ack');

    const trimmed = as(await update(a, { notes: 'y'.repeat(1000) }, 1), 'entity.conflict');
    assert.deepEqual(
      trimmed.conflicts.map((c) => [c.field, 'base' in c, c.theirs]),
      [['notes', false, 'x'.repeat(1200)]],
    );
    assert.equal(trimmed.current.version, 2);

    const refused = await update(a, { notes: 'z'.repeat(2000) }, 1);
    assert.equal(errorCode(refused), 'payload_too_large');
    assert.match(refused.type === 'error' ? refused.message : '', /notes of customer:42 changed/);
    assert.ok(a.largestFrame <= 4096, `a frame of ${a.largestFrame} bytes`);
    assert.equal(as(await get(a), 'entity.snapshot').entity.fields['notes'], 'x'.repeat(1200));
  });
});

describe('server entities: idempotent mutation ids', () => {
  let h: Harness;
  afterEach(() => h.close());

  test('the same mutation id twice is applied once; the replay gets the same answer, duplicate', async () => {
    h = await startHarness();
    await seed(h);
    const a = await h.connect(alice);
    await a.join(ROOM);
    const first = as(await update(a, { phone: '200' }, 1, 'mutation-once'), 'entity.ack');
    // Meanwhile someone else changes the entity: the replay still answers what the first got.
    const b = await h.connect(bob);
    as(await update(b, { name: 'Other' }, 2), 'entity.ack');
    const again = as(await update(a, { phone: '200' }, 1, 'mutation-once'), 'entity.ack');
    assert.equal(first.duplicate, false);
    assert.equal(again.duplicate, true);
    assert.deepEqual(again.entity, first.entity);
    await a.sync();
    assert.deepEqual(
      changesIn(a).map((c) => c.payload.entity.version),
      [2, 3],
    );
    assert.equal(as(await get(a), 'entity.snapshot').entity.version, 3);
  });

  // Every member sees a change's mutation id; a replay is a small frame, the event the whole
  // entity. Announced on every replay, anyone's tiny frames became full-size events to the room.
  test("a replay is announced again only for the change's writer, once: not for anyone who saw its id", async () => {
    h = await startHarness();
    await seed(h);
    const a = await h.connect(alice);
    const b = await h.connect(bob);
    const c = await h.connect(carol);
    await c.join(ROOM);
    as(await update(a, { notes: 'x'.repeat(30_000) }, 1, 'mutation-big'), 'entity.ack');
    const seen = as(
      await c.next((f) => f.type === 'event' && f.event === 'entity.change'),
      'event',
    );
    assert.equal((seen.payload as EntityChange).mutationId, 'mutation-big');

    for (let i = 0; i < 5; i++) {
      const replay = as(await update(b, { x: 'y' }, 2, 'mutation-big'), 'entity.ack');
      assert.equal(replay.duplicate, true);
    }
    await c.sync();
    assert.equal(changesIn(c).length, 1, "another user's replays announce nothing");

    for (let i = 0; i < 3; i++) {
      const retry = as(
        await update(a, { notes: 'x'.repeat(30_000) }, 1, 'mutation-big'),
        'entity.ack',
      );
      assert.equal(retry.duplicate, true);
    }
    await c.sync();
    assert.deepEqual(
      changesIn(c).map((change) => change.payload.entity.version),
      [2, 2],
      "the writer's retries announce it once more",
    );
  });

  test('entity history past its retention is swept; later conflicts still report, without the base', async () => {
    const storage = new SqliteStorage(':memory:');
    // No heartbeat inside the clock's jumps of days: clients have no chance to answer it.
    h = await startHarness({
      storage,
      entities: { historyRetentionDays: 30 },
      heartbeatMs: 1000 * DAY,
    });
    await seed(h);
    const a = await h.connect(alice);
    as(await update(a, { phone: '200' }, 1, 'mutation-old'), 'entity.ack');
    h.clock.advanceSync(20 * DAY);
    as(await update(a, { name: 'Acme Ltd' }, 2, 'mutation-new'), 'entity.ack');
    assert.equal((await storage.entityChanges('customer', '42')).length, 3);

    // Past 30 days for the first two changes, not for the third: the hourly sweep took them.
    h.clock.advanceSync(11 * DAY);
    await until(async () => (await storage.entityChanges('customer', '42')).length === 1);
    assert.deepEqual(
      (await storage.entityChanges('customer', '42')).map((c) => c.version),
      [3],
    );
    const b = await h.connect(bob);
    // A recent mutation is still recognised; the entity itself is untouched.
    const replay = as(await update(a, { name: 'Acme Ltd' }, 2, 'mutation-new'), 'entity.ack');
    assert.equal(replay.duplicate, true);
    assert.equal(as(await get(b), 'entity.snapshot').entity.fields['phone'], '200');
    // Bob edits from version 1: phone changed at version 2, whose record is gone. Still a
    // conflict, with what is known (theirs, when) and without what is not (base, who).
    const conflict = as(await update(b, { phone: '300' }, 1, 'mutation-b'), 'entity.conflict');
    assert.equal(conflict.conflicts.length, 1);
    const [phone] = conflict.conflicts;
    assert.equal(phone!.field, 'phone');
    assert.equal(phone!.theirs, '200');
    assert.equal(phone!.mine, '300');
    assert.equal('base' in phone!, false);
    assert.equal(typeof phone!.changedAt, 'number');
  });

  test('entity history is kept with retention 0, and the setting comes from the environment', async () => {
    const storage = new SqliteStorage(':memory:');
    h = await startHarness({ storage, entities: { historyRetentionDays: 0 } });
    await seed(h);
    h.clock.advanceSync(400 * DAY);
    assert.deepEqual(await h.server.entities.sweep(), { changes: 0, mutations: 0 });
    assert.equal((await storage.entityChanges('customer', '42')).length, 1);
    const jwt = { CRM_JWT_SECRET: 'x'.repeat(32) };
    assert.equal(loadConfig([], jwt).entityHistoryRetentionDays, 90);
    assert.equal(
      loadConfig([], { ...jwt, CRM_ENTITY_HISTORY_RETENTION_DAYS: '7' }).entityHistoryRetentionDays,
      7,
    );
    assert.throws(
      () => loadConfig([], { ...jwt, CRM_ENTITY_HISTORY_RETENTION_DAYS: 'soon' }),
      ConfigError,
    );
  });

  test('a conflict is not remembered: the same mutation id may be applied after a fresh read', async () => {
    h = await startHarness();
    await seed(h);
    const a = await h.connect(alice);
    const b = await h.connect(bob);
    as(await update(b, { phone: '150' }, 1), 'entity.ack');
    as(await update(a, { phone: '200' }, 1, 'mutation-retry'), 'entity.conflict');
    const applied = as(await update(a, { phone: '200' }, 2, 'mutation-retry'), 'entity.ack');
    assert.equal(applied.duplicate, false);
    assert.equal(applied.entity.version, 3);
  });

  test('mutation ids are per entity', async () => {
    h = await startHarness();
    await seed(h);
    await h.server.entities.update({
      type: 'customer',
      id: '7',
      fields: { name: 'Seven' },
      source: 'backend',
      create: true,
    });
    const a = await h.connect(alice);
    as(await update(a, { name: 'A' }, 1, 'mutation-same'), 'entity.ack');
    const other = as(await update(a, { name: 'B' }, 1, 'mutation-same', '7'), 'entity.ack');
    assert.equal(other.duplicate, false);
    assert.equal(other.entity.fields['name'], 'B');
  });
});

describe('server entities: broadcast and the change hook', () => {
  let h: Harness;
  afterEach(() => h.close());

  test('an accepted change reaches the entity room once, with the new version, and no other room', async () => {
    h = await startHarness();
    await seed(h);
    const a = await h.connect(alice);
    const watcher = await h.connect(bob);
    const elsewhere = await h.connect(carol);
    await a.join(ROOM);
    const joined = await watcher.join(ROOM);
    await elsewhere.join('customer:7');
    await elsewhere.join('page:/customers');
    const ack = as(await update(a, { phone: '200' }, 1, 'mutation-bc1'), 'entity.ack');
    const event = await watcher.next((f) => f.type === 'event' && f.event === 'entity.change');
    await Promise.all([a.sync(), watcher.sync(), elsewhere.sync()]);
    assert.equal(changesIn(watcher).length, 1);
    assert.equal(changesIn(a).length, 1, 'the writer gets its own change once too');
    assert.equal(event.type === 'event' && event.seq, joined.seq + 1);
    assert.equal(event.type === 'event' && event.from, 'alice');
    assert.deepEqual(changesIn(watcher)[0]!.payload, {
      entity: ack.entity,
      changed: ['phone'],
      previous: { phone: '100' },
      mutationId: 'mutation-bc1',
      by: alice,
      source: 'client',
    });
    assert.deepEqual(
      elsewhere.frames.filter((f) => f.type === 'event'),
      [],
    );
  });

  test('a member that dropped resumes the changes it missed', async () => {
    h = await startHarness();
    await seed(h);
    const a = await h.connect(alice);
    const b = await h.connect(bob);
    const joined = await b.join(ROOM);
    b.ws.terminate();
    as(await update(a, { phone: '200' }, 1), 'entity.ack');
    as(await update(a, { phone: '300' }, 2), 'entity.ack');
    const back = await h.connect(bob);
    const resumed = await back.join(ROOM, { since: joined.seq });
    assert.equal(resumed.resume, 'replayed');
    assert.deepEqual(
      changesIn(back).map((c) => c.payload.entity.version),
      [2, 3],
    );
  });

  test('onChange hears every accepted change, from clients and backends, after it is stored', async () => {
    h = await startHarness();
    await seed(h);
    const heard: EntityChangeNotice[] = [];
    // Read back at the moment each listener call happens (the SQLite read is synchronous).
    const readsWhenHeard: Promise<number | undefined>[] = [];
    h.server.entities.onChange((change) => {
      heard.push(change);
      readsWhenHeard.push(
        h.server.entities.get(change.entity.type, change.entity.id).then((e) => e?.version),
      );
    });
    h.server.entities.onChange(() => {
      throw new Error('a broken listener does not break the write');
    });
    const a = await h.connect(alice);
    h.clock.advanceSync(2000);
    as(await update(a, { phone: '200' }, 1, 'mutation-hook'), 'entity.ack');
    as(await update(a, { phone: '999' }, 1), 'entity.conflict');
    as(await update(a, { phone: '200' }, 2), 'entity.ack'); // no change
    await h.server.entities.update({
      type: 'customer',
      id: '42',
      fields: { name: 'Acme SA' },
      by: { id: 'crm', name: 'CRM' },
      source: 'backend',
    });
    assert.deepEqual(
      heard.map((c) => [c.entity.version, c.changed, c.source, c.by?.id, c.mutationId]),
      [
        [2, ['phone'], 'client', 'alice', 'mutation-hook'],
        [3, ['name'], 'backend', 'crm', undefined],
      ],
    );
    assert.equal(heard[0]!.at, h.clock.now());
    assert.deepEqual(await Promise.all(readsWhenHeard), [2, 3]);
  });

  test('concurrent updates from many clients to one field: one applied per base, versions in order', async () => {
    h = await startHarness();
    await seed(h);
    const people: UserProfile[] = Array.from({ length: 6 }, (_, i) => ({
      id: `u${i}`,
      name: `User ${i}`,
    }));
    const clients = await Promise.all(people.map((p) => h.connect(p)));
    const watcher = await h.connect(carol);
    await watcher.join(ROOM);
    const answers = await Promise.all(clients.map((c, i) => update(c, { phone: `p${i}` }, 1)));
    assert.equal(answers.filter((f) => f.type === 'entity.ack').length, 1);
    assert.equal(answers.filter((f) => f.type === 'entity.conflict').length, 5);
    // Disjoint fields from the same base all merge.
    const merged = await Promise.all(clients.map((c, i) => update(c, { [`f${i}`]: 'x' }, 1)));
    assert.deepEqual(
      merged.map((f) => f.type),
      Array(6).fill('entity.ack'),
    );
    await watcher.sync();
    assert.deepEqual(
      changesIn(watcher).map((c) => c.payload.entity.version),
      [2, 3, 4, 5, 6, 7, 8],
    );
  });
});

describe('server entities: authorization', () => {
  let h: Harness;
  afterEach(() => h.close());

  const policy =
    (asked: AuthorizeRequest[]) =>
    (request: AuthorizeRequest): boolean => {
      asked.push(request);
      const { user, action, entity } = request;
      // Join itself is allowed: refusing read must be enough to keep bob out of the room.
      if (entity?.id.startsWith('secret') && action !== 'join') return user.id === 'alice';
      if (action === 'write') return user.id !== 'carol';
      return true;
    };

  test('reads and joins of an entity the hook refuses answer forbidden and leak nothing', async () => {
    const asked: AuthorizeRequest[] = [];
    h = await startHarness({ authorize: policy(asked) });
    await h.server.entities.update({
      type: 'customer',
      id: 'secret',
      fields: { name: 'Hidden' },
      source: 'backend',
      create: true,
    });
    const a = await h.connect(alice);
    const b = await h.connect(bob);
    as(await get(a, 'secret'), 'entity.snapshot');
    await a.join('customer:secret');
    assert.equal(errorCode(await get(b, 'secret')), 'forbidden');
    // A refused entity that does not exist is refused too: existence is not revealed.
    assert.equal(errorCode(await get(b, 'secret-missing')), 'forbidden');
    assert.equal(errorCode(await get(a, 'secret-missing')), 'not_found');
    const join = await b.request({ type: 'join', id: 'j-secret', room: 'customer:secret' });
    assert.equal(errorCode(join), 'forbidden');
    as(await update(a, { name: 'Still hidden' }, 1, 'mutation-s1', 'secret'), 'entity.ack');
    await b.sync();
    assert.deepEqual(
      b.frames.filter((f) => f.type !== 'error' && 'room' in f && f.room === 'customer:secret'),
      [],
    );
    assert.ok(
      asked.some(
        (r) =>
          r.action === 'read' &&
          r.room === 'customer:secret' &&
          r.entity?.type === 'customer' &&
          r.entity.id === 'secret' &&
          r.user.id === 'bob',
      ),
      'the hook was asked read with the entity',
    );
  });

  test('writes the hook refuses answer forbidden and change nothing', async () => {
    const asked: AuthorizeRequest[] = [];
    h = await startHarness({ authorize: policy(asked) });
    await seed(h);
    const c = await h.connect(carol);
    as(await get(c), 'entity.snapshot');
    assert.equal(errorCode(await update(c, { phone: '666' }, 1)), 'forbidden');
    assert.equal(as(await get(c), 'entity.snapshot').entity.version, 1);
    assert.ok(asked.some((r) => r.action === 'write' && r.user.id === 'carol'));
  });

  test('a save of an entity the hook lets the user write but not read is refused, and shows nothing of it', async () => {
    const asked: AuthorizeRequest[] = [];
    // dana may write customer:1 (a hook granting write alone) but not read it.
    h = await startHarness({
      authorize: (request) => {
        asked.push(request);
        return !(request.user.id === 'dana' && request.action === 'read');
      },
    });
    await seed(h);
    const changed = await h.server.entities.update({
      type: 'customer',
      id: '42',
      fields: { phone: '200' },
      source: 'backend',
    });
    assert.equal(changed.kind, 'applied');
    const d = await h.connect({ id: 'dana', name: 'Dana' });
    // A fresh base would be acked with the record; a stale one, a conflict carrying its values.
    for (const [base, mutation] of [
      [2, 'mutation-d1'],
      [1, 'mutation-d2'],
    ] as const) {
      const answer = await update(d, { phone: '777' }, base, mutation);
      assert.equal(errorCode(answer), 'forbidden', JSON.stringify(answer));
      assert.ok(!JSON.stringify(answer).includes('Acme'), 'nothing of the record in the refusal');
    }
    assert.deepEqual(
      d.frames.filter((f) => f.type === 'entity.ack' || f.type === 'entity.conflict'),
      [],
    );
    assert.ok(asked.some((r) => r.action === 'read' && r.user.id === 'dana'));
    assert.equal(as(await get(await h.connect(alice)), 'entity.snapshot').entity.version, 2);
  });

  test('an async hook that rejects, or a hook written for join only, still guards entities', async () => {
    h = await startHarness({
      authorize: async ({ action, user }) => {
        if (user.id === 'bob') throw new Error('policy service down');
        return action === 'join' ? user.id !== 'carol' : true;
      },
    });
    await seed(h);
    const b = await h.connect(bob);
    const c = await h.connect(carol);
    assert.equal(errorCode(await get(b)), 'forbidden');
    assert.equal(errorCode(await get(c)), 'forbidden');
    assert.equal(errorCode(await update(c, { phone: '1' }, 1)), 'forbidden');
  });

  test('the default policy allows entity reads and writes', async () => {
    h = await startHarness();
    await seed(h);
    const a = await h.connect(alice);
    as(await get(a), 'entity.snapshot');
    as(await update(a, { phone: '1' }, 1), 'entity.ack');
  });
});

describe('demo seed', () => {
  test('customers, their calls and meetings become entities once, on an empty store', async () => {
    const storage = new SqliteStorage(':memory:');
    const seeded = await seedDemo(storage, { now: 1_000 });
    assert.ok(seeded && seeded.customers > 0 && seeded.calls > 0 && seeded.meetings > 0);
    const customer = await storage.getEntity('customer', '42');
    assert.equal(customer?.version, 1);
    assert.equal(customer?.fields['company'], 'Northwind Logistics');
    assert.equal(customer?.fields['calls'], undefined);
    const call = await storage.getEntity('call', '42-call-1');
    assert.equal(call?.fields['customerId'], '42');
    assert.equal(typeof call?.fields['summary'], 'string');
    const meeting = await storage.getEntity('meeting', '42-meeting-1');
    assert.equal(meeting?.fields['customerId'], '42');
    assert.equal(await seedDemo(storage), undefined, 'not seeded twice');
    await storage.close();
  });

  test('the demo seed logs its calls and meetings as activity, oldest first, once', async () => {
    const storage = new SqliteStorage(':memory:');
    const now = Date.now();
    const seeded = await seedDemo(storage, { now });
    assert.ok(seeded);
    assert.equal(seeded.activity, seeded.calls + seeded.meetings);
    const page = await storage.activity.page(
      { kind: 'customer', entityId: '42' },
      undefined,
      undefined,
      50,
    );
    const kinds = page.items.map((i) => i.kind).sort();
    assert.deepEqual(kinds, [
      ...Array(3).fill('call.logged'),
      ...Array(3).fill('meeting.scheduled'),
    ]);
    const times = page.items.map((i) => i.at);
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
      'newest first by time, as by row',
    );
    assert.ok(
      times.every((t) => t < now),
      'all in the past',
    );
    const discovery = page.items.find((i) => i.summary?.includes('140 drivers'));
    assert.equal(discovery?.actor?.name, 'Ana Souza');
    assert.deepEqual(discovery?.entity, {
      type: 'customer',
      id: '42',
      label: 'Northwind Logistics',
    });
    assert.match(discovery?.summary ?? '', /^Discovery, 12 min\. First call/);
    // Seeding again (not empty) adds nothing.
    assert.equal(await seedDemo(storage), undefined);
    assert.equal(await storage.activity.count(), seeded.activity);
    await storage.close();
  });

  test('rows keep their own ids; invalid ids and field names are skipped', () => {
    const entities = demoEntities(
      [
        { id: 7, name: 'Seven', 'bad name': 1, calls: [{ id: 'c-9', by: 'ana' }, { by: 'ben' }] },
        { id: 'no spaces allowed', name: 'Skipped' },
      ],
      5,
    );
    assert.deepEqual(
      entities.map((e) => `${e.type}:${e.id}`),
      ['customer:7', 'call:c-9', 'call:7-call-2'],
    );
    assert.deepEqual(entities[0]!.fields, { name: 'Seven' });
  });
});

async function until(check: () => Promise<boolean>, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((resolve) => setImmediate(resolve));
  }
}
