/**
 * A save that meets field rules changed after the edit (a field now read-only for the user):
 * the server refuses the whole update naming the fields, and live data saves the other fields as
 * a new change, keeping the refused values on the change for the page; also for a change queued
 * offline and replayed after the rules changed. Against the fake server, which answers as the
 * reference server does (`domain/field-refusal.ts`).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryOutboxStore, type RealtimeClient } from '../../../../src/client/index.js';
import { createRig, DEMO_USER, fakeToken, type Rig } from '../../../../src/testing/index.js';
import { CrashableStore, pageOn } from './outbox-stores.js';

const CUSTOMER = { entityType: 'customer', entityId: '42' };

function setup(): { rig: Rig; client: RealtimeClient } {
  const rig = createRig();
  rig.server.entities.put({
    type: 'customer',
    id: '42',
    fields: { name: 'Acme', email: 'info@acme.test', phone: '100' },
  });
  const client = rig.client({ devUser: DEMO_USER, outbox: new MemoryOutboxStore() });
  return { rig, client };
}

async function open(rig: Rig, client: RealtimeClient) {
  const live = client.liveData(CUSTOMER);
  await rig.clock.flush();
  assert.equal(live.status, 'ready');
  return live;
}

describe('live data: a save some of whose fields became read-only', () => {
  it('saves the other fields as a new change and reports the refused values', async () => {
    const { rig, client } = setup();
    const live = await open(rig, client);
    // The CRM's admin made email read-only; the client has not heard yet.
    rig.server.entities.readOnlyFields = () => ['email'];
    const outcome = await live.update({ email: 'sales@acme.test', phone: '555' });

    assert.equal(outcome.state, 'confirmed', JSON.stringify(outcome));
    assert.deepEqual(outcome.fields, { phone: '555' });
    assert.deepEqual(outcome.refused, { email: 'sales@acme.test' });
    assert.equal(outcome.error?.code, 'forbidden');
    assert.deepEqual(outcome.error?.fields, { email: 'read-only for you' });
    const stored = rig.server.entities.get('customer', '42')!;
    assert.equal(stored.fields['phone'], '555');
    assert.equal(stored.fields['email'], 'info@acme.test');
    assert.equal(stored.version, 2);
    // The refused update applied nothing; the rest went as other content, with its own id.
    const sent = rig.server.received('entity.update');
    assert.deepEqual(
      sent.map((f) => f.fields),
      [{ email: 'sales@acme.test', phone: '555' }, { phone: '555' }],
    );
    assert.notEqual(sent[0]!.mutationId, sent[1]!.mutationId);
    assert.equal(outcome.mutationId, sent[1]!.mutationId);
    assert.equal(live.data['email'], 'info@acme.test', 'the refused value is no longer shown');
    assert.equal(client.outbox.size, 0);
    rig.close();
  });

  it('rejects a change whose every field is refused, naming them', async () => {
    const { rig, client } = setup();
    const live = await open(rig, client);
    rig.server.entities.readOnlyFields = () => ['email'];
    const outcome = await live.update({ email: 'sales@acme.test' });
    assert.equal(outcome.state, 'rejected');
    assert.deepEqual(outcome.fields, { email: 'sales@acme.test' });
    assert.equal(outcome.refused, undefined);
    assert.deepEqual(outcome.error?.fields, { email: 'read-only for you' });
    assert.equal(rig.server.received('entity.update').length, 1);
    rig.close();
  });

  it('a change queued offline and replayed after the rules changed saves its other fields', async () => {
    const { rig, client } = setup();
    const live = await open(rig, client);
    rig.server.refuseConnections(true);
    rig.server.dropConnections();
    await rig.clock.flush();
    const saving = live.update({ email: 'sales@acme.test', phone: '555' });
    assert.equal(client.outbox.size, 1);
    rig.server.entities.readOnlyFields = () => ['email'];
    rig.server.refuseConnections(false);
    await rig.clock.advance(5_000);

    const outcome = await saving;
    assert.equal(outcome.state, 'confirmed', JSON.stringify(outcome));
    assert.deepEqual(outcome.fields, { phone: '555' });
    assert.deepEqual(outcome.refused, { email: 'sales@acme.test' });
    assert.equal(rig.server.entities.get('customer', '42')!.fields['phone'], '555');
    assert.equal(client.outbox.size, 0);
    // The outbox says what it could not deliver.
    const reported = client.outbox.snapshot().rejected;
    assert.equal(reported.length, 1);
    assert.deepEqual(reported[0]!.refused, { email: 'sales@acme.test' });
    assert.deepEqual(live.snapshot().readOnly, ['email'], 'the record was read again');
    rig.close();
  });

  it('a save applied before the rules changed, its ack lost, is confirmed whole on replay', async () => {
    const { rig, client } = setup();
    const live = await open(rig, client);
    rig.server.setLatency(100);
    const saving = live.update({ email: 'sales@acme.test', phone: '555' });
    await rig.clock.flush(); // the save is on its way
    // The server applies it; its ack is lost on a dead network path.
    rig.server.blackhole(true);
    await rig.clock.advance(150);
    assert.equal(rig.server.entities.get('customer', '42')!.version, 2, 'applied');
    rig.server.blackhole(false);
    rig.server.setLatency(0);
    rig.server.entities.readOnlyFields = () => ['email'];
    rig.server.dropConnections();
    await rig.clock.advance(5_000);

    const outcome = await saving;
    assert.equal(outcome.state, 'confirmed', JSON.stringify(outcome));
    assert.equal(outcome.duplicate, true, 'the server had applied it');
    assert.deepEqual(outcome.fields, { email: 'sales@acme.test', phone: '555' });
    assert.equal(outcome.refused, undefined, 'nothing reported as not saved');
    const sent = rig.server.received('entity.update');
    assert.equal(sent.length, 2);
    assert.equal(sent[1]!.mutationId, sent[0]!.mutationId, 'replayed with its mutation id');
    const stored = rig.server.entities.get('customer', '42')!;
    assert.equal(stored.version, 2, 'applied once');
    assert.equal(stored.fields['email'], 'sales@acme.test');
    assert.equal(client.outbox.size, 0);
    rig.close();
  });
});

describe('live data: refused values of a narrowed save across a closed tab', () => {
  /**
   * The user saves email and phone; email is read-only for them by then: the server refuses the
   * save, and the phone goes on as a new change, which the server holds unanswered while the tab
   * is closed (its frame is dropped with the connection). Returns the disk the tab left.
   */
  async function narrowedThenClosed(rig: Rig): Promise<MemoryOutboxStore> {
    const store = new CrashableStore();
    const before = pageOn(rig, store);
    const live = await open(rig, before);
    rig.server.entities.readOnlyFields = () => ['email'];
    const held = rig.server.hold((f) => f.type === 'entity.update' && !('email' in f.fields));
    void live.update({ email: 'sales@acme.test', phone: '555' });
    await rig.clock.flush();
    assert.equal(held.size, 1, 'the rest is on its way, unanswered');
    await before.outbox.flush();
    store.crash();
    before.close();
    held.stop();
    return store.disk;
  }

  it('keeps them in the outbox entry, and the next page has them on the change it sends', async () => {
    const { rig } = setup();
    const disk = await narrowedThenClosed(rig);
    assert.deepEqual(
      (await disk.load()).map((e) => [e.fields, e.refused]),
      [[{ phone: '555' }, { email: 'sales@acme.test' }]],
      'the entry holds the rest to send and the values refused',
    );

    const after = pageOn(rig, disk);
    const live = after.liveData(CUSTOMER);
    await rig.clock.advance(5_000);
    await after.outbox.flush();
    const stored = rig.server.entities.get('customer', '42')!.fields;
    assert.equal(stored['phone'], '555');
    assert.equal(stored['email'], 'info@acme.test');
    const change = live.changes.at(-1)!;
    assert.equal(change.state, 'confirmed', JSON.stringify(change));
    assert.deepEqual(change.fields, { phone: '555' });
    assert.deepEqual(change.refused, { email: 'sales@acme.test' }, 'not lost with the tab');
    assert.equal(change.error?.code, 'forbidden');
    assert.deepEqual(change.error?.fields, { email: 'read-only for you' });
    assert.deepEqual(
      after.outbox.snapshot().rejected.map((c) => c.refused),
      [{ email: 'sales@acme.test' }],
      'the outbox lists what the closed page could not deliver',
    );
    // Only the rest was sent again; once answered, the entry is gone.
    assert.deepEqual(
      rig.server.received('entity.update').map((f) => f.fields),
      [{ email: 'sales@acme.test', phone: '555' }, { phone: '555' }, { phone: '555' }],
    );
    assert.equal(disk.size, 0);
    rig.close();
  });

  it('sends an entry stored without refused values, as an older page left it, as before', async () => {
    const { rig } = setup();
    const disk = new MemoryOutboxStore();
    await disk.add({
      mutationId: 'm-stored-by-an-older-page',
      entityType: 'customer',
      entityId: '42',
      baseVersion: 1,
      fields: { phone: '555' },
      seen: { phone: '100' },
      createdAt: rig.clock.now(),
      userId: DEMO_USER.id,
    });
    const page = pageOn(rig, disk);
    const live = page.liveData(CUSTOMER);
    await rig.clock.advance(5_000);
    await page.outbox.flush();
    const change = live.changes.at(-1)!;
    assert.equal(change.state, 'confirmed');
    assert.equal(change.refused, undefined);
    assert.equal(change.error, undefined);
    assert.deepEqual(page.outbox.snapshot().rejected, []);
    assert.equal(rig.server.entities.get('customer', '42')!.fields['phone'], '555');
    assert.equal(disk.size, 0);
    rig.close();
  });
});

describe('live data: refused values the user saved again before a closed tab', () => {
  it('are not said again by the next page, nor put over the newer value', async () => {
    const { rig } = setup();
    const store = new CrashableStore();
    const before = pageOn(rig, store);
    const live = await open(rig, before);
    rig.server.entities.readOnlyFields = () => ['email'];
    const held = rig.server.hold((f) => f.type === 'entity.update' && !('email' in f.fields));
    void live.update({ email: 'sales@acme.test', phone: '555' });
    await rig.clock.flush();
    assert.equal(held.size, 1, 'the rest is on its way, unanswered');
    // The admin gives the email back; the user saves a newer one, which waits behind the rest.
    rig.server.entities.readOnlyFields = () => [];
    void live.update({ email: 'billing@acme.test' });
    await rig.clock.flush();
    await before.outbox.flush();
    store.crash();
    before.close();
    held.stop();

    const after = pageOn(rig, store.disk);
    const next = after.liveData(CUSTOMER);
    await rig.clock.advance(5_000);
    await after.outbox.flush();
    const stored = rig.server.entities.get('customer', '42')!.fields;
    assert.equal(stored['email'], 'billing@acme.test', 'the newer value is saved');
    assert.equal(stored['phone'], '555');
    assert.deepEqual(
      next.changes.filter((c) => c.refused).map((c) => c.refused),
      [],
      'the older refused value is no longer the user’s: their newer save set the field',
    );
    assert.deepEqual(after.outbox.snapshot().rejected, []);
    assert.equal(store.disk.size, 0);
    rig.close();
  });
});

describe('live data: a mutation id refused for a field its change no longer sets', () => {
  it('sends the change again as a new one, and it is saved', async () => {
    const { rig } = setup();
    // The id was refused for the email (its first content, held by another connection under
    // stricter rules); this client has since dropped the email from it (a newer change of its
    // own set that field), keeping the id: the entry holds only the phone.
    rig.server.entities.readOnlyFields = () => ['email'];
    const first = rig.server.entities.answer(DEMO_USER, {
      type: 'entity.update',
      id: 'held-original',
      mutationId: 'm-refused-for-email',
      entityType: 'customer',
      entityId: '42',
      baseVersion: 1,
      fields: { email: 'sales@acme.test', phone: '555' },
    });
    assert.equal(first.type === 'error' && first.code, 'forbidden');
    rig.server.entities.readOnlyFields = () => [];
    const disk = new MemoryOutboxStore();
    await disk.add({
      mutationId: 'm-refused-for-email',
      entityType: 'customer',
      entityId: '42',
      baseVersion: 1,
      fields: { phone: '555' },
      seen: { phone: '100' },
      createdAt: rig.clock.now(),
      userId: DEMO_USER.id,
    });
    const page = pageOn(rig, disk);
    const live = page.liveData(CUSTOMER);
    await rig.clock.advance(5_000);
    await page.outbox.flush();

    const change = live.changes.at(-1)!;
    assert.equal(change.state, 'confirmed', JSON.stringify(change));
    assert.deepEqual(change.fields, { phone: '555' });
    assert.equal(change.refused, undefined, 'none of its values was refused');
    assert.equal(rig.server.entities.get('customer', '42')!.fields['phone'], '555');
    const sent = rig.server.received('entity.update');
    assert.equal(sent.length, 2);
    assert.notEqual(sent[1]!.mutationId, 'm-refused-for-email', 'other content, a new id');
    assert.equal(disk.size, 0);
    rig.close();
  });
});

describe('live data: a refused value the user saved again while it was on its way', () => {
  it('is not kept as not saved: their newer change of the field is what they are told of', async () => {
    const { rig, client } = setup();
    const live = await open(rig, client);
    rig.server.entities.readOnlyFields = () => ['email'];
    rig.server.setLatency(100);
    const first = live.update({ email: 'sales@acme.test', phone: '555' });
    await rig.clock.flush(); // on its way
    // The user saves a newer email before the first save is answered.
    const second = live.update({ email: 'billing@acme.test' });
    await rig.clock.advance(1_000);

    const [older, newer] = await Promise.all([first, second]);
    assert.equal(older.state, 'confirmed', JSON.stringify(older));
    assert.deepEqual(older.fields, { phone: '555' });
    assert.equal(older.refused, undefined, 'the older email is not the user’s last word');
    assert.equal(newer.state, 'rejected', 'the newer email is refused, and said');
    assert.deepEqual(newer.fields, { email: 'billing@acme.test' });
    assert.deepEqual(
      client.outbox.snapshot().entries.map((e) => e.refused),
      [],
      'nothing left in the outbox',
    );
    rig.close();
  });
});

describe('live data: refused values and another user’s later change on a shared device', () => {
  it('keeps them: only the user’s own later change of the field stands over them', async () => {
    const { rig } = setup();
    const disk = new MemoryOutboxStore();
    const entry = {
      entityType: 'customer',
      entityId: '42',
      baseVersion: 1,
      createdAt: rig.clock.now(),
    };
    // Ada's save, narrowed by a page closed before its phone was answered; then someone else,
    // signed in on the same device, changed the email offline.
    await disk.add({
      ...entry,
      mutationId: 'm-ada-narrowed',
      fields: { phone: '555' },
      refused: { email: 'sales@acme.test' },
      userId: DEMO_USER.id,
    });
    await disk.add({
      ...entry,
      mutationId: 'm-someone-else',
      fields: { email: 'other@acme.test' },
      createdAt: rig.clock.now() + 1,
      userId: 'someone-else',
    });
    const page = pageOn(rig, disk);
    const live = page.liveData(CUSTOMER);
    await rig.clock.advance(5_000);
    const change = live.changes.find((c) => c.fields['phone'] === '555')!;
    assert.equal(change.state, 'confirmed', JSON.stringify(change));
    assert.deepEqual(change.refused, { email: 'sales@acme.test' });
    rig.close();
  });
});

describe('live data: refused values listed on a shared device', () => {
  /**
   * What pages closed before their narrowed saves were answered left on one device: Ada's (the
   * demo user), someone else's, and one a page closed before it knew who was signed in.
   */
  async function sharedDisk(rig: Rig): Promise<MemoryOutboxStore> {
    const disk = new MemoryOutboxStore();
    const entry = { entityType: 'customer', entityId: '42', baseVersion: 1, fields: {} };
    const left = [
      { mutationId: 'm-ada', userId: DEMO_USER.id, refused: { email: 'ada@acme.test' } },
      { mutationId: 'm-other', userId: 'someone-else', refused: { email: 'other@acme.test' } },
      { mutationId: 'm-nobody', userId: undefined, refused: { email: 'nobody@acme.test' } },
    ];
    for (const [i, e] of left.entries()) {
      await disk.add({ ...entry, ...e, fields: { phone: `55${i}` }, createdAt: rig.clock.now() });
    }
    return disk;
  }

  const listed = (client: RealtimeClient) =>
    client.outbox.snapshot().rejected.map((c) => c.refused?.['email']);

  it('lists only the signed-in user’s', async () => {
    const { rig } = setup();
    const page = pageOn(rig, await sharedDisk(rig));
    await page.outbox.ready;
    await rig.clock.advance(5_000);
    assert.deepEqual(listed(page), ['ada@acme.test']);
    rig.close();
  });

  it('lists the user’s once the page learns who signed in, and nobody else’s', async () => {
    const rig = createRig({ server: { users: [DEMO_USER] } });
    rig.server.refuseConnections(true);
    const page = rig.client({
      devUser: undefined,
      getToken: () => fakeToken(DEMO_USER.id),
      clientId: 'ada-device',
      outbox: await sharedDisk(rig),
    });
    await page.outbox.ready;
    await rig.clock.flush();
    assert.ok(!listed(page).includes('ada@acme.test'), 'not before anyone is known');
    assert.ok(!listed(page).includes('other@acme.test'));

    rig.server.refuseConnections(false);
    await rig.clock.advance(5_000);
    assert.equal(page.user?.id, DEMO_USER.id);
    assert.deepEqual(listed(page), ['ada@acme.test']);
    rig.close();
  });
});
