/**
 * The unread badge against the fake server when counts and live notifications cross: a count
 * says how far it reaches (`unreadUpTo`), a live notification its `order`, and the store counts
 * each notification once whichever arrives first. Frames are held on their way to the client
 * and let go by the test, so each order of arrival is made, not waited for.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { NotificationStoreApi } from '../../../../src/client/index.js';
import { createRig, DEMO_USER, type Rig } from '../../../../src/testing/index.js';
import { FakeSocket } from '../../../../src/testing/fake-socket.js';

/** Frames on their way to the clients that `match` picks, kept until `release()`. */
function holdIncoming(match: (text: string) => boolean) {
  const deliver = FakeSocket.prototype.message;
  const held: (() => void)[] = [];
  FakeSocket.prototype.message = function (this: FakeSocket, text: string) {
    if (match(text)) held.push(() => deliver.call(this, text));
    else deliver.call(this, text);
  };
  const restore = () => void (FakeSocket.prototype.message = deliver);
  restores.push(restore);
  return {
    get count() {
      return held.length;
    },
    /** Delivers the held frame at `index` (the first by default) and keeps holding. */
    next(index = 0) {
      held.splice(index, 1)[0]!();
    },
    /** Delivers what was held, in order, and holds no more. */
    release() {
      restore();
      held.splice(0).forEach((send) => send());
    },
  };
}

/** Frames on their way to the clients that `match` picks, changed by `change`, until restored. */
function rewriteIncoming(
  match: (text: string) => boolean,
  change: (frame: Record<string, unknown>) => Record<string, unknown>,
): () => void {
  const deliver = FakeSocket.prototype.message;
  FakeSocket.prototype.message = function (this: FakeSocket, text: string) {
    const changed = match(text) ? JSON.stringify(change(JSON.parse(text))) : text;
    deliver.call(this, changed);
  };
  const restore = () => void (FakeSocket.prototype.message = deliver);
  restores.push(restore);
  return restore;
}

const restores: (() => void)[] = [];
// Newest first: each restore puts back what was there when it was made.
afterEach(() =>
  restores
    .splice(0)
    .reverse()
    .forEach((restore) => restore()),
);

const liveNotification = (text: string) => text.includes('"event":"notification"');
const readState = (text: string) => text.includes('"type":"notification.read-state"');
const pageFrame = (text: string) => text.includes('"type":"notification.page"');

/** Let frames flow and one batched store notification happen. */
const settle = (rig: Rig) => rig.clock.advance(16);

/** A tab of the demo user with three unread notifications, loaded. */
async function loadedTab(): Promise<{ rig: Rig; store: NotificationStoreApi; seeded: string[] }> {
  const rig = createRig();
  const seeded = rig.server.notifications.seed(DEMO_USER.id, 3).map((n) => n.id);
  const client = rig.client({ devUser: DEMO_USER, clientId: 'tab' });
  const store = client.notifications();
  await settle(rig);
  assert.equal(store.snapshot().unread, 3);
  return { rig, store, seeded };
}

const truth = (rig: Rig) => rig.server.notifications.unread(DEMO_USER.id);

describe('unread badge: counts and live notifications in every order', () => {
  it('a count that already counted a notification, arriving before its live event: counted once', async () => {
    const { rig, store, seeded } = await loadedTab();
    const late = holdIncoming(liveNotification);
    rig.server.notify({ target: { user: DEMO_USER.id }, title: 'New lead' });
    // Read on another device: this tab is sent a count that has the new one in it.
    rig.server.notifications.markRead(DEMO_USER.id, [seeded[0]!]);
    await settle(rig);
    assert.equal(late.count, 1, 'the live event is still on its way');
    assert.equal(store.snapshot().unread, 3, 'two seeded and the new one');

    late.release();
    await settle(rig);
    assert.equal(store.snapshot().items[0]!.title, 'New lead');
    assert.equal(store.snapshot().unread, 3, 'the live event adds nothing: the count had it');
    assert.equal(store.snapshot().unread, truth(rig));
    rig.close();
  });

  it('a count begun before a notification was stored, arriving after its live event: it stays counted', async () => {
    const { rig, store, seeded } = await loadedTab();
    const late = holdIncoming(readState);
    rig.server.notifications.markRead(DEMO_USER.id, [seeded[0]!]);
    rig.server.notify({ target: { user: DEMO_USER.id }, title: 'New lead' });
    await settle(rig);
    assert.equal(store.snapshot().unread, 4, 'the read is not known here yet');

    late.release();
    await settle(rig);
    assert.equal(store.snapshot().unread, 3, 'the count (2) and the new one it did not reach');
    assert.equal(store.snapshot().unread, truth(rig));
    rig.close();
  });

  it('a count that reached a live notification already added: not added again', async () => {
    const { rig, store, seeded } = await loadedTab();
    rig.server.notify({ target: { user: DEMO_USER.id }, title: 'New lead' });
    await settle(rig);
    assert.equal(store.snapshot().unread, 4);
    rig.server.notifications.markRead(DEMO_USER.id, [seeded[0]!]);
    await settle(rig);
    assert.equal(store.snapshot().unread, 3);
    assert.equal(store.snapshot().unread, truth(rig));
    rig.close();
  });

  it('a live notification read in this tab before an older count arrives: not counted', async () => {
    const { rig, store, seeded } = await loadedTab();
    const late = holdIncoming(readState);
    rig.server.notifications.markRead(DEMO_USER.id, [seeded[0]!]);
    rig.server.notify({ target: { user: DEMO_USER.id }, title: 'New lead' });
    await settle(rig);
    const fresh = store.snapshot().items[0]!;
    assert.equal(fresh.title, 'New lead');
    void store.markRead([fresh.id]);
    // The held count (begun before the new one was stored) goes first, then the read's answer.
    late.release();
    await settle(rig);
    assert.equal(store.snapshot().unread, 2, 'two seeded left');
    assert.equal(store.snapshot().unread, truth(rig));
    rig.close();
  });

  describe('marking all read while a notification arrives', () => {
    it('stored after the read: the answer, arriving after its live event, does not drop it', async () => {
      const { rig, store } = await loadedTab();
      const late = holdIncoming(readState);
      const read = store.markAllRead();
      await settle(rig);
      assert.ok(late.count > 0, "the read's answer is on its way");
      rig.server.notify({ target: { user: DEMO_USER.id }, title: 'New lead' });
      await settle(rig);
      assert.equal(store.snapshot().unread, 1);

      late.release();
      await read;
      await settle(rig);
      assert.equal(store.snapshot().unread, 1, 'the new one is unread');
      const [fresh, ...before] = store.snapshot().items;
      assert.equal(fresh!.read, false, 'the read of all did not reach it');
      assert.ok(before.every((n) => n.read));
      assert.equal(store.snapshot().unread, truth(rig));
      rig.close();
    });

    it('stored before the read: its live event, arriving after the answer, adds nothing', async () => {
      const { rig, store } = await loadedTab();
      const late = holdIncoming(liveNotification);
      rig.server.notify({ target: { user: DEMO_USER.id }, title: 'New lead' });
      await store.markAllRead();
      await settle(rig);
      assert.equal(store.snapshot().unread, 0);

      late.release();
      await settle(rig);
      assert.equal(store.snapshot().items[0]!.title, 'New lead');
      assert.equal(store.snapshot().unread, 0, 'read by the read of all');
      assert.equal(store.snapshot().items[0]!.read, true, 'shown read, as it is');
      assert.equal(store.snapshot().unread, truth(rig));
      rig.close();
    });
  });

  it('a page whose items were read after its count, with one the count did not reach: that one is counted once', async () => {
    const { rig, store } = await loadedTab();
    const late = holdIncoming(liveNotification);
    rig.server.notify({ target: { user: DEMO_USER.id }, title: 'New lead' });
    // A server reading a page's count before the new one was stored and its items after (two
    // statements): the page holds it, its count does not.
    const restore = rewriteIncoming(pageFrame, (page) => ({
      ...page,
      unread: (page.unread as number) - 1,
      unreadUpTo: (page.unreadUpTo as number) - 1,
    }));
    await store.refresh();
    await settle(rig);
    restore();
    assert.equal(store.snapshot().items[0]!.title, 'New lead');
    assert.equal(store.snapshot().unread, 4, 'the count (3) and the new one it did not reach');

    late.release();
    await settle(rig);
    assert.equal(store.snapshot().unread, 4, 'its live event adds nothing: the page brought it');
    assert.equal(store.snapshot().unread, truth(rig));
    rig.close();
  });

  it('a server that does not say how far its counts reach: one added per live event, as before', async () => {
    const { rig, store } = await loadedTab();
    const count = (unread: number, unreadSeq: number) =>
      rig.server.sendRaw(
        JSON.stringify({ type: 'notification.read-state', ids: [], unread, unreadSeq }),
      );
    count(3, 5);
    await settle(rig);
    rig.server.notify({ target: { user: DEMO_USER.id }, title: 'New lead' });
    await settle(rig);
    assert.equal(store.snapshot().unread, 4);
    rig.close();
  });
});

describe('a count arriving while a read asked here is on its way', () => {
  it('a read of all on its way, one arriving after it, a count made after both: the new one counts', async () => {
    const { rig, store, seeded } = await loadedTab();
    const late = holdIncoming(readState);
    const reading = store.markAllRead();
    await settle(rig);
    rig.server.notify({ target: { user: DEMO_USER.id }, title: 'New lead' });
    await settle(rig);
    assert.equal(store.snapshot().unread, 1);
    // Another device reads one the read of all read already: its count (the new one) was made
    // after this tab's read was applied, and arrives before its answer.
    rig.server.notifications.markRead(DEMO_USER.id, [seeded[0]!]);
    await settle(rig);
    assert.equal(late.count, 3, "this read's answer and push, and the other device's push");
    late.next(2);
    await settle(rig);
    assert.equal(store.snapshot().items[0]!.read, false);
    assert.equal(store.snapshot().unread, 1, 'the new one is not hidden by the read on its way');

    late.release();
    await reading;
    await settle(rig);
    assert.equal(store.snapshot().unread, 1);
    assert.equal(store.snapshot().unread, truth(rig));
    rig.close();
  });

  it("this tab's earlier read answered before its later one: the badge does not go back up", async () => {
    const { rig, store, seeded } = await loadedTab();
    const late = holdIncoming(readState);
    void store.markRead([seeded[0]!]);
    void store.markRead([seeded[1]!]);
    await settle(rig);
    assert.equal(store.snapshot().unread, 1);
    assert.equal(late.count, 4, 'both answers and both pushes are on their way');

    // The first read's answer and push: counts made before the second read was applied.
    late.next();
    await settle(rig);
    assert.equal(store.snapshot().unread, 1, 'the second read is still shown done');
    late.next();
    await settle(rig);
    assert.equal(store.snapshot().unread, 1);

    late.release();
    await settle(rig);
    assert.equal(store.snapshot().unread, 1);
    assert.equal(store.snapshot().unread, truth(rig));
    rig.close();
  });

  it('a page asked before a read of all, arriving before its answer: 0, also for what is not held', async () => {
    const rig = createRig();
    rig.server.notifications.seed(DEMO_USER.id, 30);
    const client = rig.client({ devUser: DEMO_USER, clientId: 'tab' });
    const store = client.notifications({ maxNotifications: 10 });
    await settle(rig);
    assert.equal(store.snapshot().unread, 30);
    const late = holdIncoming((text) => pageFrame(text) || readState(text));
    const refreshing = store.refresh();
    await settle(rig);
    assert.equal(late.count, 1, 'the page, counted before the read of all, is on its way');
    const reading = store.markAllRead();
    await settle(rig);
    assert.equal(store.snapshot().unread, 0);

    late.next();
    await refreshing;
    await settle(rig);
    assert.equal(store.snapshot().unread, 0, 'the page does not put its 30 back');

    late.release();
    await reading;
    await settle(rig);
    assert.equal(store.snapshot().unread, 0);
    assert.equal(store.snapshot().unread, truth(rig));
    rig.close();
  });

  it('a count that had the read already, arriving before its answer: the badge ends right', async () => {
    const { rig, store, seeded } = await loadedTab();
    const late = holdIncoming(readState);
    const reading = store.markRead([seeded[0]!]);
    await settle(rig);
    // Read on another device after this read was applied: its count has both read.
    rig.server.notifications.markRead(DEMO_USER.id, [seeded[1]!]);
    await settle(rig);
    assert.equal(late.count, 3, "this read's answer and push, and the other device's push");
    late.next(2);
    await settle(rig);

    late.release();
    await reading;
    await settle(rig);
    assert.equal(store.snapshot().unread, 1, 'not taken off twice');
    assert.equal(store.snapshot().unread, truth(rig));
    rig.close();
  });
});

/**
 * `notification.read` frames the client sends never reach the server (it does not read them);
 * `refuse()` answers each with an error, as a server refusing the read would.
 */
function refuseReads(rig: Rig) {
  const send = FakeSocket.prototype.send;
  const ids: string[] = [];
  FakeSocket.prototype.send = function (this: FakeSocket, text: string) {
    const frame = JSON.parse(text) as { type: string; id: string };
    if (frame.type === 'notification.read') ids.push(frame.id);
    else send.call(this, text);
  };
  restores.push(() => void (FakeSocket.prototype.send = send));
  return {
    get count() {
      return ids.length;
    },
    refuse() {
      for (const replyTo of ids.splice(0)) {
        const error = { type: 'error', replyTo, code: 'internal', message: 'refused' };
        rig.server.sendRaw(JSON.stringify(error));
      }
    },
  };
}

describe('a refused read rolled back after a newer count', () => {
  it('read here, another read elsewhere counted meanwhile: the count stands', async () => {
    const { rig, store, seeded } = await loadedTab();
    const reads = refuseReads(rig);
    const marking = store.markRead([seeded[0]!]);
    await settle(rig);
    assert.equal(reads.count, 1);
    assert.equal(store.snapshot().unread, 2);
    // Another device reads another one: the count this tab is sent still has the first unread,
    // which is shown read on top of it while its read is on its way.
    rig.server.notifications.markRead(DEMO_USER.id, [seeded[1]!]);
    await settle(rig);
    assert.equal(store.snapshot().unread, 1, 'the one left; the read asked here not undone');

    reads.refuse();
    await assert.rejects(marking);
    await settle(rig);
    assert.equal(store.snapshot().unread, 2, 'the count had the refused one in it');
    assert.equal(store.snapshot().unread, truth(rig));
    const unread = store.snapshot().items.filter((n) => !n.read);
    assert.deepEqual(unread.map((n) => n.id).sort(), [seeded[0], seeded[2]].sort());
    rig.close();
  });

  it('read here and, meanwhile, elsewhere: it stays read, and the count stands', async () => {
    const { rig, store, seeded } = await loadedTab();
    const reads = refuseReads(rig);
    const marking = store.markRead([seeded[0]!]);
    await settle(rig);
    rig.server.notifications.markRead(DEMO_USER.id, [seeded[0]!]);
    await settle(rig);

    reads.refuse();
    await assert.rejects(marking);
    await settle(rig);
    assert.equal(store.snapshot().unread, 2);
    assert.equal(store.snapshot().unread, truth(rig));
    assert.equal(store.snapshot().items.find((n) => n.id === seeded[0])!.read, true);
    rig.close();
  });

  it('all read here, one read elsewhere meanwhile: the other two are back, counted once', async () => {
    const { rig, store, seeded } = await loadedTab();
    const reads = refuseReads(rig);
    const marking = store.markAllRead();
    await settle(rig);
    assert.equal(store.snapshot().unread, 0);
    rig.server.notifications.markRead(DEMO_USER.id, [seeded[0]!]);
    await settle(rig);

    reads.refuse();
    await assert.rejects(marking);
    await settle(rig);
    assert.equal(store.snapshot().unread, 2);
    assert.equal(store.snapshot().unread, truth(rig));
    const unread = store.snapshot().items.filter((n) => !n.read);
    assert.deepEqual(unread.map((n) => n.id).sort(), [seeded[1], seeded[2]].sort());
    rig.close();
  });

  it('all read here, with some not held, one read elsewhere meanwhile: the rest is back', async () => {
    const rig = createRig();
    const seeded = rig.server.notifications.seed(DEMO_USER.id, 30).map((n) => n.id);
    const client = rig.client({ devUser: DEMO_USER, clientId: 'tab' });
    const store = client.notifications({ maxNotifications: 10 });
    await settle(rig);
    const reads = refuseReads(rig);
    const marking = store.markAllRead();
    await settle(rig);
    rig.server.notifications.markRead(DEMO_USER.id, [seeded[0]!]);
    await settle(rig);
    assert.equal(store.snapshot().unread, 0, 'the read of all is still shown done');

    reads.refuse();
    await assert.rejects(marking);
    await settle(rig);
    assert.equal(store.snapshot().unread, 29);
    assert.equal(store.snapshot().unread, truth(rig));
    rig.close();
  });

  it('a live one the newer count does not reach: it is back on top of the count', async () => {
    const { rig, store, seeded } = await loadedTab();
    const late = holdIncoming(readState);
    // A count begun before the new one was stored, held on its way.
    rig.server.notifications.markRead(DEMO_USER.id, [seeded[0]!]);
    rig.server.notify({ target: { user: DEMO_USER.id }, title: 'New lead' });
    await settle(rig);
    assert.equal(store.snapshot().unread, 4);
    const reads = refuseReads(rig);
    const marking = store.markRead([store.snapshot().items[0]!.id]);
    await settle(rig);
    late.release();
    await settle(rig);
    assert.equal(store.snapshot().unread, 2, 'the count (2); the new one is read here');

    reads.refuse();
    await assert.rejects(marking);
    await settle(rig);
    assert.equal(store.snapshot().unread, 3, 'the count (2) and the new one it did not reach');
    assert.equal(store.snapshot().unread, truth(rig));
    rig.close();
  });

  it('no count since: what it marked is back, as before', async () => {
    const { rig, store, seeded } = await loadedTab();
    const reads = refuseReads(rig);
    const marking = store.markRead([seeded[0]!]);
    await settle(rig);
    reads.refuse();
    await assert.rejects(marking);
    await settle(rig);
    assert.equal(store.snapshot().unread, 3);
    assert.ok(store.snapshot().items.every((n) => !n.read));
    rig.close();
  });
});

describe('a page older than a read of all', () => {
  it("this tab's read of all, answered before the page: the page's items stay read", async () => {
    const { rig, store } = await loadedTab();
    const late = holdIncoming(pageFrame);
    const refreshing = store.refresh();
    await settle(rig);
    assert.equal(late.count, 1, 'the page, read before the read of all, is on its way');
    await store.markAllRead();
    await settle(rig);

    late.release();
    await refreshing;
    await settle(rig);
    assert.ok(store.snapshot().items.every((n) => n.read));
    assert.equal(store.snapshot().unread, 0);
    assert.equal(store.snapshot().unread, truth(rig));
    rig.close();
  });

  it('read of all in another tab, an older page of items not held arriving after it: read', async () => {
    const rig = createRig();
    rig.server.notifications.seed(DEMO_USER.id, 30);
    const client = rig.client({ devUser: DEMO_USER, clientId: 'tab' });
    const store = client.notifications({ maxNotifications: 10 });
    await settle(rig);
    assert.equal(store.snapshot().items.length, 10);
    const late = holdIncoming(pageFrame);
    const loading = store.loadMore();
    await settle(rig);
    assert.equal(late.count, 1);
    rig.server.notifications.markRead(DEMO_USER.id, 'all');
    await settle(rig);
    assert.equal(store.snapshot().unread, 0);

    late.release();
    await loading;
    await settle(rig);
    assert.ok(store.snapshot().items.length > 10, 'the older page is in');
    assert.ok(store.snapshot().items.every((n) => n.read));
    assert.equal(store.snapshot().unread, 0);
    rig.close();
  });
});

describe('a page or a live event older than a read by id', () => {
  it('read by id in another tab, an older page of items not held arriving after it: read', async () => {
    const rig = createRig();
    rig.server.notifications.seed(DEMO_USER.id, 30);
    const client = rig.client({ devUser: DEMO_USER, clientId: 'tab' });
    const store = client.notifications({ maxNotifications: 10 });
    await settle(rig);
    const held = new Set(store.snapshot().items.map((n) => n.id));
    const late = holdIncoming(pageFrame);
    const loading = store.loadMore();
    await settle(rig);
    assert.equal(late.count, 1, 'the older page, read before the read, is on its way');
    const target = rig.server.notifications.forUser(DEMO_USER.id).find((n) => !held.has(n.id))!;
    rig.server.notifications.markRead(DEMO_USER.id, [target.id]);
    await settle(rig);
    assert.equal(store.snapshot().unread, 29);

    late.release();
    await loading;
    await settle(rig);
    const shown = store.snapshot().items.find((n) => n.id === target.id);
    assert.ok(shown, 'the older page brought it');
    assert.equal(shown.read, true, 'shown read, as the badge has it');
    assert.equal(store.snapshot().unread, 29);
    assert.equal(store.snapshot().unread, truth(rig));
    rig.close();
  });

  it('read by id in another tab before its live event arrives here: shown read', async () => {
    const { rig, store } = await loadedTab();
    const late = holdIncoming(liveNotification);
    rig.server.notify({ target: { user: DEMO_USER.id }, title: 'New lead' });
    const fresh = rig.server.notifications.forUser(DEMO_USER.id)[0]!;
    assert.equal(fresh.title, 'New lead');
    rig.server.notifications.markRead(DEMO_USER.id, [fresh.id]);
    await settle(rig);

    late.release();
    await settle(rig);
    assert.equal(store.snapshot().items[0]!.id, fresh.id);
    assert.equal(store.snapshot().items[0]!.read, true);
    assert.equal(store.snapshot().unread, 3);
    assert.equal(store.snapshot().unread, truth(rig));
    rig.close();
  });
});
