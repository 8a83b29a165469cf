/**
 * The read-state push after a mark-read across processes: two tabs of one user on two servers
 * sharing one Redis, their tokens carrying different claims. The process that took the read
 * tells the user's other processes, and each counts for its own connections, under their own
 * permissions: neither tab is sent the other's count.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SignJWT, type JWTPayload } from 'jose';
import type { FrameOf, ServerFrame } from '../../../../src/protocol/index.js';
import { nextId, TestClient } from '../../helpers/server-client.js';
import { sharedStorage, startCluster, type Cluster, type Node } from './cluster.js';

const SECRET = 'redis-unread-counts-secret-of-32-bytes-or-more';

type ReadState = FrameOf<ServerFrame, 'notification.read-state'>;

let cluster: Cluster;
before(async () => {
  cluster = await startCluster(2, {
    auth: { jwtSecret: SECRET, devIdentities: true },
    storage: await sharedStorage(),
  });
});
after(async () => {
  await cluster?.close();
});

async function connect(node: Node, claims: JWTPayload = {}): Promise<TestClient> {
  const now = Math.floor(cluster.clock.now() / 1000);
  const token = await new SignJWT({ name: 'Alice', ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('alice')
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(new TextEncoder().encode(SECRET));
  const client = await TestClient.connect(node.url, { token, clientId: nextId('device-') });
  cluster.clients.push(client);
  await client.join('user:alice');
  return client;
}

async function notifyAlice(title: string, customer?: string): Promise<string> {
  const sent = await cluster.nodes[0]!.server.notifications.send({
    target: { user: 'alice' },
    type: 'info',
    priority: 'normal',
    title,
    ...(customer !== undefined ? { entity: { type: 'customer', id: customer } } : {}),
  });
  return sent.notification.id;
}

async function markRead(client: TestClient, ids: string[]): Promise<ReadState> {
  const state = await client.request({ type: 'notification.read', id: nextId('r'), ids });
  assert.equal(state.type, 'notification.read-state', JSON.stringify(state));
  return state as ReadState;
}

function pushOf(client: TestClient, ids: string[]): Promise<ReadState> {
  return client.next(
    (f) =>
      f.type === 'notification.read-state' &&
      f.replyTo === undefined &&
      JSON.stringify(f.ids) === JSON.stringify(ids),
  ) as Promise<ReadState>;
}

describe('a mark-read told to the tabs of the user on another process', () => {
  test('each tab is sent the count its own token may see', async () => {
    const about42 = await notifyAlice('About 42', '42');
    await notifyAlice('About 7', '7');
    const plain = await notifyAlice('Hello');
    const [p1, p2] = cluster.nodes;
    const narrow = await connect(p1!, { crm: { rooms: { 'customer:42': ['join', 'read'] } } });
    const wide = await connect(p2!);

    assert.equal((await markRead(wide, [plain])).unread, 2);
    assert.equal((await pushOf(narrow, [plain])).unread, 1, 'About 42 only: not the wide count');
    assert.equal((await pushOf(wide, [plain])).unread, 2);

    assert.equal((await markRead(narrow, [about42])).unread, 0);
    assert.equal((await pushOf(wide, [about42])).unread, 1, 'About 7: not the narrow count');
    const own = await pushOf(narrow, [about42]);
    assert.equal(own.unread, 0);
    assert.equal(typeof own.unreadSeq, 'number');
  });
});
