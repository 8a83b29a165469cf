/**
 * Field names are data (issue 13): a field named like a member of `Object.prototype`
 * (`constructor`, `toString`, …) behaves like any other field in the client's live data and in
 * the fake server, never as the inherited function a plain object would hand back.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MemoryOutboxStore,
  type LiveConflict,
  type RealtimeClient,
} from '../../../../src/client/index.js';
import { createRig, DEMO_USER, type Rig } from '../../../../src/testing/index.js';

const bob = { id: 'bob', name: 'Bob' };
const CUSTOMER = { entityType: 'customer', entityId: '42' };
const NAMES = (
  process.env['N'] ?? 'constructor,toString,valueOf,hasOwnProperty,isPrototypeOf'
).split(',');

function setup(): Rig {
  const rig = createRig();
  rig.server.entities.put({ type: 'customer', id: '42', fields: { name: 'Acme' } });
  return rig;
}

function person(rig: Rig, user = DEMO_USER): RealtimeClient {
  return rig.client({
    devUser: user,
    clientId: `${user.id}-device`,
    outbox: new MemoryOutboxStore(),
  });
}

describe('live data: fields named like Object.prototype members', () => {
  it('a remote change held while editing leaves the field absent, not an inherited function', async () => {
    const rig = setup();
    const ada = person(rig).liveData({ ...CUSTOMER, editing: () => NAMES });
    await rig.clock.flush();
    const bobs = person(rig, bob).liveData(CUSTOMER);
    await rig.clock.flush();
    const saving = bobs.update(Object.fromEntries(NAMES.map((n) => [n, `${n}-bob`])));
    await rig.clock.flush();
    assert.equal((await saving).state, 'confirmed');
    assert.deepEqual([...ada.snapshot().held].sort(), [...NAMES].sort());
    for (const name of NAMES) {
      assert.equal(Object.hasOwn(ada.data, name), false, `${name} is shown as it was: absent`);
    }
    rig.close();
  });

  it('saves such fields, and a stale save of one is a conflict with the current value', async () => {
    const rig = setup();
    const conflicts: LiveConflict[] = [];
    const ada = person(rig).liveData({ ...CUSTOMER, onConflict: (c) => conflicts.push(c) });
    await rig.clock.flush();
    for (const name of NAMES) {
      const saving = ada.update({ [name]: `${name}-ada` });
      await rig.clock.flush();
      assert.equal((await saving).state, 'confirmed', name);
    }
    const stored = rig.server.entities.get('customer', '42');
    assert.deepEqual(
      NAMES.map((n) => stored?.fields[n]),
      NAMES.map((n) => `${n}-ada`),
    );
    assert.equal(conflicts.length, 0);
    // Bob still on version 1 saves one of them: a conflict on that field only.
    const bobs = rig.client({ devUser: bob, clientId: 'bob-raw' });
    await rig.clock.flush();
    const asking = bobs.request({
      type: 'entity.update',
      mutationId: 'mutation-bob-1',
      ...CUSTOMER,
      baseVersion: 1,
      fields: { toString: 'bob', name: 'Acme' },
    });
    await rig.clock.flush();
    const answer = await asking;
    assert.equal(answer.type, 'entity.conflict', JSON.stringify(answer));
    if (answer.type === 'entity.conflict') {
      assert.deepEqual(
        answer.conflicts.map((c) => [c.field, c.mine, c.theirs]),
        [['toString', 'bob', 'toString-ada']],
      );
    }
    rig.close();
  });

  it('refuses a __proto__ field with a clear error instead of saving nothing', async () => {
    const rig = setup();
    const ada = person(rig).liveData(CUSTOMER);
    await rig.clock.flush();
    const fields = JSON.parse('{"__proto__": "x", "name": "Acme SA"}') as Record<string, string>;
    const saving = ada.update(fields);
    await rig.clock.flush();
    const outcome = await saving;
    assert.equal(outcome.state, 'rejected');
    assert.equal(outcome.error?.code, 'bad_frame');
    assert.match(outcome.error?.message ?? '', /__proto__|invalid fields/);
    assert.equal(rig.server.sent('entity.ack').length, 0);
    assert.equal(rig.server.entities.get('customer', '42')?.fields['name'], 'Acme');
    rig.close();
  });
});
