/**
 * The fake server's live data follows the reference server's rules (field-level optimistic
 * concurrency, idempotent mutation ids), so client tests against it prove something.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RealtimeError, type RoomMessage } from '../../../../src/client/index.js';
import type { ServerFrame } from '../../../../src/protocol/index.js';
import { createRig } from '../../../../src/testing/index.js';

const bob = { id: 'bob', name: 'Bob' };

async function setup() {
  const rig = createRig();
  rig.server.entities.put({
    type: 'customer',
    id: '42',
    fields: { name: 'Acme', email: 'info@acme.test', phone: '100' },
  });
  const client = rig.client();
  await rig.clock.flush();
  const update = (fields: Record<string, string>, baseVersion: number, mutationId: string) =>
    client.request({
      type: 'entity.update',
      mutationId,
      entityType: 'customer',
      entityId: '42',
      baseVersion,
      fields,
    });
  return { rig, client, update };
}

function expectType<T extends ServerFrame['type']>(frame: ServerFrame, type: T) {
  assert.equal(frame.type, type);
  return frame as Extract<ServerFrame, { type: T }>;
}

describe('fake server: entities', () => {
  it('answers entity.get with the snapshot, not_found for an unknown entity', async () => {
    const { rig, client } = await setup();
    const snapshot = expectType(
      await client.request({ type: 'entity.get', entityType: 'customer', entityId: '42' }),
      'entity.snapshot',
    );
    assert.equal(snapshot.entity.version, 1);
    assert.equal(snapshot.entity.fields['name'], 'Acme');
    await assert.rejects(
      client.request({ type: 'entity.get', entityType: 'customer', entityId: '404' }),
      (e: unknown) => e instanceof RealtimeError && e.code === 'not_found',
    );
    rig.close();
  });

  it('applies an update, bumps the version and publishes entity.change in the entity room', async () => {
    const { rig, client, update } = await setup();
    client.joinRoom('customer:42');
    const events: RoomMessage[] = [];
    client.on('entity.change', (m) => events.push(m));
    await rig.clock.flush();
    const ack = expectType(await update({ phone: '200' }, 1, 'mutation-0001'), 'entity.ack');
    assert.equal(ack.duplicate, false);
    assert.equal(ack.entity.version, 2);
    assert.deepEqual(ack.entity.fields, { name: 'Acme', email: 'info@acme.test', phone: '200' });
    await rig.clock.flush();
    assert.equal(events.length, 1);
    assert.equal(events[0]!.room, 'customer:42');
    assert.deepEqual(events[0]!.payload, {
      entity: ack.entity,
      changed: ['phone'],
      previous: { phone: '100' },
      mutationId: 'mutation-0001',
      by: ack.entity.updatedBy,
      source: 'client',
    });
    rig.close();
  });

  it('merges disjoint fields and reports a conflict on the same field with base, mine, theirs', async () => {
    const { rig, update } = await setup();
    rig.server.entities.remoteUpdate('customer', '42', { email: 'bob@acme.test' }, bob);
    // Based on version 1: phone was not touched since (merges), email was (conflicts).
    const merged = expectType(await update({ phone: '300' }, 1, 'mutation-0002'), 'entity.ack');
    assert.equal(merged.entity.version, 3);
    assert.equal(merged.entity.fields['email'], 'bob@acme.test');
    const conflict = expectType(
      await update({ email: 'me@acme.test', name: 'Acme Ltd' }, 1, 'mutation-0003'),
      'entity.conflict',
    );
    assert.deepEqual(conflict.conflicts, [
      {
        field: 'email',
        base: 'info@acme.test',
        mine: 'me@acme.test',
        theirs: 'bob@acme.test',
        changedBy: bob,
        changedAt: rig.clock.now(),
      },
    ]);
    assert.equal(conflict.current.version, 3);
    assert.equal(
      rig.server.entities.get('customer', '42')?.fields['name'],
      'Acme',
      'nothing applied',
    );
    // Setting a field to the value it already has is no conflict.
    const same = expectType(
      await update({ email: 'bob@acme.test' }, 1, 'mutation-0004'),
      'entity.ack',
    );
    assert.equal(same.entity.version, 3, 'a change that changes nothing makes no version');
    rig.close();
  });

  it('applies a mutation id once and answers a replay with duplicate: true', async () => {
    const { rig, client, update } = await setup();
    client.joinRoom('customer:42');
    const events: RoomMessage[] = [];
    client.on('entity.change', (m) => events.push(m));
    await rig.clock.flush();
    const first = expectType(await update({ phone: '1' }, 1, 'mutation-same'), 'entity.ack');
    const again = expectType(await update({ phone: '1' }, 1, 'mutation-same'), 'entity.ack');
    assert.equal(first.duplicate, false);
    assert.equal(again.duplicate, true);
    assert.deepEqual(again.entity, first.entity);
    await rig.clock.flush();
    assert.equal(rig.server.entities.get('customer', '42')?.version, 2);
    assert.equal(events.length, 1);
    rig.close();
  });

  it('refuses writes the authorize hook denies, and a base version from the future conflicts', async () => {
    const { rig, update } = await setup();
    rig.server.entities.authorize = (_user, _entity, access) => access === 'read';
    await assert.rejects(
      update({ phone: '1' }, 1, 'mutation-0005'),
      (e: unknown) => e instanceof RealtimeError && e.code === 'forbidden',
    );
    // As on the server, a save takes reading: its answers carry the record.
    rig.server.entities.authorize = (_user, _entity, access) => access === 'write';
    await assert.rejects(
      update({ phone: '2' }, 1, 'mutation-0007'),
      (e: unknown) => e instanceof RealtimeError && e.code === 'forbidden',
    );
    rig.server.entities.authorize = undefined;
    const conflict = expectType(
      await update({ phone: '9' }, 7, 'mutation-0006'),
      'entity.conflict',
    );
    assert.deepEqual(
      conflict.conflicts.map((c) => [c.field, c.base, c.theirs]),
      [['phone', undefined, '100']],
    );
    rig.close();
  });
});
