/**
 * Live data on the client against the fake server, on a manual clock: optimistic state, rollback
 * on rejection, conflicts and merges between two people, edits protected from remote changes,
 * resync after a gap, and the function-style optimisticUpdate / rollback / sync.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MemoryOutboxStore,
  type LiveConflict,
  type LiveDataOptions,
  type RealtimeClient,
  type ResumeInfo,
} from '../../../../src/client/index.js';
import { Changes } from '../../../../src/client/live-data/changes.js';
import { createRig, DEMO_USER, FakeSocket, type Rig } from '../../../../src/testing/index.js';

const bob = { id: 'bob', name: 'Bob' };
const CUSTOMER = { entityType: 'customer', entityId: '42' };

function setup(): Rig {
  const rig = createRig();
  rig.server.entities.put({
    type: 'customer',
    id: '42',
    fields: { name: 'Acme', email: 'info@acme.test', phone: '100' },
  });
  return rig;
}

/** A client of its own (own outbox, so two clients never share one). */
function person(rig: Rig, user = DEMO_USER): RealtimeClient {
  return rig.client({
    devUser: user,
    clientId: `${user.id}-device`,
    outbox: new MemoryOutboxStore(),
  });
}

async function open(rig: Rig, client: RealtimeClient, options: Partial<LiveDataOptions> = {}) {
  const live = client.liveData({ ...CUSTOMER, ...options });
  await rig.clock.flush();
  assert.equal(live.status, 'ready');
  return live;
}

describe('live data: optimistic saves', () => {
  it('shows a change at once as pending, then confirms it with the new version', async () => {
    const rig = setup();
    const live = await open(rig, person(rig));
    assert.equal(live.version, 1);
    const seen: string[] = [];
    live.subscribe((s) => seen.push(`${s.data['name']}/${s.changes.at(-1)?.state}/${s.version}`));
    const saving = live.update({ name: 'Acme Ltd' });
    assert.equal(live.data['name'], 'Acme Ltd', 'optimistic: shown before any answer');
    assert.equal(live.entity?.fields['name'], 'Acme', 'the confirmed entity is unchanged');
    assert.equal(live.changes.at(-1)?.state, 'pending');
    assert.equal(live.changes.at(-1)?.queued, false);
    const outcome = await saving;
    assert.equal(outcome.state, 'confirmed');
    assert.equal(outcome.version, 2);
    assert.equal(live.version, 2);
    assert.equal(live.entity?.fields['name'], 'Acme Ltd');
    assert.equal(rig.server.entities.get('customer', '42')?.fields['name'], 'Acme Ltd');
    assert.deepEqual(
      rig.server.received('entity.update').map((f) => f.baseVersion),
      [1],
    );
    assert.equal(seen[0], 'Acme Ltd/pending/1');
    assert.equal(seen.at(-1), 'Acme Ltd/confirmed/2');
    rig.close();
  });

  it('sends the save before it shows the optimistic state, in the same task', async () => {
    const rig = setup();
    const live = await open(rig, person(rig));
    // What left the page's socket (the fake server reads it only after its latency).
    const sent: string[] = [];
    const send = FakeSocket.prototype.send;
    FakeSocket.prototype.send = function (this: FakeSocket, data: string) {
      if (data.includes('"entity.update"')) sent.push(data);
      send.call(this, data);
    };
    try {
      const sentWhenShown: number[] = [];
      live.subscribe((s) => {
        if (s.changes.at(-1)?.state === 'pending') sentWhenShown.push(sent.length);
      });
      const saving = live.update({ name: 'Acme Ltd' });
      assert.equal(sent.length, 1, 'the frame left before update() returned');
      assert.deepEqual(sentWhenShown, [1], 'the pending change was shown after the frame left');
      assert.equal((await saving).state, 'confirmed');
    } finally {
      FakeSocket.prototype.send = send;
      rig.close();
    }
  });

  it('rolls a refused change back and says why', async () => {
    const rig = setup();
    rig.server.entities.authorize = (user, _e, access) =>
      access === 'read' || user.id !== DEMO_USER.id;
    const live = await open(rig, person(rig));
    const saving = live.update({ name: 'Hacked' });
    assert.equal(live.data['name'], 'Hacked');
    const outcome = await saving;
    assert.equal(outcome.state, 'rejected');
    assert.equal(outcome.error?.code, 'forbidden');
    assert.equal(live.data['name'], 'Acme', 'rolled back');
    assert.equal(live.changes.at(-1)?.state, 'rejected');
    assert.equal(rig.server.entities.get('customer', '42')?.version, 1);
    rig.close();
  });

  it('rejects invalid fields without showing or sending them', async () => {
    const rig = setup();
    const live = await open(rig, person(rig));
    const outcome = await live.update({ 'bad name!': 1 });
    assert.equal(outcome.state, 'rejected');
    assert.equal(outcome.error?.code, 'bad_frame');
    assert.equal(live.data['bad name!'], undefined);
    assert.equal(rig.server.received('entity.update').length, 0);
    rig.close();
  });
});

describe('live data: two people', () => {
  it('merges saves of different fields: both win, both see both', async () => {
    const rig = setup();
    const ada = await open(rig, person(rig));
    const bobs = await open(rig, person(rig, bob));
    const [a, b] = await Promise.all([
      ada.update({ phone: '200' }),
      bobs.update({ email: 'bob@acme.test' }),
    ]);
    assert.equal(a.state, 'confirmed');
    assert.equal(b.state, 'confirmed');
    await rig.clock.flush();
    for (const live of [ada, bobs]) {
      assert.equal(live.version, 3);
      assert.deepEqual(live.data, { name: 'Acme', email: 'bob@acme.test', phone: '200' });
    }
    rig.close();
  });

  it('hands a same-field clash to onConflict with base, mine and theirs; resolving saves the choice', async () => {
    const rig = setup();
    const conflicts: LiveConflict[] = [];
    const ada = await open(rig, person(rig), { onConflict: (c) => conflicts.push(c) });
    const bobs = await open(rig, person(rig, bob));
    // Bob's save reaches the server first; Ada's was based on the version before it.
    const [b, a] = await Promise.all([
      bobs.update({ email: 'bob@acme.test' }),
      ada.update({ email: 'ada@acme.test' }),
    ]);
    assert.equal(b.state, 'confirmed');
    assert.equal(a.state, 'conflicted');
    assert.equal(conflicts.length, 1);
    const conflict = conflicts[0]!;
    assert.equal(conflict.conflicts.length, 1);
    assert.deepEqual(
      { ...conflict.conflicts[0], changedAt: undefined },
      {
        field: 'email',
        base: 'info@acme.test',
        mine: 'ada@acme.test',
        theirs: 'bob@acme.test',
        changedBy: bob,
        changedAt: undefined,
      },
    );
    assert.equal(conflict.current.version, 2);
    assert.equal(conflict.local['email'], 'ada@acme.test');
    assert.equal(ada.data['email'], 'ada@acme.test', 'the unresolved edit stays visible');
    assert.equal(ada.conflicts.length, 1);
    const resolved = await conflict.resolve({ email: 'ada+bob@acme.test' });
    assert.equal(resolved.state, 'confirmed');
    assert.notEqual(resolved.mutationId, a.mutationId, 'a resolution is a new change');
    await rig.clock.flush();
    assert.equal(rig.server.entities.get('customer', '42')?.fields['email'], 'ada+bob@acme.test');
    assert.equal(bobs.data['email'], 'ada+bob@acme.test');
    assert.equal(ada.conflicts.length, 0);
    assert.deepEqual(
      ada.changes.map((c) => c.state),
      ['conflicted', 'confirmed'],
    );
    assert.equal(ada.changes[0]!.resolvedBy, resolved.mutationId);
    rig.close();
  });

  it('discarding a conflict drops the local value and leaves the server as it is', async () => {
    const rig = setup();
    let conflict: LiveConflict | undefined;
    const ada = await open(rig, person(rig), { onConflict: (c) => (conflict = c) });
    rig.server.entities.remoteUpdate('customer', '42', { email: 'bob@acme.test' }, bob);
    await rig.clock.flush();
    ada.setEditing(['email']);
    // The remote change arrived before editing began: it applies, and saving over it is no clash.
    assert.equal(ada.data['email'], 'bob@acme.test');
    rig.server.entities.remoteUpdate('customer', '42', { email: 'carol@acme.test' }, bob);
    await rig.clock.flush();
    assert.equal(ada.data['email'], 'bob@acme.test', 'held while editing');
    const outcome = await ada.update({ email: 'ada@acme.test' });
    assert.equal(outcome.state, 'conflicted');
    conflict!.discard();
    assert.equal(ada.data['email'], 'carol@acme.test');
    assert.equal(ada.changes.at(-1)?.state, 'rolled-back');
    assert.equal(rig.server.entities.get('customer', '42')?.fields['email'], 'carol@acme.test');
    rig.close();
  });

  it('never overwrites a field being edited; shows the remote value when editing stops', async () => {
    const rig = setup();
    const ada = await open(rig, person(rig));
    const bobs = await open(rig, person(rig, bob));
    ada.setEditing(['email']);
    await bobs.update({ email: 'bob@acme.test', phone: '999' });
    await rig.clock.flush();
    assert.equal(ada.entity?.fields['email'], 'bob@acme.test', 'known as confirmed');
    assert.equal(ada.data['email'], 'info@acme.test', 'not under the cursor');
    assert.equal(ada.data['phone'], '999', 'fields not being edited update live');
    assert.deepEqual(ada.snapshot().held, ['email']);
    ada.setEditing([]);
    assert.equal(ada.data['email'], 'bob@acme.test');
    assert.deepEqual(ada.snapshot().held, []);
    rig.close();
  });

  it('a save of a field whose remote change was held is a conflict, not a silent overwrite', async () => {
    const rig = setup();
    const conflicts: LiveConflict[] = [];
    let editing = ['email'];
    const ada = await open(rig, person(rig), {
      onConflict: (c) => conflicts.push(c),
      editing: () => editing,
    });
    const bobs = await open(rig, person(rig, bob));
    await bobs.update({ email: 'bob@acme.test' });
    await rig.clock.flush();
    assert.equal(ada.data['email'], 'info@acme.test');
    const outcome = await ada.update({ email: 'ada@acme.test' });
    assert.equal(outcome.state, 'conflicted');
    assert.equal(conflicts[0]?.conflicts[0]?.theirs, 'bob@acme.test');
    assert.equal(conflicts[0]?.conflicts[0]?.base, 'info@acme.test');
    assert.equal(rig.server.entities.get('customer', '42')?.fields['email'], 'bob@acme.test');
    editing = [];
    rig.close();
  });

  it('two quick saves of one field both apply, in order, without a conflict with itself', async () => {
    const rig = setup();
    const ada = await open(rig, person(rig));
    const first = ada.update({ name: 'A' });
    const second = ada.update({ name: 'B' });
    assert.equal(ada.data['name'], 'B');
    assert.deepEqual([(await first).state, (await second).state], ['confirmed', 'confirmed']);
    assert.equal(rig.server.entities.get('customer', '42')?.fields['name'], 'B');
    assert.equal(rig.server.sent('entity.conflict').length, 0);
    rig.close();
  });
});

describe('live data: a change announced again', () => {
  it('is ignored whole: it neither changes the data nor makes the client forget what it wrote', async () => {
    const rig = setup();
    const client = person(rig);
    const live = await open(rig, client);
    const payloads: unknown[] = [];
    client.on('entity.change', (message) => payloads.push(message.payload));
    rig.server.entities.remoteUpdate('customer', '42', { name: 'Bob & Co' }, bob);
    await rig.clock.flush();
    assert.equal((await live.update({ name: 'Ada & Co' })).state, 'confirmed');
    const updates: unknown[] = [];
    live.subscribe(() => updates.push(live.version));
    updates.length = 0;
    // What this client wrote is kept to tell a later conflict with its own value from a real
    // one; Bob's old change, announced again (the server may, when a retried save's first publish
    // may have been lost), must not count as a new write of his over it.
    const observed = Changes.prototype.observed;
    let seen = 0;
    Changes.prototype.observed = function (this: Changes, ...args) {
      seen++;
      return observed.apply(this, args);
    };
    try {
      rig.server.broadcast('customer:42', 'entity.change', payloads[0]);
      await rig.clock.flush();
    } finally {
      Changes.prototype.observed = observed;
    }
    assert.equal(seen, 0);
    assert.equal(live.version, 3);
    assert.equal(live.data['name'], 'Ada & Co');
    assert.deepEqual(updates, []);
    rig.close();
  });
});

describe('live data: continuity', () => {
  it('re-reads the snapshot after a resume gap, keeping pending changes on top', async () => {
    const rig = setup();
    const client = person(rig);
    const resumes: ResumeInfo[] = [];
    client.onResume((info) => resumes.push(info));
    const live = await open(rig, client);
    rig.server.refuseConnections(true);
    rig.server.dropConnections();
    await rig.clock.flush();
    rig.server.entities.remoteUpdate('customer', '42', { name: 'Renamed' }, bob);
    rig.server.truncateReplay('customer:42');
    const saving = live.update({ phone: '555' }); // offline: waits in the outbox
    assert.equal(client.outbox.size, 1);
    assert.equal(live.data['phone'], '555');
    rig.server.refuseConnections(false);
    await rig.clock.advance(5_000);
    assert.equal(resumes.at(-1)?.resume, 'gap');
    assert.equal((await saving).state, 'confirmed');
    assert.equal(live.version, 3);
    assert.deepEqual(live.data, { name: 'Renamed', email: 'info@acme.test', phone: '555' });
    assert.equal(client.outbox.size, 0);
    assert.equal(rig.server.received('entity.get').length, 2);
    rig.close();
  });

  it('after a replayed resume applies the missed change, and reads the record again on the new connection (its field rules may differ)', async () => {
    const rig = setup();
    const client = person(rig);
    const live = await open(rig, client);
    rig.server.refuseConnections(true);
    rig.server.dropConnections();
    await rig.clock.flush();
    rig.server.entities.remoteUpdate('customer', '42', { name: 'Renamed' }, bob);
    rig.server.refuseConnections(false);
    await rig.clock.advance(5_000);
    assert.equal(live.data['name'], 'Renamed');
    assert.equal(rig.server.received('entity.get').length, 2);
    rig.close();
  });

  it('shares one room and one snapshot between handles; the last release leaves', async () => {
    const rig = setup();
    const client = person(rig);
    const one = await open(rig, client);
    const two = await open(rig, client);
    assert.equal(client.heldRooms().get('customer:42'), 1);
    assert.equal(rig.server.received('entity.get').length, 1);
    const saving = one.update({ name: 'Both see it' });
    assert.equal(two.data['name'], 'Both see it');
    await saving;
    one.release();
    assert.equal(client.heldRooms().get('customer:42'), 1);
    two.release();
    assert.equal(client.heldRooms().has('customer:42'), false);
    rig.close();
  });

  it('reports an entity that does not exist', async () => {
    const rig = setup();
    const live = person(rig).liveData({ entityType: 'customer', entityId: 'nope' });
    await rig.clock.flush();
    assert.equal(live.status, 'error');
    assert.equal(live.error?.code, 'not_found');
    assert.throws(
      () => person(rig).liveData({ entityType: 'Customer!', entityId: '1' }),
      TypeError,
    );
    rig.close();
  });

  it('reports an entity whose room the user may not join', async () => {
    const rig = createRig({ server: { authorize: (_user, room) => room !== 'customer:7' } });
    rig.server.entities.put({ type: 'customer', id: '7', fields: { name: 'Secret' } });
    const live = person(rig).liveData({ entityType: 'customer', entityId: '7' });
    await rig.clock.flush();
    assert.equal(live.status, 'error');
    assert.equal(live.error?.code, 'forbidden');
    assert.deepEqual(live.data, {});
    rig.close();
  });
});

describe('live data: optimisticUpdate, rollback and sync', () => {
  it('optimisticUpdate returns the previous data; rollback withdraws what came after', async () => {
    const rig = setup();
    const client = person(rig);
    const live = await open(rig, client);
    rig.server.refuseConnections(true);
    rig.server.dropConnections();
    await rig.clock.flush();
    const previous = live.optimisticUpdate((d) => ({ ...d, name: 'Draft' }));
    assert.equal(previous['name'], 'Acme');
    assert.equal(live.data['name'], 'Draft');
    assert.equal(client.outbox.size, 1);
    live.rollback(previous);
    assert.equal(live.data['name'], 'Acme');
    assert.equal(client.outbox.size, 0);
    assert.equal(live.changes.at(-1)?.state, 'rolled-back');
    rig.server.refuseConnections(false);
    await rig.clock.advance(5_000);
    assert.equal(rig.server.received('entity.update').length, 0, 'nothing was sent');
    rig.close();
  });

  it('sync reads the entity again', async () => {
    const rig = setup();
    const live = await open(rig, person(rig));
    const entity = await live.sync();
    assert.equal(entity.version, 1);
    assert.equal(rig.server.received('entity.get').length, 2);
    rig.close();
  });
});
