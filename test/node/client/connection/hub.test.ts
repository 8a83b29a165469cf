/**
 * One socket per browser, in Node: tabs (clients on `SharedTransport`) linked to a `ConnectionHub`
 * that holds one socket to the fake server. Tabs share the socket and still count in presence,
 * answers reach the tab that asked, a closing tab leaves its rooms, the last one closes the
 * socket, a tab joining a room others hold misses nothing, and after the hub's tab dies the others
 * take over on a new hub with resume: no event lost and a queued save sent once.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type {
  ConnectionStatus,
  RealtimeClient,
  RoomMessage,
  SocketLike,
} from '../../../../src/client/index.js';
import { ConnectionHub } from '../../../../src/client/connection/hub.js';
import { SharedTransport } from '../../../../src/client/connection/shared-transport.js';
import type {
  HubMessage,
  TabMessage,
  TransportFactory,
} from '../../../../src/client/connection/transport.js';
import type {
  ConnectionEvents,
  ConnectionOptions,
} from '../../../../src/client/connection/socket.js';
import type { ClientFrame, ServerFrame } from '../../../../src/protocol/index.js';
import { createRig, DEMO_USER, type Rig } from '../../../../src/testing/index.js';
import { ManualClock } from '../../../../src/testing/manual-clock.js';

const ROOM = 'customer:42';
const bob = { id: 'bob', name: 'Bob' };

/** A hub on the rig's fake server whose socket a test can kill, as when its tab dies. */
function hubOn(rig: Rig) {
  const sockets: SocketLike[] = [];
  let dead = false;
  const hub = new ConnectionHub({
    clock: rig.clock,
    random: () => 0.5,
    socketFactory: (url) => {
      const socket = rig.server.socketFactory(url);
      sockets.push(socket);
      return socket;
    },
  });
  return {
    hub,
    get dead() {
      return dead;
    },
    /** The tab holding the hub died: its socket closes without a word, nothing more is heard. */
    kill() {
      dead = true;
      for (const socket of sockets) socket.close(1001, 'tab closed');
    },
  };
}

type HubHandle = ReturnType<typeof hubOn>;

/** Link a tab's transport to a hub, in-process, as a port would. */
function link(transport: SharedTransport, target: HubHandle): void {
  const port = { post: (message: HubMessage) => !target.dead && transport.deliver(message) };
  transport.use({
    post: (message: TabMessage) =>
      !target.dead && target.hub.receive(transport.tabKey, port, message),
    close: () => {},
  });
}

/** Tabs of one browser: clients whose transport reaches `current()` hub. */
function browser(rig: Rig, current: () => HubHandle) {
  const transports: SharedTransport[] = [];
  let n = 0;
  const transport: TransportFactory = (options: ConnectionOptions, events: ConnectionEvents) => {
    const shared = new SharedTransport(options, events, `tab-${++n}`, (t) => ({
      start: () => link(t, current()),
      stop: () => {},
    }));
    transports.push(shared);
    return shared;
  };
  return {
    transports,
    tab: (): RealtimeClient => rig.client({ transport, clientId: 'ada-laptop' }),
  };
}

const peopleConnections = (rig: Rig) =>
  rig.server.people(ROOM).find((p) => p.user.id === DEMO_USER.id)?.connections;

describe('shared connection: tabs on one socket', () => {
  it('five tabs make one socket and count as five tabs in presence', async () => {
    const rig = createRig();
    const h = hubOn(rig);
    const tabs = browser(rig, () => h);
    const clients = Array.from({ length: 5 }, () => tabs.tab());
    for (const client of clients) client.joinRoom(ROOM);
    await rig.clock.flush();
    assert.equal(rig.server.connections, 1, 'one socket');
    assert.equal(peopleConnections(rig), 5, 'five tabs in presence');
    const bobs = rig.client({ devUser: bob, clientId: 'bob-phone' });
    const presence = bobs.presence(ROOM);
    await rig.clock.advance(20);
    assert.equal(
      presence.snapshot().people.find((p) => p.user.id === DEMO_USER.id)?.connections,
      5,
    );
    assert.deepEqual(
      clients.map((c) => c.status.state),
      ['open', 'open', 'open', 'open', 'open'],
    );
    rig.close();
  });

  it('answers reach the tab that asked, though tabs number their requests alike', async () => {
    const rig = createRig();
    const h = hubOn(rig);
    const tabs = browser(rig, () => h);
    const [a, b] = [tabs.tab(), tabs.tab()];
    a.joinRoom(ROOM);
    b.joinRoom(ROOM);
    await rig.clock.flush();
    const emits = [a.emit(ROOM, 'note', 'from a'), b.emit(ROOM, 'note', 'from b')];
    await rig.clock.flush();
    await Promise.all(emits);
    const ids = rig.server.received('emit').map((f) => f.id);
    assert.equal(new Set(ids).size, 2, `distinct ids on the wire: ${ids.join(', ')}`);
    rig.close();
  });

  it('a closing tab leaves its rooms: presence drops by one; the last tab closes the socket', async () => {
    const rig = createRig();
    const h = hubOn(rig);
    const tabs = browser(rig, () => h);
    const clients = Array.from({ length: 3 }, () => tabs.tab());
    for (const client of clients) client.joinRoom(ROOM);
    await rig.clock.flush();
    assert.equal(peopleConnections(rig), 3);
    clients[0]!.close();
    await rig.clock.flush();
    assert.equal(rig.server.received('leave').length, 1);
    assert.equal(peopleConnections(rig), 2, 'one tab fewer');
    const heard: string[] = [];
    clients[1]!.on('note', (m) => heard.push(String(m.payload)));
    rig.server.broadcast(ROOM, 'note', 'still here');
    await rig.clock.flush();
    assert.deepEqual(heard, ['still here'], 'the other tabs stay in the room');
    assert.equal(rig.server.connections, 1);
    clients[1]!.close();
    clients[2]!.close();
    await rig.clock.flush();
    assert.equal(rig.server.connections, 0, 'the last tab closed the socket');
    assert.equal(h.hub.tabCount, 0);
    rig.close();
  });
});

describe('shared connection: a hole in a room sequence', () => {
  it('each tab fills it by joining again through the hub: every event once, in order', async () => {
    const rig = createRig();
    const h = hubOn(rig);
    const tabs = browser(rig, () => h);
    const clients = [tabs.tab(), tabs.tab()];
    const seen = clients.map((client) => {
      const payloads: number[] = [];
      client.joinRoom(ROOM);
      client.on('*', (m) => payloads.push(m.payload as number));
      return payloads;
    });
    await rig.clock.flush();
    rig.server.broadcast(ROOM, 'n', 1);
    rig.server.blackhole(true); // lost on the way to the socket, kept by the server
    rig.server.broadcast(ROOM, 'n', 2);
    rig.server.blackhole(false);
    rig.server.broadcast(ROOM, 'n', 3);
    await rig.clock.flush();
    rig.server.broadcast(ROOM, 'n', 4);
    await rig.clock.flush();
    assert.deepEqual(seen, [
      [1, 2, 3, 4],
      [1, 2, 3, 4],
    ]);
    assert.deepEqual(
      rig.server.received('join').map((join) => join.since),
      [undefined, undefined, 1, 1],
    );
    rig.close();
  });
});

describe('shared connection: takeover', () => {
  it('a tab that outlives the hub resumes on the next: no event lost, a queued save sent once', async () => {
    const rig = createRig({ server: { graceMs: 15_000 } });
    rig.server.entities.put({ type: 'customer', id: '42', fields: { name: 'Acme' } });
    let h = hubOn(rig);
    const tabs = browser(rig, () => h);
    const [, second, third] = [tabs.tab(), tabs.tab(), tabs.tab()];
    const heard: Record<string, number[]> = { second: [], third: [] };
    second!.on('note', (m: RoomMessage) => heard['second']!.push(m.seq));
    third!.on('note', (m: RoomMessage) => heard['third']!.push(m.seq));
    const live = second!.liveData({ entityType: 'customer', entityId: '42' });
    third!.joinRoom(ROOM);
    await rig.clock.flush();
    rig.server.broadcast(ROOM, 'note', 1);
    await rig.clock.flush();

    h.kill(); // the first tab, holding the socket, closes
    await rig.clock.flush();
    rig.server.broadcast(ROOM, 'note', 2); // while nobody holds a socket
    // Saved before the tab learns the socket is gone: into the void, kept with its mutation id.
    const outcome = live.update({ name: 'Acme Corp' });

    h = hubOn(rig); // the next tab in line starts a hub; the others attach to it
    link(tabs.transports[1]!, h);
    link(tabs.transports[2]!, h);
    await rig.clock.flush();
    assert.equal((await outcome).state, 'confirmed');
    assert.deepEqual(heard, { second: [1, 2], third: [1, 2] }, 'the missed event replayed once');
    const updates = rig.server.received('entity.update');
    assert.equal(updates.length, 1, 'the queued save went once');
    assert.equal(rig.server.entities.get('customer', '42')?.fields['name'], 'Acme Corp');
    assert.equal(rig.server.sent('joined').at(-1)?.resume, 'replayed');
    assert.equal(rig.server.connections, 1);
    assert.equal(peopleConnections(rig), 2, 'two tabs left, no leave shown in between');
    rig.close();
  });
});

/** Runs the clock timer by timer until `done()` holds (a minute of fake time at most). */
async function runUntil(rig: Rig, done: () => boolean): Promise<void> {
  const limit = rig.clock.now() + 60_000;
  await rig.clock.flush();
  while (!done()) {
    const next = rig.clock.nextTimerAt();
    assert.ok(next !== undefined && next <= limit, 'reached within a minute');
    await rig.clock.advance(next - rig.clock.now());
  }
}

describe('shared connection: a dead link', () => {
  it("a tab's save on a link that died unnoticed: the hub probes it, every tab hears at once, the save goes once", async () => {
    const rig = createRig();
    rig.server.entities.put({ type: 'customer', id: '42', fields: { name: 'Acme' } });
    const h = hubOn(rig);
    const tabs = browser(rig, () => h);
    const [first, second] = [tabs.tab(), tabs.tab()];
    const live = second!.liveData({ entityType: 'customer', entityId: '42' });
    first!.joinRoom(ROOM);
    await rig.clock.advance(5_000); // open a while: the shared link is quiet
    rig.server.blackhole(true); // the network died; the hub's socket got no close
    const savedAt = rig.clock.now();
    const outcome = live.update({ name: 'Acme Corp' });
    await runUntil(rig, () => first!.status.state !== 'open' && second!.status.state !== 'open');
    assert.ok(rig.clock.now() - savedAt <= 5_000, 'given up within probeTimeout of the save');
    assert.equal(live.changes.at(-1)?.queued, true, 'the save waits, shown as such');

    rig.server.blackhole(false);
    await runUntil(rig, () => live.changes.at(-1)?.state === 'confirmed');
    assert.equal((await outcome).state, 'confirmed');
    assert.equal(rig.server.received('entity.update').length, 1, 'sent once, on the new socket');
    assert.equal(rig.server.entities.get('customer', '42')?.version, 2);
    assert.equal(rig.server.connections, 1);
    rig.close();
  });
});

/** A hub over a scripted connection, to drive the order of frames exactly. */
function scriptedHub(clock?: ManualClock) {
  const sent: ClientFrame[] = [];
  let events!: ConnectionEvents;
  let options!: ConnectionOptions;
  let open = false;
  let refused = false;
  let retries = 0;
  const hub = new ConnectionHub({
    ...(clock ? { clock } : {}),
    connection: (o, e) => {
      options = o;
      events = e;
      return {
        get status(): ConnectionStatus {
          if (refused) return { state: 'closed', reason: 'sign-in refused' };
          return open ? { state: 'open', since: 0 } : { state: 'connecting', attempt: 1 };
        },
        get isOpen() {
          return open;
        },
        connect: () => {},
        retryNow: () => {
          retries += 1;
        },
        close: () => {},
        send: (frame) => void sent.push(frame),
      };
    },
  });
  const tab = (key: string) => {
    const got: HubMessage[] = [];
    const port = { post: (m: HubMessage) => void got.push(m) };
    const say = (message: TabMessage) => hub.receive(key, port, message);
    return {
      got,
      say,
      frames: () =>
        got.flatMap((m) => (m.kind === 'frame' ? [JSON.parse(m.text) as ServerFrame] : [])),
    };
  };
  const server = (frame: ServerFrame) => events.onFrame(frame, JSON.stringify(frame));
  const opened = () => {
    open = true;
    events.onOpen({
      type: 'welcome',
      replyTo: 'hello-1',
      v: 1,
      connectionId: 'c1',
      user: DEMO_USER,
      heartbeatMs: 30_000,
      limits: {
        maxFrameBytes: 65_536,
        maxRoomsPerConnection: 100,
        maxMessagesPerSecond: 100,
        maxPresenceBytes: 2048,
      },
    });
  };
  /** The socket asks the hub for a token, as before each connect. */
  const token = () => options.getToken!() as Promise<string | undefined>;
  /** The socket stopped on a refused sign-in (status `closed`, no more retries). */
  const refuse = () => {
    open = false;
    refused = true;
    events.onDown('sign-in refused');
  };
  return {
    hub,
    sent,
    tab,
    server,
    opened,
    token,
    refuse,
    get retries() {
      return retries;
    },
  };
}

const settings = {
  url: 'fake://',
  clientId: 'd',
  devUser: DEMO_USER,
  tokens: false,
  reconnectInterval: 1000,
  maxReconnectInterval: 30_000,
  maxReconnectAttempts: Infinity,
  heartbeatInterval: 30_000,
  heartbeatTimeout: 10_000,
  probeTimeout: 5000,
  connectTimeout: 20_000,
  online: true,
  visible: true,
};

const event = (seq: number): ServerFrame => ({
  type: 'event',
  room: ROOM,
  seq,
  event: 'note',
  payload: seq,
  at: 0,
});

/** The hub with two tabs, `a` and `b`, attached and its socket open. */
function twoTabsOpen() {
  const s = scriptedHub();
  const a = s.tab('a');
  const b = s.tab('b');
  a.say({ kind: 'attach', tab: 'a', settings });
  b.say({ kind: 'attach', tab: 'b', settings });
  s.opened();
  return { s, a, b };
}

/** The server's answer to a join of `ROOM` with no one in it. */
const joined = (
  replyTo: string,
  seq: number,
  resume: 'none' | 'replayed' = 'none',
  missed = 0,
): ServerFrame => ({ type: 'joined', replyTo, room: ROOM, seq, resume, missed, people: [] });

describe('shared connection: routing in the hub', () => {
  it('a tab joining a room others hold gets its events after its joined, not before', () => {
    const { s, a, b } = twoTabsOpen();
    a.say({ kind: 'frame', frame: { type: 'join', id: 'join-1', room: ROOM } });
    const joinA = s.sent.at(-1) as Extract<ClientFrame, { type: 'join' }>;
    s.server(joined(joinA.id, 3));
    b.say({ kind: 'frame', frame: { type: 'join', id: 'join-1', room: ROOM } });
    const joinB = s.sent.at(-1) as Extract<ClientFrame, { type: 'join' }>;
    assert.notEqual(joinA.tab, joinB.tab, 'each tab is its own member');
    assert.notEqual(joinA.id, joinB.id);
    s.server(event(4)); // live, while b's join is in flight
    s.server({ type: 'presence.diff', room: ROOM, upsert: [], remove: ['gone'] });
    assert.deepEqual(
      b.frames().map((f) => f.type),
      [],
      'nothing before joined',
    );
    s.server(joined(joinB.id, 4));
    s.server(event(5));
    assert.deepEqual(
      b
        .frames()
        .map((f) =>
          f.type === 'event' ? `event ${f.seq}` : `${f.type} ${'replyTo' in f ? f.replyTo : ''}`,
        ),
      ['joined join-1', 'event 5'],
      'joined with its own id, then live events newer than it',
    );
    assert.deepEqual(
      a.frames().map((f) => f.type),
      ['joined', 'event', 'presence.diff', 'event'],
    );
  });

  it('a tab resuming while others hold the room gets live and replayed events in seq order, once', () => {
    const { s, a, b } = twoTabsOpen();
    a.say({ kind: 'frame', frame: { type: 'join', id: 'j', room: ROOM } });
    const joinA = s.sent.at(-1) as Extract<ClientFrame, { type: 'join' }>;
    s.server(joined(joinA.id, 2));
    b.say({ kind: 'frame', frame: { type: 'join', id: 'j', room: ROOM, since: 2 } });
    const joinB = s.sent.at(-1) as Extract<ClientFrame, { type: 'join' }>;
    s.server(event(5)); // live for a, while the server reads b's replay
    s.server(event(3)); // b's replay
    s.server(event(4));
    s.server(event(5));
    s.server(joined(joinB.id, 5, 'replayed', 3));
    assert.deepEqual(
      b.frames().map((f) => (f.type === 'event' ? f.seq : f.type)),
      [3, 4, 5, 'joined'],
      'as the server sends a replay: in order, before joined',
    );
  });

  it('counts a room per tab: a tab leaving is one leave for that tab; a vanished tab leaves too', () => {
    const { s, a, b } = twoTabsOpen();
    a.say({ kind: 'frame', frame: { type: 'join', id: 'j', room: ROOM } });
    b.say({ kind: 'frame', frame: { type: 'join', id: 'j', room: ROOM } });
    b.say({ kind: 'frame', frame: { type: 'join', id: 'k', room: 'customer:43' } });
    const wireTab = (s.sent[0] as { tab: string }).tab;
    a.say({ kind: 'frame', frame: { type: 'leave', id: 'l', room: ROOM } });
    assert.deepEqual(s.sent.at(-1), {
      type: 'leave',
      id: s.sent.at(-1) && (s.sent.at(-1) as { id: string }).id,
      room: ROOM,
      tab: wireTab,
    });
    s.hub.detach('b'); // b's lock was released: it is gone
    const leaves = s.sent
      .filter((f) => f.type === 'leave')
      .map((f) => (f as { room: string }).room);
    assert.deepEqual(leaves, [ROOM, ROOM, 'customer:43']);
    assert.deepEqual([...s.hub.heldRooms()], [['a', []]]);
  });

  it('a room the server took the socket out of reaches every tab in it, and no tab holds it after', () => {
    const { s, a, b } = twoTabsOpen();
    a.say({ kind: 'frame', frame: { type: 'join', id: 'j', room: ROOM } });
    s.server(joined((s.sent.at(-1) as { id: string }).id, 2));
    b.say({ kind: 'frame', frame: { type: 'join', id: 'j', room: ROOM } });
    s.server(joined((s.sent.at(-1) as { id: string }).id, 2));
    s.server({
      type: 'error',
      code: 'forbidden',
      message: 'no longer allowed to join this room',
      room: ROOM,
      removed: true,
    });
    for (const tab of [a, b]) {
      const last = tab.frames().at(-1);
      assert.equal(last?.type === 'error' && last.removed, true);
    }
    assert.deepEqual(
      [...s.hub.heldRooms()],
      [
        ['a', []],
        ['b', []],
      ],
    );
    const sent = s.sent.length;
    s.hub.detach('b'); // nothing to leave: the server already took the tab out
    assert.equal(s.sent.length, sent);
  });
});

describe('shared connection: tokens', () => {
  /** An unsigned JWT naming `sub` (the hub reads the subject; the server checks signatures). */
  const jwt = (sub: string) =>
    ['{"alg":"HS256"}', JSON.stringify({ sub, exp: 2e9 }), 'signature']
      .map((part, i) => (i < 2 ? Buffer.from(part).toString('base64url') : part))
      .join('.');

  it('a token of the person the tabs signed in as is used; one naming someone else is refused', async () => {
    const s = scriptedHub();
    const a = s.tab('a');
    a.say({ kind: 'attach', tab: 'a', settings: { ...settings, tokens: true, subject: 'ana' } });

    const first = s.token();
    const request = a.got.find((m) => m.kind === 'token-request');
    assert.ok(request?.kind === 'token-request');
    a.say({ kind: 'token', id: request.id, token: jwt('ana') });
    assert.equal(await first, jwt('ana'));

    // Ana signed out and Ben signed in, in another tab: Ana's socket must not reconnect as Ben.
    const second = s.token();
    const again = a.got.findLast((m) => m.kind === 'token-request');
    assert.ok(again?.kind === 'token-request' && again.id !== request.id);
    a.say({ kind: 'token', id: again.id, token: jwt('ben') });
    await assert.rejects(second, { name: 'RealtimeError', code: 'invalid_token' });
  });

  it('a tab that left a token request unanswered (frozen without notice) is not asked first again', async () => {
    const s = scriptedHub();
    const a = s.tab('a');
    const b = s.tab('b');
    a.say({ kind: 'attach', tab: 'a', settings: { ...settings, tokens: true } });
    b.say({ kind: 'attach', tab: 'b', settings: { ...settings, tokens: true } });

    void s.token(); // the socket's attempt asks the latest tab, which never answers
    assert.equal(b.got.filter((m) => m.kind === 'token-request').length, 1);
    // The attempt timed out; the next one asks a tab that answers, and gets a token.
    const next = s.token();
    const request = a.got.findLast((m) => m.kind === 'token-request');
    assert.ok(request?.kind === 'token-request', 'the other tab is asked');
    a.say({ kind: 'token', id: request.id, token: jwt('ana') });
    assert.equal(await next, jwt('ana'));
  });
});

describe('shared connection: a closed tab leaves for sure', () => {
  it("a closed tab's leave dropped by the server's rate limit is sent again until it lands", async () => {
    const clock = new ManualClock();
    const s = scriptedHub(clock);
    const a = s.tab('a');
    const b = s.tab('b');
    a.say({ kind: 'attach', tab: 'a', settings });
    b.say({ kind: 'attach', tab: 'b', settings });
    s.opened();
    b.say({ kind: 'frame', frame: { type: 'join', id: 'join-1', room: ROOM } });
    const join = s.sent.at(-1) as Extract<ClientFrame, { type: 'join' }>;
    s.server(joined(join.id, 1));

    b.say({ kind: 'detach' }); // tab b closes while the tabs' frames are over the socket's rate
    const leave = s.sent.at(-1) as Extract<ClientFrame, { type: 'leave' }>;
    assert.deepEqual([leave.type, leave.room, leave.tab], ['leave', ROOM, join.tab]);
    s.server({
      type: 'error',
      code: 'rate_limited',
      message: 'more than 50 frames per second; frame dropped',
      replyTo: leave.id,
    });
    const before = s.sent.length;
    await clock.advance(5_000);
    assert.equal(s.sent.length, before + 1, 'the leave went again');
    const again = s.sent.at(-1) as Extract<ClientFrame, { type: 'leave' }>;
    assert.deepEqual([again.type, again.room, again.tab], ['leave', ROOM, join.tab]);
    s.server({ type: 'left', replyTo: again.id, room: ROOM });
    const count = s.sent.length;
    await clock.advance(60_000);
    assert.equal(s.sent.length, count, 'nothing more once it left');
    assert.deepEqual(a.frames(), [], 'the other tab hears nothing of it');
  });
});

describe('shared connection: signing in again', () => {
  it('a tab attaching to a hub whose socket stopped on a refused sign-in makes it try again', () => {
    const s = scriptedHub();
    const a = s.tab('a');
    a.say({ kind: 'attach', tab: 'a', settings: { ...settings, tokens: true } });
    s.opened();
    s.refuse(); // signed out: the socket stopped on the refusal; tab a shows it
    assert.equal(s.retries, 0);

    const b = s.tab('b'); // signed in again, in a new tab
    b.say({ kind: 'attach', tab: 'b', settings: { ...settings, tokens: true } });
    assert.equal(s.retries, 1, "the socket tries again, with the new tab's token");
  });
});

describe("shared connection: the socket's rate", () => {
  it("tabs' frames go out at 4/5 of the socket's limit, in order, so a burst of rejoins is not dropped", async () => {
    // 18 tabs joining their rooms again after a reconnect sent ~250 frames at once: the server
    // dropped all past its limit and, past about 100 drops, closed the socket for abuse; the
    // tabs rejoined at once again on the next socket, over and over.
    const clock = new ManualClock();
    const s = scriptedHub(clock);
    const a = s.tab('a');
    a.say({ kind: 'attach', tab: 'a', settings });
    s.opened(); // the server's limit: 100 a second
    const emits = () => s.sent.filter((f) => f.type === 'emit').map((f) => f.payload);
    for (let i = 0; i < 200; i++) {
      a.say({ kind: 'frame', frame: { type: 'emit', room: ROOM, event: 'n', payload: i } });
    }
    assert.equal(emits().length, 80, 'a burst of 80 at once');
    await clock.advance(500);
    const half = emits().length;
    assert.ok(half > 110 && half <= 120, `80 a second after it: ${half} after half a second`);
    await clock.advance(1_100);
    assert.deepEqual(
      emits(),
      Array.from({ length: 200 }, (_, i) => i),
      'all of them, in the order sent',
    );
  });

  it('frames waiting their turn when the socket drops are not sent on the next one', async () => {
    const clock = new ManualClock();
    const s = scriptedHub(clock);
    const a = s.tab('a');
    a.say({ kind: 'attach', tab: 'a', settings });
    s.opened();
    for (let i = 0; i < 100; i++) {
      a.say({ kind: 'frame', frame: { type: 'emit', room: ROOM, event: 'n', payload: i } });
    }
    s.refuse(); // the socket went down: the tab is told and sends again itself
    s.opened();
    await clock.advance(5_000);
    assert.equal(s.sent.filter((f) => f.type === 'emit').length, 80, 'only what went before');
  });
});
