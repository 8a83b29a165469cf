/**
 * The client against the reference server over real sockets (`ws`): the same protocol reading on
 * both ends. Real time, bounded waits; the fake-server tests cover the timing paths.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  RealtimeClient,
  type RealtimeClientOptions,
  type ResumeInfo,
  type RoomMessage,
} from '../../../src/client/index.js';
import { SignJWT } from 'jose';
import { WebSocket } from 'ws';
import { createServer, type RealtimeServer } from '../../../src/server/server.js';
import { ManualClock } from '../../../src/testing/index.js';
import { AuthorizationUnavailable } from '../../../src/server/authorize.js';
import { realClientOptions, RealServerSuite, waitFor } from '../helpers/real-client.js';

const ROOM = 'customer:42';
const WAIT_MS = 3000;
const TEN_MINUTES = 10 * 60_000;

/** Resolve when `check` holds, polling briefly; fail after WAIT_MS. */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('RealtimeClient against the reference server', () => {
  let server: RealtimeServer;
  let url: string;
  const clients: RealtimeClient[] = [];

  before(async () => {
    server = createServer({ auth: { devIdentities: true }, quiet: true, graceMs: 15_000 });
    const { port } = await server.listen(0, '127.0.0.1');
    url = `ws://127.0.0.1:${port}/realtime`;
  });

  after(async () => {
    clients.forEach((c) => c.close());
    await server.close();
  });

  function client(id: string, clientId = `${id}-device`): RealtimeClient {
    const c = new RealtimeClient(
      realClientOptions(url, { devUser: { id, name: id.toUpperCase() }, clientId }),
    );
    clients.push(c);
    return c;
  }

  it('connects, joins, sees one person per user and exchanges events', async () => {
    const ada = client('ada');
    const bob = client('bob');
    const bobTab2 = client('bob'); // same device, second tab
    const presence = ada.presence(ROOM);
    bob.joinRoom(ROOM);
    bobTab2.joinRoom(ROOM);
    const seen: RoomMessage[] = [];
    ada.on('note', (m) => seen.push(m));
    await until(() => [ada, bob, bobTab2].every((c) => c.status.state === 'open'), 'open');
    assert.equal(ada.user?.id, 'ada');
    await until(() => presence.snapshot().people.length === 2, 'two people');
    await until(
      () => presence.snapshot().people.find((p) => p.user.id === 'bob')?.connections === 2,
      'bob with two tabs',
    );
    await until(() => bob.lastSeq(ROOM) !== undefined, 'bob joined');
    await bob.emit(ROOM, 'note', { text: 'hello' });
    await until(() => seen.length === 1, 'the note');
    assert.equal(seen[0]!.from, 'bob');
    assert.deepEqual(seen[0]!.payload, { text: 'hello' });
  });

  it('resumes after a dropped socket with exactly the missed events', async () => {
    const carol = client('carol');
    const dave = client('dave');
    carol.joinRoom('deal:7');
    dave.joinRoom('deal:7');
    const seen: number[] = [];
    const resumes: ResumeInfo[] = [];
    carol.on('n', (m) => seen.push(m.payload as number));
    carol.onResume((r) => resumes.push(r));
    await until(() => resumes.length === 1 && dave.lastSeq('deal:7') !== undefined, 'joined');
    await dave.emit('deal:7', 'n', 1);
    await until(() => seen.length === 1, 'first event');
    carol.close(); // stands in for a network drop; reconnect below resumes from lastSeq
    await dave.emit('deal:7', 'n', 2);
    await dave.emit('deal:7', 'n', 3);
    carol.connect();
    await until(() => resumes.length === 2, 'resume');
    await dave.emit('deal:7', 'n', 4);
    await until(() => seen.length === 4, 'all events');
    assert.deepEqual(seen, [1, 2, 3, 4]);
    assert.deepEqual(resumes[1], { room: 'deal:7', resume: 'replayed', missed: 2 });
  });

  it('presence status and activity reach the others', async () => {
    const erin = client('erin');
    const frank = client('frank');
    const mine = erin.presence('page:/customers');
    const theirs = frank.presence('page:/customers');
    await until(() => theirs.snapshot().people.length === 2, 'both present');
    mine.setActivity({ kind: 'editing', field: 'email' });
    erin.setPresenceStatus('away');
    await until(() => {
      const e = theirs.snapshot().people.find((p) => p.user.id === 'erin');
      return e?.status === 'away' && e.activity.kind === 'editing';
    }, 'erin away and editing');
  });
});

describe('RealtimeClient with expiring tokens on the reference server', () => {
  const SECRET = 'test-secret-of-sufficient-length-for-hs256';
  let server: RealtimeServer;
  let url: string;
  const clients: RealtimeClient[] = [];

  before(async () => {
    server = createServer({ auth: { jwtSecret: SECRET }, quiet: true, graceMs: 15_000 });
    const { port } = await server.listen(0, '127.0.0.1');
    url = `ws://127.0.0.1:${port}/realtime`;
  });

  after(async () => {
    clients.forEach((c) => c.close());
    await server.close();
  });

  /** A token for `sub` that expires `seconds` from now (JWT times are whole seconds). */
  function token(sub: string, seconds: number): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ name: sub.toUpperCase() })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(sub)
      .setIssuedAt(now)
      .setExpirationTime(now + seconds)
      .sign(new TextEncoder().encode(SECRET));
  }

  it('a connection whose token expires comes back with a fresh one, resumed, never seen leaving', async () => {
    let issued = 0;
    const gina = new RealtimeClient(
      realClientOptions(url, {
        clientId: 'gina-device',
        getToken: () => {
          issued += 1;
          // The first token lives one to two seconds; the next ones an hour.
          return token('gina', issued === 1 ? 2 : 3600);
        },
      }),
    );
    const hank = new RealtimeClient(
      realClientOptions(url, { clientId: 'hank-device', getToken: () => token('hank', 3600) }),
    );
    clients.push(gina, hank);
    const resumes: ResumeInfo[] = [];
    gina.onResume((r) => resumes.push(r));
    gina.joinRoom(ROOM);
    const seen = hank.presence(ROOM);
    let together = false;
    let dropped = false;
    seen.subscribe((s) => {
      if (s.people.length === 2) together = true;
      else if (together) dropped = true;
    });
    await until(() => seen.snapshot().people.length === 2, 'both present');
    const messages: unknown[] = [];
    gina.on('note', (m) => messages.push(m.payload));

    // The server closes Gina's socket when her token expires; she fetches another and resumes.
    const deadline = Date.now() + 6000;
    while (issued < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(issued, 2, 'a fresh token was asked for');
    await until(() => gina.status.state === 'open' && resumes.length === 2, 'gina back');
    assert.equal(resumes[1]!.resume, 'replayed');
    await hank.emit(ROOM, 'note', 'after');
    await until(() => messages.length === 1, 'an event after the reconnect');
    assert.equal(dropped, false, 'hank never saw gina leave');
    assert.equal(seen.snapshot().people.length, 2);
  });
});

describe('RealtimeClient refused by the reference server', () => {
  const SECRET = 'test-secret-of-sufficient-length-for-hs256';
  let server: RealtimeServer;
  let url: string;
  const clients: RealtimeClient[] = [];

  before(async () => {
    server = createServer({
      auth: { jwtSecret: SECRET, devIdentities: true },
      quiet: true,
      graceMs: 15_000,
    });
    const { port } = await server.listen(0, '127.0.0.1');
    url = `ws://127.0.0.1:${port}/realtime`;
  });

  after(async () => {
    clients.forEach((c) => c.close());
    await server.close();
  });

  /**
   * A client whose timers run on a manual clock (so no retry can hide in real time) and which
   * counts the sockets it opens.
   */
  function refusedClient(options: Partial<RealtimeClientOptions>) {
    const clock = new ManualClock();
    const opened = { sockets: 0 };
    const client = new RealtimeClient(
      realClientOptions(url, {
        clock,
        socketFactory: (u) => {
          opened.sockets += 1;
          return new WebSocket(u);
        },
        ...options,
      }),
    );
    clients.push(client);
    return { client, clock, opened };
  }

  it('a development identity with a javascript: avatar is refused for good, with the reason', async () => {
    const { client, clock, opened } = refusedClient({
      devUser: { id: 'ivy', name: 'Ivy', avatarUrl: 'javascript:alert(1)' },
    });
    await until(() => client.status.state === 'closed', 'the refusal');
    const status = client.status;
    assert.equal(status.state, 'closed');
    assert.deepEqual(status.state === 'closed' && status.refusal, {
      code: 'bad_frame',
      message: 'invalid avatar URL',
    });
    // Ten minutes of the client's timers run, and none opens another socket: no retry loop.
    await clock.advance(TEN_MINUTES);
    assert.equal(opened.sockets, 1);
    assert.equal(client.status.state, 'closed');
  });

  it('a refused token is retried once with a fresh one, then refused for good', async () => {
    let issued = 0;
    const { client, clock, opened } = refusedClient({
      getToken: () => {
        issued += 1;
        return 'not-a-jwt';
      },
    });
    await until(() => client.status.state === 'reconnecting', 'the first refusal');
    await clock.advance(1000); // the retry (reconnectInterval 50 ms), not the connect timeout
    await until(() => client.status.state === 'closed', 'the second refusal');
    const status = client.status;
    assert.deepEqual(status.state === 'closed' && status.refusal, {
      code: 'invalid_token',
      message: 'token is malformed',
    });
    await clock.advance(TEN_MINUTES);
    assert.equal(issued, 2);
    assert.equal(opened.sockets, 2);
    assert.equal(client.status.state, 'closed');
  });
});

describe('a join the server could not decide now', () => {
  // The hook cannot reach the CRM's authorization twice, then answers.
  let outages = 2;
  const suite = new RealServerSuite({
    auth: { devIdentities: true },
    quiet: true,
    authorize: ({ room }) => {
      if (room === 'customer:77' && outages > 0) {
        outages--;
        throw new AuthorizationUnavailable('the CRM did not answer');
      }
      return true;
    },
  });
  before(() => suite.start());
  after(() => suite.stop());

  it('is sent again after a backoff until it is joined, and the room works', async () => {
    const ivy = suite.client('ivy', 'ivy-device', { reconnectInterval: 20 });
    const errors: string[] = [];
    ivy.onError((e) => errors.push(e.code));
    const resumed: ResumeInfo[] = [];
    ivy.onResume((info) => resumed.push(info));
    ivy.joinRoom('customer:77');
    await waitFor(() => resumed.some((r) => r.room === 'customer:77'), 'the join after the outage');
    assert.deepEqual(errors, ['backend_unavailable', 'backend_unavailable']);
    assert.equal(outages, 0);
    const got: unknown[] = [];
    ivy.on('note', (m) => got.push(m.payload));
    await ivy.emit('customer:77', 'note', 'after the outage');
    await waitFor(() => got.length === 1, 'the event in the room joined late');
  });

  it('a refusal (forbidden) is final: not sent again', async () => {
    let asked = 0;
    const refusing = new RealServerSuite({
      auth: { devIdentities: true },
      quiet: true,
      authorize: ({ room }) => {
        if (room !== 'customer:78') return true;
        asked++;
        return false;
      },
    });
    await refusing.start();
    try {
      const jo = refusing.client('jo', 'jo-device', { reconnectInterval: 1 });
      const errors: string[] = [];
      jo.onError((e) => errors.push(e.code));
      const joined: string[] = [];
      jo.onResume((info) => joined.push(info.room));
      jo.joinRoom('customer:78');
      jo.joinRoom('customer:79');
      await waitFor(() => errors.length === 1, 'the refusal');
      // Rooms joined and an event acknowledged after the refusal: a retry, which would come
      // within a millisecond, had its turn.
      await waitFor(() => joined.includes('customer:79'), 'the other room');
      await jo.emit('customer:79', 'note', 'later');
      assert.deepEqual(errors, ['forbidden']);
      assert.equal(asked, 1);
    } finally {
      await refusing.stop();
    }
  });
});

describe('presence the server dropped under its rate limit', () => {
  const suite = new RealServerSuite({
    auth: { devIdentities: true },
    quiet: true,
    limits: { maxMessagesPerSecond: 5 },
  });
  before(() => suite.start());
  after(() => suite.stop());

  it('goes again, so the others do not see a field still being edited', async () => {
    const kim = suite.client('kim');
    const lea = suite.client('lea');
    const mine = kim.presence('customer:88');
    const theirs = lea.presence('customer:88');
    await waitFor(() => theirs.snapshot().people.length === 2, 'both present');
    const dropped: string[] = [];
    kim.onError((e) => dropped.push(e.code));
    // Faster than the server's 5 frames a second: most of these are dropped, the last among them.
    for (let i = 0; i < 12; i++) mine.setActivity({ kind: 'editing', field: `f${i}` });
    mine.setActivity({ kind: 'viewing' });
    await waitFor(() => dropped.includes('rate_limited'), 'a presence frame dropped');
    await waitFor(() => {
      const seen = theirs.snapshot().people.find((p) => p.user.id === 'kim');
      return seen?.activity.kind === 'viewing';
    }, 'kim seen viewing, her last presence, once the rate allowed it');
  });
});
