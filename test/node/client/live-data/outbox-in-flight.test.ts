/**
 * A save made on an open connection is in the durable outbox from the moment it is sent until its
 * answer: when the link dies without the browser noticing and the tab is closed or reloaded before
 * the answer (or its timeout), the next page sends it, with its mutation id, so the server applies
 * it once. The frame does not wait for the store.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import type { RealtimeClient } from '../../../../src/client/index.js';
import type { OutboxStore } from '../../../../src/client/live-data/outbox-store.js';
import { createRig, DEMO_USER, type Rig } from '../../../../src/testing/index.js';
import {
  CrashableStore,
  FakeLocks,
  GatedStore,
  installLocks,
  SlowLoadStore,
} from './outbox-stores.js';

function setup(): Rig {
  const rig = createRig();
  rig.server.entities.put({
    type: 'customer',
    id: '42',
    fields: { name: 'Customer 42', phone: '100' },
  });
  return rig;
}

function page(rig: Rig, store: OutboxStore): RealtimeClient {
  return rig.client({ devUser: DEMO_USER, clientId: 'ada-device', outbox: store });
}

describe('outbox: saves on their way', () => {
  it('a save sent into a dead link is stored at once, and the next page sends it', async () => {
    const rig = setup();
    const store = new CrashableStore();
    const first = page(rig, store);
    const live = first.liveData({ entityType: 'customer', entityId: '42' });
    await rig.clock.flush();
    rig.server.blackhole(true); // the link is dead and nobody noticed: the socket looks open
    void live.update({ phone: '+1 555 0101' });
    await first.outbox.flush();
    assert.equal(first.status.state, 'open');
    assert.equal(live.changes.at(-1)?.state, 'pending');
    assert.equal(live.changes.at(-1)?.queued, false, 'on its way, not waiting offline');
    assert.equal(first.outbox.size, 0, 'nothing counts as waiting');
    const stored = await store.disk.load();
    assert.deepEqual(
      stored.map((e) => [e.mutationId, e.fields, e.userId]),
      [[live.changes.at(-1)?.mutationId, { phone: '+1 555 0101' }, DEMO_USER.id]],
      'in the store while the answer is awaited',
    );

    // The tab is closed before the request timed out; the network comes back; a page opens.
    store.crash();
    first.close();
    rig.server.blackhole(false);
    const second = page(rig, store.disk);
    await rig.clock.advance(5_000);
    await second.outbox.flush();
    const entity = rig.server.entities.get('customer', '42')!;
    assert.equal(entity.fields['phone'], '+1 555 0101');
    assert.equal(entity.version, 2);
    assert.deepEqual(
      rig.server.received('entity.update').map((f) => f.mutationId),
      [stored[0]!.mutationId],
    );
    assert.equal(store.disk.size, 0);
    rig.close();
  });

  it('a save the server applied before the tab closed is applied once', async () => {
    const rig = setup();
    const store = new CrashableStore();
    const first = page(rig, store);
    const live = first.liveData({ entityType: 'customer', entityId: '42' });
    await rig.clock.flush();
    rig.server.setLatency(100);
    void live.update({ phone: '200' });
    await rig.clock.advance(150); // applied; the answer is on its way
    store.crash();
    first.close();
    rig.server.setLatency(0);
    const second = page(rig, store.disk);
    await rig.clock.advance(5_000);
    await second.outbox.flush();
    const sent = rig.server.received('entity.update');
    assert.equal(sent.length, 2);
    assert.equal(sent[0]!.mutationId, sent[1]!.mutationId, 'replayed with its mutation id');
    assert.equal(rig.server.sent('entity.ack').at(-1)?.duplicate, true);
    assert.equal(rig.server.entities.get('customer', '42')?.version, 2, 'applied once');
    assert.equal(store.disk.size, 0);
    rig.close();
  });

  it('the frame leaves before the store write completes, and the answered entry is removed', async () => {
    const rig = setup();
    const store = new GatedStore();
    const ada = page(rig, store);
    const live = ada.liveData({ entityType: 'customer', entityId: '42' });
    await rig.clock.flush();
    const saving = live.update({ phone: '300' });
    await rig.clock.flush();
    assert.equal(store.asked, 1, 'the write was asked for');
    assert.equal(store.size, 0, 'and has not completed');
    assert.equal(rig.server.received('entity.update').length, 1, 'the frame did not wait for it');
    assert.equal((await saving).state, 'confirmed');
    store.release();
    await ada.outbox.flush();
    assert.equal(store.size, 0, 'written, then removed on its answer');
    rig.close();
  });

  it('a refused save leaves the store, and is not reported as a refused replay', async () => {
    const rig = setup();
    const store = new CrashableStore();
    const ada = page(rig, store);
    const live = ada.liveData({ entityType: 'customer', entityId: '42' });
    await rig.clock.flush();
    rig.server.entities.authorize = (_u, _e, access) => access === 'read';
    assert.equal((await live.update({ phone: '400' })).state, 'rejected');
    await ada.outbox.flush();
    assert.equal(store.disk.size, 0);
    assert.deepEqual(ada.outbox.snapshot().rejected, []);
    rig.close();
  });

  it('a save on the open connection waits neither for the outbox to be read nor for a claim', async (t: TestContext) => {
    // Web Locks, so a new connection looks for what closed pages left under the claim lock.
    t.after(installLocks(new FakeLocks()));
    const rig = setup();
    const store = new SlowLoadStore();
    store.holdLoads(); // the disk is slow to answer at start-up
    const ada = page(rig, store);
    const live = ada.liveData({ entityType: 'customer', entityId: '42' });
    await rig.clock.flush();
    assert.equal(live.status, 'ready');
    void live.update({ phone: '200' });
    await rig.clock.flush();
    assert.equal(rig.server.received('entity.update').length, 1, 'sent while the disk is read');
    store.releaseLoads();
    await ada.outbox.ready;

    // A new connection looks for what closed pages left, reading the slow disk again.
    store.holdLoads();
    rig.server.dropConnections();
    await rig.clock.advance(5_000);
    assert.equal(ada.status.state, 'open');
    void live.update({ phone: '300' });
    await rig.clock.flush();
    assert.equal(rig.server.received('entity.update').length, 2, 'not held up by the look');
    store.releaseLoads();
    await ada.outbox.flush();
    rig.close();
  });
});
