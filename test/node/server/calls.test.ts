/**
 * Call signaling on the server: ICE servers from configuration, and emits addressed to one person
 * (`to`) reaching only that person's connections in the room, authorized like any emit, and for
 * a call's events (`call.*`) only between two people presence shows in the room's call.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { LIMITS, type PresenceState, type ServerFrame } from '../../../src/protocol/index.js';
import { createHmac } from 'node:crypto';
import type { IceServer } from '../../../src/protocol/index.js';
import { ConfigError, loadConfig, settingsWithoutTheirUrl } from '../../../src/server/config.js';
import { createServer } from '../../../src/server/server.js';
import { turnServer } from '../../../src/server/turn-credentials.js';
import { ManualClock } from '../../../src/testing/manual-clock.js';
import { startCoturn } from '../../services/coturn.js';
import { alice, bob, carol, startHarness, type Harness } from '../helpers/server-harness.js';
import { nextId, seesInCall, until, type TestClient } from '../helpers/server-client.js';
import { startCluster, type Cluster } from './redis/cluster.js';

/** Presence of a connection in the room's call, as `<crm-huddle>` reports it. */
const IN_CALL: PresenceState = { status: 'online', activity: { kind: 'viewing' }, inCall: true };
const NOT_IN_CALL: PresenceState = { status: 'online', activity: { kind: 'viewing' } };

/** The auditor's bare signal: a session and nothing else, which once made Ben's browser offer. */
function bareSignal(client: TestClient, room: string, to: string): Promise<ServerFrame> {
  return client.request({
    type: 'emit',
    id: nextId('sig'),
    room,
    event: 'call.signal',
    payload: { session: 'x' },
    to,
  });
}

describe('call signaling', () => {
  let h: Harness | undefined;
  afterEach(() => h?.close());

  test('an addressed emit reaches only the addressee, unsequenced, and is acknowledged', async () => {
    h = await startHarness();
    const a = await h.connect(alice);
    const b = await h.connect(bob);
    const c = await h.connect(carol);
    const joined = await a.join('customer:42', { presence: IN_CALL });
    await b.join('customer:42', { presence: IN_CALL });
    await c.join('customer:42');

    const ack = await a.request({
      type: 'emit',
      id: 's1',
      room: 'customer:42',
      event: 'call.offer',
      payload: { sdp: 'v=0' },
      to: 'bob',
    });
    assert.deepEqual(ack, { type: 'ack', replyTo: 's1' });
    const signal = await b.next((f) => f.type === 'signal');
    assert.deepEqual(signal, {
      type: 'signal',
      room: 'customer:42',
      event: 'call.offer',
      payload: { sdp: 'v=0' },
      from: 'alice',
      to: 'bob',
      at: h.clock.now(),
    });
    // Carol and Alice never see it; a broadcast after it still has the next sequence number.
    const broadcast = await a.request({
      type: 'emit',
      id: 's2',
      room: 'customer:42',
      event: 'typing',
      payload: null,
    });
    assert.deepEqual(broadcast, { type: 'ack', replyTo: 's2', seq: joined.seq + 1 });
    await c.next((f) => f.type === 'event');
    await a.next((f) => f.type === 'event');
    assert.deepEqual(
      [...a.frames, ...c.frames].filter((f) => f.type === 'signal'),
      [],
    );
  });

  test('an addressed emit whose signal would pass the frame limit is refused, as a broadcast is', async () => {
    h = await startHarness();
    const a = await h.connect(alice);
    const b = await h.connect(bob);
    await a.join('customer:42', { presence: IN_CALL });
    await b.join('customer:42', { presence: IN_CALL });
    // An emit of exactly the frame limit: the signal adds `from` and `at` to it.
    const emit = { type: 'emit', id: 'big', room: 'customer:42', event: 'call.offer', to: 'bob' };
    const room = LIMITS.maxFrameBytes - JSON.stringify({ ...emit, payload: '' }).length;
    const text = JSON.stringify({ ...emit, payload: 'x'.repeat(room) });
    assert.equal(Buffer.byteLength(text), LIMITS.maxFrameBytes);
    a.sendRaw(text);
    const answer = await a.next((f) => 'replyTo' in f && f.replyTo === 'big');
    assert.equal(answer.type === 'error' && answer.code, 'payload_too_large');
    await b.sync();
    assert.deepEqual(b.ofType('signal'), [], 'nothing over the limit reached the addressee');
    assert.ok(b.largestFrame <= LIMITS.maxFrameBytes, `${b.largestFrame} bytes`);
  });

  test('an addressed emit is authorized like any emit to the room', async () => {
    h = await startHarness({
      authorize: ({ action, room }) => !(action === 'emit' && room === 'customer:7'),
    });
    const a = await h.connect(alice);
    const b = await h.connect(bob);
    await a.join('customer:7', { presence: IN_CALL });
    await b.join('customer:7', { presence: IN_CALL });
    const answer = await a.request({
      type: 'emit',
      id: 'x',
      room: 'customer:7',
      event: 'call.offer',
      payload: {},
      to: 'bob',
    });
    assert.equal(answer.type === 'error' && answer.code, 'forbidden');
    await b.sync();
    assert.deepEqual(
      b.frames.filter((f) => f.type === 'signal'),
      [],
    );
  });

  test('a member outside the call cannot signal someone in it: refused, and nothing reaches them', async () => {
    h = await startHarness();
    const ben = await h.connect(bob);
    const mallory = await h.connect(carol);
    await ben.join('customer:42', { presence: IN_CALL });
    await mallory.join('customer:42');
    await seesInCall(mallory, 'customer:42', 'bob');

    const answer = await bareSignal(mallory, 'customer:42', 'bob');
    assert.equal(answer.type === 'error' && answer.code, 'forbidden');
    assert.equal(answer.type === 'error' && answer.room, 'customer:42');
    // Any `call.*` event, not only the kit's own.
    const offer = await mallory.request({
      type: 'emit',
      id: 'o1',
      room: 'customer:42',
      event: 'call.offer',
      payload: { sdp: 'v=0' },
      to: 'bob',
    });
    assert.equal(offer.type === 'error' && offer.code, 'forbidden');
    await ben.sync();
    assert.deepEqual(ben.ofType('signal'), []);

    // An addressed event that is not a call's goes as before.
    const other = await mallory.request({
      type: 'emit',
      id: 'w1',
      room: 'customer:42',
      event: 'whisper',
      payload: 'psst',
      to: 'bob',
    });
    assert.deepEqual(other, { type: 'ack', replyTo: 'w1' });
    await ben.next((f) => f.type === 'signal' && f.event === 'whisper');
  });

  test('someone in the call cannot signal a member outside it', async () => {
    h = await startHarness();
    const ana = await h.connect(alice);
    const ben = await h.connect(bob);
    await ana.join('customer:42', { presence: IN_CALL });
    await ben.join('customer:42');
    const answer = await bareSignal(ana, 'customer:42', 'bob');
    assert.equal(answer.type === 'error' && answer.code, 'forbidden');
    await ben.sync();
    assert.deepEqual(ben.ofType('signal'), []);
  });

  test('the call follows presence: signals go once both say so, and stop when one leaves it', async () => {
    h = await startHarness();
    const ana = await h.connect(alice);
    const ben = await h.connect(bob);
    await ana.join('customer:42');
    await ben.join('customer:42', { presence: IN_CALL });
    // Ana joins the call: her presence comes before her first signal on the same socket, so the
    // signal goes through without waiting for anyone to be told.
    ana.send({ type: 'presence', room: 'customer:42', state: IN_CALL });
    assert.deepEqual(await bareSignal(ana, 'customer:42', 'bob').then((f) => f.type), 'ack');
    await ben.next((f) => f.type === 'signal' && f.from === 'alice');

    // Ana leaves the call but stays in the room.
    ana.send({ type: 'presence', room: 'customer:42', state: NOT_IN_CALL });
    const late = await bareSignal(ana, 'customer:42', 'bob');
    assert.equal(late.type === 'error' && late.code, 'forbidden');
    const toHer = await bareSignal(ben, 'customer:42', 'alice');
    assert.equal(toHer.type === 'error' && toHer.code, 'forbidden');
  });

  test('a dropped socket keeps its person in the call through the grace period', async () => {
    h = await startHarness();
    const ana = await h.connect(alice);
    const ben = await h.connect(bob);
    await ana.join('customer:42', { presence: IN_CALL });
    await ben.join('customer:42', { presence: IN_CALL });
    ana.ws.terminate();
    const closed = () =>
      [...h!.server.metrics.connectionsClosed.values()].reduce((a, b) => a + b, 0);
    await until(() => closed() === 1, undefined, 'the server saw the socket close');
    // The media flows peer to peer meanwhile; Ben's ICE restart must still reach her once back.
    assert.equal((await bareSignal(ben, 'customer:42', 'alice')).type, 'ack');
  });

  test('call.config answers the configured ICE servers, none by default', async () => {
    h = await startHarness();
    const a = await h.connect(alice);
    assert.deepEqual(await a.request({ type: 'call.config', id: 'c1' }), {
      type: 'call.config',
      replyTo: 'c1',
      iceServers: [],
    });
    await h.close();
    const turn = { urls: ['turn:turn.example.com:3478'], username: 'u', credential: 'p' };
    h = await startHarness({ iceServers: [{ urls: 'stun:stun.example.com' }, turn] });
    const b = await h.connect(bob);
    const answer = await b.request({ type: 'call.config', id: 'c2' });
    assert.deepEqual(answer.type === 'call.config' && answer.iceServers, [
      { urls: 'stun:stun.example.com' },
      turn,
    ]);
  });

  test('CRM_ICE_SERVERS is read as JSON and checked at start', () => {
    const env = { CRM_DEV: '1' };
    assert.deepEqual(loadConfig([], env).iceServers, []);
    assert.deepEqual(
      loadConfig([], { ...env, CRM_ICE_SERVERS: '[{"urls":"stun:stun.example.com:3478"}]' })
        .iceServers,
      [{ urls: 'stun:stun.example.com:3478' }],
    );
    assert.throws(() => loadConfig([], { ...env, CRM_ICE_SERVERS: 'stun:x' }), ConfigError);
    assert.throws(() => loadConfig([], { ...env, CRM_ICE_SERVERS: '[{"url":"x"}]' }), ConfigError);
  });
});

/**
 * A TURN server taking time-limited credentials: each `call.config` is answered a username and
 * password made for its user from the shared secret, which a real coturn accepts until they
 * expire; no page ever sees the secret.
 */
describe('TURN credentials made per user', () => {
  const secret = 'turn-secret-of-the-test-1234';
  let h: Harness | undefined;
  afterEach(() => h?.close());

  const iceServersOf = async (client: TestClient): Promise<IceServer[]> => {
    const answer = await client.request({ type: 'call.config', id: nextId('cfg') });
    assert.equal(answer.type, 'call.config');
    return answer.type === 'call.config' ? answer.iceServers : [];
  };

  test('call.config adds the TURN server with credentials for the asking user, valid ttlMs', async () => {
    const stun = { urls: 'stun:stun.example.com' };
    const urls = ['turn:turn.example.com:3478', 'turns:turn.example.com:5349'];
    h = await startHarness({ iceServers: [stun], turn: { urls, secret, ttlMs: 3_600_000 } });
    const [a, b] = [await h.connect(alice), await h.connect(bob)];
    const [ana, ben] = [await iceServersOf(a), await iceServersOf(b)];
    const expires = Math.floor((h.clock.now() + 3_600_000) / 1000);
    const hmac = (username: string) => createHmac('sha1', secret).update(username).digest('base64');
    assert.deepEqual(ana, [
      stun,
      { urls, username: `${expires}:alice`, credential: hmac(`${expires}:alice`) },
    ]);
    assert.equal(ben[1]!.username, `${expires}:bob`, 'each user their own');
    assert.ok(!JSON.stringify([ana, ben]).includes(secret), 'the secret never leaves');
    // Asked again later (the next call), the credentials are made anew.
    await h.clock.advance(60_000);
    assert.equal((await iceServersOf(a))[1]!.username, `${expires + 60}:alice`);
  });

  test('a real coturn grants a relay to the credentials, and refuses them expired or forged', async (t) => {
    const coturn = await startCoturn(secret);
    t.after(() => coturn.dispose());
    h = await startHarness({
      clock: new ManualClock(Date.now()),
      turn: { urls: [coturn.url], secret, ttlMs: 600_000 },
    });
    const [turn] = await iceServersOf(await h.connect(alice));
    assert.deepEqual(turn!.urls, [coturn.url]);
    assert.equal(await coturn.allocates(turn!.username!, turn!.credential!), true);

    const expired = turnServer({ urls: [coturn.url], secret, ttlMs: 60_000 }, 'alice', 0);
    assert.equal(await coturn.allocates(expired.username!, expired.credential!), false);
    const forged = turnServer(
      { urls: [coturn.url], secret: 'another-secret-0123456789', ttlMs: 600_000 },
      'alice',
      Date.now(),
    );
    assert.equal(await coturn.allocates(forged.username!, forged.credential!), false);
  });

  test('CRM_TURN_URLS, CRM_TURN_SECRET and CRM_TURN_TTL_MS are checked at start', () => {
    const env = { CRM_DEV: '1', CRM_TURN_SECRET: secret };
    assert.equal(loadConfig([], { CRM_DEV: '1' }).turn, undefined);
    assert.deepEqual(
      loadConfig([], { ...env, CRM_TURN_URLS: ' turn:t.example.com:3478 , turns:t.example.com ' })
        .turn,
      { urls: ['turn:t.example.com:3478', 'turns:t.example.com'], secret, ttlMs: 86_400_000 },
    );
    const refused = (extra: Record<string, string>, message: RegExp) =>
      assert.throws(() => loadConfig([], { ...env, CRM_TURN_URLS: 'turn:t', ...extra }), message);
    refused(
      { CRM_TURN_URLS: 'stun:t.example.com' },
      /CRM_TURN_URLS: each URL must start with turn:/,
    );
    refused({ CRM_TURN_SECRET: 'short' }, /CRM_TURN_SECRET must have at least 16/);
    refused({ CRM_TURN_TTL_MS: '1000' }, /CRM_TURN_TTL_MS must be an integer from 60000/);
    assert.throws(
      () => createServer({ auth: { devIdentities: true }, turn: { urls: ['turn:t'], secret: '' } }),
      /createServer: turn.secret must have at least 16 characters/,
    );
    assert.deepEqual(
      settingsWithoutTheirUrl(loadConfig([], env), env).map((s) => s.variable),
      ['CRM_TURN_SECRET'],
    );
  });
});

/**
 * The same rule across processes: each process reads presence from Redis, where a person on
 * another process is in the call once that process has written it. A client signals only people
 * its own process told it were in the call, so that process has read them by then.
 */
describe('call signaling across processes (Redis presence)', () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await startCluster(2);
  });
  after(() => cluster.close());

  test('people in the call on two processes signal each other; a member outside it cannot', async () => {
    const room = 'customer:redis-call';
    const [p1, p2] = cluster.nodes;
    const ana = await p1!.connect(alice);
    const ben = await p2!.connect(bob);
    const mallory = await p1!.connect(carol);
    await ben.join(room, { presence: IN_CALL });
    await mallory.join(room);
    await ana.join(room);
    // Ana joins the call once process 1 has shown her Ben in it, as the page would.
    await seesInCall(ana, room, 'bob');
    ana.send({ type: 'presence', room, state: IN_CALL });
    assert.equal((await bareSignal(ana, room, 'bob')).type, 'ack');
    const signal = await ben.next((f) => f.type === 'signal' && f.from === 'alice');
    assert.equal(signal.type === 'signal' && signal.to, 'bob');

    // Ben answers once process 2 has told him Ana is in the call.
    await seesInCall(ben, room, 'alice');
    assert.equal((await bareSignal(ben, room, 'alice')).type, 'ack');
    await ana.next((f) => f.type === 'signal' && f.from === 'bob');

    // Mallory, on Ana's process, sees both in the call, and still cannot reach either.
    await seesInCall(mallory, room, 'alice');
    for (const to of ['bob', 'alice']) {
      const answer = await bareSignal(mallory, room, to);
      assert.equal(answer.type === 'error' && answer.code, 'forbidden', `to ${to}`);
    }
    await ben.sync();
    await ana.sync();
    assert.deepEqual(
      [...ben.ofType('signal'), ...ana.ofType('signal')].map((f) => f.from),
      ['alice', 'bob'],
    );
  });
});
