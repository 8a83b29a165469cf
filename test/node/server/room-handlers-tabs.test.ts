/**
 * A connection that several tabs share (one socket per browser): `join`, `leave` and `presence`
 * with `tab` make each tab its own presence member, so people still see how many tabs someone
 * has, and the connection stays in a room until its last tab leaves.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { Person } from '../../../src/protocol/index.js';
import { MAX_TABS_PER_ROOM } from '../../../src/server/room-handlers.js';
import { nextId } from '../helpers/server-client.js';
import { alice, bob, startHarness, type Harness } from '../helpers/server-harness.js';

const ROOM = 'customer:42';

const tabsOf = (people: readonly Person[], id: string) =>
  people.find((p) => p.user.id === id)?.connections;

describe('server: tabs of a shared connection', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ graceMs: 15_000 });
  });
  afterEach(() => h.close());

  test('each tab counts in presence; a tab leaving leaves the others in the room', async () => {
    const observer = await h.connect(bob);
    await observer.join(ROOM);
    const shared = await h.connect(alice, 'laptop');
    await shared.join(ROOM, { tab: 't1' });
    await shared.join(ROOM, { tab: 't2' });
    const joined = await shared.join(ROOM, { tab: 't3' });
    assert.equal(tabsOf(joined.people, 'alice'), 3, 'three tabs on one socket');

    const left = await shared.request({
      type: 'leave',
      id: nextId('leave'),
      room: ROOM,
      tab: 't1',
    });
    assert.equal(left.type, 'left');
    await observer.next((f) => f.type === 'presence.diff' && tabsOf(f.upsert, 'alice') === 2);

    // The connection is still in the room: its other tabs hear events and report presence.
    await observer.request({
      type: 'emit',
      id: nextId('emit'),
      room: ROOM,
      event: 'note',
      payload: 1,
    });
    await shared.next((f) => f.type === 'event' && f.event === 'note');
    shared.send({
      type: 'presence',
      room: ROOM,
      tab: 't2',
      state: { status: 'online', activity: { kind: 'editing', field: 'phone' } },
    });
    await observer.next(
      (f) =>
        f.type === 'presence.diff' &&
        f.upsert.some((p) => p.user.id === 'alice' && p.activity.kind === 'editing'),
    );

    // A tab that already left is not in the room.
    const again = await shared.request({
      type: 'leave',
      id: nextId('leave'),
      room: ROOM,
      tab: 't1',
    });
    assert.equal(again.type === 'error' && again.code, 'not_joined');

    await shared.request({ type: 'leave', id: nextId('leave'), room: ROOM, tab: 't2' });
    await shared.request({ type: 'leave', id: nextId('leave'), room: ROOM, tab: 't3' });
    await observer.next((f) => f.type === 'presence.diff' && f.remove.includes('alice'));
    const gone = await shared.request({
      type: 'emit',
      id: nextId('emit'),
      room: ROOM,
      event: 'note',
      payload: 2,
    });
    assert.equal(gone.type === 'error' && gone.code, 'not_joined', 'left with its last tab');
  });

  test('a second tab joins on its own: a snapshot counting both tabs', async () => {
    const observer = await h.connect(bob);
    await observer.join(ROOM);
    const shared = await h.connect(alice, 'laptop');
    await shared.join(ROOM, { tab: 't1' });
    await observer.request({
      type: 'emit',
      id: nextId('emit'),
      room: ROOM,
      event: 'note',
      payload: 1,
    });
    const second = await shared.join(ROOM, { tab: 't2' });
    assert.equal(tabsOf(second.people, 'alice'), 2);
  });

  test(`a connection has at most ${MAX_TABS_PER_ROOM} tabs in a room; a tab that left makes room`, async () => {
    const shared = await h.connect(alice, 'laptop');
    for (let i = 0; i < MAX_TABS_PER_ROOM; i++) await shared.join(ROOM, { tab: `t${i}` });
    const extra = await shared.request({ type: 'join', id: nextId('j'), room: ROOM, tab: 'more' });
    assert.equal(extra.type === 'error' && extra.code, 'too_many_rooms', JSON.stringify(extra));
    assert.match(extra.type === 'error' ? extra.message : '', /tabs in a room/);
    const again = await shared.join(ROOM, { tab: 't0' });
    assert.equal(
      tabsOf(again.people, 'alice'),
      MAX_TABS_PER_ROOM,
      'a tab joining again is no new tab',
    );
    await shared.request({ type: 'leave', id: nextId('leave'), room: ROOM, tab: 't1' });
    const replaced = await shared.join(ROOM, { tab: 'more' });
    assert.equal(tabsOf(replaced.people, 'alice'), MAX_TABS_PER_ROOM);
    // Another room is not limited by this one's tabs.
    await shared.join('customer:7', { tab: 'more' });
  });
});
