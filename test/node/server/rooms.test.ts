import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { FrameRun, Recipient } from '../../../src/server/fan-out.js';
import { Membership } from '../../../src/server/rooms.js';
import type { PreparedFrame } from '../../../src/server/wire.js';
import { localRooms } from '../helpers/fake-server-socket.js';
import { until } from '../helpers/server-client.js';
import { alice, bob, carol, startHarness, type Harness } from '../helpers/server-harness.js';

describe('server rooms', () => {
  let h: Harness;
  afterEach(() => h.close());

  test('an emit reaches every member with the next sequence number, and is acknowledged', async () => {
    h = await startHarness();
    const a = await h.connect(alice);
    const b = await h.connect(bob);
    const joined = await a.join('deal:7');
    await b.join('deal:7');

    const ack = await a.request({
      type: 'emit',
      id: 'e1',
      room: 'deal:7',
      event: 'typing',
      payload: { field: 'amount' },
    });
    assert.deepEqual(ack, { type: 'ack', replyTo: 'e1', seq: joined.seq + 1 });
    const event = await b.next((f) => f.type === 'event');
    assert.equal(event.type, 'event');
    if (event.type === 'event') {
      assert.deepEqual(
        [event.room, event.seq, event.event, event.payload, event.from],
        ['deal:7', joined.seq + 1, 'typing', { field: 'amount' }, 'alice'],
      );
      assert.equal(event.at, h.clock.now());
    }
  });

  test('a client never receives frames of a room it did not join', async () => {
    h = await startHarness();
    const member = await h.connect(alice);
    const outsider = await h.connect(bob);
    await member.join('customer:1');
    await outsider.join('customer:2');
    member.send({ type: 'emit', room: 'customer:1', event: 'note', payload: 'secret' });
    member.send({
      type: 'presence',
      room: 'customer:1',
      state: { status: 'online', activity: { kind: 'editing', field: 'x' } },
    });
    await member.next((f) => f.type === 'event');
    await member.next(
      (f) => f.type === 'presence.diff' && f.upsert[0]?.activity.kind === 'editing',
    );
    await outsider.sync();
    assert.deepEqual(
      outsider.frames.filter((f) => 'room' in f && f.room === 'customer:1'),
      [],
    );
  });

  test('a room the hook refuses answers forbidden and leaks nothing of it', async () => {
    h = await startHarness({
      authorize: async ({ user, room, action }) =>
        !(room === 'deal:secret' && user.id === 'bob') &&
        !(action === 'emit' && user.id === 'carol'),
    });
    const insider = await h.connect(alice);
    await insider.join('deal:secret');
    const intruder = await h.connect(bob);
    const refused = await intruder.request({ type: 'join', id: 'j1', room: 'deal:secret' });
    assert.equal(refused.type, 'error');
    assert.equal(refused.type === 'error' && refused.code, 'forbidden');

    insider.send({ type: 'emit', room: 'deal:secret', event: 'note', payload: 1 });
    await insider.next((f) => f.type === 'event');
    await intruder.sync();
    assert.deepEqual(
      intruder.frames.filter((f) => 'room' in f && f.room === 'deal:secret' && f.type !== 'error'),
      [],
    );

    // Joined but not allowed to emit: refused, nothing published.
    const reader = await h.connect(carol);
    await reader.join('deal:open');
    const emit = await reader.request({
      type: 'emit',
      id: 'e2',
      room: 'deal:open',
      event: 'x',
      payload: 0,
    });
    assert.equal(emit.type === 'error' && emit.code, 'forbidden');
    await reader.sync();
    assert.equal(reader.ofType('event').length, 0);
  });

  test('by default, user rooms are private to their user', async () => {
    h = await startHarness();
    const a = await h.connect(alice);
    await a.join('user:alice');
    const b = await h.connect(bob);
    const refused = await b.request({ type: 'join', id: 'j1', room: 'user:alice' });
    assert.equal(refused.type === 'error' && refused.code, 'forbidden');
  });

  test('a connection may not exceed the rooms limit, and can join again after leaving one', async () => {
    h = await startHarness({ limits: { maxRoomsPerConnection: 3 } });
    const a = await h.connect(alice);
    for (const room of ['r:1', 'r:2', 'r:3']) await a.join(room);
    const refused = await a.request({ type: 'join', id: 'j4', room: 'r:4' });
    assert.equal(refused.type === 'error' && refused.code, 'too_many_rooms');
    // Joining an already joined room is not a new room.
    await a.join('r:2');
    await a.request({ type: 'leave', id: 'l1', room: 'r:1' });
    await a.join('r:4');
  });

  test('emit, presence and leave in a room not joined answer not_joined', async () => {
    h = await startHarness();
    const a = await h.connect(alice);
    const emit = await a.request({
      type: 'emit',
      id: 'e1',
      room: 'r:x',
      event: 'x',
      payload: null,
    });
    assert.equal(emit.type === 'error' && emit.code, 'not_joined');
    const leave = await a.request({ type: 'leave', id: 'l1', room: 'r:x' });
    assert.equal(leave.type === 'error' && leave.code, 'not_joined');
    a.send({
      type: 'presence',
      room: 'r:x',
      state: { status: 'online', activity: { kind: 'viewing' } },
    });
    const presence = await a.next((f) => f.type === 'error' && f.replyTo === undefined);
    assert.equal(presence.type === 'error' && presence.code, 'not_joined');
  });

  test('an oversized presence is refused with payload_too_large', async () => {
    h = await startHarness({ limits: { maxPresenceBytes: 64 } });
    const a = await h.connect(alice);
    const refused = await a.request({
      type: 'join',
      id: 'j1',
      room: 'r:1',
      presence: { status: 'online', activity: { kind: 'editing', field: 'f'.repeat(100) } },
    });
    assert.equal(refused.type === 'error' && refused.code, 'payload_too_large');
  });

  test('frames are handled in order even when the hook is asynchronous', async () => {
    h = await startHarness({
      authorize: () => new Promise((resolve) => setImmediate(() => resolve(true))),
    });
    const a = await h.connect(alice);
    // join, then emit at once: the emit must not overtake the join.
    a.send({ type: 'join', id: 'j1', room: 'r:1' });
    a.send({ type: 'emit', id: 'e1', room: 'r:1', event: 'x', payload: 1 });
    const ack = await a.next((f) => 'replyTo' in f && f.replyTo === 'e1');
    assert.equal(ack.type, 'ack');
    assert.deepEqual(
      a.frames.filter((f) => f.type !== 'presence.diff').map((f) => f.type),
      ['welcome', 'joined', 'event', 'ack'],
    );
  });
});

describe('server frame sizes', () => {
  let h: Harness;
  afterEach(() => h.close());

  test('a crowded room reaches a newcomer in frames no larger than the limit', async () => {
    const maxFrameBytes = 4096;
    h = await startHarness({ limits: { maxFrameBytes } });
    const observer = await h.connect({ id: 'observer', name: 'Observer' });
    const observed = await observer.join('r:big');
    const crowd = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        h.connect({ id: `user-${i}`, name: `A rather long display name number ${i}` }),
      ),
    );
    await Promise.all(crowd.map((c) => c.join('r:big')));
    await until(() => {
      // The observer may learn of itself from its own `joined` (a shared bus answers the join
      // after its own presence diff went out) or from a diff.
      const known = new Set([
        ...observed.people.map((p) => p.user.id),
        ...observer.ofType('presence.diff').flatMap((d) => d.upsert.map((p) => p.user.id)),
      ]);
      return known.size === 41;
    });
    assert.ok(
      observer.largestFrame <= maxFrameBytes,
      `observer got ${observer.largestFrame} bytes`,
    );

    const newcomer = await h.connect(alice);
    const joined = await newcomer.join('r:big');
    assert.ok(joined.people.length < 42, 'the snapshot was split');
    await newcomer.sync();
    const everyone = new Set([
      ...joined.people.map((p) => p.user.id),
      ...newcomer.ofType('presence.diff').flatMap((d) => d.upsert.map((p) => p.user.id)),
    ]);
    assert.equal(everyone.size, 42);
    assert.ok(
      newcomer.largestFrame <= maxFrameBytes,
      `newcomer got ${newcomer.largestFrame} bytes`,
    );
  });

  test('an emit whose event frame would exceed the limit is refused with payload_too_large', async () => {
    const maxFrameBytes = 1024;
    h = await startHarness({ limits: { maxFrameBytes } });
    const a = await h.connect(alice);
    const joined = await a.join('r:1');
    // Fits as an emit, but the event adds seq, from and at.
    const payload = 'x'.repeat(maxFrameBytes - 80);
    const refused = await a.request({ type: 'emit', id: 'e1', room: 'r:1', event: 'x', payload });
    assert.equal(refused.type === 'error' && refused.code, 'payload_too_large');
    const ok = await a.request({ type: 'emit', id: 'e2', room: 'r:1', event: 'x', payload: 'y' });
    assert.deepEqual(ok, { type: 'ack', replyTo: 'e2', seq: joined.seq + 1 }, 'no number was lost');
  });
});

/** A recipient that records the events written to it, by payload. */
class Inbox implements Recipient {
  readonly got: unknown[] = [];
  dropped = false;
  constructor(readonly user: { readonly id: string }) {}
  writePrepared(frame: PreparedFrame): boolean {
    this.got.push((JSON.parse(frame.payload.toString()) as { payload: unknown }).payload);
    return true;
  }
  writeRun(run: FrameRun): number {
    for (const frame of run.frames) this.writePrepared(frame);
    return run.frames.length;
  }
  dropSlowConsumer(): void {
    this.dropped = true;
  }
}

describe('room registry: who a room writes to', () => {
  const room = 'deal:1';
  function setup(maxQueued = 100) {
    const { bus, metrics, rooms } = localRooms({ maxQueued });
    /** Publishes, then lets the run end: a room's frames leave together at its end (fan-out.ts). */
    const emit = async (payload: unknown) => {
      await bus.publish(room, { event: 'x', payload });
      await new Promise((resolve) => setImmediate(resolve));
    };
    /** A member that has joined: added, then opened as the join handler does. */
    const joined = (id: string) => {
      const inbox = new Inbox({ id });
      const membership = new Membership(inbox, room, '');
      rooms.add(membership);
      rooms.open(membership);
      return { inbox, membership };
    };
    return { bus, metrics, rooms, emit, joined };
  }

  test('a joining member queues until open, then gets what queued and is written to', async () => {
    const { rooms, emit, joined, metrics } = setup();
    const a = joined('a');
    const inbox = new Inbox({ id: 'b' });
    const b = new Membership(inbox, room, '');
    rooms.add(b);
    await emit(1);
    assert.deepEqual(inbox.got, [], 'nothing before joined');
    assert.deepEqual(
      rooms.open(b).map((m) => m.seq !== undefined),
      [true],
      'the queued event is handed back',
    );
    await emit(2);
    assert.deepEqual(inbox.got, [2]);
    assert.deepEqual(a.inbox.got, [1, 2]);
    assert.equal(metrics.broadcastDeliveries, 3);
    assert.deepEqual(rooms.open(b), [], 'opening twice hands back nothing');
    await emit(3);
    assert.deepEqual(inbox.got, [2, 3], 'and writes once');
    assert.equal(rooms.members(room), 2);
  });

  test('a member that joins again queues until its new joined, then is written to again', async () => {
    const { rooms, emit, joined } = setup();
    const a = joined('a');
    const other = joined('b');
    rooms.hold(a.membership);
    rooms.hold(a.membership); // a second join while the first is pending changes nothing
    await emit(1);
    assert.deepEqual(a.inbox.got, []);
    assert.equal(a.membership.queue?.length, 1);
    assert.equal(rooms.open(a.membership).length, 1);
    await emit(2);
    assert.deepEqual(a.inbox.got, [2]);
    assert.deepEqual(other.inbox.got, [1, 2]);
    assert.equal(rooms.members(room), 2);
  });

  test('a member that leaves, joined or joining, gets nothing more; the last one unsubscribes', async () => {
    const { bus, rooms, emit, joined } = setup();
    const a = joined('a');
    const b = joined('b');
    const inbox = new Inbox({ id: 'c' });
    const c = new Membership(inbox, room, '');
    rooms.add(c);
    rooms.remove(a.membership);
    rooms.remove(c);
    await emit(1);
    assert.deepEqual([a.inbox.got, b.inbox.got, c.queue], [[], [1], []]);
    assert.equal(rooms.members(room), 1);
    rooms.hold(b.membership);
    rooms.remove(b.membership); // leaves (or closes) while joining again
    assert.equal(rooms.members(room), 0);
    assert.equal(rooms.size, 0);
    await bus.broadcast(room, { type: 'presence.diff', room, upsert: [], remove: [] });
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(b.inbox.got, [1], 'the room let go of the bus');
  });

  test('a signal reaches only its addressee, joined or joining', async () => {
    const { bus, rooms, joined } = setup();
    const a = joined('alice');
    const b = joined('bob');
    const inbox = new Inbox({ id: 'bob' });
    const pending = new Membership(inbox, room, 'tab');
    rooms.add(pending);
    await bus.broadcast(room, {
      type: 'signal',
      room,
      event: 'offer',
      payload: 'psst',
      from: 'alice',
      to: 'bob',
      at: 0,
    });
    assert.deepEqual([a.inbox.got.length, b.inbox.got.length, pending.queue?.length], [0, 1, 1]);
  });

  test('a joining member whose queue is full is dropped as a slow consumer', async () => {
    const { rooms, emit } = setup(2);
    const inbox = new Inbox({ id: 'a' });
    rooms.add(new Membership(inbox, room, ''));
    await emit(1);
    await emit(2);
    assert.equal(inbox.dropped, false);
    await emit(3);
    assert.equal(inbox.dropped, true);
  });
});
