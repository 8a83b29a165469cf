/**
 * The server end to end on PostgreSQL (`createServer({ databaseUrl })`): a client's entity update
 * reaches another member over a real WebSocket, a notification and the change's activity item are
 * stored, and a restarted server on the same database still has all three. The activity item is
 * written in the change's own transaction there too: when PostgreSQL refuses the item, the change
 * is not committed either.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { entityRoom, type FrameOf, type ServerFrame } from '../../../../src/protocol/index.js';
import { createServer, type RealtimeServer } from '../../../../src/server/server.js';
import { startPostgres, type PostgresInstance } from '../../../services/postgres.js';
import { nextId, TestClient } from '../../helpers/server-client.js';

const alice = { id: 'alice', name: 'Alice Martin' };
const bob = { id: 'bob', name: 'Bob Chen' };

let postgres: PostgresInstance;
before(async () => {
  postgres = await startPostgres();
});
after(() => postgres.dispose());

async function start(databaseUrl: string): Promise<{ server: RealtimeServer; url: string }> {
  const server = createServer({
    auth: { devIdentities: true },
    quiet: true,
    databaseUrl,
    shutdownTimeoutMs: 500,
  });
  const { port } = await server.listen(0, '127.0.0.1');
  return { server, url: `ws://127.0.0.1:${port}/realtime` };
}

function snapshot(frame: ServerFrame): FrameOf<ServerFrame, 'entity.snapshot'> {
  assert.equal(frame.type, 'entity.snapshot', JSON.stringify(frame));
  return frame as FrameOf<ServerFrame, 'entity.snapshot'>;
}

async function stored(client: TestClient): Promise<{
  entity: FrameOf<ServerFrame, 'entity.snapshot'>['entity'];
  notifications: string[];
  activity: string[];
}> {
  const entity = snapshot(
    await client.request({
      type: 'entity.get',
      id: nextId('g'),
      entityType: 'customer',
      entityId: '42',
    }),
  ).entity;
  const notifications = await client.request({ type: 'notification.list', id: nextId('n') });
  assert.equal(notifications.type, 'notification.page', JSON.stringify(notifications));
  const activity = await client.request({
    type: 'activity.list',
    id: nextId('a'),
    feed: { kind: 'customer', entityId: '42' },
  });
  assert.equal(activity.type, 'activity.page', JSON.stringify(activity));
  return {
    entity,
    notifications:
      notifications.type === 'notification.page' ? notifications.items.map((n) => n.title) : [],
    activity:
      activity.type === 'activity.page'
        ? activity.items.map((i) => `${i.kind} ${i.actor?.id ?? '-'}`)
        : [],
  };
}

describe('the server on PostgreSQL', () => {
  test('an update, a notification and activity over a real WebSocket; a restart keeps them', async () => {
    const databaseUrl = await postgres.createDatabase('server_e2e');
    let running = await start(databaseUrl);
    const created = await running.server.entities.update({
      type: 'customer',
      id: '42',
      fields: { name: 'Acme', phone: '+33 1' },
      source: 'backend',
      create: true,
    });
    assert.equal(created.kind, 'applied');
    const a = await TestClient.connect(running.url, { user: alice });
    const b = await TestClient.connect(running.url, { user: bob });
    await b.join(entityRoom('customer', '42'));
    const seen = b.upcoming((f) => f.type === 'event' && f.event === 'entity.change');
    const ack = await a.request({
      type: 'entity.update',
      id: nextId('u'),
      mutationId: 'pg-e2e-1',
      entityType: 'customer',
      entityId: '42',
      baseVersion: 1,
      fields: { phone: '+33 2' },
    });
    assert.equal(ack.type, 'entity.ack', JSON.stringify(ack));
    const event = await seen;
    assert.ok(event.type === 'event');
    assert.equal((event.payload as { entity: { version: number } }).entity.version, 2);
    await running.server.notifications.send({
      target: { user: 'bob' },
      type: 'info',
      priority: 'normal',
      title: 'Call Acme back',
    });
    const before = await stored(b);
    assert.equal(before.entity.version, 2);
    assert.equal(before.entity.fields['phone'], '+33 2');
    assert.deepEqual(before.notifications, ['Call Acme back']);
    assert.equal(before.activity.filter((line) => line.endsWith(' alice')).length, 1);
    a.ws.terminate();
    b.ws.terminate();
    await running.server.close();

    running = await start(databaseUrl);
    const again = await TestClient.connect(running.url, { user: bob });
    assert.deepEqual(await stored(again), before);
    // The replayed mutation is still a duplicate after the restart.
    const replay = await again.request({
      type: 'entity.update',
      id: nextId('u'),
      mutationId: 'pg-e2e-1',
      entityType: 'customer',
      entityId: '42',
      baseVersion: 1,
      fields: { phone: '+33 2' },
    });
    assert.ok(replay.type === 'entity.ack' && replay.duplicate === true, JSON.stringify(replay));
    again.ws.terminate();
    await running.server.close();
  });

  test('a change whose activity item PostgreSQL refuses is not committed either', async () => {
    const databaseUrl = await postgres.createDatabase('server_tx');
    const { server } = await start(databaseUrl);
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const count = async (sql: string): Promise<number> =>
        Number((await db.query<{ n: string }>(sql)).rows[0]!.n);
      const first = await server.entities.update({
        type: 'customer',
        id: 'tx-1',
        fields: { name: 'Acme' },
        source: 'backend',
        create: true,
        mutationId: 'tx-m-1',
      });
      assert.equal(first.kind, 'applied');
      assert.equal(await count(`SELECT COUNT(*) AS n FROM activity WHERE entity_id = 'tx-1'`), 1);
      await db.query(`CREATE FUNCTION refuse_activity() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN RAISE EXCEPTION 'activity refused'; END $$`);
      await db.query(`CREATE TRIGGER refuse_activity BEFORE INSERT ON activity
        FOR EACH ROW EXECUTE FUNCTION refuse_activity()`);
      const write = {
        type: 'customer',
        id: 'tx-1',
        fields: { name: 'Acme Corp' },
        baseVersion: 1,
        mutationId: 'tx-m-2',
        source: 'client' as const,
        by: alice,
      };
      await assert.rejects(server.entities.update(write), /activity refused/);
      await db.query('DROP TRIGGER refuse_activity ON activity');
      const entity = await server.entities.get('customer', 'tx-1');
      assert.equal(entity?.version, 1, 'the entity is as before');
      assert.equal(await count(`SELECT COUNT(*) AS n FROM entity_changes WHERE id = 'tx-1'`), 1);
      assert.equal(
        await count(`SELECT COUNT(*) AS n FROM mutations WHERE mutation_id = 'tx-m-2'`),
        0,
      );
      const retry = await server.entities.update(write);
      assert.ok(retry.kind === 'applied' && !retry.duplicate && retry.entity.version === 2);
      assert.equal(await count(`SELECT COUNT(*) AS n FROM activity WHERE entity_id = 'tx-1'`), 2);
    } finally {
      await db.end();
      await server.close();
    }
  });
});
