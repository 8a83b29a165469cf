/**
 * A label is a field's value: a user from whom a customer's `company` is hidden never sees it as
 * the customer's label either, in the activity events of any feed, in activity pages, or in a
 * watcher notification's entity and title, live or listed. They see "customer 42" instead, as
 * for a customer without a label; a user who may see the company still sees it.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { ActivityItem, Notification } from '../../../../src/protocol/index.js';
import { nextId } from '../../helpers/server-client.js';
import { alice, type Harness } from '../../helpers/server-harness.js';
import {
  as,
  connectWith,
  received,
  seedCustomer,
  startPermissionHarness,
  update,
} from './permission-helpers.js';

let h: Harness;
afterEach(async () => h?.close());

const mallory = { crm: { fields: { customer: { hidden: ['company', 'notes'] } } } };
const SEEDED = 'Initrode Holdings';
const RENAMED = 'Initech Confidential';

/** The activity items of a client: live in each feed room, and a page of the customer feed. */
async function activityOf(client: Awaited<ReturnType<typeof connectWith>>) {
  const live = client
    .ofType('event')
    .filter((e) => e.event === 'activity')
    .map((e) => ({ room: e.room, item: e.payload as unknown as ActivityItem }));
  const page = as(
    await client.request({
      type: 'activity.list',
      id: nextId('a'),
      feed: { kind: 'customer', entityId: '42' },
    }),
    'activity.page',
  );
  return { live, page: page.items };
}

async function notificationsOf(client: Awaited<ReturnType<typeof connectWith>>) {
  const live = client
    .ofType('event')
    .filter((e) => e.event === 'notification')
    .map((e) => e.payload as unknown as Notification);
  const page = as(
    await client.request({ type: 'notification.list', id: nextId('n') }),
    'notification.page',
  );
  return { live, page: page.items };
}

describe('an entity labelled by a hidden field', () => {
  test('reaches the user by its type and id only: activity events, pages, notifications', async () => {
    // Watcher notifications on, as in development mode.
    h = await startPermissionHarness({ notifications: { notifyWatchersOnChange: true } });
    await seedCustomer(h, '42', { company: SEEDED });
    const ana = await h.connect(alice);
    const user = await connectWith(h, 'mallory', mallory);
    const peer = await connectWith(h, 'bob', {});
    for (const [client, id] of [
      [user, 'mallory'],
      [peer, 'bob'],
    ] as const) {
      for (const room of [`user:${id}`, 'customer:42', 'activity:global', 'activity:customer:42']) {
        await client.join(room);
      }
    }
    await ana.join('customer:42');

    as(await update(ana, { company: RENAMED, phone: '555' }, 1), 'entity.ack');
    for (const client of [user, peer]) {
      await client.next((f) => f.type === 'event' && f.event === 'notification');
      for (const room of ['activity:global', 'activity:customer:42']) {
        await client.next((f) => f.type === 'event' && f.event === 'activity' && f.room === room);
      }
    }

    const activity = await activityOf(user);
    const notifications = await notificationsOf(user);
    const text = received(user);
    assert.ok(!text.includes(RENAMED), `the new company in ${text}`);
    assert.ok(!text.includes(SEEDED), `the seeded company in ${text}`);

    // The change's item in both feed rooms, and both items (created, updated) on the page.
    assert.deepEqual(activity.live.map((l) => l.room).sort(), [
      'activity:customer:42',
      'activity:global',
    ]);
    assert.equal(activity.page.length, 2);
    for (const item of [...activity.live.map((l) => l.item), ...activity.page]) {
      assert.deepEqual(item.entity, { type: 'customer', id: '42' }, JSON.stringify(item));
    }
    assert.equal(notifications.live.length, 1);
    assert.equal(notifications.page.length, 1);
    for (const n of [...notifications.live, ...notifications.page]) {
      assert.equal(n.title, 'Alice Martin updated customer 42: Phone');
      assert.deepEqual(n.entity, { type: 'customer', id: '42' });
      assert.deepEqual(n.target, { entity: { type: 'customer', id: '42' } });
    }

    // A user from whom nothing is hidden still reads the company.
    const seen = await notificationsOf(peer);
    assert.equal(seen.live[0]?.title, `Alice Martin updated ${RENAMED}: Company, Phone`);
    const seenActivity = await activityOf(peer);
    assert.equal(seenActivity.page[0]?.entity?.label, RENAMED);
  });

  test('a hidden field that is not a label field leaves the label alone', async () => {
    h = await startPermissionHarness({ notifications: { notifyWatchersOnChange: true } });
    await seedCustomer(h, '42', { company: SEEDED });
    const ana = await h.connect(alice);
    const user = await connectWith(h, 'carol', {
      crm: { fields: { customer: { hidden: ['notes'] } } },
    });
    await user.join('user:carol');
    await user.join('customer:42');
    await ana.join('customer:42');
    as(await update(ana, { notes: 'x', phone: '555' }, 1), 'entity.ack');
    const event = await user.next((f) => f.type === 'event' && f.event === 'notification');
    const n = (event as { payload: unknown }).payload as Notification;
    assert.equal(n.title, `Alice Martin updated ${SEEDED}: Phone`);
    assert.equal(n.entity?.label, SEEDED);
  });
});
