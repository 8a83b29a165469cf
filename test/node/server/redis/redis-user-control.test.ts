/**
 * Cutting a user off and re-checking their rooms across processes: two servers on one Redis, the
 * backend calls one of them, and the user's connections on the other are closed or taken out of
 * the refused room; the revocation is kept in Redis, so every process (one started afterwards
 * included) refuses the old tokens; a field the callback shows again reaches the user on the other
 * process too.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import type { AuthorizeHook } from '../../../../src/server/authorize.js';
import { nextId, TestClient } from '../../helpers/server-client.js';
import { sharedStorage, startCluster, type Cluster, type Node } from './cluster.js';

const SECRET = 'redis-user-control-secret-of-32-bytes-or-more';
const KEY = 'redis-user-control-key';

/** `<user> <room>` pairs the processes' hook refuses (this memory stands for the CRM's). */
const refused = new Set<string>();
const hook: AuthorizeHook = ({ user, room }) => !refused.has(`${user.id} ${room}`);

let cluster: Cluster;
before(async () => {
  cluster = await startCluster(2, {
    auth: { jwtSecret: SECRET, devIdentities: true, revocationTtlS: 3600 },
    apiKeys: [KEY],
    authorize: hook,
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

async function connect(node: Node, jwt: string): Promise<TestClient> {
  const client = await TestClient.connect(node.url, { token: jwt, clientId: nextId('device-') });
  cluster.clients.push(client);
  return client;
}

async function refusedBy(node: Node, jwt: string): Promise<string> {
  const client = await TestClient.open(node.url);
  cluster.clients.push(client);
  client.send({ type: 'hello', id: 'h', v: 1, clientId: 'd', token: jwt });
  const answer = await client.next((f) => 'replyTo' in f && f.replyTo === 'h');
  assert.equal(answer.type, 'error', JSON.stringify(answer));
  return answer.type === 'error' ? answer.code : '';
}

async function post(node: Node, path: string): Promise<Record<string, unknown>> {
  const res = await fetch(`http://127.0.0.1:${node.server.port}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}` },
  });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  return JSON.parse(text) as Record<string, unknown>;
}

describe('on Redis, across processes', () => {
  test('a disconnect asked of one process closes the user on the other and revokes everywhere', async () => {
    const [a, b] = cluster.nodes as [Node, Node];
    const old = await token('alice');
    const onB = await connect(b, old);
    const bystander = await connect(b, await token('bob'));

    const answer = await post(a, '/api/users/alice/disconnect');
    assert.equal(answer.connections, 0); // none on the process that was asked

    const error = await onB.next((f) => f.type === 'error');
    assert.equal(error.type === 'error' && error.code, 'invalid_token');
    assert.equal((await onB.waitClosed()).code, 1008);
    await bystander.sync();

    assert.equal(await refusedBy(a, old), 'invalid_token');
    assert.equal(await refusedBy(b, old), 'invalid_token');
    // A process started after the disconnect reads the revocation from Redis.
    const c = await cluster.add();
    assert.equal(await refusedBy(c, old), 'invalid_token');

    await cluster.clock.advance(1000);
    await connect(b, await token('alice')); // signed in again
  });

  test('permissions-changed asked of one process takes the user out of the room on the other', async () => {
    const [a, b] = cluster.nodes as [Node, Node];
    const carol = await connect(a, await token('carol'));
    const user = await connect(b, await token('dana'));
    await user.join('deal:9');
    await user.join('deal:10');
    await carol.join('deal:9');

    refused.add('dana deal:9');
    const answer = await post(a, '/api/users/dana/permissions-changed');
    assert.equal(answer.connections, 0);

    const error = await user.next((f) => f.type === 'error');
    assert.equal(error.type === 'error' && error.code, 'forbidden');
    assert.equal(error.type === 'error' && error.room, 'deal:9');
    assert.equal(error.type === 'error' && error.removed, true);
    await carol.next(
      (f) => f.type === 'presence.diff' && f.room === 'deal:9' && f.remove.includes('dana'),
    );
    // Carol's events in deal:9 no longer reach her; deal:10 still does.
    const from = user.frames.length;
    await carol.request({ type: 'emit', id: nextId('e'), room: 'deal:9', event: 'n', payload: 1 });
    await carol.join('deal:10');
    await carol.request({ type: 'emit', id: nextId('e'), room: 'deal:10', event: 'n', payload: 2 });
    await user.next((f) => f.type === 'event' && f.room === 'deal:10');
    await user.sync();
    const later = user.frames.slice(from);
    assert.ok(!later.some((f) => f.type === 'event' && f.room === 'deal:9'), JSON.stringify(later));
  });

  test('with Redis away the backend is answered 503, and sends again later', async () => {
    const [a] = cluster.nodes as [Node];
    await cluster.redis.stop();
    for (const path of ['/api/users/erin/disconnect', '/api/users/erin/permissions-changed']) {
      const res = await fetch(`http://127.0.0.1:${a.server.port}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}` },
      });
      assert.equal(res.status, 503, await res.text());
      assert.equal(res.headers.get('retry-after'), '5');
    }
  });
});

describe('field rules on Redis', () => {
  /** What the CRM's callback hides of customers (this variable stands for its database). */
  let hidden: string[] = ['status'];
  const backend: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ allow: true, fields: { customer: { hidden } } }));
    });
  });
  let fields: Cluster;
  before(async () => {
    backend.listen(0, '127.0.0.1');
    await once(backend, 'listening');
    const url = `http://127.0.0.1:${(backend.address() as AddressInfo).port}/authorize`;
    fields = await startCluster(2, {
      auth: { jwtSecret: SECRET, devIdentities: true },
      apiKeys: [KEY],
      authorizeCallback: { url, cacheMs: 600_000 },
      storage: await sharedStorage(),
    });
  });
  after(async () => {
    await fields?.close();
    backend.close();
    backend.closeAllConnections();
  });

  test('a field shown again by permissions-changed on one process reaches the user on the other', async () => {
    const [a, b] = fields.nodes as [Node, Node];
    const user = await b.connect({ id: 'finn', name: 'Finn' });
    await user.join('customer:42');
    const get = () =>
      user.request({ type: 'entity.get', id: nextId('g'), entityType: 'customer', entityId: '42' });
    const before = await get();
    assert.ok(before.type === 'entity.snapshot' && !('status' in before.entity.fields));

    hidden = [];
    const res = await fetch(
      `http://127.0.0.1:${a.server.port}/api/users/finn/permissions-changed`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}` },
      },
    );
    assert.equal(res.status, 200, await res.text());
    const told = await user.next((f) => f.type === 'entity.rules-changed');
    assert.deepEqual(told, { type: 'entity.rules-changed', types: ['customer'], reads: true });
    const after = await get();
    assert.equal(after.type === 'entity.snapshot' && after.entity.fields.status, 'new');
  });
});
