/**
 * The notification store against the fake server: targeting, unread counts and read state across
 * two tabs, paging, toasts (`onNew`) for live items only, replay after a reconnect, the memory cap.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Notification, NotificationStoreApi } from '../../../../src/client/index.js';
import {
  createRig,
  DEMO_USER,
  notificationsArriving,
  type Rig,
} from '../../../../src/testing/index.js';

const ada = { id: 'ada', name: 'Ada Lovelace' };
const bob = { id: 'bob', name: 'Bob Babbage' };
const carol = { id: 'carol', name: 'Carol Shaw' };

/** A client signed in as `user` with its notification store, and what `onNew` saw. */
function tab(rig: Rig, user = DEMO_USER, options?: { maxNotifications?: number }) {
  const client = rig.client({ devUser: user, clientId: `${user.id}-${Math.random()}` });
  const store: NotificationStoreApi = client.notifications(options);
  const fresh: Notification[] = [];
  store.onNew((n) => fresh.push(n));
  return { client, store, fresh };
}

/** Let frames flow and one batched store notification happen. */
const settle = (rig: Rig) => rig.clock.advance(16);

describe('notification store: targeting', () => {
  it('a notification for one user reaches that user and no one else', async () => {
    const rig = createRig();
    // A CRM whose users may notify any colleague (the default: only people sharing a room).
    rig.server.notifications.notifyAnyone = true;
    const sender = tab(rig, ada);
    const target = tab(rig, bob);
    const other = tab(rig, carol);
    await settle(rig);

    await sender.store.send({ target: { user: 'bob' }, title: 'Call the customer back' });
    await settle(rig);

    assert.deepEqual(
      target.fresh.map((n) => n.title),
      ['Call the customer back'],
    );
    assert.equal(target.fresh[0]!.from?.id, 'ada');
    assert.equal(target.store.snapshot().unread, 1);
    assert.equal(other.fresh.length, 0);
    assert.equal(other.store.snapshot().items.length, 0);
    assert.equal(sender.fresh.length, 0, 'the sender is not notified of what it sent');
    // Nothing about it went over carol's or ada's sockets, and it is in bob's history only.
    const id = target.fresh[0]!.id;
    const carriedTo = rig.server.frames
      .filter((r) => r.direction === 'out' && JSON.stringify(r.frame).includes(`"${id}"`))
      .map((r) => r.connection);
    assert.equal(new Set(carriedTo).size, 1);
    assert.deepEqual(
      rig.server.notifications.forUser('bob').map((n) => n.id),
      [id],
    );
    assert.deepEqual(rig.server.notifications.forUser('carol'), []);
    rig.close();
  });

  it("nobody can join another user's personal room", async () => {
    const rig = createRig();
    const spy = rig.client({ devUser: carol });
    const errors: string[] = [];
    spy.onError((e) => errors.push(e.code));
    spy.joinRoom('user:bob');
    await settle(rig);
    assert.deepEqual(errors, ['forbidden']);
    rig.server.notify({ target: { user: 'bob' }, title: 'For Bob only' });
    await settle(rig);
    assert.equal(rig.server.sent('event').length, 0);
    rig.close();
  });

  it('an entity notification reaches those present on the entity, not the sender or others', async () => {
    const rig = createRig();
    const sender = tab(rig, ada);
    const watcher = tab(rig, bob);
    const elsewhere = tab(rig, carol);
    sender.store.watch('customer:42'); // the sender watches it too
    const unwatch = watcher.store.watch('customer:42');
    await settle(rig);

    const entity = { type: 'customer', id: '42', label: 'Difference Ltd' };
    await sender.store.send({ target: { entity }, title: 'Stage changed to Won', type: 'success' });
    await settle(rig);
    assert.deepEqual(
      watcher.fresh.map((n) => n.title),
      ['Stage changed to Won'],
    );
    assert.equal(watcher.store.snapshot().unread, 1);
    assert.equal(sender.fresh.length, 0);
    assert.equal(elsewhere.fresh.length, 0);
    assert.equal(rig.server.notifications.unread('bob'), 1);
    assert.equal(rig.server.notifications.unread('ada'), 0);

    // No longer watched: once the leave grace period is over, bob is not among the recipients.
    unwatch();
    await rig.clock.advance(15_000);
    rig.server.notify({ target: { entity }, title: 'Another change' });
    await settle(rig);
    assert.equal(watcher.fresh.length, 1);
    assert.deepEqual(
      rig.server.notifications.forUser('bob').map((n) => n.title),
      ['Stage changed to Won'],
    );
    rig.close();
  });

  it('refuses invalid input before sending; the server refuses rooms the sender is not in', async () => {
    const rig = createRig();
    const sender = tab(rig, ada);
    await settle(rig);
    await assert.rejects(sender.store.send({ target: { user: 'bob' }, title: '' }), {
      code: 'bad_frame',
    });
    const link = { label: 'Go', url: 'javascript:alert(1)' };
    await assert.rejects(
      sender.store.send({ target: { user: 'bob' }, title: 'x', actions: [link] }),
      { code: 'bad_frame' },
    );
    await assert.rejects(sender.store.send({ target: { room: 'customer:7' }, title: 'Psst' }), {
      code: 'forbidden',
    });
    sender.client.joinRoom('customer:7');
    rig.server.addPerson('customer:7', bob);
    await settle(rig);
    await sender.store.send({ target: { room: 'customer:7' }, title: 'Now it may' });
    assert.deepEqual(
      rig.server.notifications.forUser('bob').map((n) => n.title),
      ['Now it may'],
    );
    rig.close();
  });

  it('by default a user notifies themselves and people sharing a room with them, nobody else', async () => {
    const rig = createRig();
    const sender = tab(rig, ada);
    tab(rig, carol);
    await settle(rig);
    await assert.rejects(sender.store.send({ target: { user: 'carol' }, title: 'Spam' }), {
      code: 'forbidden',
    });
    assert.deepEqual(rig.server.notifications.forUser('carol'), []);
    await sender.store.send({ target: { user: 'ada' }, title: 'Note to self' });
    sender.client.joinRoom('customer:9');
    rig.server.addPerson('customer:9', bob);
    await settle(rig);
    await sender.store.send({ target: { user: 'bob' }, title: 'Same customer' });
    assert.deepEqual(
      rig.server.notifications.forUser('bob').map((n) => n.title),
      ['Same customer'],
    );
    rig.close();
  });
});

describe('notification store: read state', () => {
  it('two tabs of one user agree on unread counts and read state', async () => {
    const rig = createRig();
    rig.server.notifications.seed(DEMO_USER.id, 6, { unread: 4 });
    const one = tab(rig);
    const two = tab(rig);
    await settle(rig);
    assert.equal(one.store.snapshot().unread, 4);
    assert.equal(two.store.snapshot().unread, 4);

    const newest = one.store.snapshot().items[0]!;
    assert.equal(newest.read, false);
    const marking = one.store.markRead(newest.id);
    // Optimistic: this tab shows it at once.
    assert.equal(one.store.snapshot().unread, 3);
    assert.equal(one.store.snapshot().items[0]!.read, true);
    await marking;
    await settle(rig);
    assert.equal(two.store.snapshot().unread, 3);
    assert.equal(two.store.snapshot().items[0]!.read, true);

    await two.store.markAllRead();
    await settle(rig);
    for (const t of [one, two]) {
      assert.equal(t.store.snapshot().unread, 0);
      assert.ok(
        t.store.snapshot().items.every((n) => n.read),
        'all read',
      );
    }
    assert.equal(rig.server.notifications.unread(DEMO_USER.id), 0);

    // A new one counts in both tabs.
    rig.server.notify({ target: { user: DEMO_USER.id }, title: 'New lead' });
    await settle(rig);
    assert.equal(one.store.snapshot().unread, 1);
    assert.equal(two.store.snapshot().unread, 1);
    rig.close();
  });

  it('ignores a count stamped older than the one it took, and starts over on a new connection', async () => {
    const rig = createRig();
    rig.server.notifications.seed(DEMO_USER.id, 5, { unread: 3 });
    const { client, store } = tab(rig);
    await settle(rig);
    await store.markRead(store.snapshot().items[0]!.id);
    await settle(rig);
    assert.equal(store.snapshot().unread, 2);
    // Counts this connection was sent: the page (1), the read's answer (2), the push (3).
    const count = (unread: number, unreadSeq?: number) =>
      rig.server.sendRaw(
        JSON.stringify({ type: 'notification.read-state', ids: [], unread, unreadSeq }),
      );

    // Computed before the read (it waited for the server's authorization hook), arriving now.
    count(3, 2);
    await settle(rig);
    assert.equal(store.snapshot().unread, 2, 'an older count does not put back a stale badge');
    count(4, 4);
    await settle(rig);
    assert.equal(store.snapshot().unread, 4, 'a newer one is taken');
    count(1);
    await settle(rig);
    assert.equal(store.snapshot().unread, 1, 'a server without stamps: every count is taken');

    // A new connection numbers its counts from 1 again: its page is taken.
    rig.server.dropConnections();
    await settle(rig);
    await rig.clock.advance(2000);
    await settle(rig);
    assert.equal(client.status.state, 'open');
    assert.equal(store.snapshot().unread, 2, "the new connection's page, its count 1");
    rig.close();
  });

  it("each tab is sent the count its own user may see, not the reader's", async () => {
    // The fake's `authorize` asks with the connection's user as it signed in: a profile whose
    // token would carry a narrower claim may not read customer 7.
    const rig = createRig({
      server: { authorize: (user, room) => !(user.name === 'Narrow' && room === 'customer:7') },
    });
    rig.server.notify({
      target: { user: 'ada' },
      title: 'About 7',
      entity: { type: 'customer', id: '7' },
    });
    const hello = rig.server.notify({ target: { user: 'ada' }, title: 'Hello' });
    const narrow = tab(rig, { id: 'ada', name: 'Narrow' });
    const wide = tab(rig, { id: 'ada', name: 'Wide' });
    await settle(rig);
    assert.equal(narrow.store.snapshot().unread, 1);
    assert.equal(wide.store.snapshot().unread, 2);
    await wide.store.markRead(hello.id);
    await settle(rig);
    assert.equal(wide.store.snapshot().unread, 1);
    assert.equal(narrow.store.snapshot().unread, 0, "the narrow tab's own count");
    assert.equal(narrow.store.snapshot().items[0]?.read, true);
    rig.close();
  });

  it('rolls back an optimistic mark when the server cannot be told', async () => {
    const rig = createRig();
    rig.server.notifications.seed(DEMO_USER.id, 3);
    const { store } = tab(rig);
    await settle(rig);
    const [first] = store.snapshot().items;
    rig.server.refuseConnections();
    rig.server.dropConnections();
    await settle(rig);

    await assert.rejects(store.markRead(first!.id), { code: 'not_connected' });
    assert.equal(store.snapshot().unread, 3);
    assert.equal(store.snapshot().items[0]!.read, false);
    await assert.rejects(store.markAllRead(), { code: 'not_connected' });
    assert.equal(store.snapshot().unread, 3);
    assert.ok(
      store.snapshot().items.every((n) => !n.read),
      'none read',
    );
    assert.equal(store.snapshot().error?.code, 'not_connected');
    rig.close();
  });
});

describe('notification store: history', () => {
  it('pages newest first through cursors, without duplicates, and says when there is no more', async () => {
    const rig = createRig();
    rig.server.notifications.seed(DEMO_USER.id, 120, { unread: 7 });
    const { store, fresh } = tab(rig, DEMO_USER, { maxNotifications: 50 });
    await settle(rig);
    let s = store.snapshot();
    assert.equal(s.loaded, true);
    assert.equal(s.items.length, 50);
    assert.equal(s.unread, 7);
    assert.equal(s.hasMore, true);

    await store.loadMore();
    assert.equal(store.snapshot().items.length, 100);
    await store.loadMore();
    s = store.snapshot();
    assert.equal(s.items.length, 120);
    assert.equal(s.hasMore, false);
    assert.deepEqual(
      s.items.map((n) => n.id),
      rig.server.notifications.forUser(DEMO_USER.id).map((n) => n.id),
    );
    assert.equal(new Set(s.items.map((n) => n.id)).size, 120);
    await store.loadMore(); // nothing more: no request
    assert.equal(rig.server.received('notification.list').length, 3);
    assert.equal(fresh.length, 0, 'history never toasts');
    rig.close();
  });

  it('shows loading while a page is in flight', async () => {
    const rig = createRig({ server: { latency: 50 } });
    rig.server.notifications.seed(DEMO_USER.id, 3);
    const { store } = tab(rig);
    await rig.clock.advance(500); // handshake, join and the first page
    const states: boolean[] = [];
    store.subscribe((s) => states.push(s.loading));
    assert.equal(store.snapshot().loaded, true);
    void store.refresh();
    assert.equal(store.snapshot().loading, true);
    await rig.clock.advance(200);
    assert.equal(store.snapshot().loading, false);
    assert.deepEqual(states, [true, false]);
    rig.close();
  });

  it('keeps maxNotifications in memory; the dropped ones can be loaded again', async () => {
    const rig = createRig();
    rig.server.notifications.seed(DEMO_USER.id, 4);
    const { store } = tab(rig, DEMO_USER, { maxNotifications: 5 });
    await settle(rig);
    assert.equal(store.snapshot().hasMore, false);
    for (let i = 0; i < 3; i++) {
      rig.server.notify({ target: { user: DEMO_USER.id }, title: `Live ${i}` });
    }
    await settle(rig);
    const s = store.snapshot();
    assert.deepEqual(
      s.items.map((n) => n.title),
      [
        'Live 2',
        'Live 1',
        'Live 0',
        ...rig.server.notifications
          .forUser(DEMO_USER.id)
          .slice(3, 5)
          .map((n) => n.title),
      ],
    );
    assert.equal(s.hasMore, true);
    assert.equal(s.unread, 7);
    await store.loadMore();
    assert.equal(store.snapshot().items.length, 7);
    assert.equal(store.snapshot().hasMore, false);
    rig.close();
  });

  it('lets go of what a closed panel paged in; the unread count stays exact without the items', async () => {
    const rig = createRig();
    rig.server.notifications.seed(DEMO_USER.id, 120);
    const { store } = tab(rig, DEMO_USER, { maxNotifications: 20 });
    await settle(rig);
    const unreadAtFirst = store.snapshot().unread;
    await store.loadMore();
    await store.loadMore();
    assert.equal(store.snapshot().items.length, 60);

    // The panel closes: back to the newest 20, and nothing arriving later grows it.
    store.unpage();
    await settle(rig);
    assert.equal(store.snapshot().items.length, 20);
    assert.equal(store.snapshot().hasMore, true);
    for (let i = 0; i < 200; i++) {
      rig.server.notify({ target: { user: DEMO_USER.id }, title: `Live ${i}` });
    }
    await settle(rig);
    let s = store.snapshot();
    assert.equal(s.items.length, 20);
    assert.equal(s.unread, unreadAtFirst + 200, 'every unread one counted, in memory or not');
    assert.equal(s.unread, rig.server.notifications.unread(DEMO_USER.id));

    // Another tab reads an old one this tab no longer holds: the count still agrees.
    const other = tab(rig);
    await settle(rig);
    while (other.store.snapshot().hasMore) await other.store.loadMore();
    const old = other.store
      .snapshot()
      .items.filter((n) => !n.read)
      .at(-1)!;
    assert.ok(!s.items.some((n) => n.id === old.id), 'not in this tab any more');
    await other.store.markRead(old.id);
    await settle(rig);
    s = store.snapshot();
    assert.equal(s.unread, unreadAtFirst + 199);
    assert.equal(s.unread, rig.server.notifications.unread(DEMO_USER.id));

    // Scrolling the panel again brings the older ones back.
    await store.loadMore();
    assert.equal(store.snapshot().items.length, 40);
    rig.close();
  });
});

describe('notification store: live and resume', () => {
  it('onNew fires once per live notification, never for history or duplicates', async () => {
    const rig = createRig();
    rig.server.notifications.seed(DEMO_USER.id, 3);
    const { client, store, fresh } = tab(rig);
    const second = client.notifications(); // another widget: same store, one room
    const toasts: string[] = [];
    second.onNew((n) => toasts.push(n.title));
    await settle(rig);
    assert.equal(fresh.length, 0);
    assert.equal(rig.server.received('join').length, 1);

    rig.server.notify({
      target: { user: DEMO_USER.id },
      title: 'Meeting moved',
      priority: 'urgent',
    });
    await settle(rig);
    assert.deepEqual(
      fresh.map((n) => [n.title, n.priority]),
      [['Meeting moved', 'urgent']],
    );
    assert.deepEqual(toasts, ['Meeting moved']);
    assert.equal(store.snapshot().items[0]!.title, 'Meeting moved');
    assert.equal(store.snapshot().unread, 4);

    await store.refresh(); // the page holds it too: no second toast, no double count
    await settle(rig);
    assert.equal(fresh.length, 1);
    assert.equal(store.snapshot().unread, 4);
    assert.equal(store.snapshot().items.length, 4);
    // Delivered again (a redelivery after the page had it): still once.
    rig.server.broadcast(`user:${DEMO_USER.id}`, 'notification', store.snapshot().items[0]);
    await settle(rig);
    assert.equal(fresh.length, 1);
    assert.equal(store.snapshot().unread, 4);
    assert.equal(store.snapshot().items.length, 4);

    second.release();
    rig.server.notify({ target: { user: DEMO_USER.id }, title: 'After release' });
    await settle(rig);
    assert.deepEqual(toasts, ['Meeting moved']);
    assert.equal(fresh.length, 2);
    rig.close();
  });

  it('after a reconnect the notifications missed meanwhile arrive, as new and unread', async () => {
    const rig = createRig();
    const { client, store, fresh } = tab(rig);
    await settle(rig);
    rig.server.refuseConnections();
    rig.server.dropConnections();
    await settle(rig);
    assert.equal(client.status.state, 'reconnecting');
    for (const title of ['One', 'Two', 'Three']) {
      rig.server.notify({ target: { user: DEMO_USER.id }, title });
    }
    rig.server.refuseConnections(false);
    await rig.clock.advance(2000);
    assert.equal(client.status.state, 'open');
    await settle(rig);
    assert.deepEqual(
      fresh.map((n) => n.title),
      ['One', 'Two', 'Three'],
    );
    const s = store.snapshot();
    assert.deepEqual(
      s.items.map((n) => [n.title, n.read]),
      [
        ['Three', false],
        ['Two', false],
        ['One', false],
      ],
    );
    assert.equal(s.unread, 3);
    rig.close();
  });

  it('after a gap the first page is refetched and what was missing counts as new', async () => {
    const rig = createRig();
    rig.server.notifications.seed(DEMO_USER.id, 2);
    const { client, store, fresh } = tab(rig);
    await settle(rig);
    rig.server.refuseConnections();
    rig.server.dropConnections();
    await settle(rig);
    rig.server.notify({ target: { user: DEMO_USER.id }, title: 'Missed' });
    rig.server.truncateReplay(`user:${DEMO_USER.id}`);
    const resumes: string[] = [];
    client.onResume((info) => resumes.push(info.resume));
    rig.server.refuseConnections(false);
    await rig.clock.advance(2000);
    await settle(rig);
    assert.deepEqual(resumes, ['gap']);
    assert.deepEqual(
      fresh.map((n) => n.title),
      ['Missed'],
    );
    assert.equal(store.snapshot().items.length, 3);
    assert.equal(store.snapshot().unread, 3);
    rig.close();
  });

  it('a notification whose publish was lost is new after the resync, though older than a live one', async () => {
    const rig = createRig();
    rig.server.notifications.seed(DEMO_USER.id, 2);
    const { client, store, fresh } = tab(rig);
    await settle(rig);
    const resumes: string[] = [];
    client.onResume((info) => resumes.push(info.resume));
    await rig.clock.advance(1000);
    // Stored for the user, but the process died before publishing it: never delivered.
    const [lost] = rig.server.notifications.seed(DEMO_USER.id, 1);
    await rig.clock.advance(1000);
    rig.server.notify({ target: { user: DEMO_USER.id }, title: 'Arrived live' });
    await settle(rig);
    assert.deepEqual(
      fresh.map((n) => n.title),
      ['Arrived live'],
    );
    // The server cannot replay from the client's `since` (the loss): the client resyncs.
    rig.server.restart();
    await rig.clock.advance(2000);
    await settle(rig);
    assert.deepEqual(resumes, ['gap']);
    assert.deepEqual(
      fresh.map((n) => n.id),
      [fresh[0]!.id, lost!.id],
      'the lost one toasts once; the live one and the history do not toast again',
    );
    assert.equal(store.snapshot().items.length, 4);
    assert.equal(store.snapshot().unread, 4);
    rig.close();
  });

  it('after a gap, the missed notifications are new oldest first, and not those read elsewhere', async () => {
    const rig = createRig();
    rig.server.notifications.seed(DEMO_USER.id, 2);
    const { store, fresh } = tab(rig);
    await settle(rig);
    rig.server.refuseConnections();
    rig.server.dropConnections();
    await settle(rig);
    for (const title of ['One', 'Two']) {
      rig.server.notify({ target: { user: DEMO_USER.id }, title });
      await rig.clock.advance(1000);
    }
    // Arrived and read on the user's phone while this tab was away: not news here.
    rig.server.notifications.seed(DEMO_USER.id, 1, { unread: 0 });
    await rig.clock.advance(1000);
    rig.server.notify({ target: { user: DEMO_USER.id }, title: 'Three' });
    rig.server.truncateReplay(`user:${DEMO_USER.id}`);
    rig.server.refuseConnections(false);
    await rig.clock.advance(2000);
    await settle(rig);
    assert.deepEqual(
      fresh.map((n) => n.title),
      ['One', 'Two', 'Three'],
      'in the order they would have arrived live',
    );
    assert.equal(store.snapshot().items.length, 6);
    assert.equal(store.snapshot().unread, 5);
    rig.close();
  });

  it('the last release leaves the personal room', async () => {
    const rig = createRig();
    const client = rig.client();
    const a = client.notifications();
    const b = client.notifications();
    await settle(rig);
    assert.equal(client.heldRooms().get(`user:${DEMO_USER.id}`), 1);
    a.release();
    a.release();
    assert.equal(client.heldRooms().get(`user:${DEMO_USER.id}`), 1);
    b.release();
    await settle(rig);
    assert.equal(client.heldRooms().has(`user:${DEMO_USER.id}`), false);
    assert.equal(rig.server.received('leave').length, 1);
    await assert.rejects(b.markAllRead(), { code: 'closed' });
    rig.close();
  });
});

describe('notification scripting', () => {
  it('notificationsArriving sends on the clock until its count or stop', async () => {
    const rig = createRig();
    const { fresh } = tab(rig);
    await settle(rig);
    const arriving = notificationsArriving(rig.server, {
      userId: DEMO_USER.id,
      everyMs: 1000,
      count: 3,
    });
    await rig.clock.advance(999);
    assert.equal(fresh.length, 0);
    await rig.clock.advance(10_000);
    assert.equal(fresh.length, 3);
    assert.equal(new Set(fresh.map((n) => n.type)).size, 3, 'varied types');
    const endless = notificationsArriving(rig.server, { userId: DEMO_USER.id, everyMs: 1000 });
    await rig.clock.advance(2000);
    endless.stop();
    arriving.stop();
    await rig.clock.advance(10_000);
    assert.equal(fresh.length, 5);
    rig.close();
  });
});

describe('notification store: the user may no longer read an entity', () => {
  it('recounts unread ones about it that it does not hold', async () => {
    let revoked = false;
    const rig = createRig({
      server: { authorize: (_user, room) => !(revoked && room === 'customer:42') },
    });
    const about42 = { type: 'customer', id: '42', label: 'Acme' };
    // Oldest first: two about customer 42 beyond the window the store keeps, which holds none.
    for (const title of ['About 42', 'More about 42']) {
      rig.server.notify({ target: { user: DEMO_USER.id }, title, entity: about42 });
      await rig.clock.advance(1000);
    }
    rig.server.notify({ target: { user: DEMO_USER.id }, title: 'Hello' });
    await rig.clock.advance(1000);
    const { store, fresh } = tab(rig, DEMO_USER, { maxNotifications: 1 });
    await settle(rig);
    assert.deepEqual(
      store.snapshot().items.map((n) => n.title),
      ['Hello'],
    );
    assert.equal(store.snapshot().unread, 3);

    revoked = true;
    rig.server.permissionsChanged(DEMO_USER.id);
    await settle(rig);
    assert.equal(store.snapshot().unread, 1, 'those about 42 no longer count');
    assert.equal(fresh.length, 0);
    // What the store pages in from now on comes by the new rules.
    await store.loadMore();
    await settle(rig);
    assert.deepEqual(
      store.snapshot().items.map((n) => n.title),
      ['Hello'],
    );
    rig.close();
  });
});
