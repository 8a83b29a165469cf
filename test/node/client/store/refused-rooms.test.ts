/**
 * Stores whose room the server refuses for good: the activity feed and the user's notifications
 * say so instead of waiting for ever, and a room refused for want of place on the connection
 * loads once the page releases another room.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LIMITS } from '../../../../src/protocol/index.js';
import { createRig, DEMO_USER, SAMPLE_PEOPLE, type Rig } from '../../../../src/testing/index.js';

const settle = (rig: Rig) => rig.clock.advance(16);
const FEED = { kind: 'customer', entityId: '42' } as const;

/** A list page with a presence widget per row, holding every room the connection may. */
function fullPage(rig: Rig) {
  const client = rig.client();
  const rows = Array.from({ length: LIMITS.maxRoomsPerConnection }, (_, i) =>
    client.presence(`customer:${i + 1}`),
  );
  return { client, rows };
}

describe('a store whose room the server refuses', () => {
  it('activity: says too_many_rooms, then loads and goes live once a room is released', async () => {
    const rig = createRig();
    rig.server.appendActivity({ kind: 'call.logged', actor: SAMPLE_PEOPLE[0]!, customerId: '42' });
    const { client, rows } = fullPage(rig);
    await settle(rig);
    const feed = client.activity(FEED);
    await settle(rig);
    assert.equal(feed.snapshot().refused?.code, 'too_many_rooms');
    assert.equal(feed.snapshot().loaded, false);

    rows[0]!.release();
    await settle(rig);
    await settle(rig);
    assert.equal(feed.snapshot().refused, undefined);
    assert.equal(feed.snapshot().loaded, true);
    assert.equal(feed.snapshot().items.length, 1);
    rig.server.appendActivity({ kind: 'call.logged', actor: SAMPLE_PEOPLE[0]!, customerId: '42' });
    await settle(rig);
    assert.equal(feed.snapshot().items.length, 2, 'live');
    rig.close();
  });

  it('activity: a feed the user may not see says forbidden', async () => {
    const rig = createRig({
      server: { authorize: (_user, room) => !room.startsWith('activity:') },
    });
    const feed = rig.client().activity(FEED);
    await settle(rig);
    assert.equal(feed.snapshot().refused?.code, 'forbidden');
    rig.close();
  });

  it('activity: a second feed on a room already refused hears of it at once', async () => {
    const rig = createRig({
      server: { authorize: (_user, room) => !room.startsWith('activity:') },
    });
    const client = rig.client();
    client.activity(FEED);
    await settle(rig);
    const second = client.activity(FEED, { filter: { kinds: ['call.logged'] } });
    await settle(rig);
    assert.equal(second.snapshot().refused?.code, 'forbidden');
    rig.close();
  });

  it('notifications: the user room refused for want of place says so, then loads', async () => {
    const rig = createRig();
    rig.server.notify({ target: { user: DEMO_USER.id }, title: 'Hello' });
    const { client, rows } = fullPage(rig);
    await settle(rig);
    const store = client.notifications();
    await settle(rig);
    assert.equal(store.snapshot().refused?.code, 'too_many_rooms');
    assert.equal(store.snapshot().loaded, false);

    rows[0]!.release();
    await settle(rig);
    await settle(rig);
    assert.equal(store.snapshot().refused, undefined);
    assert.equal(store.snapshot().loaded, true);
    assert.equal(store.snapshot().items.length, 1);
    rig.close();
  });

  it('live data: a record whose room another widget holds refused says so, then loads once a place frees', async () => {
    const rig = createRig();
    rig.server.entities.put({ type: 'customer', id: '99', fields: { name: 'Row 99' } });
    const { client, rows } = fullPage(rig);
    const presence = client.presence('customer:99'); // the 51st room: refused
    await settle(rig);
    assert.equal(presence.snapshot().refused?.code, 'too_many_rooms');
    // The form opens on it: the room is held already, so no join of its own is answered.
    const live = client.liveData({ entityType: 'customer', entityId: '99' });
    await settle(rig);
    assert.equal(live.status, 'error');
    assert.equal(live.error?.code, 'too_many_rooms');

    rows[0]!.release();
    await settle(rig);
    await settle(rig);
    assert.equal(live.status, 'ready');
    assert.equal(live.data['name'], 'Row 99');
    rig.close();
  });
});
