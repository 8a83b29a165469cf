/**
 * A save made before the record loaded (the page rendered, the socket cannot connect yet):
 * - what the user saw (`update(fields, { seen })`) is checked when the record arrives: a field
 *   someone changed meanwhile is a conflict handed to `onConflict`, never a blind overwrite, also
 *   after a reload; without `seen` the save is based on whatever is current (the last writer wins);
 * - it is sent as the user who made it and nobody else: stamped with the user the page is
 *   configured as, or else with the first user this page signs in as; one a page closed before it
 *   knew is kept on the device, unattributed, and sent by nobody until the page claims it for
 *   the signed-in user (`outbox.claimUnattributed`) or drops it (`outbox.discardUnattributed`).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MemoryOutboxStore,
  type LiveConflict,
  type RealtimeClient,
} from '../../../../src/client/index.js';
import type { UserProfile } from '../../../../src/protocol/index.js';
import { createRig, fakeToken, type Rig } from '../../../../src/testing/index.js';

const ana: UserProfile = { id: 'ana', name: 'Ana' };
const ben: UserProfile = { id: 'ben', name: 'Ben' };

function setup(): Rig {
  const rig = createRig({ server: { users: [ana, ben] } });
  rig.server.entities.put({
    type: 'customer',
    id: '42',
    fields: { name: 'Customer 42', phone: '100' },
  });
  return rig;
}

/** A page configured as `user` (a development identity), on `store`. */
function pageAs(rig: Rig, user: UserProfile, store: MemoryOutboxStore): RealtimeClient {
  return rig.client({ devUser: user, clientId: 'shared-laptop', outbox: store });
}

/** A page that signs in with a token only: it learns who the user is from the server. */
function pageWithToken(rig: Rig, user: UserProfile, store: MemoryOutboxStore): RealtimeClient {
  return rig.client({
    devUser: undefined,
    getToken: () => fakeToken(user.id),
    clientId: 'shared-laptop',
    outbox: store,
  });
}

const updates = (rig: Rig) => rig.server.received('entity.update');

describe('live data: a save made before the record loaded', () => {
  it('is a conflict when the field no longer holds what the user saw', async () => {
    const rig = setup();
    rig.server.refuseConnections(true);
    rig.server.entities.remoteUpdate('customer', '42', { phone: '+1 BEN' }, ben);
    const page = pageAs(rig, ana, new MemoryOutboxStore());
    const conflicts: LiveConflict[] = [];
    const live = page.liveData({
      entityType: 'customer',
      entityId: '42',
      onConflict: (c) => conflicts.push(c),
    });
    await rig.clock.flush();
    assert.equal(live.status, 'loading');
    // The page printed phone 100; the user typed over it.
    const saving = live.update({ phone: '+1 ANA' }, { seen: { phone: '100' } });
    rig.server.refuseConnections(false);
    await rig.clock.advance(5_000);

    assert.equal((await saving).state, 'conflicted');
    assert.equal(updates(rig).length, 0, 'nothing overwritten');
    assert.equal(conflicts.length, 1);
    assert.deepEqual(
      conflicts[0]!.conflicts.map((c) => [c.field, c.base, c.mine, c.theirs]),
      [['phone', '100', '+1 ANA', '+1 BEN']],
    );
    assert.equal(conflicts[0]!.current.fields['phone'], '+1 BEN');
    assert.equal(live.data['phone'], '+1 ANA', 'the user’s value stays shown until decided');
    const resolved = await conflicts[0]!.resolve({ phone: '+1 ANA' });
    assert.equal(resolved.state, 'confirmed');
    assert.equal(rig.server.entities.get('customer', '42')?.fields['phone'], '+1 ANA');
    rig.close();
  });

  it('is applied when the field still holds what the user saw', async () => {
    const rig = setup();
    rig.server.refuseConnections(true);
    rig.server.entities.remoteUpdate('customer', '42', { name: 'Renamed' }, ben);
    const page = pageAs(rig, ana, new MemoryOutboxStore());
    const live = page.liveData({ entityType: 'customer', entityId: '42', onConflict: () => {} });
    await rig.clock.flush();
    const saving = live.update({ phone: '+1 ANA' }, { seen: { phone: '100' } });
    rig.server.refuseConnections(false);
    await rig.clock.advance(5_000);
    assert.equal((await saving).state, 'confirmed');
    assert.equal(updates(rig)[0]?.baseVersion, 2);
    assert.deepEqual(rig.server.entities.get('customer', '42')?.fields, {
      name: 'Renamed',
      phone: '+1 ANA',
    });
    rig.close();
  });

  it('is checked again after a reload, and the conflict goes to the widget that opens', async () => {
    const rig = setup();
    const store = new MemoryOutboxStore();
    rig.server.refuseConnections(true);
    const before = pageAs(rig, ana, store);
    const live = before.liveData({ entityType: 'customer', entityId: '42' });
    await rig.clock.flush();
    void live.update({ phone: '+1 ANA' }, { seen: { phone: '100' } });
    await before.outbox.flush();
    before.close();
    assert.deepEqual((await store.load())[0]?.seen, { phone: '100' });

    rig.server.entities.remoteUpdate('customer', '42', { phone: '+1 BEN' }, ben);
    rig.server.refuseConnections(false);
    const after = pageAs(rig, ana, store);
    await rig.clock.advance(5_000);
    assert.equal(updates(rig).length, 0);
    assert.equal(after.outbox.conflicts.length, 1);
    const offered: LiveConflict[] = [];
    after.liveData({ entityType: 'customer', entityId: '42', onConflict: (c) => offered.push(c) });
    assert.equal(offered.length, 1);
    assert.equal(offered[0]!.conflicts[0]?.theirs, '+1 BEN');
    rig.close();
  });

  it('without what the user saw, is based on the version current when sent (last writer wins)', async () => {
    const rig = setup();
    rig.server.refuseConnections(true);
    rig.server.entities.remoteUpdate('customer', '42', { phone: '+1 BEN' }, ben);
    const page = pageAs(rig, ana, new MemoryOutboxStore());
    const live = page.liveData({ entityType: 'customer', entityId: '42', onConflict: () => {} });
    await rig.clock.flush();
    const saving = live.update({ phone: '+1 ANA' });
    rig.server.refuseConnections(false);
    await rig.clock.advance(5_000);
    assert.equal((await saving).state, 'confirmed');
    assert.equal(rig.server.entities.get('customer', '42')?.fields['phone'], '+1 ANA');
    rig.close();
  });

  it('ignores seen once the record is loaded: the handle knows what the user saw', async () => {
    const rig = setup();
    const page = pageAs(rig, ana, new MemoryOutboxStore());
    const live = page.liveData({ entityType: 'customer', entityId: '42', onConflict: () => {} });
    await rig.clock.flush();
    assert.equal(live.status, 'ready');
    const outcome = await live.update({ phone: '+1 ANA' }, { seen: { phone: 'something else' } });
    assert.equal(outcome.state, 'confirmed');
    rig.close();
  });
});

describe('live data: whose a save made before the first sign-in is', () => {
  it('is kept for the user the page is configured as: another user on this browser never sends it', async () => {
    const rig = setup();
    const store = new MemoryOutboxStore();
    rig.server.refuseConnections(true);
    const anasPage = pageAs(rig, ana, store);
    const live = anasPage.liveData({ entityType: 'customer', entityId: '42' });
    await rig.clock.flush();
    void live.update({ phone: '+1 TYPED BY ANA' });
    await anasPage.outbox.flush();
    anasPage.close(); // Ana closes the tab before it ever connected
    assert.equal((await store.load())[0]?.userId, 'ana');

    rig.server.refuseConnections(false);
    const bensPage = pageAs(rig, ben, store);
    const bens = bensPage.liveData({ entityType: 'customer', entityId: '42' });
    await rig.clock.advance(5_000);
    assert.equal(updates(rig).length, 0, 'not sent as Ben');
    assert.equal(bensPage.outbox.size, 0);
    assert.equal(bens.data['phone'], '100', 'not shown to Ben as his pending change');
    assert.equal(store.size, 1, 'kept for Ana');
    bensPage.close();

    const anasNextPage = pageAs(rig, ana, store);
    await rig.clock.advance(5_000);
    await anasNextPage.outbox.flush();
    const entity = rig.server.entities.get('customer', '42')!;
    assert.equal(entity.fields['phone'], '+1 TYPED BY ANA');
    assert.equal(entity.updatedBy?.id, 'ana');
    assert.equal(store.size, 0);
    rig.close();
  });

  it('belongs to the first user this page signs in as, when the page names none', async () => {
    const rig = setup();
    rig.server.refuseConnections(true);
    const store = new MemoryOutboxStore();
    const page = pageWithToken(rig, ana, store);
    const live = page.liveData({ entityType: 'customer', entityId: '42' });
    await rig.clock.flush();
    const saving = live.update({ phone: '+1 ANA' });
    assert.equal(page.outbox.size, 1, 'counted as waiting before anyone signed in');
    rig.server.refuseConnections(false);
    await rig.clock.advance(5_000);
    assert.equal((await saving).state, 'confirmed');
    assert.equal(rig.server.entities.get('customer', '42')?.updatedBy?.id, 'ana');
    rig.close();
  });

  /** Ana's save in a page that could not connect, closed before it knew who was signed in. */
  async function closedBeforeItKnew() {
    const rig = setup();
    const store = new MemoryOutboxStore();
    rig.server.refuseConnections(true);
    const closed = pageWithToken(rig, ana, store);
    void closed.liveData({ entityType: 'customer', entityId: '42' }).update({ phone: '+1 ANA' });
    await closed.outbox.flush();
    closed.close();
    assert.equal((await store.load())[0]?.userId, undefined);
    return { rig, store };
  }

  /** That save left on the device, then Ben's page, signed in. */
  async function leftUnattributed() {
    const { rig, store } = await closedBeforeItKnew();
    rig.server.refuseConnections(false);
    const bensPage = pageWithToken(rig, ben, store);
    const bens = bensPage.liveData({ entityType: 'customer', entityId: '42' });
    await rig.clock.advance(5_000);
    assert.equal(bensPage.user?.id, 'ben');
    return { rig, store, bensPage, bens };
  }

  it('left by a page closed before it knew, is sent by nobody and counted as unattributed', async () => {
    const { rig, store, bensPage, bens } = await leftUnattributed();
    assert.equal(updates(rig).length, 0, 'not sent as Ben');
    assert.equal(bensPage.outbox.size, 0);
    assert.equal(bensPage.outbox.snapshot().unattributed, 1);
    assert.equal(bens.data['phone'], '100');
    assert.equal(store.size, 1, 'kept on the device');
    rig.close();
  });

  it('left unattributed, is sent as the signed-in user once the page claims it', async () => {
    const { rig, store, bensPage, bens } = await leftUnattributed();
    const mutationId = (await store.load())[0]!.mutationId;
    assert.equal(bensPage.outbox.claimUnattributed(), 1);
    assert.equal(bensPage.outbox.snapshot().unattributed, 0);
    await rig.clock.advance(1_000);
    await bensPage.outbox.flush();
    assert.equal(updates(rig).length, 1);
    assert.equal(updates(rig)[0]!['mutationId'], mutationId, 'with its id: applied once');
    const entity = rig.server.entities.get('customer', '42')!;
    assert.equal(entity.fields['phone'], '+1 ANA');
    assert.equal(entity.updatedBy?.id, 'ben', 'as the user who claimed it');
    assert.equal(bens.data['phone'], '+1 ANA');
    assert.equal(store.size, 0, 'answered: off the device');
    assert.equal(bensPage.outbox.claimUnattributed(), 0, 'nothing left to claim');
    rig.close();
  });

  it('left unattributed, leaves the device unsent when the page discards it', async () => {
    const { rig, store, bensPage, bens } = await leftUnattributed();
    assert.equal(bensPage.outbox.discardUnattributed(), 1);
    await bensPage.outbox.flush();
    assert.equal(bensPage.outbox.snapshot().unattributed, 0);
    assert.equal(store.size, 0);
    await rig.clock.advance(5_000);
    assert.equal(updates(rig).length, 0, 'never sent');
    assert.equal(bens.data['phone'], '100');
    rig.close();
  });

  it('left unattributed, cannot be claimed while nobody is signed in', async () => {
    const { rig, store } = await closedBeforeItKnew();
    const next = pageWithToken(rig, ben, store);
    next.liveData({ entityType: 'customer', entityId: '42' });
    await rig.clock.advance(1_000);
    assert.equal(next.user, undefined);
    assert.equal(next.outbox.snapshot().unattributed, 1);
    assert.equal(next.outbox.claimUnattributed(), 0);
    assert.equal(store.size, 1, 'still kept');
    rig.close();
  });
});
