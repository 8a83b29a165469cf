/**
 * A process that dies between a save's commit and its publish, with several processes on one
 * Redis, and a writer that never sends the save again (a closed tab, an HTTP API caller that does
 * not retry): the change is in the database, and the people watching the record on the other
 * processes must not go on showing the old value. The process marks, in Redis, each room it is
 * about to commit a change for; when its alive key expires, the process that notices spends the
 * room's next number on the lost event, so the members resume, get `gap` and re-read the record.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { MemoryOutboxStore, RealtimeClient } from '../../../../src/client/index.js';
import type { SqliteStorage } from '../../../../src/server/sqlite-storage.js';
import type { Storage } from '../../../../src/server/storage.js';
import { realClientOptions } from '../../helpers/real-client.js';
import { alice, bob } from '../../helpers/server-harness.js';
import { nextId, until } from '../../helpers/server-client.js';
import { sharedStorage, startCluster, type Cluster } from './cluster.js';

const ROOM = 'customer:42';

/** Polls an async condition (a Redis or database read) until it holds, bounded. */
async function eventually(
  condition: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * The store of a process that dies right after a commit: the write commits, and its caller never
 * hears back (the process is gone, so it never publishes). `release()` lets it answer, so the
 * test's clean-up can close the server.
 */
function freezesAfterCommit(inner: SqliteStorage): { storage: Storage; release: () => void } {
  let release!: () => void;
  const thawed = new Promise<void>((resolve) => (release = resolve));
  const storage = new Proxy(inner, {
    get(target, prop) {
      if (prop === 'writeEntity') {
        return async (write: Parameters<Storage['writeEntity']>[0]) => {
          const result = await target.writeEntity(write);
          await thawed;
          return result;
        };
      }
      if (prop === 'close') return async () => {};
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  }) as unknown as Storage;
  return { storage, release };
}

describe('a process gone between commit and publish, the writer never retrying', () => {
  let cluster: Cluster | undefined;
  let admin: Redis | undefined;
  let client: RealtimeClient | undefined;
  let thaw: (() => void) | undefined;
  afterEach(async () => {
    client?.close();
    thaw?.();
    admin?.disconnect();
    await cluster?.close();
    client = undefined;
    thaw = undefined;
    admin = undefined;
    cluster = undefined;
  });

  it('the members on the other processes re-read the record and show the committed value', async () => {
    const storage = await sharedStorage();
    // The survivor looks for dead processes often (its heartbeat); the one that dies never beats
    // again after its first, so its alive key goes only when the test takes it away.
    cluster = await startCluster(1, { storage, redisHeartbeatMs: 50 });
    admin = new Redis(cluster.redis.url);
    const survivorNode = cluster.nodes[0]!;
    await eventually(
      async () => (await admin!.scard('crm:processes')) === 1,
      5000,
      'the survivor is registered',
    );
    const [survivorId] = await admin.smembers('crm:processes');
    const frozen = freezesAfterCommit(storage);
    thaw = frozen.release;
    const dyingNode = await cluster.add({ storage: frozen.storage, redisHeartbeatMs: 3_600_000 });
    await eventually(
      async () => (await admin!.scard('crm:processes')) === 2,
      5000,
      'the dying process is registered',
    );
    const dyingId = (await admin.smembers('crm:processes')).find((id) => id !== survivorId)!;

    // Someone has the record open on the survivor, in a browser client.
    client = new RealtimeClient(
      realClientOptions(survivorNode.url, {
        devUser: bob,
        clientId: 'bob-device',
        outbox: new MemoryOutboxStore(),
      }),
    );
    const live = client.liveData({ entityType: 'customer', entityId: '42' });
    await until(() => live.status === 'ready', 5000, 'live data ready');
    assert.equal(live.version, 1);

    // A save reaches the other process: it commits, and the process dies before it publishes.
    const writer = await dyingNode.connect(alice);
    await writer.join(ROOM);
    writer.send({
      type: 'entity.update',
      id: nextId('u'),
      mutationId: 'mutation-died',
      entityType: 'customer',
      entityId: '42',
      baseVersion: 1,
      fields: { status: 'committed-then-died' },
    });
    await eventually(
      async () => (await storage.getEntity('customer', '42'))?.version === 2,
      5000,
      'the save committed',
    );
    // Its alive key expires (kill -9: nobody renews it); the writer's tab is gone for good.
    writer.ws.terminate();
    await admin.del(`crm:alive:${dyingId}`);

    await until(
      () => live.version === 2 && live.data['status'] === 'committed-then-died',
      10_000,
      'the watcher on the survivor shows the committed value',
    );
  });
});
