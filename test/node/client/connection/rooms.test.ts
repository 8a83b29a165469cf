/**
 * Rooms: reference counting, sequenced events with resume (replayed or gap) through the fake
 * server, emit/ack, request/reply and error paths.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RealtimeError, type ResumeInfo, type RoomMessage } from '../../../../src/client/index.js';
import { createRig } from '../../../../src/testing/index.js';

const ROOM = 'customer:42';
const bob = { id: 'bob', name: 'Bob' };

function isCode(code: string) {
  return (e: unknown) => e instanceof RealtimeError && e.code === code;
}

describe('reference-counted rooms', () => {
  it('ten holders make one join; the last release makes one leave', async () => {
    const rig = createRig();
    const client = rig.client();
    const handles = Array.from({ length: 10 }, () => client.joinRoom(ROOM));
    await rig.clock.flush();
    assert.equal(rig.server.received('join').length, 1);
    assert.equal(client.heldRooms().get(ROOM), 10);
    for (const handle of handles.slice(0, 9)) handle.release();
    handles[0]!.release(); // releasing a handle twice counts once
    await rig.clock.flush();
    assert.equal(rig.server.received('leave').length, 0);
    assert.equal(client.heldRooms().get(ROOM), 1);
    handles[9]!.release();
    await rig.clock.flush();
    assert.equal(rig.server.received('leave').length, 1);
    assert.equal(client.heldRooms().has(ROOM), false);
    const more = client.joinRoom(ROOM);
    client.joinRoom('customer:43');
    await rig.clock.flush();
    assert.equal(rig.server.received('join').length, 3);
    more.release();
    rig.close();
  });

  it('a room held before the connection opens is joined once it does', async () => {
    const rig = createRig();
    const client = rig.client({ autoConnect: false });
    client.joinRoom(ROOM);
    client.joinRoom(ROOM);
    await rig.clock.flush();
    assert.equal(rig.server.received('join').length, 0);
    client.connect();
    await rig.clock.flush();
    assert.deepEqual(
      rig.server.received('join').map((j) => j.room),
      [ROOM],
    );
    rig.close();
  });

  it('rejects invalid room names synchronously', () => {
    const rig = createRig();
    const client = rig.client({ autoConnect: false });
    assert.throws(() => client.joinRoom('customer 42'), TypeError);
    assert.throws(() => client.joinRoom(''), TypeError);
    rig.close();
  });

  it('reports a refused join through onError and keeps the connection', async () => {
    const rig = createRig({ server: { authorize: (_user, room) => room !== 'secret:1' } });
    const client = rig.client();
    const errors: RealtimeError[] = [];
    client.onError((e) => errors.push(e));
    client.joinRoom('secret:1');
    client.joinRoom(ROOM);
    await rig.clock.flush();
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.code, 'forbidden');
    assert.equal(errors[0]!.room, 'secret:1');
    assert.equal(client.status.state, 'open');
    assert.equal(client.lastSeq(ROOM), 0);
    rig.close();
  });
});

describe('events and resume', () => {
  it('dispatches by event name and to *, and unsubscribes', async () => {
    const rig = createRig();
    const client = rig.client();
    client.joinRoom(ROOM);
    const notes: RoomMessage[] = [];
    const all: string[] = [];
    const off = client.on('note', (m) => notes.push(m));
    client.on('*', (m) => all.push(m.event));
    await rig.clock.flush();
    rig.server.broadcast(ROOM, 'note', { text: 'hi' }, 'bob');
    rig.server.broadcast(ROOM, 'typing', { field: 'email' });
    await rig.clock.flush();
    off();
    rig.server.broadcast(ROOM, 'note', { text: 'again' });
    await rig.clock.flush();
    assert.equal(notes.length, 1);
    assert.deepEqual(notes[0], {
      room: ROOM,
      event: 'note',
      payload: { text: 'hi' },
      from: 'bob',
      seq: 1,
      at: rig.clock.now(),
    });
    assert.deepEqual(all, ['note', 'typing', 'note']);
    assert.equal(client.lastSeq(ROOM), 3);
    rig.close();
  });

  it('never delivers events of a room it does not hold', async () => {
    const rig = createRig();
    const client = rig.client();
    const other = rig.client({ devUser: bob, clientId: 'bob-laptop' });
    other.joinRoom('customer:99');
    client.joinRoom(ROOM);
    const seen: string[] = [];
    client.on('*', (m) => seen.push(m.room));
    await rig.clock.flush();
    await other.emit('customer:99', 'note', 1);
    rig.server.broadcast(ROOM, 'note', 2);
    await rig.clock.flush();
    assert.deepEqual(seen, [ROOM]);
    rig.close();
  });

  it('after a drop, re-joins with since = last seq and receives exactly the missed events', async () => {
    const rig = createRig();
    const client = rig.client();
    const other = rig.client({ devUser: bob, clientId: 'bob-laptop' });
    client.joinRoom(ROOM);
    other.joinRoom(ROOM);
    const seen: number[] = [];
    const resumes: ResumeInfo[] = [];
    client.on('*', (m) => seen.push(m.payload as number));
    client.onResume((r) => resumes.push(r));
    await rig.clock.flush();
    for (let i = 1; i <= 3; i++) await other.emit(ROOM, 'n', i);
    await rig.clock.flush();

    // Only our client's network fails; the room goes on without it.
    rig.server.dropConnections();
    await rig.clock.flush();
    await rig.clock.advance(500); // both reconnect; ours is held back below
    rig.server.dropConnections();
    rig.server.refuseConnections(true);
    await rig.clock.flush();
    for (let i = 4; i <= 6; i++) rig.server.broadcast(ROOM, 'n', i);
    rig.server.refuseConnections(false);
    await rig.clock.advance(2000);
    assert.equal(client.status.state, 'open');
    await other.emit(ROOM, 'n', 7);
    await rig.clock.flush();

    assert.deepEqual(seen, [1, 2, 3, 4, 5, 6, 7]);
    const joins = rig.server.received('join').filter((j) => j.room === ROOM);
    assert.ok(joins.some((j) => j.since === 3));
    assert.deepEqual(resumes.at(-1), { room: ROOM, resume: 'replayed', missed: 3 });
    assert.equal(client.lastSeq(ROOM), 7);
    rig.close();
  });

  it('ignores duplicate and old sequence numbers', async () => {
    const rig = createRig();
    const client = rig.client();
    client.joinRoom(ROOM);
    const seen: number[] = [];
    client.on('*', (m) => seen.push(m.seq));
    await rig.clock.flush();
    const first = rig.server.broadcast(ROOM, 'n', 1);
    rig.server.broadcast(ROOM, 'n', 2);
    rig.server.sendRaw(JSON.stringify(first)); // a duplicate on the wire
    rig.server.broadcast(ROOM, 'n', 3);
    await rig.clock.flush();
    assert.deepEqual(seen, [1, 2, 3]);
    rig.close();
  });

  it('on a gap, fires onResume gap and replaces the presence snapshot', async () => {
    const rig = createRig({ server: { replayEvents: 2 } });
    const client = rig.client();
    const presence = client.presence(ROOM);
    const resumes: ResumeInfo[] = [];
    const seen: number[] = [];
    client.onResume((r) => resumes.push(r));
    client.on('*', (m) => seen.push(m.seq));
    rig.server.addPerson(ROOM, bob);
    rig.server.addPerson(ROOM, { id: 'cy', name: 'Cy' });
    await rig.clock.advance(16);
    assert.equal(presence.snapshot().people.length, 3);

    rig.server.refuseConnections(true);
    rig.server.dropConnections();
    await rig.clock.flush();
    for (let i = 1; i <= 5; i++) rig.server.broadcast(ROOM, 'n', i); // the buffer keeps 2
    rig.server.removePerson(ROOM, 'cy'); // the diff never reaches us
    rig.server.refuseConnections(false);
    await rig.clock.advance(500 + 16);

    assert.deepEqual(resumes.at(-1), { room: ROOM, resume: 'gap', missed: 5 });
    assert.deepEqual(seen, []); // nothing replayed: the UI re-syncs instead
    assert.equal(client.lastSeq(ROOM), 5);
    assert.deepEqual(
      presence
        .snapshot()
        .people.map((p) => p.user.id)
        .sort(),
      ['bob', 'u-you'],
    );
    rig.server.broadcast(ROOM, 'n', 6);
    await rig.clock.flush();
    assert.deepEqual(seen, [6]);
    rig.close();
  });

  it('after a server restart (sequence numbers start over), new events still arrive', async () => {
    const rig = createRig();
    const client = rig.client();
    client.joinRoom(ROOM);
    const resumes: ResumeInfo[] = [];
    const seen: number[] = [];
    client.onResume((r) => resumes.push(r));
    client.on('*', (m) => seen.push(m.seq));
    await rig.clock.flush();
    for (let i = 0; i < 5; i++) rig.server.broadcast(ROOM, 'n', i);
    await rig.clock.flush();
    rig.server.restart();
    await rig.clock.advance(500);
    assert.equal(resumes.at(-1)?.resume, 'gap');
    rig.server.broadcast(ROOM, 'n', 'after');
    await rig.clock.flush();
    assert.deepEqual(seen, [1, 2, 3, 4, 5, 1]);
    rig.close();
  });
});

describe('emit and request', () => {
  it('emit resolves on ack and every member (the sender too) receives the event once', async () => {
    const rig = createRig();
    const ada = rig.client();
    const bobClient = rig.client({ devUser: bob, clientId: 'bob-laptop' });
    ada.joinRoom(ROOM);
    bobClient.joinRoom(ROOM);
    const adaSeen: RoomMessage[] = [];
    const bobSeen: RoomMessage[] = [];
    ada.on('typing', (m) => adaSeen.push(m));
    bobClient.on('typing', (m) => bobSeen.push(m));
    await rig.clock.flush();
    await ada.emit(ROOM, 'typing', { field: 'email' });
    await rig.clock.flush();
    assert.equal(rig.server.sent('ack').length, 1);
    assert.equal(adaSeen.length, 1);
    assert.equal(bobSeen.length, 1);
    assert.equal(bobSeen[0]!.from, 'u-you');
    rig.close();
  });

  it('emit to a room not joined rejects with not_joined', async () => {
    const rig = createRig();
    const client = rig.client();
    await rig.clock.flush();
    await assert.rejects(client.emit('customer:7', 'x', 1), isCode('not_joined'));
    rig.close();
  });

  it('emit with an invalid event name rejects without sending', async () => {
    const rig = createRig();
    const client = rig.client();
    client.joinRoom(ROOM);
    await rig.clock.flush();
    await assert.rejects(client.emit(ROOM, 'bad name', 1), isCode('bad_frame'));
    assert.equal(rig.server.violations.length, 0);
    rig.close();
  });

  it('emit larger than the frame limit rejects with frame_too_large', async () => {
    const rig = createRig();
    const client = rig.client();
    client.joinRoom(ROOM);
    await rig.clock.flush();
    await assert.rejects(client.emit(ROOM, 'x', 'y'.repeat(70_000)), isCode('frame_too_large'));
    assert.equal(client.status.state, 'open');
    rig.close();
  });

  it('emit while disconnected rejects at once with not_connected (nothing is queued)', async () => {
    const rig = createRig();
    rig.server.refuseConnections(true);
    const client = rig.client();
    client.joinRoom(ROOM);
    await rig.clock.flush();
    await assert.rejects(client.emit(ROOM, 'x', 1), (e: unknown) => {
      return isCode('not_connected')(e) && /not connected/.test((e as Error).message);
    });
    rig.server.refuseConnections(false);
    await rig.clock.advance(500);
    assert.equal(rig.server.received('emit').length, 0);
    rig.close();
  });

  it('request resolves with the frame that answers its id', async () => {
    const rig = createRig();
    const client = rig.client();
    await rig.clock.flush();
    const answer = await client.request({ type: 'leave', room: 'customer:1' });
    assert.equal(answer.type, 'left');
    assert.ok(answer.type === 'left' && answer.replyTo.startsWith('leave-'));
    rig.close();
  });

  it('request rejects with timeout when no answer comes', async () => {
    const rig = createRig();
    const client = rig.client({ requestTimeout: 5000, heartbeatInterval: 60_000 });
    client.joinRoom(ROOM);
    await rig.clock.flush();
    rig.server.blackhole(true);
    const pending = assert.rejects(client.emit(ROOM, 'x', 1), isCode('timeout'));
    await rig.clock.advance(5000);
    await pending;
    rig.close();
  });
});
