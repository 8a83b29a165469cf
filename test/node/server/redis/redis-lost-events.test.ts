/**
 * A save committed but never announced must not leave the room's members silently stale, with
 * several processes on one Redis: Redis refusing writes (maxmemory: the save is not committed),
 * Redis refusing the publish after the commit, a process gone between its commit and its publish
 * (the writer's retry announces it; redis-process-death.test.ts: without one), a process stopped (SIGTERM)
 * while a save is still in its transaction, and a Redis password that is wrong at start.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { MemoryOutboxStore, RealtimeClient } from '../../../../src/client/index.js';
import type { ServerFrame } from '../../../../src/protocol/index.js';
import type { NotificationRepository } from '../../../../src/server/notifications/notification-repository.js';
import type { SqliteStorage } from '../../../../src/server/sqlite-storage.js';
import type { Storage } from '../../../../src/server/storage.js';
import { startPostgres, type PostgresInstance } from '../../../services/postgres.js';
import { startRedis, type RedisInstance } from '../../../services/redis.js';
import { realClientOptions } from '../../helpers/real-client.js';
import { alice, bob } from '../../helpers/server-harness.js';
import { nextId, until } from '../../helpers/server-client.js';
import { sharedStorage, startCluster, type Cluster } from './cluster.js';

const ROOM = 'customer:42';

function save(mutationId: string, status: string) {
  return {
    type: 'entity.update',
    id: nextId('u'),
    mutationId,
    entityType: 'customer',
    entityId: '42',
    baseVersion: 1,
    fields: { status },
  } as const;
}

const changeOf =
  (mutationId: string) =>
  (f: ServerFrame): boolean =>
    f.type === 'event' &&
    f.event === 'entity.change' &&
    (f.payload as { mutationId?: string }).mutationId === mutationId;

/** Waits (bounded) until the node's /healthz answers `status`. */
async function healthBecomes(url: string, status: number): Promise<void> {
  const base = url.replace('ws://', 'http://').replace('/realtime', '');
  const deadline = Date.now() + 5000;
  let last = 0;
  while ((last = (await fetch(`${base}/healthz`)).status) !== status && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.equal(last, status, `/healthz answers ${status}`);
}

describe('a committed save whose publish failed', () => {
  let cluster: Cluster | undefined;
  let admin: Redis | undefined;
  afterEach(async () => {
    await admin?.config('SET', 'maxmemory', '0').catch(() => {});
    await admin?.acl('SETUSER', 'default', '+@all').catch(() => {});
    admin?.disconnect();
    await cluster?.close();
    admin = undefined;
    cluster = undefined;
  });

  it('Redis refusing writes (maxmemory): the save is not committed, and its retry is applied once Redis takes writes', async () => {
    const storage = await sharedStorage();
    cluster = await startCluster(2, { storage });
    const [writerNode, watcherNode] = cluster.nodes as [
      (typeof cluster.nodes)[0],
      (typeof cluster.nodes)[0],
    ];
    admin = new Redis(cluster.redis.url);
    const writer = await writerNode.connect(alice);
    const watcher = await watcherNode.connect(bob);
    await writer.join(ROOM);
    await watcher.join(ROOM);

    // Redis at its memory limit refuses the mark a change needs before its commit (see
    // `Bus.willPublish`): nothing is committed that could not be announced, and the answer to
    // this very request says to retry.
    await admin.config('SET', 'maxmemory', '1');
    const refused = await writer.request(save('mutation-oom', 'refused-live'));
    assert.equal(refused.type, 'error', JSON.stringify(refused));
    assert.equal(refused.type === 'error' && refused.code, 'internal');
    assert.match(refused.type === 'error' ? refused.message : '', /change not saved: .*retry/);
    assert.equal((await storage.getEntity('customer', '42'))?.version, 1, 'nothing committed');

    // Redis takes writes again: the same save, sent again, is applied and reaches the watcher.
    await admin.config('SET', 'maxmemory', '0');
    const announced = watcher.upcoming(changeOf('mutation-oom'), 5000);
    const ack = await writer.request(save('mutation-oom', 'refused-live'));
    assert.equal(ack.type === 'entity.ack' && ack.duplicate, false, JSON.stringify(ack));
    await announced;
  });

  it('a publish refused after the commit: members on every process resume with gap; the retry announces it', async () => {
    const storage = await sharedStorage();
    cluster = await startCluster(2, { storage });
    const [writerNode, watcherNode] = cluster.nodes as [
      (typeof cluster.nodes)[0],
      (typeof cluster.nodes)[0],
    ];
    admin = new Redis(cluster.redis.url);
    const writer = await writerNode.connect(alice);
    const watcher = await watcherNode.connect(bob);
    const writerJoined = await writer.join(ROOM);
    const watcherJoined = await watcher.join(ROOM);

    // Redis takes the change's mark but refuses its scripts (the publish): the save commits, and
    // its publish fails.
    await admin.acl('SETUSER', 'default', '-eval', '-evalsha');
    writer.send(save('mutation-oom', 'refused-live'));
    // The process that lost the event tells its members at once (they resume) …
    assert.equal((await writer.waitClosed(5000)).code, 1001);
    assert.equal((await storage.getEntity('customer', '42'))?.version, 2, 'the save committed');
    // … and says it cannot announce work while the loss is not recorded in Redis.
    await healthBecomes(writerNode.url, 503);

    // Redis runs scripts again: the loss is recorded (its retry runs on the process's clock), and
    // the other process's member is told to resume.
    await admin.acl('SETUSER', 'default', '+@all');
    const watcherClosed = watcher.waitClosed(5000);
    await cluster.clock.advance(1000);
    assert.equal((await watcherClosed).code, 1001, 'the member on the other process resumes');
    await healthBecomes(writerNode.url, 200);

    // Wherever they resume, `since` from before the loss is a gap: they re-read the entity.
    const watcherBack = await watcherNode.connect(bob);
    assert.equal((await watcherBack.join(ROOM, { since: watcherJoined.seq })).resume, 'gap');
    const writerBack = await watcherNode.connect(alice);
    assert.equal((await writerBack.join(ROOM, { since: writerJoined.seq })).resume, 'gap');

    // The writer never had its ack and sends the save again: `duplicate`, and announced now.
    const announced = watcherBack.upcoming(changeOf('mutation-oom'), 5000);
    const ack = await writerBack.request(save('mutation-oom', 'refused-live'));
    assert.equal(ack.type === 'entity.ack' && ack.duplicate, true);
    const change = await announced;
    assert.equal(
      change.type === 'event' && (change.payload as { entity: { version: number } }).entity.version,
      2,
    );
  });

  it("a process gone between commit and publish: the writer's retry announces it to every process", async () => {
    const storage = await sharedStorage();
    cluster = await startCluster(2, { storage });
    const [writerNode, watcherNode] = cluster.nodes as [
      (typeof cluster.nodes)[0],
      (typeof cluster.nodes)[0],
    ];
    const watcher = await watcherNode.connect(bob);
    await watcher.join(ROOM);
    // A browser client watching the record on the other process: a repeated change is harmless.
    const client = new RealtimeClient(
      realClientOptions(watcherNode.url, {
        devUser: { id: 'carol', name: 'Carol' },
        clientId: 'carol-device',
        outbox: new MemoryOutboxStore(),
      }),
    );
    try {
      const live = client.liveData({ entityType: 'customer', entityId: '42' });
      await until(() => live.status === 'ready', 5000, 'live data ready');
      assert.equal(live.version, 1);

      // What the process that died did: the commit, and nothing else.
      const committed = await storage.writeEntity({
        type: 'customer',
        id: '42',
        fields: { status: 'crashed' },
        baseVersion: 1,
        mutationId: 'mutation-crash',
        by: alice,
        source: 'client',
        at: Date.now(),
      });
      assert.equal(committed.outcome, 'applied');

      const writer = await writerNode.connect(alice);
      await writer.join(ROOM);
      const announced = watcher.upcoming(changeOf('mutation-crash'), 5000);
      const ack = await writer.request(save('mutation-crash', 'crashed'));
      assert.equal(ack.type === 'entity.ack' && ack.duplicate, true, JSON.stringify(ack));
      await announced;
      await until(() => live.version === 2, 5000, 'the browser client has version 2');
      assert.equal(live.data['status'], 'crashed');

      // Sent once more (another retry) to the same process: answered, not announced again there
      // (once per change per process: a replay is small, the event the whole entity).
      const sameProcess = await writer.request(save('mutation-crash', 'crashed'));
      assert.equal(sameProcess.type === 'entity.ack' && sameProcess.duplicate, true);
      // To the other process: announced once there, and ignored by who has that version.
      let updates = 0;
      const off = live.subscribe(() => (updates += 1));
      const again = watcher.upcoming(changeOf('mutation-crash'), 5000);
      const elsewhere = await watcherNode.connect(alice, 'alice-other');
      const repeated = await elsewhere.request(save('mutation-crash', 'crashed'));
      assert.equal(repeated.type === 'entity.ack' && repeated.duplicate, true);
      const second = await again;
      await until(
        () => client.lastSeq(ROOM) === (second.type === 'event' ? second.seq : -1),
        5000,
        'the browser client received the repeated change',
      );
      off();
      assert.equal(live.version, 2);
      assert.equal(live.data['status'], 'crashed');
      assert.equal(live.status, 'ready');
      assert.equal(updates, 0, 'the repeated change changes nothing the page sees');
    } finally {
      client.close();
    }
  });
});

/**
 * A slow database over the shared store (which stays open): its saves take `saveMs`, or with
 * 'until closed' wait until it is closed, as a PostgreSQL pool's end waits for the transaction it
 * is still running (which then commits); its notification inserts take `notificationMs`.
 */
function slowStore(
  inner: SqliteStorage,
  { saveMs, notificationMs }: { saveMs: number | 'until closed'; notificationMs: number },
): Storage {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  if (saveMs !== 'until closed') setTimeout(release, saveMs);
  const writing: Promise<unknown>[] = [];
  const notifications = inner.notifications;
  const slowNotifications: NotificationRepository = new Proxy(notifications, {
    get(target, prop) {
      if (prop === 'insert') {
        return async (...args: Parameters<NotificationRepository['insert']>) => {
          // A slow database, not a wait in the test: shutdown must wait for it.
          await new Promise((resolve) => setTimeout(resolve, notificationMs));
          return target.insert(...args);
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
  return new Proxy(inner, {
    get(target, prop) {
      if (prop === 'writeEntity') {
        return (write: Parameters<Storage['writeEntity']>[0]) => {
          const done = gate.then(() => target.writeEntity(write));
          writing.push(done);
          return done;
        };
      }
      if (prop === 'close') {
        return async () => {
          release();
          await Promise.allSettled(writing);
        };
      }
      if (prop === 'notifications') return slowNotifications;
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  }) as unknown as Storage;
}

describe('shutdown with a save still in its transaction', () => {
  let cluster: Cluster | undefined;
  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
  });

  /** A process that will be stopped with a save under way, and a watcher on another one. */
  async function stoppingWithSave(
    slow: Parameters<typeof slowStore>[1],
    shutdownTimeoutMs: number,
  ) {
    const storage = await sharedStorage();
    cluster = await startCluster(1, { storage });
    const watcherNode = cluster.nodes[0]!;
    const stopping = await cluster.add({
      storage: slowStore(storage, slow),
      notifications: { notifyWatchersOnChange: true },
      shutdownTimeoutMs,
    });
    const watcher = await watcherNode.connect(bob);
    await watcher.join(ROOM);
    await watcher.join('user:bob');
    const writer = await stopping.connect(alice);
    await writer.join(ROOM);
    // The stopping process sees the watcher in the room (its watcher rule notifies them).
    await until(
      () => stopping.server.stats().presenceRooms > 0,
      5000,
      'the stopping process mirrors the room',
    );

    const changed = watcher.upcoming(changeOf('mutation-term'), 10_000);
    const notified = watcher.upcoming(
      (f) => f.type === 'event' && f.event === 'notification' && f.room === 'user:bob',
      10_000,
    );
    // Neither is an unhandled rejection when a test awaits only one.
    changed.catch(() => {});
    notified.catch(() => {});
    writer.send(save('mutation-term', 'during-restart'));
    await until(() => stopping.server.entities.pending > 0, 5000, 'the save under way');
    return { storage, stopping, changed, notified };
  }

  it('closes the store before the bus: a save committed past the timeout still reaches the other process', async () => {
    const { storage, stopping, changed } = await stoppingWithSave(
      { saveMs: 'until closed', notificationMs: 0 },
      500,
    );
    // SIGTERM: the save outlasts the shutdown timeout (500 ms) and commits when the store closes.
    await stopping.server.close();
    assert.equal((await storage.getEntity('customer', '42'))?.version, 2, 'the save committed');
    await changed;
  });

  it("waits for what a save sets off: its watchers' notification is delivered before the bus closes", async () => {
    // Within the timeout (3 s): the save takes 100 ms, storing its notification 300 ms more.
    const { stopping, changed, notified } = await stoppingWithSave(
      { saveMs: 100, notificationMs: 300 },
      3000,
    );
    await stopping.server.close();
    await changed;
    await notified;
  });
});

describe('a wrong Redis password at start', () => {
  let redis: RedisInstance | undefined;
  let dir: string | undefined;
  // Processes on Redis must share a PostgreSQL database (the start refuses otherwise).
  let pg: PostgresInstance;
  let databases = 0;
  before(async () => {
    pg = await startPostgres();
  });
  after(() => pg.dispose());
  afterEach(async () => {
    await redis?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
    redis = undefined;
    dir = undefined;
  });

  for (const [what, credentials] of [
    ['a wrong password (WRONGPASS)', ':not-the-password@'],
    ['no password where one is required (NOAUTH)', ''],
  ] as const) {
    it(`${what} stops the start with exit 2 and a message naming it`, async () => {
      redis = await startRedis();
      const admin = new Redis(redis.url);
      await admin.config('SET', 'requirepass', 'the-password');
      admin.disconnect();
      dir = mkdtempSync(join(tmpdir(), 'crm-redis-auth-'));
      const child = spawn(
        process.execPath,
        [
          ...['--import', 'tsx', 'src/server/main.ts'],
          ...['--dev', '--no-seed', '--port', '0', '--host', '127.0.0.1', '--data-dir', dir],
        ],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
          env: {
            ...process.env,
            CRM_API_KEYS: '',
            CRM_DATABASE_URL: await pg.createDatabase(`redis_auth_${++databases}`),
            CRM_REDIS_URL: `redis://${credentials}127.0.0.1:${redis.port}`,
          },
        },
      );
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      // A hang limit: without the fix the process listens and retries forever.
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const [code] = (await once(child, 'exit')) as [number | null];
      clearTimeout(timer);
      assert.equal(code, 2, output);
      assert.match(output, /Redis refused the credentials/);
      assert.doesNotMatch(output, /not-the-password/, 'the password is not shown');
      assert.doesNotMatch(output, /WebSocket:/, 'it never listened');
    });
  }
});
