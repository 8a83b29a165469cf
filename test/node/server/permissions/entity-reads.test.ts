/**
 * A hook of the server's own that refuses reading an entity keeps the entity out of every path,
 * not only its room: its activity feed, its items in the global feed and in a user's feed (live
 * and paged), and notifications about it. An async hook holds the connection's frames, in order,
 * until it has answered; a hook that fails counts as a refusal.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type {
  ActivityInput,
  ActivityItem,
  FeedRef,
  FrameOf,
  ServerFrame,
} from '../../../../src/protocol/index.js';
import {
  AuthorizationUnavailable,
  defaultAuthorize,
  type AuthorizeHook,
} from '../../../../src/server/authorize.js';
import { EntityReads } from '../../../../src/server/permissions/entity-reads.js';
import { connectionPermissions } from '../../../../src/server/permissions/permissions.js';
import { nextId, until, WAIT_MS, type TestClient } from '../../helpers/server-client.js';
import { alice, bob, carol, startHarness, type Harness } from '../../helpers/server-harness.js';

const KEY = 'reads-key';

async function api(h: Harness, path: string, body: unknown): Promise<Response> {
  return fetch(`http://127.0.0.1:${h.server.port}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
    body: JSON.stringify(body),
  });
}

async function publish(h: Harness, input: ActivityInput): Promise<ActivityItem> {
  const res = await api(h, '/api/activity', input);
  assert.equal(res.status, 201, await res.clone().text());
  return ((await res.json()) as { item: ActivityItem }).item;
}

const note = (customer: string, summary: string): ActivityInput => ({
  kind: 'note.added',
  actor: alice,
  entity: { type: 'customer', id: customer, label: `Customer ${customer}` },
  summary,
});

async function page(client: TestClient, feed: FeedRef): Promise<string[]> {
  const reply = await client.request({ type: 'activity.list', id: nextId('a'), feed });
  assert.equal(reply.type, 'activity.page', JSON.stringify(reply));
  return (reply as FrameOf<ServerFrame, 'activity.page'>).items.map((i) => i.summary ?? '');
}

const summaries = (client: TestClient): string[] =>
  client
    .ofType('event')
    .filter((f) => f.event === 'activity')
    .map((f) => (f.payload as ActivityItem).summary ?? '');

/** Carol may not read customer 18; everything else is allowed (but others' `user:` rooms). */
const refuses18: AuthorizeHook = ({ user, room, action, entity }) => {
  if (user.id === 'carol' && action === 'read' && entity?.type === 'customer') {
    return entity.id !== '18';
  }
  return !room.startsWith('user:') || room === `user:${user.id}`;
};

describe('reading entities through feeds', () => {
  let h: Harness;
  afterEach(() => h.close());

  test("a hook refusing to read an entity keeps it out of the entity's feed, the global feed and a user's feed", async () => {
    h = await startHarness({ apiKeys: [KEY], authorize: refuses18 });
    const c = await h.connect(carol);
    const b = await h.connect(bob);
    const refused = await c.request({
      type: 'join',
      id: nextId('j'),
      room: 'activity:customer:18',
    });
    assert.equal(refused.type === 'error' && refused.code, 'forbidden');
    const listed = await c.request({
      type: 'activity.list',
      id: nextId('a'),
      feed: { kind: 'customer', entityId: '18' },
    });
    assert.equal(listed.type === 'error' && listed.code, 'forbidden');
    for (const client of [c, b]) {
      await client.join('activity:global');
      await client.join('activity:user:alice');
    }
    await c.join('activity:customer:7');

    await publish(h, note('18', 'secret'));
    await publish(h, note('7', 'open'));
    await publish(h, {
      kind: 'call.logged',
      actor: alice,
      entity: { type: 'call', id: 'c1' },
      customerId: '18',
      summary: 'secret call',
    });
    await publish(h, note('7', 'last'));

    await b.next((f) => f.type === 'event' && (f.payload as ActivityItem).summary === 'last');
    await c.next((f) => f.type === 'event' && (f.payload as ActivityItem).summary === 'last');
    await c.sync();
    assert.deepEqual(summaries(c), ['open', 'open', 'open', 'last', 'last', 'last']);
    assert.equal(summaries(b).filter((s) => s.startsWith('secret')).length, 4);

    assert.deepEqual(await page(c, { kind: 'global' }), ['last', 'open']);
    assert.deepEqual(await page(c, { kind: 'user', userId: 'alice' }), ['last', 'open']);
    assert.deepEqual(await page(b, { kind: 'global' }), ['last', 'secret call', 'open', 'secret']);
  });

  test('notifications about an entity the hook refuses do not reach the user', async () => {
    h = await startHarness({ apiKeys: [KEY], authorize: refuses18 });
    const c = await h.connect(carol);
    await c.join('user:carol');
    for (const id of ['18', '7']) {
      const res = await api(h, '/api/notifications', {
        target: { user: 'carol' },
        title: `About ${id}`,
        entity: { type: 'customer', id },
      });
      assert.equal(res.status, 201, await res.clone().text());
    }
    await c.next((f) => f.type === 'event' && f.event === 'notification');
    await c.sync();
    const titles = c
      .ofType('event')
      .filter((f) => f.event === 'notification')
      .map((f) => (f.payload as { title: string }).title);
    assert.deepEqual(titles, ['About 7']);
    const list = await c.request({ type: 'notification.list', id: nextId('n') });
    assert.equal(list.type, 'notification.page', JSON.stringify(list));
    assert.deepEqual(
      (list as FrameOf<ServerFrame, 'notification.page'>).items.map((n) => n.title),
      ['About 7'],
    );
  });

  test('an async hook holds the frames behind its answer, in order; a failing one refuses', async () => {
    const answers = new Map<string, (ok: boolean) => void>();
    const asked: string[] = [];
    h = await startHarness({
      apiKeys: [KEY],
      authorize: (request) => {
        const { action, user, entity } = request;
        if (action !== 'read' || user.id !== 'carol' || entity?.type !== 'customer') return true;
        const key = request.room;
        asked.push(key);
        if (request.entity?.id === 'broken') return Promise.reject(new Error('backend down'));
        return new Promise<boolean>((resolve) => answers.set(key, resolve));
      },
    });
    const c = await h.connect(carol);
    await c.join('activity:global');
    await publish(h, note('5', 'first'));
    await publish(h, note('6', 'second'));
    await publish(h, note('broken', 'third'));
    await publish(h, note('5', 'fourth'));
    // The first item waits for the hook's answer about customer 5; the rest waits behind it.
    await until(() => answers.has('customer:5'), WAIT_MS, 'the hook asked about customer 5');
    assert.deepEqual(summaries(c), []);
    answers.get('customer:5')!(true);
    await c.next((f) => f.type === 'event' && (f.payload as ActivityItem).summary === 'first');
    await until(() => answers.has('customer:6'), WAIT_MS, 'the hook asked about customer 6');
    assert.deepEqual(summaries(c), ['first']);
    answers.get('customer:6')!(false);
    await c.next((f) => f.type === 'event' && (f.payload as ActivityItem).summary === 'fourth');
    await c.sync();
    assert.deepEqual(summaries(c), ['first', 'fourth'], 'refused and failed entities left out');
    assert.deepEqual(asked, ['customer:5', 'customer:6', 'customer:broken'], 'asked once each');
    assert.deepEqual(await page(c, { kind: 'global' }), ['fourth', 'first']);
  });
});

describe('EntityReads', () => {
  test("only a hook of the server's own or a callback decides reads; the default keeps the fast path", () => {
    const reading = { user: carol, customHook: false };
    assert.equal(connectionPermissions(defaultAuthorize, undefined, undefined, reading), undefined);
    const own = connectionPermissions(refuses18, undefined, undefined, {
      ...reading,
      customHook: true,
    });
    assert.ok(own?.visibility.reads);
    assert.equal(own.visibility.reads.decide([{ type: 'customer', id: '18' }]), undefined);
    assert.equal(own.visibility.reads.allows('customer', '18'), false);
    assert.equal(own.visibility.reads.decide([{ type: 'customer', id: '7' }]), undefined);
    assert.equal(own.visibility.reads.allows('customer', '7'), true);
  });

  test('asks once per entity, keeps the newest answers, and counts a throw as a refusal', () => {
    const asked: string[] = [];
    const errors: string[] = [];
    const reads = new EntityReads(
      (room) => {
        asked.push(room);
        if (room === 'customer:bad') throw new Error('boom');
        return room !== 'customer:2';
      },
      (room) => errors.push(room),
      2,
    );
    assert.equal(reads.decide([{ type: 'customer', id: '1' }]), undefined);
    assert.equal(reads.decide([{ type: 'customer', id: '1' }]), undefined);
    assert.equal(reads.allows('customer', '1'), true);
    reads.decide([{ type: 'customer', id: '2' }]);
    assert.equal(reads.allows('customer', '2'), false);
    reads.decide([{ type: 'customer', id: 'bad' }]);
    assert.equal(reads.allows('customer', 'bad'), false);
    assert.deepEqual(errors, ['customer:bad']);
    assert.equal(reads.allows('customer', '1'), false, 'the oldest answer was let go');
    assert.deepEqual(asked, ['customer:1', 'customer:2', 'customer:bad']);
  });

  test('a hook that cannot decide now keeps the item away and is asked again for the next', async () => {
    let backendUp = false;
    const errors: string[] = [];
    let asked = 0;
    const reads = new EntityReads(
      () => {
        asked++;
        return backendUp
          ? Promise.resolve(true)
          : Promise.reject(new AuthorizationUnavailable('did not answer'));
      },
      (room) => errors.push(room),
    );
    await reads.decide([{ type: 'customer', id: '1' }]);
    assert.equal(reads.allows('customer', '1'), false, 'nothing is sent without an answer');
    backendUp = true;
    await reads.decide([{ type: 'customer', id: '1' }]);
    assert.equal(reads.allows('customer', '1'), true, 'the outage was not kept as a refusal');
    assert.equal(asked, 2);
    assert.deepEqual(errors, [], 'an outage is no hook failure');
  });
});
