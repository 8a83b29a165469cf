/**
 * Redis connected but refusing writes (`maxmemory` reached under `noeviction`, or a replica's
 * READONLY after a failover): every join, save and presence write fails, and this process's alive
 * key lapses. `/healthz` must say so, or a balancer keeps sending clients to a process that can
 * serve none of them; and it must say ready again once Redis takes writes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createServer, type RealtimeServer } from '../../../../src/server/server.js';
import { startRedis, type RedisInstance } from '../../../services/redis.js';
import { readiness } from '../../helpers/metrics.js';
import { alice } from '../../helpers/server-harness.js';
import { nextId, TestClient, upgradeStatus } from '../../helpers/server-client.js';

describe('Redis refusing writes', () => {
  let redis: RedisInstance;
  let admin: Redis;
  let server: RealtimeServer;
  let base = '';
  const clients: TestClient[] = [];

  const health = async (): Promise<number> => (await fetch(`http://${base}/healthz`)).status;
  async function waitHealth(status: number): Promise<void> {
    // A hang limit, not a speed check: the process heartbeat runs every 100 ms here.
    const deadline = Date.now() + 20_000;
    let last = 0;
    while ((last = await health()) !== status && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(last, status, `/healthz answers ${status}`);
  }

  before(async () => {
    redis = await startRedis();
    admin = new Redis(redis.url);
    server = createServer({
      auth: { devIdentities: true },
      quiet: true,
      heartbeatMs: 3_600_000,
      shutdownTimeoutMs: 500,
      redisUrl: redis.url,
      redisHeartbeatMs: 100,
    });
    const { port } = await server.listen(0, '127.0.0.1');
    base = `127.0.0.1:${port}`;
  });

  after(async () => {
    for (const c of clients) c.ws.terminate();
    await server.close();
    admin.disconnect();
    await redis.dispose();
  });

  it('answers 503 while Redis refuses writes (OOM), and 200 once it takes them again', async () => {
    await waitHealth(200);
    const client = await TestClient.connect(`ws://${base}/realtime`, { user: alice });
    clients.push(client);
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    await admin.config('SET', 'maxmemory', '1');
    try {
      await waitHealth(503);

      // Not ready indeed: a join cannot be done …
      const answer = await client.request({
        type: 'join',
        id: nextId('join'),
        room: 'customer:oom',
      });
      assert.equal(answer.type, 'error');
      // … so a new socket is refused, for a balancer to send it to a process that can serve it.
      assert.deepEqual(await upgradeStatus(`ws://${base}/realtime`), {
        status: 503,
        retryAfter: '5',
      });
    } finally {
      await admin.config('SET', 'maxmemory', '0');
    }
    await waitHealth(200);
    assert.equal((await upgradeStatus(`ws://${base}/realtime`)).status, 101);
  });

  it('reports it on /metrics: redis down and not ready while it refuses writes, up again after', async () => {
    await waitHealth(200);
    assert.deepEqual(await readiness(base), { ready: 1, database: 1, redis: 1 });
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    await admin.config('SET', 'maxmemory', '1');
    try {
      await waitHealth(503);
      assert.deepEqual(await readiness(base), { ready: 0, database: 1, redis: 0 });
    } finally {
      await admin.config('SET', 'maxmemory', '0');
    }
    await waitHealth(200);
    assert.deepEqual(await readiness(base), { ready: 1, database: 1, redis: 1 });
  });
});
