/**
 * Watched rooms: a holder that only watches (a list row's `<crm-presence watch>`) hears the room
 * without making the user present there; the room is a member room while any holder is a member.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRig, DEMO_USER } from '../../../../src/testing/index.js';

const ROOM = 'customer:42';
const ada = { id: 'ada', name: 'Ada Lovelace' };

const ids = (people: readonly { user: { id: string } }[]): string[] =>
  people.map((p) => p.user.id).sort();

describe('watched rooms', () => {
  it('switches between watcher and member as holders come and go', async () => {
    const rig = createRig();
    const client = rig.client();
    const other = rig.client({ devUser: ada, clientId: 'ada-laptop' });
    const seen = other.presence(ROOM);
    await rig.clock.advance(16); // Ada's join first: the joins below are all this client's
    const row = client.presence(ROOM, true);
    await rig.clock.advance(16);
    const joins = () => rig.server.received('join').filter((j) => j.room === ROOM);
    assert.equal(joins().at(-1)?.watch, true, 'a watching holder alone joins as a watcher');
    assert.deepEqual(ids(row.snapshot().people), ['ada'], 'the watcher hears the room');
    assert.deepEqual(ids(seen.snapshot().people), ['ada'], 'nobody hears of the watcher');

    // The record's own form on the same page: the user is there now.
    const form = client.presence(ROOM);
    await rig.clock.advance(16);
    assert.equal(joins().at(-1)?.watch, undefined, 'a member holder makes a member join');
    assert.deepEqual(ids(seen.snapshot().people), ['ada', DEMO_USER.id]);
    assert.deepEqual(ids(row.snapshot().people), ['ada', DEMO_USER.id]);

    // A second watcher changes nothing; the form leaving makes the room watched again.
    const count = joins().length;
    const another = client.presence(ROOM, true);
    await rig.clock.advance(16);
    assert.equal(joins().length, count, 'no join when the mode stays');
    form.release();
    await rig.clock.advance(16);
    assert.equal(joins().at(-1)?.watch, true);
    assert.deepEqual(ids(seen.snapshot().people), ['ada'], 'the user left the others at once');

    another.release();
    row.release();
    await rig.clock.flush();
    assert.equal(rig.server.received('leave').length, 1);
    rig.close();
  });

  it('sends no own presence for a watched room, and rejoins it as a watcher', async () => {
    const rig = createRig();
    const client = rig.client();
    const row = client.presence(ROOM, true);
    await rig.clock.advance(16);
    row.setActivity({ kind: 'editing', field: 'phone' });
    client.setPresenceStatus('away');
    await rig.clock.flush();
    assert.equal(rig.server.received('presence').length, 0);

    rig.server.dropConnections();
    await rig.clock.advance(2000);
    assert.equal(client.status.state, 'open');
    const joins = rig.server.received('join');
    assert.equal(joins.length, 2);
    assert.equal(joins[1]!.watch, true, 'reconnected in the same mode');
    assert.equal(rig.server.received('presence').length, 0);
    rig.close();
  });
});
