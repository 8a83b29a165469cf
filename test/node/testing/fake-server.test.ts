/**
 * The fake server must be as strict as the real one (a test cannot pass on frames the server would
 * reject), behave like a real network (asynchronous, lossy on demand), and its scenarios must do
 * what stories promise.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  FakeServer,
  ManualClock,
  connectFake,
  ProtocolViolation,
  createRig,
  flakyConnection,
  peopleArriving,
  populate,
  someoneEditing,
  someoneGoesAway,
  SAMPLE_PEOPLE,
} from '../../../src/testing/index.js';
import type { SocketLike } from '../../../src/client/index.js';
import { stateOf } from '../helpers/client-status.js';

const ROOM = 'customer:42';
/** A call, not a property read: TypeScript would narrow `status` after the first assert. */

/** A raw socket on the server, driven by hand. */
async function rawSocket(server: FakeServer, clock: ManualClock) {
  const received: unknown[] = [];
  const closes: number[] = [];
  const socket: SocketLike = server.socketFactory('fake://');
  socket.onmessage = (e) => received.push(JSON.parse(e.data as string));
  socket.onclose = (e) => closes.push(e.code);
  await clock.flush();
  return { socket, received, closes };
}

/** A raw `hello` as a development user. */
function sendHello(socket: SocketLike, devUser: Record<string, string>, clientId = 'd'): void {
  socket.send(JSON.stringify({ type: 'hello', id: 'h', v: 1, clientId, devUser }));
}

describe('FakeServer validation', () => {
  it('throws on a client frame the real server would reject, and records it', async () => {
    const clock = new ManualClock();
    const server = new FakeServer({ clock });
    const { socket } = await rawSocket(server, clock);
    assert.throws(
      () => socket.send('{"type":"join","id":"j1","room":"bad room"}'),
      ProtocolViolation,
    );
    assert.throws(() => socket.send('not json'), ProtocolViolation);
    assert.equal(server.violations.length, 2);
  });

  it('in non-strict mode answers an invalid frame with bad_frame and keeps the connection', async () => {
    const clock = new ManualClock();
    const server = new FakeServer({ clock, strict: false });
    const { socket, received, closes } = await rawSocket(server, clock);
    socket.send('{"type":"join","id":"j1","room":"bad room"}');
    await clock.flush();
    assert.deepEqual(received, [
      {
        type: 'error',
        code: 'bad_frame',
        message: (received[0] as { message: string }).message,
        replyTo: 'j1',
      },
    ]);
    assert.deepEqual(closes, []);
    assert.equal(server.connections, 1);
  });

  it('refuses to send an invalid frame of its own', () => {
    const server = new FakeServer({ clock: new ManualClock() });
    assert.throws(() => server.broadcast(ROOM, 'has space', 1), ProtocolViolation);
    assert.throws(
      () => server.addPerson(ROOM, { id: 'x', name: 'X', avatarUrl: 'javascript:alert(1)' }),
      ProtocolViolation,
    );
    assert.throws(() => server.broadcast(ROOM, 'ok', undefined), ProtocolViolation);
  });

  it('answers frames before hello with not_authenticated', async () => {
    const clock = new ManualClock();
    const server = new FakeServer({ clock });
    const { socket, received } = await rawSocket(server, clock);
    socket.send(JSON.stringify({ type: 'join', id: 'j1', room: ROOM }));
    await clock.flush();
    assert.equal((received[0] as { code: string }).code, 'not_authenticated');
  });

  it('refuses hello without a valid token when dev users are off (1008)', async () => {
    const clock = new ManualClock();
    const server = new FakeServer({ clock, allowDevUsers: false });
    const { socket, received, closes } = await rawSocket(server, clock);
    sendHello(socket, { id: 'a', name: 'A' });
    await clock.flush();
    assert.equal((received[0] as { code: string }).code, 'invalid_token');
    assert.deepEqual(closes, [1008]);
    assert.equal(server.connections, 0);
  });

  it('refuses an invalid hello like the real server (bad_frame, 1008), even when strict', async () => {
    const clock = new ManualClock();
    const server = new FakeServer({ clock });
    const { socket, received, closes } = await rawSocket(server, clock);
    // A bad development identity is the page's input, not a bug of the kit: answered, not thrown.
    sendHello(socket, { id: 'a', name: 'A', avatarUrl: 'javascript:alert(1)' });
    await clock.flush();
    assert.deepEqual(received, [
      { type: 'error', code: 'bad_frame', message: 'invalid avatar URL', replyTo: 'h' },
    ]);
    assert.deepEqual(closes, [1008]);
    assert.equal(server.connections, 0);
    assert.equal(server.violations.length, 1);
  });

  it('a socket still connecting throws on send, like the browser', () => {
    const server = new FakeServer({ clock: new ManualClock() });
    const socket = server.socketFactory('fake://');
    assert.throws(() => socket.send('{}'), /CONNECTING/);
  });

  it('logs frames in both directions and counts connections', async () => {
    const rig = createRig();
    rig.client();
    rig.client();
    await rig.clock.flush();
    assert.equal(rig.server.connections, 2);
    assert.equal(rig.server.received('hello').length, 2);
    assert.equal(rig.server.sent('welcome').length, 2);
    assert.deepEqual(
      rig.server.frames.slice(0, 4).map((f) => `${f.direction} ${f.frame.type}`),
      ['in hello', 'out welcome', 'in hello', 'out welcome'],
    );
    rig.close();
  });
});

describe('FakeServer calls', () => {
  it('an addressed call event reaches its addressee only, as an unsequenced signal, and only between people in the call, like the server', async () => {
    const clock = new ManualClock();
    const server = new FakeServer({ clock });
    const sockets = [];
    for (const id of ['ana', 'ben', 'chloe']) {
      const raw = await rawSocket(server, clock);
      const devUser = { id, name: id };
      raw.socket.send(JSON.stringify({ type: 'hello', id: 'h', v: 1, clientId: id, devUser }));
      // Ana and Ben are in the call; Chloe is in the room only.
      const inCall = id === 'chloe' ? {} : { inCall: true };
      const presence = { status: 'online', activity: { kind: 'viewing' }, ...inCall };
      raw.socket.send(JSON.stringify({ type: 'join', id: 'j', room: ROOM, presence }));
      sockets.push(raw);
    }
    await clock.flush();
    for (const raw of sockets) raw.received.length = 0;
    const [ana, ben, chloe] = sockets as [
      (typeof sockets)[0],
      (typeof sockets)[0],
      (typeof sockets)[0],
    ];
    const payload = { session: 's1', candidate: { candidate: '' } };
    const emit = { type: 'emit', id: 'e1', room: ROOM, event: 'call.signal', payload, to: 'ben' };
    ana.socket.send(JSON.stringify(emit));
    await clock.flush();
    server.signal(ROOM, 'chloe', 'ben', 'call.signal', payload);
    await clock.flush();
    const at = clock.now();
    const signal = { type: 'signal', room: ROOM, event: 'call.signal', payload, to: 'ben', at };
    assert.deepEqual(ben.received, [
      { ...signal, from: 'ana' },
      { ...signal, from: 'chloe' },
    ]);
    assert.deepEqual(ana.received, [{ type: 'ack', replyTo: 'e1' }]);
    assert.deepEqual(chloe.received, []);

    // From someone outside the call, a call's event is refused and reaches nobody, as on the server.
    ben.received.length = 0;
    chloe.socket.send(JSON.stringify({ ...emit, id: 'e2' }));
    await clock.flush();
    assert.deepEqual(ben.received, []);
    assert.deepEqual(
      chloe.received.map((f) => ({ ...(f as Record<string, unknown>), message: undefined })),
      [{ type: 'error', code: 'forbidden', replyTo: 'e2', room: ROOM, message: undefined }],
    );
  });

  it('a scripted person can be in the call', async () => {
    const server = new FakeServer({ clock: new ManualClock() });
    assert.equal(server.addPerson(ROOM, { id: 'ana', name: 'Ana' }).inCall, undefined);
    assert.equal(server.updatePerson(ROOM, 'ana', { inCall: true })?.inCall, true);
    assert.equal(server.updatePerson(ROOM, 'ana', { inCall: false })?.inCall, undefined);
  });
});

describe('FakeServer network', () => {
  it('delivers after the configured latency', async () => {
    const rig = createRig({ server: { latency: 100 } });
    const client = rig.client();
    await rig.clock.advance(299); // open, hello, welcome: three one-way trips
    assert.equal(stateOf(client), 'connecting');
    await rig.clock.advance(1);
    assert.equal(stateOf(client), 'open');
    rig.close();
  });

  it('hold() keeps matching frames unanswered until released, and nothing else waits', async () => {
    const rig = createRig();
    const client = rig.client();
    const presence = client.presence(ROOM);
    await rig.clock.advance(16);
    const held = rig.server.hold((frame) => frame.type === 'emit');
    let acked = 0;
    const first = client.emit(ROOM, 'note', 'one').then(() => (acked += 1));
    const second = client.emit(ROOM, 'note', 'two').then(() => (acked += 1));
    await rig.clock.advance(1000);
    assert.equal(held.size, 2);
    assert.equal(acked, 0, 'held: unanswered');
    // Everything else is answered as usual meanwhile.
    rig.server.addPerson(ROOM, { id: 'bob', name: 'Bob' });
    await rig.clock.advance(16);
    assert.equal(presence.snapshot().people.length, 2);
    held.release(1);
    await rig.clock.advance(1);
    assert.equal(acked, 1, 'the first, in order');
    held.stop();
    await rig.clock.advance(1);
    await Promise.all([first, second]);
    assert.deepEqual(
      rig.server.sent('event').map((e) => e.payload),
      ['one', 'two'],
    );
    // Stopped: not held any more.
    await client.emit(ROOM, 'note', 'three');
    assert.equal(held.size, 0);
    rig.close();
  });

  it('hold(): a frame whose connection closed while held is never answered', async () => {
    const rig = createRig();
    const client = rig.client();
    client.joinRoom(ROOM);
    await rig.clock.advance(16);
    const held = rig.server.hold((frame) => frame.type === 'emit');
    client.emit(ROOM, 'note', 'lost').catch(() => {});
    await rig.clock.advance(1);
    rig.server.dropConnections();
    held.stop();
    await rig.clock.advance(1);
    assert.deepEqual(rig.server.sent('event'), []);
    rig.close();
  });

  it('keeps a person through the grace period when their only tab reloads', async () => {
    const rig = createRig();
    const viewer = rig.client();
    const presence = viewer.presence(ROOM);
    const ada = rig.client({ devUser: { id: 'ada', name: 'Ada' }, clientId: 'ada-laptop' });
    ada.joinRoom(ROOM);
    await rig.clock.advance(16);
    ada.close(); // reload: the socket closes ...
    await rig.clock.advance(5000);
    const again = rig.client({ devUser: { id: 'ada', name: 'Ada' }, clientId: 'ada-laptop' });
    again.joinRoom(ROOM); // ... and the page comes back 5 s later
    await rig.clock.advance(20_000);
    assert.ok(presence.snapshot().people.some((p) => p.user.id === 'ada'));
    assert.ok(rig.server.sent('presence.diff').every((d) => !d.remove.includes('ada')));
    again.close();
    await rig.clock.advance(14_999);
    assert.ok(presence.snapshot().people.some((p) => p.user.id === 'ada'));
    await rig.clock.advance(1 + 16);
    assert.ok(!presence.snapshot().people.some((p) => p.user.id === 'ada'));
    rig.close();
  });

  it('removes a person at once when they leave the room, as the reference server does', async () => {
    const rig = createRig();
    const viewer = rig.client();
    const presence = viewer.presence(ROOM);
    const ada = rig.client({ devUser: { id: 'ada', name: 'Ada' }, clientId: 'ada-laptop' });
    const held = ada.joinRoom(ROOM);
    await rig.clock.advance(16);
    assert.ok(presence.snapshot().people.some((p) => p.user.id === 'ada'));
    held.release(); // a `leave` frame: the widget went, the page stays
    await rig.clock.advance(16);
    assert.ok(!presence.snapshot().people.some((p) => p.user.id === 'ada'));
    ada.close();
    rig.close();
  });

  it('takes a user out of a room now refused, and nobody else, as the reference server does', async () => {
    let allowed = true;
    const rig = createRig({
      server: { authorize: (u, room) => allowed || u.id !== 'ada' || room !== ROOM },
    });
    const viewer = rig.client();
    const presence = viewer.presence(ROOM);
    const ada = rig.client({ devUser: { id: 'ada', name: 'Ada' }, clientId: 'ada-laptop' });
    const refusals: (string | undefined)[] = [];
    ada.joinRoom(ROOM, (refusal) => refusals.push(refusal?.code));
    await rig.clock.advance(16);
    allowed = false;
    rig.server.permissionsChanged('ada');
    await rig.clock.advance(16);
    assert.deepEqual(refusals, ['forbidden']);
    assert.ok(!presence.snapshot().people.some((p) => p.user.id === 'ada'), 'gone at once');
    assert.ok(presence.snapshot().people.length > 0, 'the others stay');
    rig.close();
  });

  it("disconnectUser closes the user's connections with invalid_token and 1008", async () => {
    const clock = new ManualClock();
    const server = new FakeServer({ clock });
    const { socket, received, closes } = await rawSocket(server, clock);
    sendHello(socket, { id: 'ada', name: 'Ada' }, 'c');
    await clock.flush();
    server.disconnectUser('ada');
    await clock.flush();
    assert.equal((received.at(-1) as { code: string }).code, 'invalid_token');
    assert.deepEqual(closes, [1008]);
  });

  it('close() ends a test: connections closed, everyone gone at once, no timer left, new connections refused', async () => {
    const clock = new ManualClock();
    const server = new FakeServer({ clock });
    const on = (id: string) => connectFake(server, { devUser: { id, name: id }, clientId: id });
    const ada = on('ada');
    const bo = on('bo');
    ada.joinRoom(ROOM);
    bo.joinRoom(ROOM);
    server.addPerson(ROOM, { id: 'cy', name: 'Cy' });
    await clock.advance(16);
    bo.close(); // bo's grace period starts
    await clock.flush();
    assert.ok(clock.pending > 0, 'a grace timer runs');
    ada.close();
    server.close();
    await clock.flush();
    assert.equal(server.connections, 0);
    assert.deepEqual(
      server.people(ROOM).map((p) => p.user.id),
      ['cy'],
      'the scripted person stays',
    );
    assert.equal(clock.pending, 0, 'no grace timer left');
    const late = on('dee');
    await clock.advance(16);
    assert.notEqual(stateOf(late), 'open');
    late.close();
  });

  it('forgets events older than replayMillis: resume becomes a gap', async () => {
    const rig = createRig({ server: { replayMillis: 120_000 } });
    const client = rig.client();
    const resumes: string[] = [];
    client.onResume((r) => resumes.push(r.resume));
    client.joinRoom(ROOM);
    await rig.clock.flush();
    rig.server.refuseConnections(true);
    rig.server.dropConnections();
    await rig.clock.flush();
    rig.server.broadcast(ROOM, 'n', 1);
    await rig.clock.advance(121_000);
    rig.server.refuseConnections(false);
    client.retryNow();
    await rig.clock.flush();
    assert.deepEqual(resumes, ['none', 'gap']);
    rig.close();
  });
});

describe('scenarios', () => {
  it('peopleArriving adds people one by one, then stops', async () => {
    const clock = new ManualClock();
    const server = new FakeServer({ clock });
    const scenario = peopleArriving(server, { room: ROOM, everyMs: 1000 });
    await clock.advance(999);
    assert.equal(server.people(ROOM).length, 0);
    await clock.advance(1);
    assert.equal(server.people(ROOM).length, 1);
    await clock.advance(2000);
    assert.equal(server.people(ROOM).length, 3);
    assert.equal(server.people(ROOM)[1]!.connections, 2); // the one with two tabs
    scenario.stop();
    await clock.advance(60_000);
    assert.equal(server.people(ROOM).length, 3);
    assert.equal(clock.pending, 0);
  });

  it('someoneGoesAway turns a person away and back', async () => {
    const clock = new ManualClock();
    const server = new FakeServer({ clock });
    const user = SAMPLE_PEOPLE[2]!;
    someoneGoesAway(server, { room: ROOM, user, afterMs: 3000, backAfterMs: 2000 });
    const status = () => server.people(ROOM).find((p) => p.user.id === user.id)?.status;
    assert.equal(status(), 'online');
    await clock.advance(3000);
    assert.equal(status(), 'away');
    await clock.advance(2000);
    assert.equal(status(), 'online');
  });

  it('someoneEditing cycles between editing a field and viewing', async () => {
    const clock = new ManualClock();
    const server = new FakeServer({ clock });
    const scenario = someoneEditing(server, {
      room: ROOM,
      field: 'email',
      afterMs: 1000,
      forMs: 2000,
    });
    const activity = () => server.people(ROOM)[0]?.activity;
    assert.deepEqual(activity(), { kind: 'viewing' });
    await clock.advance(1000);
    assert.deepEqual(activity(), { kind: 'editing', field: 'email' });
    await clock.advance(2000);
    assert.deepEqual(activity(), { kind: 'viewing' });
    await clock.advance(1000);
    assert.deepEqual(activity(), { kind: 'editing', field: 'email' });
    scenario.stop();
  });

  it('populate fills a room for crowded states', () => {
    const server = new FakeServer({ clock: new ManualClock() });
    populate(server, { room: ROOM, count: 12 });
    const people = server.people(ROOM);
    assert.equal(people.length, 12);
    assert.equal(new Set(people.map((p) => p.user.id)).size, 12);
  });

  it('flakyConnection drops clients every few seconds and they recover each time', async () => {
    const rig = createRig();
    const client = rig.client();
    client.joinRoom(ROOM);
    const states: string[] = [];
    client.onStatus((s) => states.push(s.state));
    await rig.clock.flush();
    const scenario = flakyConnection(rig.server, { everyMs: 5000, downMs: 1000 });
    await rig.clock.advance(5000);
    assert.equal(stateOf(client), 'reconnecting');
    await rig.clock.advance(4000);
    assert.equal(stateOf(client), 'open');
    await rig.clock.advance(5000); // t = 14 s: the second drop (10 s) is over too
    assert.equal(stateOf(client), 'open');
    assert.equal(rig.server.sent('welcome').length, 3);
    scenario.stop();
    const opens = states.filter((s) => s === 'open').length;
    await rig.clock.advance(60_000);
    assert.equal(states.filter((s) => s === 'open').length, opens);
    rig.close();
  });
});

describe('FakeServer field rules', () => {
  it('keeps refusing a mutation id its field rules refused, as the server does, whatever the rules are by then', async () => {
    const clock = new ManualClock();
    const server = new FakeServer({ clock });
    server.entities.put({ type: 'customer', id: '42', fields: { email: 'a@x.test', phone: '1' } });
    let readOnly = ['email'];
    server.entities.readOnlyFields = () => readOnly;
    const { socket, received } = await rawSocket(server, clock);
    sendHello(socket, { id: 'ada', name: 'Ada' });
    await clock.flush();
    const save = (id: string) =>
      socket.send(
        JSON.stringify({
          type: 'entity.update',
          id,
          mutationId: 'refused-mutation-1',
          entityType: 'customer',
          entityId: '42',
          baseVersion: 1,
          fields: { email: 'b@x.test', phone: '2' },
        }),
      );
    const answer = (id: string) =>
      received.find((f) => (f as { replyTo?: string }).replyTo === id) as Record<string, unknown>;
    save('u1');
    await clock.flush();
    assert.equal(answer('u1')['code'], 'forbidden');
    // The rules allow email again (or the same id came under older ones): still refused.
    readOnly = [];
    save('u2');
    await clock.flush();
    assert.equal(answer('u2')['code'], 'forbidden');
    assert.deepEqual(answer('u2')['errors'], { email: 'read-only for you' });
    assert.equal(server.entities.get('customer', '42')?.version, 1, 'nothing applied');
  });
});
