/**
 * The client's notification and activity stores (`client.notifications()`, `client.activity()`)
 * against the reference server over real sockets: the same protocol reading on both ends. Real
 * time, bounded waits.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { defaultAuthorize } from '../../../../src/server/authorize.js';
import { RealServerSuite, waitFor as until } from '../../helpers/real-client.js';

const KEY = 'client-test-key';

describe('notification and activity stores against the reference server', () => {
  const suite = new RealServerSuite({
    auth: { devIdentities: true },
    quiet: true,
    apiKeys: [KEY],
    // A CRM whose users all know each other: anyone may notify anyone (the default allows
    // only people sharing a room).
    authorize: (request) => request.action === 'notify' || defaultAuthorize(request),
  });
  before(() => suite.start());
  after(() => suite.stop());
  const client = (id: string, clientId?: string) => suite.client(id, clientId);

  test('send, live arrival, unread, and mark read agreed between two tabs', async () => {
    const ann = client('ann').notifications();
    const tab1 = client('ben', 'ben-laptop').notifications();
    const tab2 = client('ben', 'ben-laptop').notifications();
    const arrived: string[] = [];
    tab1.onNew((n) => arrived.push(n.title));
    await until(() => [ann, tab1, tab2].every((s) => s.snapshot().loaded), 'first pages');

    await ann.send({ target: { user: 'ben' }, title: 'Call Ada back', priority: 'high' });
    await until(() => tab1.snapshot().unread === 1 && tab2.snapshot().unread === 1, 'unread 1');
    assert.deepEqual(arrived, ['Call Ada back']);
    const [n] = tab1.snapshot().items;
    assert.equal(n?.from?.id, 'ann');
    assert.equal(ann.snapshot().items.length, 0, 'the sender is not a recipient');

    await tab1.markRead(n!.id);
    await until(() => tab2.snapshot().unread === 0, 'the other tab agrees');
    assert.equal(tab2.snapshot().items[0]?.read, true);

    // A backend's notification arrives the same way.
    const res = await fetch(
      suite.url.replace('ws:', 'http:').replace('/realtime', '/api/notifications'),
      {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          target: { user: 'ben' },
          title: 'Invoice overdue',
          type: 'warning',
        }),
      },
    );
    assert.equal(res.status, 201);
    await until(() => tab2.snapshot().unread === 1, 'the backend notification');
    await tab2.markAllRead();
    await until(() => tab1.snapshot().unread === 0, 'all read everywhere');
  });

  test('someone offline during three notifications finds all three unread when back', async () => {
    const sender = client('dee').notifications();
    const away = client('eve');
    const before = away.notifications();
    await until(() => sender.snapshot().loaded && before.snapshot().loaded, 'first pages');
    away.close();
    for (const title of ['One', 'Two', 'Three']) {
      await sender.send({ target: { user: 'eve' }, title });
    }
    const back = client('eve').notifications();
    await until(() => back.snapshot().loaded && back.snapshot().unread === 3, 'three unread');
    assert.deepEqual(
      back.snapshot().items.map((n) => [n.title, n.read]),
      [
        ['Three', false],
        ['Two', false],
        ['One', false],
      ],
    );
  });

  test('an activity feed pages history and tails live items', async () => {
    for (let i = 0; i < 7; i++) {
      await suite.server.activity.append({
        kind: 'call.logged',
        customerId: '42',
        summary: `c${i}`,
      });
    }
    await suite.server.activity.append({ kind: 'call.logged', customerId: '7', summary: 'other' });
    const feed = client('cy').activity({ kind: 'customer', entityId: '42' }, { pageSize: 5 });
    await until(() => feed.snapshot().loaded, 'first page');
    assert.equal(feed.snapshot().items.length, 5);
    assert.equal(feed.snapshot().hasMore, true);
    await feed.loadOlder();
    await until(() => feed.snapshot().items.length === 7, 'older page');
    await suite.server.activity.append({ kind: 'note.added', customerId: '42', summary: 'live' });
    await until(() => feed.snapshot().items[0]?.summary === 'live', 'live item');
    assert.deepEqual(
      feed.snapshot().items.map((i) => i.summary),
      ['live', 'c6', 'c5', 'c4', 'c3', 'c2', 'c1', 'c0'],
    );
    assert.equal(feed.snapshot().liveCount, 1);
    feed.release();
  });
});
