/**
 * Outbox entries of a page that is gone: each page's outbox holds a Web Lock while it lives and
 * stamps its entries with it; a page takes at load, and when its connection opens, what pages now
 * gone left in the store (the leader tab of a shared connection closed while offline with a save
 * queued), once, and leaves alone what a live page holds, even when it is reloaded itself. Two clients on one store stand for
 * two tabs on one IndexedDB; a small lock manager stands for the browser's.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  MemoryOutboxStore,
  type LiveConflict,
  type RealtimeClient,
} from '../../../../src/client/index.js';
import type { Rig } from '../../../../src/testing/index.js';
import {
  customerRig,
  FakeLocks,
  GatedStore,
  goOffline,
  installLocks,
  pageOn,
  SlowFailingPutStore,
} from './outbox-stores.js';

let locks: FakeLocks;
let uninstall: () => void;

beforeEach(() => {
  locks = new FakeLocks();
  uninstall = installLocks(locks);
});

afterEach(() => uninstall());

const bob = { id: 'bob', name: 'Bob' };

const setup = (): Rig => customerRig({ name: 'Customer 42', email: 'info@42.test', phone: '100' });

const tab = pageOn;

const updates = (rig: Rig) =>
  rig.server.received('entity.update').map((f) => `${f.entityId}:${JSON.stringify(f.fields)}`);

/** Edits `fields` in `client` while offline; resolves with the stored entry's owner. */
async function queueOffline(
  client: RealtimeClient,
  store: MemoryOutboxStore,
  fields: Record<string, string>,
): Promise<string> {
  const live = client.liveData({ entityType: 'customer', entityId: '42' });
  void live.update(fields);
  await client.outbox.flush();
  const entry = (await store.load()).find(
    (e) => JSON.stringify(e.fields) === JSON.stringify(fields),
  );
  assert.ok(entry?.owner, 'the entry names the page that holds it');
  return entry.owner;
}

describe('outbox: entries of a page that is gone', () => {
  it('a tab still open sends what a tab closed while offline left, once', async () => {
    const rig = setup();
    const store = new MemoryOutboxStore();
    const survivor = tab(rig, store);
    const leaving = tab(rig, store);
    await rig.clock.flush();
    await goOffline(rig);
    const owner = await queueOffline(leaving, store, { name: 'From the closed tab' });
    // The tab closes: its client stops and its lock goes with the page.
    leaving.close();
    locks.die(owner);
    assert.equal(survivor.outbox.size, 0, 'made after the survivor loaded: not its entry yet');

    rig.server.refuseConnections(false);
    await rig.clock.advance(5_000);
    await survivor.outbox.flush();
    await rig.clock.flush();
    assert.deepEqual(updates(rig), ['42:{"name":"From the closed tab"}']);
    assert.equal(rig.server.entities.get('customer', '42')?.fields['name'], 'From the closed tab');
    assert.equal(survivor.outbox.size, 0);
    await survivor.outbox.flush();
    assert.equal(store.size, 0, 'gone from the store');
    rig.close();
  });

  it('leaves alone what a live tab holds: each change is sent by its own tab, once', async () => {
    const rig = setup();
    const store = new MemoryOutboxStore();
    const other = tab(rig, store);
    const maker = tab(rig, store);
    await rig.clock.flush();
    await goOffline(rig);
    await queueOffline(maker, store, { phone: '200' });
    rig.server.refuseConnections(false);
    await rig.clock.advance(5_000);
    await Promise.all([other.outbox.flush(), maker.outbox.flush()]);
    await rig.clock.flush();
    assert.deepEqual(updates(rig), ['42:{"phone":"200"}']);
    assert.equal(other.outbox.size, 0);
    assert.equal(store.size, 0);
    rig.close();
  });

  it('two tabs that outlive it: one of them claims the entry, the other does not send it too', async () => {
    const rig = setup();
    const store = new MemoryOutboxStore();
    const first = tab(rig, store);
    const second = tab(rig, store);
    const leaving = tab(rig, store);
    await rig.clock.flush();
    await goOffline(rig);
    const owner = await queueOffline(leaving, store, { email: 'gone@42.test' });
    leaving.close();
    locks.die(owner);
    rig.server.refuseConnections(false);
    await rig.clock.advance(5_000);
    await Promise.all([first.outbox.flush(), second.outbox.flush()]);
    await rig.clock.flush();
    assert.deepEqual(updates(rig), ['42:{"email":"gone@42.test"}']);
    assert.equal(store.size, 0);
    rig.close();
  });

  it('a reloaded tab leaves alone what a live tab queued: one conflict, in the tab that made it', async () => {
    const rig = setup();
    const store = new MemoryOutboxStore();
    const maker = tab(rig, store);
    const conflicts: LiveConflict[] = [];
    const live = maker.liveData({
      entityType: 'customer',
      entityId: '42',
      onConflict: (c) => conflicts.push(c),
    });
    await rig.clock.flush();
    await goOffline(rig);
    void live.update({ phone: '+1 ANA' });
    await maker.outbox.flush();
    rig.server.entities.remoteUpdate('customer', '42', { phone: '+1 BEN' }, bob);
    // Another tab is reloaded while the socket is still down: a new page on the same store.
    const reloaded = tab(rig, store);
    const reloadedConflicts: LiveConflict[] = [];
    reloaded.liveData({
      entityType: 'customer',
      entityId: '42',
      onConflict: (c) => reloadedConflicts.push(c),
    });
    await reloaded.outbox.ready;
    assert.deepEqual(reloaded.outbox.entries, [], 'the live tab keeps its entry');

    rig.server.refuseConnections(false);
    await rig.clock.advance(5_000);
    await Promise.all([maker.outbox.flush(), reloaded.outbox.flush()]);
    await rig.clock.flush();
    assert.deepEqual(updates(rig), ['42:{"phone":"+1 ANA"}'], 'sent once');
    assert.equal(conflicts.length, 1, 'the tab that made it shows the conflict');
    assert.equal(reloadedConflicts.length, 0, 'the reloaded tab does not');
    assert.equal(reloaded.outbox.conflicts.length, 0);
    rig.close();
  });

  it('a client closed while its page lives on leaves its entries to the next client', async () => {
    const rig = setup();
    const store = new MemoryOutboxStore();
    const old = tab(rig, store);
    await rig.clock.flush();
    await goOffline(rig);
    await queueOffline(old, store, { name: 'Before the switch' });
    // A provider makes a new client (another identity, another URL): the old one is closed.
    old.close();
    const next = tab(rig, store);
    await next.outbox.ready;
    assert.equal(next.outbox.size, 1, 'taken at load');
    rig.server.refuseConnections(false);
    await rig.clock.advance(5_000);
    await next.outbox.flush();
    assert.deepEqual(updates(rig), ['42:{"name":"Before the switch"}']);
    assert.equal(old.outbox.size, 0, 'let go by the closed client');
    assert.equal(store.size, 0);
    rig.close();
  });

  it('a closed client that connects again takes its entries back and sends them once', async () => {
    const rig = setup();
    const store = new MemoryOutboxStore();
    const ada = tab(rig, store);
    await rig.clock.flush();
    await goOffline(rig);
    await queueOffline(ada, store, { name: 'Kept' });
    ada.close();
    await ada.outbox.flush();
    assert.equal(ada.outbox.size, 0);
    rig.server.refuseConnections(false);
    ada.connect();
    await rig.clock.advance(5_000);
    await ada.outbox.flush();
    await rig.clock.flush();
    assert.deepEqual(updates(rig), ['42:{"name":"Kept"}']);
    assert.equal(store.size, 0);
    rig.close();
  });

  it('a settled entry whose delete is still to come is not taken again', async () => {
    const rig = setup();
    const store = new SlowFailingPutStore();
    const before = tab(rig, store);
    await rig.clock.flush();
    await goOffline(rig);
    const owner = await queueOffline(before, store, { name: 'Refused' });
    before.close();
    locks.die(owner); // the page is reloaded: its lock goes with it
    // The next page takes the entry, but the disk refuses to note that it is now its own.
    store.failPuts = true;
    const after = tab(rig, store);
    await after.outbox.ready;
    store.failPuts = false;
    assert.equal(after.outbox.size, 1);
    rig.server.entities.authorize = (_u, _e, access) => access === 'read';
    // The connection opens; the look for orphans reads the store slowly, so the entry is sent,
    // refused and removed while it reads, its delete queued behind.
    store.holdLoads();
    rig.server.refuseConnections(false);
    after.retryNow();
    await rig.clock.advance(3_000);
    assert.equal(after.outbox.size, 0, 'refused and removed');
    store.releaseLoads();
    await after.outbox.flush();
    await rig.clock.advance(5_000);
    await after.outbox.flush();
    assert.deepEqual(updates(rig), ['42:{"name":"Refused"}'], 'sent once');
    assert.deepEqual(
      after.outbox.snapshot().rejected.map((c) => c.error?.code),
      ['forbidden'],
      'reported once',
    );
    assert.equal(store.size, 0);
    rig.close();
  });

  it('a reloaded page sends what the page before it left once, even when the server refuses it', async () => {
    const rig = setup();
    const store = new SlowFailingPutStore();
    const before = tab(rig, store);
    await rig.clock.flush();
    await goOffline(rig);
    const owner = await queueOffline(before, store, { name: 'Refused' });
    before.close();
    locks.die(owner); // the page is reloaded: its lock goes with it
    rig.server.entities.authorize = (_u, _e, access) => access === 'read';
    const after = tab(rig, store);
    await after.outbox.ready;
    assert.equal(after.outbox.size, 1);
    // The connection opens: the entry is sent, and the look for orphans reads the store slowly,
    // so the refusal (and the entry's removal) comes while it reads.
    store.holdLoads();
    rig.server.refuseConnections(false);
    await rig.clock.advance(5_000);
    assert.equal(after.outbox.size, 0, 'refused and removed');
    store.releaseLoads();
    await after.outbox.flush();
    await rig.clock.advance(5_000);
    await after.outbox.flush();
    assert.deepEqual(updates(rig), ['42:{"name":"Refused"}'], 'sent once');
    assert.deepEqual(
      after.outbox.snapshot().rejected.map((c) => c.error?.code),
      ['forbidden'],
      'reported once',
    );
    rig.close();
  });

  it('a save made on a closing client before its entries are let go is let go too, not lost', async () => {
    const rig = setup();
    const store = new GatedStore();
    const old = tab(rig, store);
    const live = old.liveData({ entityType: 'customer', entityId: '42' });
    await rig.clock.flush();
    await goOffline(rig);
    void live.update({ name: 'First' }); // its store write waits for the disk
    old.close(); // letting go waits behind that write
    void live.update({ phone: '200' }); // made after the close, written after the letting go
    store.release();
    await old.outbox.flush();
    assert.deepEqual(
      (await store.load()).map((e) => e.fields),
      [{ name: 'First' }, { phone: '200' }],
      'both stored',
    );
    const next = tab(rig, store);
    await next.outbox.ready;
    assert.equal(next.outbox.size, 2, 'both taken by the next client');
    rig.close();
  });
});
