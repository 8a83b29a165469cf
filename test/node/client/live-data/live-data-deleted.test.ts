/**
 * A record the CRM deletes while a page shows it: the handle learns it (the room's
 * `entity.deleted`, or a re-read that finds it gone after a resume that could not replay), says
 * so in `deleted`, keeps what it showed, and every save of it still waiting is refused
 * `not_found` and leaves the outbox, reported like any refusal, instead of being retried forever.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MemoryOutboxStore,
  type LiveConflict,
  type LiveDataSnapshot,
  type RealtimeClient,
  type ResumeInfo,
} from '../../../../src/client/index.js';
import { createRig, DEMO_USER, type Rig } from '../../../../src/testing/index.js';

const bob = { id: 'bob', name: 'Bob' };
const CUSTOMER = { entityType: 'customer', entityId: '42' };

function setup(): Rig {
  const rig = createRig();
  rig.server.entities.put({
    type: 'customer',
    id: '42',
    fields: { name: 'Acme', email: 'a@x.io' },
  });
  return rig;
}

function person(rig: Rig, user = DEMO_USER): RealtimeClient {
  return rig.client({
    devUser: user,
    clientId: `${user.id}-device`,
    outbox: new MemoryOutboxStore(),
  });
}

describe('live data: a deleted record', () => {
  it('is marked deleted on its handle and snapshot, listeners told once, what it showed kept', async () => {
    const rig = setup();
    const live = person(rig).liveData(CUSTOMER);
    await rig.clock.flush();
    const seen: LiveDataSnapshot[] = [];
    live.subscribe((s) => seen.push(s));
    assert.equal(live.snapshot().deleted, false);
    rig.server.entities.remove('customer', '42');
    await rig.clock.flush();
    assert.equal(live.snapshot().deleted, true);
    assert.deepEqual([live.status, live.error?.code], ['ready', 'not_found']);
    assert.equal(seen.filter((s) => s.deleted).length, 1);
    assert.deepEqual(live.data, { name: 'Acme', email: 'a@x.io' });
    // Created again with the same id: this handle stays on the deleted record.
    rig.server.entities.put({ type: 'customer', id: '42', fields: { name: 'New' }, version: 1 });
    rig.server.entities.remoteUpdate('customer', '42', { name: 'Newer' }, bob);
    await rig.clock.flush();
    assert.equal(live.snapshot().deleted, true);
    assert.equal(live.data['name'], 'Acme');
    rig.close();
  });

  it('a save made after it is refused not_found once and leaves the outbox, never retried', async () => {
    const rig = setup();
    const client = person(rig);
    const live = client.liveData(CUSTOMER);
    await rig.clock.flush();
    rig.server.entities.remove('customer', '42');
    await rig.clock.flush();
    const outcome = await live.update({ name: 'Too late' });
    assert.deepEqual([outcome.state, outcome.error?.code], ['rejected', 'not_found']);
    assert.equal(live.data['name'], 'Acme');
    assert.equal(client.outbox.size, 0);
    await rig.clock.advance(120_000);
    assert.equal(rig.server.received('entity.update').length, 1, 'sent once, not retried');
    rig.close();
  });

  it('refuses a change waiting in a conflict with not_found, closes the conflict, reports it', async () => {
    const rig = setup();
    const conflicts: LiveConflict[] = [];
    const client = person(rig);
    const ada = client.liveData({ ...CUSTOMER, onConflict: (c) => conflicts.push(c) });
    const bobs = person(rig, bob).liveData(CUSTOMER);
    await rig.clock.flush();
    const [, a] = await Promise.all([
      bobs.update({ email: 'bob@x.io' }),
      ada.update({ email: 'ada@x.io' }),
    ]);
    assert.equal(a.state, 'conflicted');
    assert.equal(client.outbox.conflicts.length, 1);
    rig.server.entities.remove('customer', '42');
    await rig.clock.flush();
    assert.equal(ada.conflicts.length, 0);
    assert.equal(client.outbox.conflicts.length, 0);
    const last = ada.changes.at(-1);
    assert.deepEqual([last?.state, last?.error?.code], ['rejected', 'not_found']);
    rig.close();
  });

  it('queued offline, its saves are refused not_found when the page is back, and leave the outbox', async () => {
    const rig = setup();
    const client = person(rig);
    const live = client.liveData(CUSTOMER);
    await rig.clock.flush();
    rig.server.refuseConnections(true);
    rig.server.dropConnections();
    await rig.clock.flush();
    const saving = live.update({ name: 'Offline edit' });
    assert.equal(client.outbox.size, 1);
    rig.server.entities.remove('customer', '42');
    rig.server.refuseConnections(false);
    await rig.clock.advance(5_000);
    const outcome = await saving;
    assert.deepEqual([outcome.state, outcome.error?.code], ['rejected', 'not_found']);
    assert.equal(live.snapshot().deleted, true);
    assert.equal(client.outbox.size, 0);
    assert.deepEqual(
      client.outbox.snapshot().rejected.map((c) => c.error?.code),
      ['not_found'],
    );
    rig.close();
  });

  it('another user’s save waiting on a shared device is refused too, and not listed to this one', async () => {
    const rig = setup();
    const disk = new MemoryOutboxStore();
    await disk.add({
      mutationId: 'm-bob-offline',
      entityType: 'customer',
      entityId: '42',
      baseVersion: 1,
      fields: { email: 'bob-private@x.io' },
      createdAt: rig.clock.now(),
      userId: bob.id,
    });
    const client = rig.client({ devUser: DEMO_USER, clientId: 'shared-device', outbox: disk });
    const live = client.liveData(CUSTOMER);
    await rig.clock.flush();
    rig.server.entities.remove('customer', '42');
    await rig.clock.flush();
    assert.equal(live.snapshot().deleted, true);
    assert.equal(client.outbox.snapshot().entries.length, 0, 'it left the outbox');
    assert.deepEqual(client.outbox.snapshot().rejected, [], 'Bob’s values are not listed');
    rig.close();
  });

  it('learned from a re-read after a resume that could not replay its event', async () => {
    const rig = setup();
    const client = person(rig);
    const resumes: ResumeInfo[] = [];
    client.onResume((info) => resumes.push(info));
    const live = client.liveData(CUSTOMER);
    await rig.clock.flush();
    rig.server.refuseConnections(true);
    rig.server.dropConnections();
    await rig.clock.flush();
    rig.server.entities.remove('customer', '42');
    rig.server.truncateReplay('customer:42');
    rig.server.refuseConnections(false);
    await rig.clock.advance(5_000);
    assert.equal(resumes.at(-1)?.resume, 'gap');
    assert.equal(live.snapshot().deleted, true);
    assert.equal(live.status, 'ready', 'not an error: it was there, and is gone');
    rig.close();
  });

  it('a record never shown and not found is an error, not deleted', async () => {
    const rig = setup();
    const live = person(rig).liveData({ entityType: 'customer', entityId: '404' });
    await rig.clock.flush();
    assert.deepEqual(
      [live.status, live.error?.code, live.snapshot().deleted],
      ['error', 'not_found', false],
    );
    rig.close();
  });
});
