/**
 * A user cut off stays cut off for the whole revocation TTL when Redis loses its data: restarted
 * without persistence (`--save ''`, as the test Redis runs), or flushed while the processes stay
 * connected. The database holds the revocations; the processes fill Redis from it again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { SignJWT } from 'jose';
import { nextId, TestClient } from '../../helpers/server-client.js';
import { sharedStorage, startCluster, type Cluster, type Node } from './cluster.js';

const SECRET = 'redis-revocations-lost-secret-of-32-bytes-or-more';
const KEY = 'redis-revocations-lost-key';

let cluster: Cluster;
before(async () => {
  cluster = await startCluster(2, {
    auth: { jwtSecret: SECRET, revocationTtlS: 3600 },
    apiKeys: [KEY],
    // Every process of a deployment shares one database (PostgreSQL in production).
    storage: await sharedStorage(),
  });
});
after(async () => {
  await cluster?.close();
});

function token(sub: string): Promise<string> {
  const now = Math.floor(cluster.clock.now() / 1000);
  return new SignJWT({ name: sub })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt(now)
    .setExpirationTime(now + 7200)
    .sign(new TextEncoder().encode(SECRET));
}

/** The code of the error a hello with this token is answered with; '' when it is welcomed. */
async function hello(node: Node, jwt: string): Promise<string> {
  const client = await TestClient.open(node.url);
  cluster.clients.push(client);
  client.send({ type: 'hello', id: 'h', v: 1, clientId: nextId('d'), token: jwt });
  const answer = await client.next((f) => 'replyTo' in f && f.replyTo === 'h');
  return answer.type === 'error' ? answer.code : '';
}

async function disconnect(node: Node, user: string): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${node.server.port}/api/users/${user}/disconnect`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}` },
  });
  assert.equal(res.status, 200, await res.text());
}

async function health(node: Node): Promise<number> {
  return (await fetch(`http://127.0.0.1:${node.server.port}/healthz`)).status;
}

/** Polls every process's `/healthz` until it answers `status` (a hang limit, not a speed check). */
async function waitHealth(status: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (const node of cluster.nodes) {
    let last = 0;
    while ((last = await health(node)) !== status && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(last, status, `/healthz answers ${status}`);
  }
}

describe('revocations when Redis loses its data', () => {
  test('a Redis restarted empty still refuses the revoked tokens, on every process', async () => {
    const [a, b] = cluster.nodes as [Node, Node];
    const old = await token('alice');
    assert.equal(await hello(b, old), '');
    await disconnect(a, 'alice');
    assert.equal(await hello(b, old), 'invalid_token');

    await cluster.redis.stop();
    await waitHealth(503);
    await cluster.redis.restart(); // no persistence: every key is gone
    await waitHealth(200);

    assert.equal(await hello(a, old), 'invalid_token');
    assert.equal(await hello(b, old), 'invalid_token');
    // A process started after the restart, which never heard the disconnect, too.
    const c = await cluster.add();
    assert.equal(await hello(c, old), 'invalid_token');
    // Others are not refused, and alice signed in again later is welcome.
    assert.equal(await hello(b, await token('bob')), '');
    await cluster.clock.advance(1000);
    assert.equal(await hello(b, await token('alice')), '');
  });

  test('a Redis flushed under running processes still refuses them', async () => {
    const [a, b] = cluster.nodes as [Node, Node];
    await cluster.clock.advance(1000);
    const old = await token('carol');
    await disconnect(b, 'carol');
    const admin = new Redis(cluster.redis.url, { lazyConnect: true });
    try {
      await admin.connect();
      await admin.flushall();
    } finally {
      admin.disconnect();
    }
    assert.equal(await hello(a, old), 'invalid_token');
    assert.equal(await hello(b, old), 'invalid_token');
    // One that never heard the disconnect reads it from Redis, filled again from the database.
    const c = await cluster.add();
    assert.equal(await hello(c, old), 'invalid_token');
  });

  test('a revocation ends with its TTL and is swept; the hash never expires', async () => {
    const [a] = cluster.nodes as [Node];
    await cluster.clock.advance(1000);
    const old = await token('dana');
    await disconnect(a, 'dana');
    await cluster.clock.advance(3_600_000);
    assert.equal(await hello(a, old), '');
    await disconnect(a, 'erin'); // the next write sweeps the expired ones
    const admin = new Redis(cluster.redis.url, { lazyConnect: true });
    try {
      await admin.connect();
      const fields = Object.keys(await admin.hgetall('crm:revocations'));
      assert.ok(fields.includes('u:erin') && !fields.includes('u:dana'), fields.join());
      assert.deepEqual(await admin.zrange('crm:revocations-until', 0, -1), ['u:erin']);
      // No expiry: a `volatile-*` eviction policy never takes the revocations.
      assert.equal(await admin.pttl('crm:revocations'), -1);
    } finally {
      admin.disconnect();
    }
  });
});
