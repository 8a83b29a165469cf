/**
 * The unread count a user's connections are sent, against the reference server over real
 * sockets: each connection gets the count it may see (its token's claim, its hook answers), also
 * when another connection of the user marked notifications read; and counts are stamped
 * (`unreadSeq`) in the order their computation began, so a count that waited for the hook and
 * arrives after a newer one is known as older, and the browser kit's store ignores it.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { RealtimeClient } from '../../../../src/client/index.js';
import type { FrameOf, ServerFrame } from '../../../../src/protocol/index.js';
import { defaultAuthorize, type AuthorizeRequest } from '../../../../src/server/authorize.js';
import { realClientOptions, waitFor } from '../../helpers/real-client.js';
import { nextId, type TestClient } from '../../helpers/server-client.js';
import { startHarness, type Harness } from '../../helpers/server-harness.js';
import { SqliteStorage } from '../../../../src/server/sqlite-storage.js';
import { connectWith, startPermissionHarness } from '../permissions/permission-helpers.js';

type ReadState = FrameOf<ServerFrame, 'notification.read-state'>;
type Page = FrameOf<ServerFrame, 'notification.page'>;

let h: Harness;
const clients: RealtimeClient[] = [];
afterEach(async () => {
  clients.splice(0).forEach((c) => c.close());
  await h?.close();
});

/** Stores a notification for alice, about `customer:<id>` when `customer` is given. */
async function notifyAlice(title: string, customer?: string): Promise<string> {
  const sent = await h.server.notifications.send({
    target: { user: 'alice' },
    type: 'info',
    priority: 'normal',
    title,
    ...(customer !== undefined ? { entity: { type: 'customer', id: customer } } : {}),
  });
  return sent.notification.id;
}

async function list(client: TestClient): Promise<Page> {
  const page = await client.request({ type: 'notification.list', id: nextId('l') });
  assert.equal(page.type, 'notification.page', JSON.stringify(page));
  return page as Page;
}

async function markRead(client: TestClient, ids: string[] | 'all'): Promise<ReadState> {
  const state = await client.request({ type: 'notification.read', id: nextId('r'), ids });
  assert.equal(state.type, 'notification.read-state', JSON.stringify(state));
  return state as ReadState;
}

/** The read-state push (no `replyTo`) naming `ids`. */
function pushOf(client: TestClient, ids: string[] | 'all'): Promise<ReadState> {
  return client.next(
    (f) =>
      f.type === 'notification.read-state' &&
      f.replyTo === undefined &&
      JSON.stringify(f.ids) === JSON.stringify(ids),
  ) as Promise<ReadState>;
}

describe("a user's connections with different permissions", () => {
  test("after a mark-read each connection is sent the count it may see, never the other's", async () => {
    h = await startPermissionHarness();
    const about42 = await notifyAlice('About 42', '42');
    await notifyAlice('About 7', '7');
    const plain = await notifyAlice('Hello');
    // The same user in two tabs: one token may read customer 42 only, the other is unrestricted.
    const narrow = await connectWith(h, 'alice', {
      crm: { rooms: { 'customer:42': ['join', 'read'] } },
    });
    const wide = await connectWith(h, 'alice');
    for (const tab of [narrow, wide]) await tab.join('user:alice');
    assert.equal((await list(narrow)).unread, 2, 'About 42 and Hello');
    assert.equal((await list(wide)).unread, 3);

    const wideRead = await markRead(wide, [plain]);
    assert.equal(wideRead.unread, 2);
    assert.equal((await pushOf(narrow, [plain])).unread, 1, 'About 42 only: not the wide count');
    assert.equal((await pushOf(wide, [plain])).unread, 2);

    const narrowRead = await markRead(narrow, [about42]);
    assert.equal(narrowRead.unread, 0);
    assert.equal((await pushOf(wide, [about42])).unread, 1, 'About 7: not the narrow count');
    assert.equal((await pushOf(narrow, [about42])).unread, 0);
  });

  test('two connections with the same claim are told the same count', async () => {
    h = await startPermissionHarness();
    await notifyAlice('About 42', '42');
    await notifyAlice('About 7', '7');
    const claim = { crm: { rooms: { 'customer:42': ['join', 'read'] } } };
    const one = await connectWith(h, 'alice', claim);
    const two = await connectWith(h, 'alice', claim);
    const wide = await connectWith(h, 'alice');
    for (const tab of [one, two, wide]) await tab.join('user:alice');
    await markRead(wide, 'all');
    assert.equal((await pushOf(one, 'all')).unread, 0);
    const about = await notifyAlice('About 42 again', '42');
    await notifyAlice('About 7 again', '7');
    await markRead(wide, []);
    const counts = await Promise.all([one, two, wide].map((tab) => pushOf(tab, [])));
    assert.deepEqual(
      counts.map((f) => f.unread),
      [1, 1, 2],
    );
    await markRead(one, [about]);
    const after = await Promise.all([one, two, wide].map((tab) => pushOf(tab, [about])));
    assert.deepEqual(
      after.map((f) => f.unread),
      [0, 0, 1],
    );
  });
});

/**
 * A CRM's hook that answers slowly about customer 2 while `held` (a slow lookup): its answers
 * wait until `release()`, with the verdict of the moment it was asked (yes).
 */
function slowHook() {
  const hook = {
    held: false,
    asked: 0,
    waiting: [] as (() => void)[],
    release(): void {
      hook.held = false;
      hook.waiting.splice(0).forEach((answer) => answer());
    },
    authorize(request: AuthorizeRequest): boolean | Promise<boolean> {
      if (request.action !== 'read' || !request.room.startsWith('customer:')) {
        return defaultAuthorize(request);
      }
      if (!hook.held || request.room !== 'customer:2') return true;
      hook.asked++;
      return new Promise((resolve) => hook.waiting.push(() => resolve(true)));
    },
  };
  return hook;
}

/**
 * Alice has two unread notifications, about customer 1 and about nothing, which her tab has
 * seen, and one about customer 2 that never reached it live (its publish was lost): her tab's
 * connection has not asked the hook about customer 2 yet.
 */
async function aliceWithAnUnseenOne(hook: ReturnType<typeof slowHook>) {
  const storage = new SqliteStorage(':memory:');
  h = await startHarness({ storage, authorize: (r) => hook.authorize(r) });
  const first = await notifyAlice('About 1', '1');
  await notifyAlice('Hello');
  const unseen = async () => {
    await storage.notifications.insert(
      {
        id: 'n-about-2',
        target: { user: 'alice' },
        type: 'info',
        priority: 'normal',
        title: 'About 2',
        entity: { type: 'customer', id: '2' },
        createdAt: h.clock.now(),
      },
      ['alice'],
    );
  };
  return { first, unseen };
}

describe('counts that arrive out of order', () => {
  test('a count begun before another is stamped lower, whenever it arrives', async () => {
    const hook = slowHook();
    const { first, unseen } = await aliceWithAnUnseenOne(hook);
    const a = await h.connect({ id: 'alice', name: 'Alice' }, 'tab-a');
    const b = await h.connect({ id: 'alice', name: 'Alice' }, 'tab-b');
    await a.join('user:alice');
    const loaded = await list(a);
    assert.equal(loaded.unread, 2);
    await unseen();

    hook.held = true;
    // Another tab reads one: this tab's count waits for the hook's answer about customer 2...
    const otherRead = nextId('r');
    b.send({ type: 'notification.read', id: otherRead, ids: [first] });
    await waitFor(() => hook.asked > 0, 'the hook asked about customer 2');
    // ...while this tab reads them all: nothing left to ask the hook about, answered at once.
    const all = await markRead(a, 'all');
    assert.equal(all.unread, 0);

    hook.release();
    await b.next((f) => 'replyTo' in f && f.replyTo === otherRead);
    const pushed = await pushOf(a, [first]);
    assert.equal(pushed.unread, 2, 'counted before everything was read');
    assert.ok(loaded.unreadSeq! < pushed.unreadSeq!, JSON.stringify([loaded, pushed]));
    assert.ok(pushed.unreadSeq! < all.unreadSeq!, 'arrived last, begun before the answer to "all"');
  });

  test("the store keeps the newest count: another tab's older count arriving late is ignored", async () => {
    const hook = slowHook();
    const { first, unseen } = await aliceWithAnUnseenOne(hook);
    const client = new RealtimeClient(
      realClientOptions(h.url, { devUser: { id: 'alice', name: 'Alice' }, clientId: 'tab-a' }),
    );
    clients.push(client);
    const frames: ServerFrame[] = [];
    client.onFrame((f) => void frames.push(f));
    const store = client.notifications();
    await waitFor(() => store.snapshot().loaded && store.snapshot().unread === 2, 'two unread');
    await unseen();
    const other = await h.connect({ id: 'alice', name: 'Alice' }, 'tab-b');

    hook.held = true;
    const otherRead = nextId('r');
    other.send({ type: 'notification.read', id: otherRead, ids: [first] });
    await waitFor(() => hook.asked > 0, 'the hook asked about customer 2');
    await store.markAllRead();
    assert.equal(store.snapshot().unread, 0);

    // How many frames had arrived when each snapshot was published: one published after a frame
    // arrived shows what the store made of it.
    const published: number[] = [];
    store.subscribe(() => published.push(frames.length));
    hook.release();
    await other.next((f) => 'replyTo' in f && f.replyTo === otherRead);
    await waitFor(() => {
      const at = frames.findIndex(
        (f) => f.type === 'notification.read-state' && JSON.stringify(f.ids) === `["${first}"]`,
      );
      return at >= 0 && published.some((n) => n > at);
    }, "the other tab's read state handled");
    assert.equal(store.snapshot().unread, 0, 'everything was read; an older count came after');
    assert.equal(store.snapshot().items.find((n) => n.id === first)?.read, true);
    store.release();
  });
});

describe('who is told', () => {
  test('a connection of the user that did not join their room is not told', async () => {
    h = await startHarness();
    const id = await notifyAlice('Hello');
    const inRoom = await h.connect({ id: 'alice', name: 'Alice' }, 'tab-a');
    const outside = await h.connect({ id: 'alice', name: 'Alice' }, 'tab-b');
    await inRoom.join('user:alice');
    await markRead(inRoom, [id]);
    await pushOf(inRoom, [id]);
    await outside.sync();
    assert.equal(outside.ofType('notification.read-state').length, 0);
  });
});
