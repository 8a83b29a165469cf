/**
 * The live-data client against the reference server over real sockets: what the client's tests
 * prove against the fake server holds against the real one — optimistic then confirmed, disjoint
 * saves merging, a same-field clash handed to onConflict and resolved, backend changes live.
 * Real time, bounded waits.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  MemoryOutboxStore,
  type LiveConflict,
  type LiveData,
  type LiveDataOptions,
  type RealtimeClient,
} from '../../../../src/client/index.js';
import { RealServerSuite, waitFor as until } from '../../helpers/real-client.js';

const ada = { id: 'ada', name: 'Ada' };
const bob = { id: 'bob', name: 'Bob' };

describe('live data client against the reference server', () => {
  const suite = new RealServerSuite({ auth: { devIdentities: true }, quiet: true });
  before(() => suite.start());
  after(() => suite.stop());
  let nextId = 0;
  let devices = 0;

  /** A fresh customer for each test, so tests do not see each other's versions. */
  async function customer(): Promise<string> {
    const id = `c${++nextId}`;
    await suite.server.entities.update({
      type: 'customer',
      id,
      fields: { name: 'Acme', email: 'info@acme.test', phone: '100' },
      source: 'backend',
      create: true,
    });
    return id;
  }

  function client(user: { id: string; name: string }): RealtimeClient {
    return suite.client(user.id, `${user.id}-device-${devices++}`, {
      devUser: user,
      outbox: new MemoryOutboxStore(),
    });
  }

  async function open(
    user: { id: string; name: string },
    entityId: string,
    options: Partial<LiveDataOptions> = {},
  ): Promise<LiveData> {
    const live = client(user).liveData({ entityType: 'customer', entityId, ...options });
    await until(() => live.status === 'ready', `${user.id} ready`);
    return live;
  }

  it('shows a save at once as pending, then confirmed with the server version; others see it', async () => {
    const id = await customer();
    const mine = await open(ada, id);
    const theirs = await open(bob, id);
    assert.equal(mine.version, 1);
    const saving = mine.update({ name: 'Acme Ltd' });
    assert.equal(mine.data['name'], 'Acme Ltd', 'optimistic');
    assert.equal(mine.changes.at(-1)?.state, 'pending');
    const outcome = await saving;
    assert.equal(outcome.state, 'confirmed');
    assert.equal(outcome.version, 2);
    assert.equal(mine.entity?.version, 2);
    assert.deepEqual(mine.entity?.updatedBy, ada);
    await until(() => theirs.version === 2, 'bob sees version 2');
    assert.equal(theirs.data['name'], 'Acme Ltd');
    assert.equal((await suite.server.entities.get('customer', id))?.fields['name'], 'Acme Ltd');
  });

  it('two people saving different fields both win', async () => {
    const id = await customer();
    const mine = await open(ada, id);
    const theirs = await open(bob, id);
    const [a, b] = await Promise.all([
      mine.update({ phone: '200' }),
      theirs.update({ email: 'bob@acme.test' }),
    ]);
    assert.deepEqual([a.state, b.state], ['confirmed', 'confirmed']);
    await until(() => mine.version === 3 && theirs.version === 3, 'both at version 3');
    for (const live of [mine, theirs]) {
      assert.deepEqual(live.data, { name: 'Acme', email: 'bob@acme.test', phone: '200' });
    }
  });

  it('the same field: the second saver gets the conflict with base, mine and theirs, and resolves it', async () => {
    const id = await customer();
    const conflicts: LiveConflict[] = [];
    const mine = await open(ada, id, { onConflict: (c) => conflicts.push(c) });
    const theirs = await open(bob, id);
    mine.setEditing(['email']);
    assert.equal((await theirs.update({ email: 'bob@acme.test' })).state, 'confirmed');
    await until(() => mine.entity?.version === 2, 'ada knows version 2');
    assert.equal(mine.data['email'], 'info@acme.test', 'not overwritten under the cursor');
    const outcome = await mine.update({ email: 'ada@acme.test' });
    assert.equal(outcome.state, 'conflicted');
    assert.equal(conflicts.length, 1);
    const [clash] = conflicts[0]!.conflicts;
    assert.deepEqual(
      { ...clash, changedAt: typeof clash?.changedAt },
      {
        field: 'email',
        base: 'info@acme.test',
        mine: 'ada@acme.test',
        theirs: 'bob@acme.test',
        changedBy: bob,
        changedAt: 'number',
      },
    );
    assert.equal(conflicts[0]!.current.version, 2);
    const resolved = await conflicts[0]!.resolve({ email: 'ada+bob@acme.test' });
    assert.equal(resolved.state, 'confirmed');
    await until(() => theirs.data['email'] === 'ada+bob@acme.test', 'bob sees the resolution');
    assert.equal(
      (await suite.server.entities.get('customer', id))?.fields['email'],
      'ada+bob@acme.test',
    );
  });

  it('a backend change through the server applies live to open views', async () => {
    const id = await customer();
    const mine = await open(ada, id);
    await suite.server.entities.update({
      type: 'customer',
      id,
      fields: { phone: '555' },
      by: { id: 'crm', name: 'CRM' },
      source: 'backend',
    });
    await until(() => mine.data['phone'] === '555', 'the backend change');
    assert.equal(mine.version, 2);
  });
});
