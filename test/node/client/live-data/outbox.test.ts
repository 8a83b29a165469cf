/**
 * The offline outbox (in-memory store, as in Node): edits made offline wait in order, replay once
 * with their mutation ids when the connection returns, survive a "reload" (a new client on the
 * same store) even with no widget open, and their conflicts and refusals surface.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MemoryOutboxStore,
  type LiveConflict,
  type OutboxEntry,
  type OutboxStore,
  type RealtimeClient,
} from '../../../../src/client/index.js';
import { HOLD_IDLE, HOLD_MAX } from '../../../../src/client/live-data/outbox-held.js';
import { createRig, DEMO_USER, type Rig } from '../../../../src/testing/index.js';
import { CrashableStore } from './outbox-stores.js';

const bob = { id: 'bob', name: 'Bob' };

/** A store that counts the writes of entries it holds. */
class CountingStore extends MemoryOutboxStore {
  puts = 0;

  override put(entry: OutboxEntry): Promise<void> {
    this.puts += 1;
    return super.put(entry);
  }
}

function setup(): Rig {
  const rig = createRig();
  for (const id of ['42', '43']) {
    rig.server.entities.put({
      type: 'customer',
      id,
      fields: { name: `Customer ${id}`, email: `info@${id}.test`, phone: '100' },
    });
  }
  return rig;
}

async function goOffline(rig: Rig): Promise<void> {
  rig.server.refuseConnections(true);
  rig.server.dropConnections();
  await rig.clock.flush();
}

async function comeBack(rig: Rig): Promise<void> {
  rig.server.refuseConnections(false);
  await rig.clock.advance(5_000);
}

function client(rig: Rig, store: OutboxStore, user = DEMO_USER): RealtimeClient {
  return rig.client({ devUser: user, clientId: `${user.id}-device`, outbox: store });
}

const updates = (rig: Rig) =>
  rig.server.received('entity.update').map((f) => `${f.entityId}:${JSON.stringify(f.fields)}`);

/**
 * Customer 42 open in `on`, an email saved offline while Bob changed it: back online, the replay
 * is a conflict, handed to `onConflict`.
 */
async function conflictOnEmail(rig: Rig, on: RealtimeClient) {
  const conflicts: LiveConflict[] = [];
  const live = on.liveData({
    entityType: 'customer',
    entityId: '42',
    onConflict: (c) => conflicts.push(c),
  });
  await rig.clock.flush();
  await goOffline(rig);
  void live.update({ email: 'mine@42.test' });
  rig.server.entities.remoteUpdate('customer', '42', { email: 'bob@42.test' }, bob);
  await comeBack(rig);
  return { live, conflicts };
}

describe('outbox: offline edits', () => {
  it('queues edits while offline, shows them, and replays them in order exactly once', async () => {
    const rig = setup();
    const store = new MemoryOutboxStore();
    const ada = client(rig, store);
    const c42 = ada.liveData({ entityType: 'customer', entityId: '42' });
    const c43 = ada.liveData({ entityType: 'customer', entityId: '43' });
    await rig.clock.flush();
    const sizes: number[] = [];
    ada.outbox.subscribe((s) => sizes.push(s.size));
    await goOffline(rig);
    const outcomes = [
      c42.update({ name: 'First' }),
      c43.update({ phone: '200' }),
      c42.update({ name: 'Second' }),
    ];
    assert.equal(ada.outbox.size, 3);
    assert.equal(c42.data['name'], 'Second', 'queued edits show at once');
    assert.equal(c42.changes.at(-1)?.queued, true);
    await ada.outbox.flush();
    assert.equal(store.size, 3, 'stored');
    await comeBack(rig);
    const states = (await Promise.all(outcomes)).map((o) => o.state);
    assert.deepEqual(states, ['confirmed', 'confirmed', 'confirmed']);
    assert.deepEqual(updates(rig), [
      '42:{"name":"First"}',
      '43:{"phone":"200"}',
      '42:{"name":"Second"}',
    ]);
    assert.equal(rig.server.sent('entity.conflict').length, 0);
    assert.equal(rig.server.entities.get('customer', '42')?.version, 3);
    assert.equal(rig.server.entities.get('customer', '43')?.version, 2);
    assert.equal(ada.outbox.size, 0);
    await ada.outbox.flush();
    assert.equal(store.size, 0);
    assert.deepEqual(sizes.slice(0, 3), [1, 2, 3]);
    assert.equal(sizes.at(-1), 0);
    // Another blip: nothing is sent again.
    await goOffline(rig);
    await comeBack(rig);
    assert.equal(rig.server.received('entity.update').length, 3);
    rig.close();
  });

  it('keeps a change caught by a drop before its answer, and replays it with the same id', async () => {
    const rig = setup();
    const ada = client(rig, new MemoryOutboxStore());
    const live = ada.liveData({ entityType: 'customer', entityId: '42' });
    await rig.clock.flush();
    rig.server.setLatency(100);
    const saving = live.update({ name: 'Once' });
    await rig.clock.advance(150); // the server applied it; the answer is on its way
    rig.server.setLatency(0);
    rig.server.dropConnections();
    await rig.clock.flush();
    assert.equal(ada.outbox.size, 1, 'unknown outcome: kept');
    assert.equal(live.data['name'], 'Once');
    await rig.clock.advance(5_000);
    const outcome = await saving;
    assert.equal(outcome.state, 'confirmed');
    assert.equal(outcome.duplicate, true, 'the server had applied it already');
    const sent = rig.server.received('entity.update');
    assert.equal(sent.length, 2);
    assert.equal(sent[0]!.mutationId, sent[1]!.mutationId);
    assert.equal(rig.server.entities.get('customer', '42')?.version, 2, 'applied once');
    assert.equal(ada.outbox.size, 0);
    rig.close();
  });

  it('queues at once when the browser goes offline, and sends as soon as it is back online', async () => {
    const rig = setup();
    const ada = client(rig, new MemoryOutboxStore());
    const live = ada.liveData({ entityType: 'customer', entityId: '42' });
    await rig.clock.flush();
    // The network is gone and the socket has not noticed: frames vanish, no close arrives.
    rig.server.blackhole(true);
    const inFlight = live.update({ name: 'In flight' });
    await rig.clock.flush();
    assert.equal(ada.outbox.size, 0, 'sent, not queued, while the socket looked open');
    rig.env.setOnline(false);
    await rig.clock.flush(); // no time passes: the heartbeat has not had its 10 s
    assert.equal(ada.outbox.size, 1, 'the change in flight is kept in the outbox at once');
    assert.equal(live.changes.at(-1)?.queued, true);
    const later = live.update({ phone: '200' });
    assert.equal(ada.outbox.size, 2, 'a save made offline goes straight to the outbox');
    assert.equal(live.changes.at(-1)?.queued, true);
    rig.server.blackhole(false);
    rig.env.setOnline(true);
    await rig.clock.flush(); // no backoff wait: the online event reconnects at once
    assert.equal((await inFlight).state, 'confirmed');
    assert.equal((await later).state, 'confirmed');
    assert.equal(ada.outbox.size, 0);
    assert.equal(rig.server.entities.get('customer', '42')?.version, 3);
    rig.close();
  });

  it('keeps a change whose answer timed out and sends it again, with the same id, later', async () => {
    const rig = setup();
    // The update is lost on the way while the link itself stays alive (its pings are answered):
    // only the request's timeout can tell.
    let losing = false;
    const ada = rig.client({
      devUser: DEMO_USER,
      clientId: `${DEMO_USER.id}-device`,
      outbox: new MemoryOutboxStore(),
      socketFactory: (url) => {
        const socket = rig.server.socketFactory(url);
        const send = socket.send.bind(socket);
        socket.send = (text) => {
          if (!(losing && text.includes('"entity.update"'))) send(text);
        };
        return socket;
      },
    });
    const live = ada.liveData({ entityType: 'customer', entityId: '42' });
    await rig.clock.flush();
    losing = true;
    const saving = live.update({ name: 'Eventually' });
    await rig.clock.advance(15_000); // requestTimeout
    assert.equal(ada.outbox.size, 1);
    assert.equal(live.changes.at(-1)?.state, 'pending');
    assert.equal(rig.server.sent('welcome').length, 1, 'the live link was kept');
    losing = false;
    await rig.clock.advance(5_000); // retryDelay
    assert.equal((await saving).state, 'confirmed');
    const sent = rig.server.received('entity.update');
    assert.equal(sent.length, 1, 'the lost frame never arrived; the retry did');
    assert.equal(sent[0]!.mutationId, (await saving).mutationId);
    assert.equal(ada.outbox.size, 0);
    rig.close();
  });

  it('an edit made before the entity was ever read is based on the version current when sent', async () => {
    const rig = setup();
    rig.server.refuseConnections(true);
    const ada = client(rig, new MemoryOutboxStore());
    const live = ada.liveData({ entityType: 'customer', entityId: '42' });
    await rig.clock.flush();
    assert.equal(live.status, 'loading');
    const saving = live.update({ phone: '777' });
    assert.equal(live.data['phone'], '777');
    assert.equal(ada.outbox.entries[0]?.baseVersion, undefined);
    rig.server.entities.remoteUpdate('customer', '42', { name: 'Meanwhile' }, bob);
    rig.server.refuseConnections(false);
    await rig.clock.advance(5_000);
    assert.equal((await saving).state, 'confirmed');
    assert.equal(rig.server.received('entity.update')[0]!.baseVersion, 2);
    assert.deepEqual(live.data, { name: 'Meanwhile', email: 'info@42.test', phone: '777' });
    rig.close();
  });

  it('hands a conflict found on replay to onConflict; the entry stays until resolved', async () => {
    const rig = setup();
    const ada = client(rig, new MemoryOutboxStore());
    const conflicts: LiveConflict[] = [];
    const live = ada.liveData({
      entityType: 'customer',
      entityId: '42',
      onConflict: (c) => conflicts.push(c),
    });
    await rig.clock.flush();
    await goOffline(rig);
    const queued = live.update({ email: 'ada@42.test' });
    const behind = live.update({ phone: '300' }); // same entity: waits behind the conflict
    rig.server.entities.remoteUpdate('customer', '42', { email: 'bob@42.test' }, bob);
    await comeBack(rig);
    assert.equal((await queued).state, 'conflicted');
    assert.equal(conflicts.length, 1);
    assert.equal(conflicts[0]!.conflicts[0]!.theirs, 'bob@42.test');
    assert.equal(ada.outbox.size, 2, 'the conflicted entry and the one behind it stay');
    assert.equal(ada.outbox.conflicts.length, 1);
    assert.equal(live.data['email'], 'ada@42.test');
    assert.equal(rig.server.received('entity.update').length, 1, 'the later change waits');
    const resolved = await conflicts[0]!.resolve({ email: 'ada@42.test' });
    assert.equal(resolved.state, 'confirmed');
    assert.equal((await behind).state, 'confirmed');
    assert.equal(ada.outbox.size, 0);
    assert.equal(ada.outbox.conflicts.length, 0);
    const stored = rig.server.entities.get('customer', '42')!;
    assert.equal(stored.fields['email'], 'ada@42.test');
    assert.equal(stored.fields['phone'], '300');
    rig.close();
  });

  it('drops an entry the server refuses and reports it', async () => {
    const rig = setup();
    const ada = client(rig, new MemoryOutboxStore());
    const live = ada.liveData({ entityType: 'customer', entityId: '42' });
    await rig.clock.flush();
    await goOffline(rig);
    const refused = live.update({ name: 'Not allowed' });
    const fine = ada.liveData({ entityType: 'customer', entityId: '43' }).update({ name: 'Fine' });
    rig.server.entities.authorize = (_u, entity, access) => access === 'read' || entity.id !== '42';
    await comeBack(rig);
    const outcome = await refused;
    assert.equal(outcome.state, 'rejected');
    assert.equal(outcome.error?.code, 'forbidden');
    assert.equal((await fine).state, 'confirmed', 'a refusal does not stop the others');
    assert.equal(live.data['name'], 'Customer 42');
    assert.equal(ada.outbox.size, 0);
    assert.deepEqual(
      ada.outbox.snapshot().rejected.map((c) => c.error?.code),
      ['forbidden'],
    );
    rig.close();
  });
});

describe('outbox: across a reload', () => {
  it('a new client replays what a closed one left, with no widget open, exactly once', async () => {
    const rig = setup();
    const store = new MemoryOutboxStore();
    const before = client(rig, store);
    const live = before.liveData({ entityType: 'customer', entityId: '42' });
    await rig.clock.flush();
    await goOffline(rig);
    void live.update({ name: 'Offline 1' });
    void live.update({ email: 'offline@42.test' });
    await before.outbox.flush();
    before.close(); // the tab is closed
    assert.equal(store.size, 2);
    rig.server.refuseConnections(false);
    const after = client(rig, store);
    await after.outbox.ready;
    assert.equal(after.outbox.size, 2, 'loaded at construction');
    await rig.clock.advance(5_000);
    assert.equal(after.outbox.size, 0);
    await after.outbox.flush();
    assert.equal(store.size, 0);
    const stored = rig.server.entities.get('customer', '42')!;
    assert.equal(stored.version, 3);
    assert.equal(stored.fields['name'], 'Offline 1');
    assert.equal(stored.fields['email'], 'offline@42.test');
    assert.equal(rig.server.received('entity.update').length, 2);
    rig.close();
  });

  it('an entry already applied before the tab crashed is answered as a duplicate and removed', async () => {
    const rig = setup();
    const store = new MemoryOutboxStore();
    const first = client(rig, store);
    const live = first.liveData({ entityType: 'customer', entityId: '42' });
    await rig.clock.flush();
    const applied = await live.update({ name: 'Sent once' });
    // The tab died after sending, before it could clear its outbox entry.
    await store.add({
      mutationId: applied.mutationId,
      entityType: 'customer',
      entityId: '42',
      baseVersion: 1,
      fields: { name: 'Sent once' },
      createdAt: rig.clock.now(),
      userId: DEMO_USER.id,
    });
    first.close();
    const second = client(rig, store);
    await rig.clock.flush();
    assert.equal(store.size, 0);
    assert.equal(second.outbox.size, 0);
    assert.equal(rig.server.entities.get('customer', '42')?.version, 2, 'not applied twice');
    assert.equal(rig.server.sent('entity.ack').at(-1)?.duplicate, true);
    rig.close();
  });

  it('a conflict found with no widget open waits for the first widget that takes conflicts', async () => {
    const rig = setup();
    const store = new MemoryOutboxStore();
    const before = client(rig, store);
    const live = before.liveData({ entityType: 'customer', entityId: '42' });
    await rig.clock.flush();
    await goOffline(rig);
    void live.update({ email: 'mine@42.test' });
    await before.outbox.flush();
    before.close();
    rig.server.refuseConnections(false);
    rig.server.entities.remoteUpdate('customer', '42', { email: 'theirs@42.test' }, bob);
    const after = client(rig, store);
    await rig.clock.advance(5_000);
    assert.equal(after.outbox.conflicts.length, 1);
    assert.equal(after.outbox.size, 1);
    const offered: LiveConflict[] = [];
    const widget = after.liveData({
      entityType: 'customer',
      entityId: '42',
      onConflict: (c) => offered.push(c),
    });
    assert.equal(offered.length, 1);
    await rig.clock.flush();
    assert.equal(widget.data['email'], 'mine@42.test', 'the waiting edit shows');
    offered[0]!.discard();
    assert.equal(after.outbox.size, 0);
    assert.equal(widget.data['email'], 'theirs@42.test');
    await after.outbox.flush();
    assert.equal(store.size, 0);
    rig.close();
  });

  it('keeps the newer values an open conflict was amended with: a reload offers them, resolving saves them', async () => {
    const rig = setup();
    const store = new MemoryOutboxStore();
    const before = client(rig, store);
    const { live, conflicts } = await conflictOnEmail(rig, before);
    const conflict = conflicts[0]!;
    const firstId = conflict.change.mutationId;
    // The user decides later and types on in the email.
    assert.equal(conflict.amend({ phone: '300' }), false, 'a field that did not clash');
    assert.equal(conflict.amend({ email: 'newer@42.test' }), true);
    assert.equal(conflict.amend({ email: 'newest@42.test' }), true);
    const amended = live.conflicts[0]!;
    assert.equal(amended, conflict, 'still the conflict handed out');
    assert.deepEqual(amended.mine, { email: 'newest@42.test' });
    assert.equal(amended.conflicts[0]!.mine, 'newest@42.test');
    assert.equal(amended.conflicts[0]!.theirs, 'bob@42.test');
    assert.equal(amended.local['email'], 'newest@42.test');
    assert.notEqual(amended.change.mutationId, firstId, 'other content');
    assert.equal(live.data['email'], 'newest@42.test', "shown as the user's");
    assert.deepEqual(before.outbox.conflicts, [amended]);
    await before.outbox.flush();
    assert.deepEqual(
      (await store.load()).map((e) => [e.mutationId, e.fields]),
      [[amended.change.mutationId, { email: 'newest@42.test' }]],
      'the latest amend is what the device keeps',
    );
    before.close(); // the page reloads before the user decided

    const after = client(rig, store);
    const offered: LiveConflict[] = [];
    after.liveData({ entityType: 'customer', entityId: '42', onConflict: (c) => offered.push(c) });
    await rig.clock.advance(5_000);
    assert.equal(offered.length, 1);
    const again = offered[0]!;
    assert.deepEqual(again.mine, { email: 'newest@42.test' });
    assert.equal(again.conflicts[0]!.theirs, 'bob@42.test');
    assert.equal((await again.resolve({ ...again.mine })).state, 'confirmed');
    assert.equal(again.amend({ email: 'too late' }), false, 'the decision stands');
    assert.equal(rig.server.entities.get('customer', '42')!.fields['email'], 'newest@42.test');
    await after.outbox.flush();
    assert.equal(store.size, 0);
    rig.close();
  });

  it('writes a conflict amended as the user types once the typing pauses, not per keystroke', async () => {
    const rig = setup();
    const store = new CrashableStore(new CountingStore());
    const before = client(rig, store);
    const { live, conflicts } = await conflictOnEmail(rig, before);
    // As the live record hands it out now (whichever object that is).
    const conflict = () => live.conflicts[0]!;
    assert.equal(conflicts.length, 1);
    await before.outbox.flush();
    const disk = store.disk as CountingStore;
    const writes = disk.puts;
    const stored = async () => (await disk.load()).map((e) => e.fields['email']);

    // "Later"; the user types on in the email, a key every 100 ms.
    for (const typed of ['m', 'ma', 'mar', 'marg']) {
      assert.equal(conflict().amend({ email: `${typed}@42.test` }), true);
      assert.equal(live.data['email'], `${typed}@42.test`, 'shown at once');
      assert.deepEqual(
        conflict().mine,
        { email: `${typed}@42.test` },
        'the conflict has it at once',
      );
      await rig.clock.advance(100);
    }
    assert.equal(disk.puts, writes, 'no store write per keystroke');
    assert.deepEqual(await stored(), ['mine@42.test']);
    // The typing pauses: the last value is written, once.
    await rig.clock.advance(HOLD_IDLE);
    assert.equal(disk.puts, writes + 1);
    assert.deepEqual(await stored(), ['marg@42.test']);

    // Typing that never pauses is written all the same, at the latest after `HOLD_MAX`.
    const start = rig.clock.now();
    for (let n = 1; rig.clock.now() - start < HOLD_MAX; n++) {
      conflict().amend({ email: `key-${n}@42.test` });
      await rig.clock.advance(HOLD_IDLE / 2);
    }
    assert.equal(disk.puts, writes + 2, 'written once more while the keys kept coming');
    conflict().amend({ email: 'margaret@42.test' });
    await rig.clock.advance(HOLD_IDLE);
    assert.deepEqual(await stored(), ['margaret@42.test']);
    assert.equal(disk.puts, writes + 3);

    // The tab dies without another word: what was written after the pause is on the device.
    store.crash();
    before.close();
    const after = client(rig, disk);
    const offered: LiveConflict[] = [];
    after.liveData({ entityType: 'customer', entityId: '42', onConflict: (c) => offered.push(c) });
    await rig.clock.advance(5_000);
    assert.equal(offered.length, 1);
    assert.deepEqual(offered[0]!.mine, { email: 'margaret@42.test' });
    rig.close();
  });

  it('writes what the user typed last into a conflict when the page closes its client', async () => {
    const rig = setup();
    const store = new MemoryOutboxStore();
    const before = client(rig, store);
    const { conflicts } = await conflictOnEmail(rig, before);
    conflicts[0]!.amend({ email: 'typed last@42.test' });
    // No pause: the client is closed at once (a provider makes a new one; the page lives on).
    before.close();
    await rig.clock.flush();
    const after = client(rig, store);
    const offered: LiveConflict[] = [];
    after.liveData({ entityType: 'customer', entityId: '42', onConflict: (c) => offered.push(c) });
    await rig.clock.advance(5_000);
    assert.deepEqual(offered[0]?.mine, { email: 'typed last@42.test' });
    rig.close();
  });

  it("does not replay another user's entries", async () => {
    const rig = setup();
    const store = new MemoryOutboxStore();
    await store.add({
      mutationId: 'mutation-of-bob',
      entityType: 'customer',
      entityId: '42',
      baseVersion: 1,
      fields: { name: 'Bob was here' },
      createdAt: rig.clock.now(),
      userId: bob.id,
    });
    const ada = client(rig, store);
    await rig.clock.advance(5_000);
    assert.equal(rig.server.received('entity.update').length, 0);
    assert.equal(ada.outbox.size, 0, 'not counted for Ada');
    assert.equal(store.size, 1, 'kept for Bob');
    rig.close();
  });

  it('warns once that offline edits stay in memory when no store is durable', async () => {
    const rig = setup();
    // The client's own default store (a fake client's is in memory): Node has no IndexedDB.
    const ada = rig.client({ outbox: undefined });
    const live = ada.liveData({ entityType: 'customer', entityId: '42' });
    await rig.clock.flush();
    assert.equal(ada.outbox.persistent, false);
    assert.equal(rig.warnings.length, 0, 'no warning before it matters');
    await goOffline(rig);
    void live.update({ name: 'x' });
    void live.update({ name: 'y' });
    assert.equal(rig.warnings.filter((w) => /will not survive a closed tab/.test(w)).length, 1);
    rig.close();
  });
});
