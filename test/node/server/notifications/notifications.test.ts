/**
 * Notifications on the reference server over real sockets: who receives one (user, room and
 * entity targets), what the sender may target, and read state across a user's tabs.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type {
  EmitFrame,
  FrameOf,
  Notification,
  ServerFrame,
} from '../../../../src/protocol/index.js';
import { defaultAuthorize, type AuthorizeHook } from '../../../../src/server/authorize.js';
import { nextId, type TestClient } from '../../helpers/server-client.js';
import { alice, bob, carol, startHarness, type Harness } from '../../helpers/server-harness.js';

type EventFrame = FrameOf<ServerFrame, 'event'>;

const isNotification = (f: ServerFrame): f is EventFrame =>
  f.type === 'event' && f.event === 'notification';

/** Notification events this client received, in order. */
function notificationsOf(client: TestClient): Notification[] {
  return client.frames.filter(isNotification).map((f) => f.payload as Notification);
}

async function emitNotification(client: TestClient, room: string, payload: EmitFrame['payload']) {
  return client.request({ type: 'emit', id: nextId('n'), room, event: 'notification', payload });
}

async function list(client: TestClient, extra: { before?: string; limit?: number } = {}) {
  const reply = await client.request({ type: 'notification.list', id: nextId('l'), ...extra });
  assert.equal(reply.type, 'notification.page', JSON.stringify(reply));
  return reply as FrameOf<ServerFrame, 'notification.page'>;
}

/**
 * The hook of a CRM that knows its team: its members may notify each other whether or not they
 * share a room (the default allows only that), everything else as the default decides.
 */
const TEAM = new Set([alice.id, bob.id, carol.id]);
const teamAuthorize: AuthorizeHook = (request) =>
  request.action === 'notify' && request.room.startsWith('user:')
    ? TEAM.has(request.user.id) && TEAM.has(request.room.slice('user:'.length))
    : defaultAuthorize(request);

describe('server notifications: delivery and targeting', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ authorize: teamAuthorize });
  });
  afterEach(() => h.close());

  /** Connected and in their personal room, as the notification store does. */
  async function personal(user = alice, clientId?: string): Promise<TestClient> {
    const client = await h.connect(user, clientId);
    await client.join(`user:${user.id}`);
    return client;
  }

  test('a user-targeted notification reaches that user only, live and in their history', async () => {
    const a = await personal(alice);
    const b = await personal(bob);
    const c = await personal(carol);
    const ack = await emitNotification(a, 'user:alice', {
      target: { user: 'bob' },
      title: 'Call Ada back',
      priority: 'high',
    });
    assert.equal(ack.type, 'ack');
    const event = (await b.next(isNotification)) as EventFrame;
    assert.equal(event.room, 'user:bob');
    assert.equal(event.from, 'alice');
    const n = event.payload as Notification;
    assert.equal(n.title, 'Call Ada back');
    assert.equal(n.priority, 'high');
    assert.equal(n.type, 'info', 'the default type');
    assert.equal(n.read, false);
    assert.deepEqual(n.from, alice);
    assert.deepEqual(n.target, { user: 'bob' });

    await Promise.all([a.sync(), c.sync()]);
    assert.deepEqual(notificationsOf(a), [], 'not echoed to the sender');
    assert.deepEqual(notificationsOf(c), [], 'nothing reaches another user');
    assert.deepEqual((await list(c)).items, [], 'nor their history');
    assert.deepEqual((await list(a)).items, []);
    const history = await list(b);
    assert.deepEqual(
      history.items.map((i) => i.id),
      [n.id],
    );
    assert.equal(history.unread, 1);
  });

  test("nobody may join another user's personal room", async () => {
    const c = await h.connect(carol);
    const reply = await c.request({ type: 'join', id: nextId('j'), room: 'user:bob' });
    assert.equal(reply.type, 'error');
    assert.equal(reply.type === 'error' && reply.code, 'forbidden');
  });

  test('a room-targeted notification goes to the people in the room, not the sender', async () => {
    const a = await personal(alice);
    const b = await personal(bob);
    const c = await personal(carol);
    await a.join('customer:42');
    await b.join('customer:42');
    await c.join('customer:7');
    const ack = await emitNotification(a, 'customer:42', {
      target: { room: 'customer:42' },
      title: 'Renewal call at 3',
      type: 'warning',
    });
    assert.equal(ack.type, 'ack');
    const event = (await b.next(isNotification)) as EventFrame;
    assert.equal(event.room, 'user:bob', 'delivered in the personal room');
    await Promise.all([a.sync(), c.sync()]);
    assert.deepEqual(notificationsOf(a), []);
    assert.deepEqual(notificationsOf(c), []);
    assert.equal((await list(b)).items.length, 1);
    assert.equal((await list(a)).items.length, 0);
    assert.equal((await list(c)).items.length, 0);
  });

  test('an entity-targeted notification reaches the entity room; joiners after it do not get it', async () => {
    const a = await personal(alice);
    const b = await personal(bob);
    await a.join('customer:42');
    await b.join('customer:42');
    await emitNotification(a, 'user:alice', {
      target: { entity: { type: 'customer', id: '42', label: 'Acme' } },
      title: 'Contract signed',
      type: 'success',
      entity: { type: 'customer', id: '42', label: 'Acme' },
      actions: [{ label: 'Open', url: '/customers/42' }],
    });
    const n = ((await b.next(isNotification)) as EventFrame).payload as Notification;
    assert.deepEqual(n.entity, { type: 'customer', id: '42', label: 'Acme' });
    assert.deepEqual(n.actions, [{ label: 'Open', url: '/customers/42' }]);
    const late = await personal(carol);
    await late.join('customer:42');
    assert.equal((await list(late)).items.length, 0, 'recipients are fixed when it is sent');
  });

  test('the sender may only target rooms it is in, and only with valid input', async () => {
    const a = await personal(alice);
    const notJoined = await emitNotification(a, 'user:alice', {
      target: { room: 'customer:99' },
      title: 'x',
    });
    assert.equal(notJoined.type === 'error' && notJoined.code, 'forbidden');
    const invalid = await emitNotification(a, 'user:alice', { target: { user: 'bob' } });
    assert.equal(invalid.type === 'error' && invalid.code, 'bad_frame');
    assert.match(invalid.type === 'error' ? invalid.message : '', /title/);
    const script = await emitNotification(a, 'user:alice', {
      target: { user: 'bob' },
      title: 'x',
      actions: [{ label: 'Run', url: 'javascript:alert(1)' }],
    });
    assert.equal(script.type === 'error' && script.code, 'bad_frame', 'unsafe action URLs');
    const channel = await emitNotification(a, 'customer:1', {
      target: { user: 'bob' },
      title: 'x',
    });
    assert.equal(channel.type === 'error' && channel.code, 'not_joined', 'the channel is joined');
  });

  test('clients cannot forge activity events', async () => {
    const a = await h.connect(alice);
    await a.join('activity:global');
    const reply = await a.request({
      type: 'emit',
      id: nextId('e'),
      room: 'activity:global',
      event: 'activity',
      payload: { id: 'x', kind: 'entity.updated', at: 1 },
    });
    assert.equal(reply.type === 'error' && reply.code, 'forbidden');
  });

  test('clients cannot forge live-data changes into an entity room', async () => {
    const a = await h.connect(alice);
    const b = await h.connect(bob);
    await a.join('customer:1');
    await b.join('customer:1');
    const reply = await a.request({
      type: 'emit',
      id: nextId('e'),
      room: 'customer:1',
      event: 'entity.change',
      payload: { forged: true },
    });
    assert.equal(reply.type === 'error' && reply.code, 'forbidden');
    await b.sync();
    assert.equal(
      b.ofType('event').filter((f) => f.type === 'event' && f.event === 'entity.change').length,
      0,
      'the other member saw no forged change',
    );
  });

  test('marking read in one tab tells the other tabs; read state is per recipient', async () => {
    const a = await personal(alice);
    const tab1 = await personal(bob, 'bob-laptop');
    const tab2 = await personal(bob, 'bob-laptop');
    const c = await personal(carol);
    for (const who of [a, tab1, c]) await who.join('deal:7');
    await emitNotification(a, 'deal:7', { target: { room: 'deal:7' }, title: 'Deal moved' });
    await emitNotification(a, 'user:alice', { target: { user: 'bob' }, title: 'Second' });
    const live = await tab2.next(
      (f) => isNotification(f) && (f.payload as Notification).title === 'Second',
    );
    // Every count names how far it reaches: the order of bob's newest, which its event carries.
    const newest = live.type === 'event' ? (live.payload as Notification).order : undefined;
    assert.equal(typeof newest, 'number');
    const [second, first] = (await list(tab1)).items;
    assert.equal(second!.title, 'Second');

    const reply = await tab1.request({
      type: 'notification.read',
      id: nextId('r'),
      ids: [first!.id],
    });
    assert.deepEqual(reply, {
      type: 'notification.read-state',
      replyTo: reply.type === 'notification.read-state' ? reply.replyTo : '',
      ids: [first!.id],
      unread: 1,
      unreadSeq: 2, // this connection's second count: its page's was the first
      unreadUpTo: newest,
    });
    const pushed = await tab2.next((f) => f.type === 'notification.read-state');
    assert.deepEqual(pushed, {
      type: 'notification.read-state',
      ids: [first!.id],
      unread: 1,
      unreadSeq: 1,
      unreadUpTo: newest,
    });
    assert.equal((await list(c)).unread, 1, "carol's copy of the room notification stays unread");

    const all = await tab2.request({ type: 'notification.read', id: nextId('r'), ids: 'all' });
    assert.equal(all.type === 'notification.read-state' && all.unread, 0);
    await tab1.next((f) => f.type === 'notification.read-state' && f.ids === 'all');
    const after = await list(tab1);
    assert.equal(after.unread, 0);
    assert.ok(after.items.every((i) => i.read));

    const foreign = await c.request({
      type: 'notification.read',
      id: nextId('r'),
      ids: [second!.id],
    });
    assert.deepEqual(
      foreign.type === 'notification.read-state' && foreign.ids,
      [],
      "another user's ids are ignored",
    );
  });

  test('the authorization hook can refuse notify', async () => {
    await h.close();
    h = await startHarness({
      authorize: ({ action, room }) => !(action === 'notify' && room === 'user:bob'),
    });
    const a = await personal(alice);
    const refused = await emitNotification(a, 'user:alice', {
      target: { user: 'bob' },
      title: 'x',
    });
    assert.equal(refused.type === 'error' && refused.code, 'forbidden');
    const allowed = await emitNotification(a, 'user:alice', {
      target: { user: 'carol' },
      title: 'x',
    });
    assert.equal(allowed.type, 'ack');
  });

  test('by default a user notifies themselves and people sharing a room, nobody else', async () => {
    await h.close();
    h = await startHarness();
    const a = await personal(alice);
    await personal(bob);
    await personal(carol);
    const self = await emitNotification(a, 'user:alice', {
      target: { user: 'alice' },
      title: 'me',
    });
    assert.equal(self.type, 'ack');
    // Carol is a stranger to Alice: no room in common.
    const stranger = await emitNotification(a, 'user:alice', {
      target: { user: 'carol' },
      title: 'spam',
    });
    assert.equal(stranger.type === 'error' && stranger.code, 'forbidden', JSON.stringify(stranger));
    assert.deepEqual((await list(await h.connect(carol))).items, [], 'nothing stored for Carol');
    // Bob looks at the same customer as Alice: she may notify him.
    const b2 = await h.connect(bob);
    await b2.join('customer:42');
    await a.join('customer:42');
    const colleague = await emitNotification(a, 'user:alice', {
      target: { user: 'bob' },
      title: 'see this',
    });
    assert.equal(colleague.type, 'ack', JSON.stringify(colleague));
  });

  test('a user offline during three notifications finds all three, unread, when back', async () => {
    const a = await personal(alice);
    const b = await personal(bob);
    const joined = b.frames.find((f) => f.type === 'joined' && f.room === 'user:bob');
    b.close();
    await b.closed;
    for (const title of ['One', 'Two', 'Three']) {
      const ack = await emitNotification(a, 'user:alice', { target: { user: 'bob' }, title });
      assert.equal(ack.type, 'ack');
    }
    const back = await h.connect(bob);
    const history = await list(back);
    assert.deepEqual(
      history.items.map((i) => [i.title, i.read]),
      [
        ['Three', false],
        ['Two', false],
        ['One', false],
      ],
    );
    assert.equal(history.unread, 3);
    // Within the replay window, rejoining with the last seq replays them live, in order.
    const since = joined?.type === 'joined' ? joined.seq : 0;
    const resumed = await back.join('user:bob', { since });
    assert.equal(resumed.resume, 'replayed');
    assert.deepEqual(
      notificationsOf(back).map((n) => n.title),
      ['One', 'Two', 'Three'],
    );
  });
});
