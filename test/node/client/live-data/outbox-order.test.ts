/**
 * One user's changes replay in the order they were made, whichever tab made them: when a tab closed
 * offline left an older save, the tab still open sends it before its own newer one; and when the
 * older save only turns up after the newer one was applied, it never overwrites it (superseded
 * for the fields the newer one set, sent for the others).
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { MemoryOutboxStore, type LiveConflict } from '../../../../src/client/index.js';
import { DEMO_USER, type Rig } from '../../../../src/testing/index.js';
import { customerRig, FakeLocks, goOffline, installLocks, pageOn } from './outbox-stores.js';

let locks: FakeLocks;
let uninstall: () => void;

beforeEach(() => {
  locks = new FakeLocks();
  uninstall = installLocks(locks);
});

afterEach(() => uninstall());

const setup = (): Rig => customerRig({ name: 'Customer 42', phone: '100', city: 'Lyon' });

const tab = pageOn;

const updates = (rig: Rig) =>
  rig.server.received('entity.update').map((f) => JSON.stringify(f.fields));

describe('outbox: one user, two tabs', () => {
  it('a closed tab’s older save goes before this tab’s newer one', async () => {
    const rig = setup();
    const store = new MemoryOutboxStore();
    const first = tab(rig, store);
    const second = tab(rig, store);
    const conflicts: LiveConflict[] = [];
    const one = first.liveData({ entityType: 'customer', entityId: '42' });
    const two = second.liveData({
      entityType: 'customer',
      entityId: '42',
      onConflict: (c) => conflicts.push(c),
    });
    await rig.clock.flush();
    await goOffline(rig);
    void one.update({ phone: '+1 OLDER' });
    await first.outbox.flush();
    await rig.clock.advance(1_500);
    const newer = two.update({ phone: '+1 NEWER' });
    await second.outbox.flush();
    const owner = (await store.load()).find((e) => e.fields['phone'] === '+1 OLDER')!.owner!;
    first.close();
    locks.die(owner); // tab 1 is closed, still offline

    rig.server.refuseConnections(false);
    await rig.clock.advance(5_000);
    await second.outbox.flush();
    await rig.clock.flush();
    assert.deepEqual(updates(rig), ['{"phone":"+1 OLDER"}', '{"phone":"+1 NEWER"}']);
    assert.equal((await newer).state, 'confirmed');
    assert.equal(rig.server.entities.get('customer', '42')?.fields['phone'], '+1 NEWER');
    assert.equal(two.data['phone'], '+1 NEWER');
    assert.equal(conflicts.length, 0);
    assert.equal(store.size, 0);
    rig.close();
  });

  it('an older save that turns up after the newer one was applied does not overwrite it', async () => {
    const rig = setup();
    const store = new MemoryOutboxStore();
    const ada = tab(rig, store);
    const conflicts: LiveConflict[] = [];
    const live = ada.liveData({
      entityType: 'customer',
      entityId: '42',
      onConflict: (c) => conflicts.push(c),
    });
    await rig.clock.flush();
    const made = rig.clock.now();
    await rig.clock.advance(1_500);
    assert.equal((await live.update({ phone: '+1 NEWER' })).state, 'confirmed');
    // A tab closed a while ago left an older save of the same user, made before the one above.
    await store.add({
      mutationId: 'mutation-older-save',
      entityType: 'customer',
      entityId: '42',
      baseVersion: 1,
      fields: { phone: '+1 OLDER', city: 'Paris' },
      seen: { phone: '100', city: 'Lyon' },
      createdAt: made,
      userId: DEMO_USER.id,
      owner: 'crm-realtime:outbox:a-closed-tab',
    });
    rig.server.dropConnections(); // the next connection takes it
    await rig.clock.advance(5_000);
    await ada.outbox.flush();
    await rig.clock.flush();

    const entity = rig.server.entities.get('customer', '42')!;
    assert.equal(entity.fields['phone'], '+1 NEWER', 'the newer value stands');
    assert.equal(entity.fields['city'], 'Paris', 'what only the older save set is applied');
    assert.equal(conflicts.length, 0, 'nobody is asked to choose between their own two values');
    const older = live.changes.find((c) => c.fields['city'] === 'Paris');
    assert.equal(older?.state, 'confirmed');
    assert.deepEqual(older?.fields, { city: 'Paris' });
    assert.equal(live.data['phone'], '+1 NEWER');
    assert.equal(store.size, 0);
    rig.close();
  });

  it('an older save whose every field was set since is dropped as superseded', async () => {
    const rig = setup();
    const store = new MemoryOutboxStore();
    const ada = tab(rig, store);
    const live = ada.liveData({ entityType: 'customer', entityId: '42' });
    await rig.clock.flush();
    const made = rig.clock.now();
    await rig.clock.advance(1_500);
    await live.update({ phone: '+1 NEWER' });
    await store.add({
      mutationId: 'mutation-older-save',
      entityType: 'customer',
      entityId: '42',
      baseVersion: 1,
      fields: { phone: '+1 OLDER' },
      seen: { phone: '100' },
      createdAt: made,
      userId: DEMO_USER.id,
      owner: 'crm-realtime:outbox:a-closed-tab',
    });
    rig.server.dropConnections();
    await rig.clock.advance(5_000);
    await ada.outbox.flush();
    await rig.clock.flush();

    assert.equal(rig.server.entities.get('customer', '42')?.fields['phone'], '+1 NEWER');
    assert.equal(rig.server.entities.get('customer', '42')?.version, 2, 'nothing applied');
    const older = live.changes.find((c) => c.mutationId === 'mutation-older-save');
    assert.equal(older?.state, 'rolled-back');
    assert.equal(older?.superseded, true);
    assert.equal(ada.outbox.size, 0);
    assert.equal(store.size, 0);
    rig.close();
  });

  it('an older save made before the record loaded, without what the user saw, does not overwrite either', async () => {
    const rig = setup();
    const store = new MemoryOutboxStore();
    const ada = tab(rig, store);
    const live = ada.liveData({ entityType: 'customer', entityId: '42' });
    await rig.clock.flush();
    const made = rig.clock.now();
    await rig.clock.advance(1_500);
    await live.update({ phone: '+1 NEWER' });
    await store.add({
      mutationId: 'mutation-older-save',
      entityType: 'customer',
      entityId: '42',
      baseVersion: undefined,
      fields: { phone: '+1 OLDER' },
      createdAt: made,
      userId: DEMO_USER.id,
      owner: 'crm-realtime:outbox:a-closed-tab',
    });
    rig.server.dropConnections();
    await rig.clock.advance(5_000);
    await ada.outbox.flush();
    await rig.clock.flush();
    assert.equal(rig.server.entities.get('customer', '42')?.fields['phone'], '+1 NEWER');
    const older = live.changes.find((c) => c.mutationId === 'mutation-older-save');
    assert.equal(older?.state, 'rolled-back');
    assert.equal(older?.superseded, true);
    rig.close();
  });
});
