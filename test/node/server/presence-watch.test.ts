/**
 * Watching a room (`join` with `watch`): a list row hears who is on a record without showing its
 * user there.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { Person, ServerFrame } from '../../../src/protocol/index.js';
import { nextId } from '../helpers/server-client.js';
import { alice, bob, carol, startHarness, type Harness } from '../helpers/server-harness.js';

const ROOM = 'customer:42';

const ids = (people: readonly Person[]): string[] => people.map((p) => p.user.id).sort();

/** Every user id any presence frame of the room named, arriving or leaving. */
function named(frames: readonly ServerFrame[], userId: string): ServerFrame[] {
  return frames.filter(
    (f) =>
      f.type === 'presence.diff' &&
      (f.remove.includes(userId) || f.upsert.some((p) => p.user.id === userId)),
  );
}

describe('watching a room', () => {
  let h: Harness;
  afterEach(() => h.close());

  test('a watcher hears the people and their changes, and nobody hears of it', async () => {
    h = await startHarness({ graceMs: 0 });
    const member = await h.connect(bob);
    await member.join(ROOM);
    const watcher = await h.connect(alice);
    const joined = await watcher.join(ROOM, {
      watch: true,
      presence: { status: 'online', activity: { kind: 'editing', field: 'phone' } },
    });
    assert.deepEqual(ids(joined.people), ['bob'], 'the watcher is not in its own snapshot');

    // Bob's change reaches the watcher as a diff.
    member.send({
      type: 'presence',
      room: ROOM,
      state: { status: 'away', activity: { kind: 'viewing' } },
    });
    await watcher.next(
      (f) =>
        f.type === 'presence.diff' &&
        f.upsert.some((p) => p.user.id === 'bob' && p.status === 'away'),
    );
    // A newcomer's snapshot holds Bob only; Bob was never told about Alice, not even as she
    // leaves.
    const later = await h.connect(carol);
    assert.deepEqual(ids((await later.join(ROOM)).people), ['bob', 'carol']);
    const left = await watcher.request({ type: 'leave', id: nextId('leave'), room: ROOM });
    assert.equal(left.type, 'left');
    await member.sync();
    assert.deepEqual(named(member.frames, 'alice'), [], 'no diff ever named the watcher');
    assert.deepEqual(ids((await later.join(ROOM)).people), ['bob', 'carol']);
  });

  test('presence a watcher reports is refused and changes nothing', async () => {
    h = await startHarness();
    const member = await h.connect(bob);
    await member.join(ROOM);
    const watcher = await h.connect(alice);
    await watcher.join(ROOM, { watch: true });
    watcher.send({
      type: 'presence',
      room: ROOM,
      state: { status: 'online', activity: { kind: 'editing', field: 'phone' } },
    });
    const error = await watcher.next((f) => f.type === 'error');
    assert.equal(error.type === 'error' && error.code, 'not_joined');
    assert.match(error.type === 'error' ? error.message : '', /watch/);
    await member.sync();
    assert.deepEqual(named(member.frames, 'alice'), []);
    assert.deepEqual(ids((await member.join(ROOM)).people), ['bob']);
  });

  test('joining again switches between member and watcher', async () => {
    h = await startHarness({ graceMs: 15_000 });
    const member = await h.connect(bob);
    await member.join(ROOM);
    const switching = await h.connect(alice);
    await switching.join(ROOM);
    await member.next(
      (f) => f.type === 'presence.diff' && f.upsert.some((p) => p.user.id === 'alice'),
    );

    // A member turned watcher leaves Bob's list at once, without the grace period.
    const watching = await switching.join(ROOM, { watch: true });
    assert.deepEqual(ids(watching.people), ['bob']);
    await member.next((f) => f.type === 'presence.diff' && f.remove.includes('alice'));
    assert.deepEqual(ids((await h.connect(carol).then((c) => c.join(ROOM))).people), [
      'bob',
      'carol',
    ]);

    // A watcher turned member appears, and may report presence.
    const present = await switching.join(ROOM);
    assert.deepEqual(ids(present.people), ['alice', 'bob', 'carol']);
    switching.send({
      type: 'presence',
      room: ROOM,
      state: { status: 'online', activity: { kind: 'editing', field: 'phone' } },
    });
    await member.next(
      (f) =>
        f.type === 'presence.diff' &&
        f.upsert.some((p) => p.user.id === 'alice' && p.activity.kind === 'editing'),
    );
    assert.equal(switching.ofType('error').length, 0);
  });

  test('a watched room counts towards the rooms a connection may hold', async () => {
    h = await startHarness({ limits: { maxRoomsPerConnection: 2 } });
    const c = await h.connect(alice);
    await c.join('customer:1', { watch: true });
    await c.join('customer:2');
    const refused = await c.request({
      type: 'join',
      id: nextId('join'),
      room: 'customer:3',
      watch: true,
    });
    assert.equal(refused.type === 'error' && refused.code, 'too_many_rooms');
  });

  test('watching asks the authorization hook as a join does', async () => {
    h = await startHarness({ authorize: ({ room }) => room !== 'customer:7' });
    const c = await h.connect(alice);
    const refused = await c.request({
      type: 'join',
      id: nextId('join'),
      room: 'customer:7',
      watch: true,
    });
    assert.equal(refused.type === 'error' && refused.code, 'forbidden');
  });

  test('the hook is told a join watches, and a switch to member is asked again', async () => {
    const asked: string[] = [];
    // A CRM that lets its users follow who is on a record but not be listed there themselves.
    h = await startHarness({
      authorize: ({ room, action, watch }) => {
        asked.push(`${action} ${room}${watch ? ' watch' : ''}`);
        return action !== 'join' || watch === true;
      },
    });
    const c = await h.connect(alice);
    const watching = await c.join(ROOM, { watch: true });
    assert.deepEqual(ids(watching.people), []);
    assert.deepEqual(asked, ['join customer:42 watch', 'read customer:42 watch']);
    const refused = await c.request({ type: 'join', id: nextId('join'), room: ROOM });
    assert.equal(refused.type === 'error' && refused.code, 'forbidden');
    assert.deepEqual(asked.slice(2), ['join customer:42']);
    assert.deepEqual(
      ids((await h.connect(bob).then((b) => b.join(ROOM, { watch: true }))).people),
      [],
    );
  });

  test("a watcher's emits are asked with watch, so a hook can keep unseen people quiet", async () => {
    h = await startHarness({ authorize: ({ action, watch }) => action !== 'emit' || !watch });
    const emit = (c: Awaited<ReturnType<Harness['connect']>>) =>
      c.request({ type: 'emit', id: nextId('emit'), room: ROOM, event: 'typing', payload: {} });
    const watcher = await h.connect(alice);
    await watcher.join(ROOM, { watch: true });
    const refused = await emit(watcher);
    assert.equal(refused.type === 'error' && refused.code, 'forbidden');
    const member = await h.connect(bob);
    await member.join(ROOM);
    assert.equal((await emit(member)).type, 'ack');
    // Present again, the same connection may speak.
    await watcher.join(ROOM);
    assert.equal((await emit(watcher)).type, 'ack');
  });
});
