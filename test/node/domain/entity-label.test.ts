/**
 * An entity's label and its fields' labels are one rule (`src/domain/`), so a change to a customer
 * reads the same everywhere: the activity item and the watcher notification name the company (as
 * the demo page, the seeded items and the conflict dialog do), changed fields read as the form's
 * labels ("Contact", not "Name"), and the fake server says exactly what the reference server says.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type {
  ActivityItem,
  Fields,
  FrameOf,
  Notification,
  ServerFrame,
} from '../../../src/protocol/index.js';
import { FakeServer, ManualClock } from '../../../src/testing/index.js';
import { nextId } from '../helpers/server-client.js';
import { alice, bob, startHarness, type Harness } from '../helpers/server-harness.js';

/** Customer 42 as the demo seeds it: a company, and a contact in `name`. */
const CUSTOMER: Fields = {
  company: 'Difference Ltd',
  name: 'Tomás Álvarez',
  nextStep: 'Send the proposal',
  status: 'Lead',
};
const CALL: Fields = { subject: 'Intro call', customerId: '42', minutes: 5 };

/** What a change says, without what only one server can know (ids, times). */
function said(item: ActivityItem | undefined, n: Notification | undefined) {
  assert.ok(item, 'an activity item');
  assert.ok(n, 'a watcher notification');
  const { id: _id, at: _at, ...activity } = item;
  const { title, type, priority, target, entity, from } = n;
  return { activity, notification: { title, type, priority, target, entity, from } };
}

/** One change by Alice, seen by Bob who has the entity open, on the reference server. */
async function onServer(h: Harness, type: string, id: string, fields: Fields) {
  const a = await h.connect(alice);
  const b = await h.connect(bob);
  await b.join('user:bob');
  await a.join(`${type}:${id}`);
  await b.join(`${type}:${id}`);
  const ack = await a.request({
    type: 'entity.update',
    id: nextId('u'),
    mutationId: `mutation-${nextId()}`,
    entityType: type,
    entityId: id,
    baseVersion: 1,
    fields,
  });
  assert.equal(ack.type, 'entity.ack', JSON.stringify(ack));
  const event = await b.next((f) => f.type === 'event' && f.event === 'notification');
  const page = await a.request({
    type: 'activity.list',
    id: nextId('a'),
    feed: { kind: 'user', userId: 'alice' },
  });
  const items = (page as FrameOf<ServerFrame, 'activity.page'>).items;
  return said(items[0], (event as FrameOf<ServerFrame, 'event'>).payload as Notification);
}

/** The same change on the fake server, Bob scripted as present on the entity. */
function onFake(server: FakeServer, type: string, id: string, fields: Fields) {
  server.addPerson(`${type}:${id}`, bob);
  server.entities.remoteUpdate(type, id, fields, alice);
  return said(
    server.activity.feed({ kind: 'user', userId: 'alice' })[0],
    server.notifications.forUser('bob')[0],
  );
}

async function serverHarness(): Promise<Harness> {
  const h = await startHarness({ notifications: { notifyWatchersOnChange: true } });
  await h.server.entities.update({
    type: 'customer',
    id: '42',
    fields: CUSTOMER,
    source: 'backend',
    create: true,
  });
  await h.server.entities.update({
    type: 'call',
    id: 'c-1',
    fields: CALL,
    source: 'backend',
    create: true,
  });
  return h;
}

function fakeServer(): FakeServer {
  const server = new FakeServer({ clock: new ManualClock(), notifyWatchersOnChange: true });
  server.entities.put({ type: 'customer', id: '42', fields: CUSTOMER });
  server.entities.put({ type: 'call', id: 'c-1', fields: CALL });
  return server;
}

const COMPANY = { type: 'customer', id: '42', label: 'Difference Ltd' };

describe('a change to a customer names the company', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  test('on the reference server: activity and watcher notification', async () => {
    h = await serverHarness();
    const { activity, notification } = await onServer(h, 'customer', '42', {
      name: 'Tomás Álvarez Ruiz',
    });
    assert.deepEqual(activity.entity, COMPANY);
    assert.equal(notification.title, 'Alice Martin updated Difference Ltd: Contact');
    assert.deepEqual(notification.target, { entity: COMPANY });
  });

  test('on the fake server: activity and watcher notification', () => {
    const { activity, notification } = onFake(fakeServer(), 'customer', '42', {
      name: 'Tomás Álvarez Ruiz',
    });
    assert.deepEqual(activity.entity, COMPANY);
    assert.equal(notification.title, 'Alice Martin updated Difference Ltd: Contact');
    assert.deepEqual(notification.target, { entity: COMPANY });
  });

  test('a customer with no company is named by its contact, then by its id', async () => {
    h = await serverHarness();
    await h.server.entities.update({
      type: 'customer',
      id: '7',
      fields: { name: 'Ada Byron' },
      source: 'backend',
      create: true,
    });
    await h.server.entities.update({
      type: 'customer',
      id: '8',
      fields: { status: 'Lead' },
      source: 'backend',
      create: true,
    });
    const byContact = await onServer(h, 'customer', '7', { status: 'Won' });
    assert.equal(byContact.notification.title, 'Alice Martin updated Ada Byron: Status');
    const byId = await onServer(h, 'customer', '8', { status: 'Won' });
    assert.equal(byId.notification.title, 'Alice Martin updated customer 8: Status');
  });
});

describe('the fake server and the reference server agree', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  for (const [type, id, fields] of [
    ['customer', '42', { name: 'Tomás Álvarez Ruiz', nextStep: 'Call back on Monday' }],
    ['call', 'c-1', { minutes: 12 }],
  ] as const) {
    test(`the same change to a ${type} gives the same activity and notification`, async () => {
      h = await serverHarness();
      const real = await onServer(h, type, id, fields);
      const fake = onFake(fakeServer(), type, id, fields);
      assert.deepEqual(fake, real);
    });
  }
});
