/**
 * Accepted entity changes in the activity log and, with `notifyWatchersOnChange`, as
 * notifications for the people looking at the entity.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type {
  ActivityItem,
  FeedRef,
  FrameOf,
  Notification,
  ServerFrame,
} from '../../../../src/protocol/index.js';
import { humanizeField } from '../../../../src/domain/field-labels.js';
import { nextId, until, type TestClient } from '../../helpers/server-client.js';
import { alice, bob, carol, startHarness, type Harness } from '../../helpers/server-harness.js';

async function feed(client: TestClient, f: FeedRef): Promise<ActivityItem[]> {
  const reply = await client.request({ type: 'activity.list', id: nextId('a'), feed: f });
  assert.equal(reply.type, 'activity.page', JSON.stringify(reply));
  return (reply as FrameOf<ServerFrame, 'activity.page'>).items;
}

async function update(
  client: TestClient,
  entityType: string,
  entityId: string,
  baseVersion: number,
  fields: Record<string, string>,
): Promise<ServerFrame> {
  return client.request({
    type: 'entity.update',
    id: nextId('u'),
    mutationId: `mutation-${nextId()}`,
    entityType,
    entityId,
    baseVersion,
    fields,
  });
}

/**
 * The customer, then its call: one after the other, as the feeds' order is asserted (writes to two
 * entities at once commit in either order on a networked database).
 */
async function seed(h: Harness): Promise<void> {
  await h.server.entities.update({
    type: 'customer',
    id: '42',
    fields: { name: 'Acme Corp', status: 'lead', notes: '' },
    source: 'backend',
    create: true,
  });
  await h.server.entities.update({
    type: 'call',
    id: 'c-1',
    fields: { subject: 'Intro call', customerId: '42', minutes: '5' },
    source: 'backend',
    create: true,
  });
}

const notificationEvents = (c: TestClient) =>
  c.frames.filter((f) => f.type === 'event' && f.event === 'notification');

describe('server activity from entity changes', () => {
  let h: Harness;
  afterEach(() => h.close());

  test('every accepted change is one item: who, what, old → new, in the customer feed', async () => {
    h = await startHarness();
    await seed(h);
    const a = await h.connect(alice);
    const tail = await h.connect(bob);
    await tail.join('activity:customer:42');

    assert.equal(
      (await update(a, 'customer', '42', 1, { status: 'won', notes: 'Signed' })).type,
      'entity.ack',
    );
    const live = await tail.next((f) => f.type === 'event' && f.event === 'activity');
    const item = (live as FrameOf<ServerFrame, 'event'>).payload as ActivityItem;
    assert.equal(item.kind, 'entity.updated');
    assert.deepEqual(item.actor, alice);
    assert.deepEqual(item.entity, { type: 'customer', id: '42', label: 'Acme Corp' });
    assert.equal(item.customerId, '42');
    const byField = [...item.changes!].sort((x, y) => x.field.localeCompare(y.field));
    assert.deepEqual(byField, [
      { field: 'notes', from: '', to: 'Signed' },
      { field: 'status', from: 'lead', to: 'won' },
    ]);

    // A call belongs to its customer through its customerId field.
    assert.equal((await update(a, 'call', 'c-1', 1, { minutes: '12' })).type, 'entity.ack');
    const customerFeed = await feed(a, { kind: 'customer', entityId: '42' });
    assert.deepEqual(
      customerFeed.map((i) => [i.kind, i.entity?.type, i.actor?.id]),
      [
        ['entity.updated', 'call', 'alice'],
        ['entity.updated', 'customer', 'alice'],
        ['entity.created', 'call', undefined],
        ['entity.created', 'customer', undefined],
      ],
    );
    assert.deepEqual(customerFeed[0]!.changes, [{ field: 'minutes', from: '5', to: '12' }]);
    assert.equal((await feed(a, { kind: 'user', userId: 'alice' })).length, 2);

    // A refused change (conflict) is not activity.
    const conflict = await update(a, 'customer', '42', 1, { status: 'lost' });
    assert.equal(conflict.type, 'entity.conflict');
    assert.equal((await feed(a, { kind: 'global' })).length, 4);
  });

  test('backend changes over the HTTP API are activity too, with their actor', async () => {
    h = await startHarness({ apiKeys: ['k'] });
    await seed(h);
    const res = await fetch(`http://127.0.0.1:${h.server.port}/api/entities/customer/42`, {
      method: 'PATCH',
      headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
      body: JSON.stringify({ fields: { status: 'qualified' }, actor: carol }),
    });
    assert.equal(res.status, 200, await res.text());
    const a = await h.connect(alice);
    const [latest] = await feed(a, { kind: 'customer', entityId: '42' });
    assert.deepEqual(latest!.actor, carol);
    assert.deepEqual(latest!.changes, [{ field: 'status', from: 'lead', to: 'qualified' }]);
  });

  test('with notifyWatchersOnChange, the others looking at the entity are notified', async () => {
    h = await startHarness({ notifications: { notifyWatchersOnChange: true } });
    await seed(h);
    const a = await h.connect(alice);
    const b = await h.connect(bob);
    const c = await h.connect(carol);
    await a.join('user:alice');
    await b.join('user:bob');
    await c.join('user:carol');
    await a.join('customer:42');
    await b.join('customer:42');
    await update(a, 'customer', '42', 1, { status: 'won', notes: 'Signed' });
    const event = await b.next((f) => f.type === 'event' && f.event === 'notification');
    const n = (event as FrameOf<ServerFrame, 'event'>).payload as Notification;
    assert.match(n.title, /^Alice Martin updated Acme Corp: (Notes, Status|Status, Notes)$/);
    assert.deepEqual(n.target, { entity: { type: 'customer', id: '42', label: 'Acme Corp' } });
    assert.deepEqual(n.from, alice);
    await Promise.all([a.sync(), c.sync()]);
    assert.equal(notificationEvents(a).length, 0, 'not the author');
    assert.equal(notificationEvents(c).length, 0, 'not someone elsewhere');
  });

  test('the rule is off unless configured', async () => {
    h = await startHarness();
    await seed(h);
    const a = await h.connect(alice);
    const b = await h.connect(bob);
    await b.join('user:bob');
    await a.join('customer:42');
    await b.join('customer:42');
    await update(a, 'customer', '42', 1, { status: 'won' });
    await until(() => b.frames.some((f) => f.type === 'event' && f.event === 'entity.change'));
    await b.sync();
    assert.equal(notificationEvents(b).length, 0);
  });

  test('field names read as words', () => {
    assert.equal(humanizeField('nextCallAt'), 'Next call at');
    assert.equal(humanizeField('customer_id'), 'Customer id');
    assert.equal(humanizeField('status'), 'Status');
  });
});
