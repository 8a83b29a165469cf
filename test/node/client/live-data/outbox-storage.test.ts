/**
 * When the device cannot store a change (a full disk, the site's data cleared under the page), the
 * outbox says so (`unstored`), keeps the change in memory, writes it again later, with the
 * database made anew, and reads a store it could not read at load once it can.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEMO_USER, type Rig } from '../../../../src/testing/index.js';
import { customerRig, FlakyStore, goOffline, pageOn } from './outbox-stores.js';

const setup = (): Rig => customerRig({ name: 'Customer 42', phone: '100', city: 'Lyon' });

const page = pageOn;

describe('outbox: a device that cannot store the changes', () => {
  it('counts a waiting change the disk refused, and stores it once there is room', async () => {
    const rig = setup();
    const store = new FlakyStore();
    const ada = page(rig, store);
    const live = ada.liveData({ entityType: 'customer', entityId: '42' });
    await rig.clock.flush();
    await goOffline(rig);
    store.failing = true; // the disk is full
    void live.update({ phone: '200' });
    await ada.outbox.flush();
    assert.equal(ada.outbox.size, 1, 'waiting');
    assert.equal(ada.outbox.snapshot().unstored, 1, 'and not stored on this device');
    assert.equal(store.size, 0);
    assert.equal(rig.warnings.filter((w) => /could not store/.test(w)).length, 1);

    await rig.clock.advance(10_000);
    assert.equal(ada.outbox.snapshot().unstored, 1, 'still full: still said');
    store.failing = false; // room again
    await rig.clock.advance(60_000);
    await ada.outbox.flush();
    assert.equal(ada.outbox.snapshot().unstored, 0);
    assert.deepEqual(
      (await store.load()).map((e) => e.fields),
      [{ phone: '200' }],
    );

    rig.server.refuseConnections(false);
    await rig.clock.advance(30_000); // the next try, the reconnect waits grown to their cap
    await ada.outbox.flush();
    assert.equal(rig.server.entities.get('customer', '42')?.fields['phone'], '200');
    assert.equal(store.size, 0);
    rig.close();
  });

  it('writes again what it held when the site data was cleared, and later saves too', async () => {
    const rig = setup();
    const store = new FlakyStore();
    const ada = page(rig, store);
    const live = ada.liveData({ entityType: 'customer', entityId: '42' });
    await rig.clock.flush();
    await goOffline(rig);
    void live.update({ phone: '200' });
    await ada.outbox.flush();
    assert.equal(store.size, 1);
    await store.wipe(); // cleared under the page
    await rig.clock.advance(0);
    await ada.outbox.flush();
    void live.update({ city: 'Paris' });
    await ada.outbox.flush();
    assert.deepEqual(
      (await store.load()).map((e) => e.fields),
      [{ phone: '200' }, { city: 'Paris' }],
      'both survive a closed tab again',
    );
    assert.equal(ada.outbox.snapshot().unstored, 0);
    rig.close();
  });

  it('reads a store it could not open at load once it can, and sends what it holds', async () => {
    const rig = setup();
    const store = new FlakyStore();
    await store.add({
      mutationId: 'mutation-left-behind',
      entityType: 'customer',
      entityId: '42',
      baseVersion: 1,
      fields: { phone: '300' },
      createdAt: rig.clock.now(),
      userId: DEMO_USER.id,
    });
    store.failLoads = true;
    rig.server.refuseConnections(true);
    const ada = page(rig, store);
    await ada.outbox.ready;
    assert.equal(ada.outbox.size, 0, 'nothing could be read');
    // A save made meanwhile is stored, and must not be taken a second time when the store is read.
    void ada.liveData({ entityType: 'customer', entityId: '42' }).update({ city: 'Paris' });
    await ada.outbox.flush();
    assert.equal(store.size, 2);
    store.failLoads = false;
    await rig.clock.advance(60_000);
    await ada.outbox.flush();
    assert.equal(ada.outbox.size, 2, 'read on a later try, the new save once');
    rig.server.refuseConnections(false);
    await rig.clock.advance(60_000);
    await ada.outbox.flush();
    assert.equal(rig.server.entities.get('customer', '42')?.fields['phone'], '300');
    assert.equal(rig.server.entities.get('customer', '42')?.fields['city'], 'Paris');
    assert.equal(rig.server.received('entity.update').length, 2, 'each sent once');
    assert.equal(store.size, 0);
    rig.close();
  });
});
