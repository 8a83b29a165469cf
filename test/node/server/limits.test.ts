import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { systemClock } from '../../../src/server/clock.js';
import { silentLogger } from '../../../src/server/log.js';
import { ServerMetrics } from '../../../src/server/metrics.js';
import { LocalRevocations } from '../../../src/server/revocations.js';
import { UserControl } from '../../../src/server/user-control.js';
import { PreparedFrame } from '../../../src/server/wire.js';
import { fakeSocketConnection } from '../helpers/fake-server-socket.js';
import { TestClient, until } from '../helpers/server-client.js';
import { alice, bob, startHarness, type Harness } from '../helpers/server-harness.js';

describe('server limits', () => {
  let h: Harness;
  afterEach(() => h.close());

  test('an oversized frame is answered with frame_too_large and the connection stays usable', async () => {
    h = await startHarness();
    const a = await h.connect(alice);
    await a.join('r:1');
    a.send({ type: 'emit', id: 'big', room: 'r:1', event: 'x', payload: 'x'.repeat(70 * 1024) });
    const error = await a.next((f) => f.type === 'error');
    assert.equal(error.type === 'error' && error.code, 'frame_too_large');
    await a.sync();
    assert.equal(a.ofType('event').length, 0);
    const ack = await a.request({ type: 'emit', id: 'small', room: 'r:1', event: 'x', payload: 1 });
    assert.equal(ack.type, 'ack');
  });

  test('a frame far beyond the limit is cut off by the socket with 1009', async () => {
    h = await startHarness();
    const a = await h.connect(alice);
    a.sendRaw('x'.repeat(1024 * 1024));
    assert.equal((await a.waitClosed()).code, 1009);
  });

  test('malformed JSON and unknown frames get bad_frame; the connection stays usable', async () => {
    h = await startHarness();
    const a = await h.connect(alice);
    a.sendRaw('{"type":"join", nope');
    const notJson = await a.next((f) => f.type === 'error');
    assert.equal(notJson.type === 'error' && notJson.code, 'bad_frame');

    a.send({ type: 'join', id: 'j-bad', room: 'has spaces!' });
    const invalid = await a.next((f) => f.type === 'error' && f.replyTo === 'j-bad');
    assert.equal(invalid.type === 'error' && invalid.code, 'bad_frame');
    // The message says which field failed and why, not just "Invalid input".
    assert.match(invalid.type === 'error' ? invalid.message : '', /room/);
    assert.match(invalid.type === 'error' ? invalid.message : '', /Invalid string/i);

    a.send({ type: 'teleport', id: 't1' });
    const unknown = await a.next((f) => f.type === 'error' && f.replyTo === 't1');
    assert.equal(unknown.type === 'error' && unknown.code, 'bad_frame');

    a.sendRaw(Buffer.from([1, 2, 3]));
    await a.sync();
    assert.equal(a.ofType('error').length, 4);
    assert.equal(a.ws.readyState, a.ws.OPEN);
    assert.equal(h.server.metrics.handlerFailures, 0);
  });

  test('a short burst over the rate is dropped with rate_limited, then the connection recovers', async () => {
    h = await startHarness({ limits: { maxMessagesPerSecond: 10 } });
    const a = await h.connect(alice);
    h.clock.advanceSync(1000); // refill after the hello
    for (let i = 0; i < 15; i++) a.send({ type: 'ping', t: i });
    await until(() => a.frames.length >= 16);
    assert.equal(a.ofType('pong').length, 10);
    assert.equal(a.ofType('error').filter((e) => e.code === 'rate_limited').length, 5);
    h.clock.advanceSync(1000);
    await a.sync();
    assert.equal(a.ws.readyState, a.ws.OPEN);
  });

  test('a request dropped by the rate limit is answered with rate_limited and its id', async () => {
    h = await startHarness({ limits: { maxMessagesPerSecond: 5 } });
    const a = await h.connect(alice);
    await a.join('customer:42');
    h.clock.advanceSync(1000);
    for (let i = 0; i < 5; i++) a.send({ type: 'ping', t: i });
    // Over the rate: the client is owed an answer, not a 15 s wait for its timeout.
    const reply = await a.request({ type: 'join', id: 'join-over-rate', room: 'customer:7' });
    assert.equal(reply.type, 'error');
    assert.equal(reply.type === 'error' && reply.code, 'rate_limited');
    assert.equal(reply.type === 'error' && reply.replyTo, 'join-over-rate');
    h.clock.advanceSync(1000);
    const again = await a.request({ type: 'join', id: 'join-again', room: 'customer:7' });
    assert.equal(again.type, 'joined', JSON.stringify(again));
  });

  test("a user's sockets together are held to four sockets' rate; another user is not", async () => {
    // 5 frames a second per socket (its hello took one), 20 for the user: without the user's
    // bound, 100 sockets of one token sent 5,000 a second, reads of the activity log among them.
    h = await startHarness({ limits: { maxMessagesPerSecond: 5 } });
    const sockets: TestClient[] = [];
    for (let i = 0; i < 8; i++) sockets.push(await h.connect(bob, `device-${i}`));
    const answers = await Promise.all(
      sockets.flatMap((socket, i) =>
        [0, 1, 2, 3].map((j) => socket.request({ type: 'call.config', id: `c${i}-${j}` })),
      ),
    );
    const limited = answers.filter((f) => f.type === 'error' && f.code === 'rate_limited');
    assert.equal(answers.length - limited.length, 20);
    assert.equal(limited.length, 12);
    const other = await h.connect(alice);
    assert.equal((await other.request({ type: 'call.config', id: 'a1' })).type, 'call.config');
  });

  test('a sustained flood is closed with 1008', async () => {
    h = await startHarness({ limits: { maxMessagesPerSecond: 10, maxRateViolations: 50 } });
    const a = await h.connect(alice);
    const b = await h.connect(bob);
    for (let i = 0; i < 500; i++) a.send({ type: 'ping', t: i });
    const closed = await a.waitClosed();
    assert.equal(closed.code, 1008);
    assert.ok(a.ofType('pong').length <= 10);
    // Others are unaffected.
    await b.sync();
  });

  test('a socket that does not answer pings is dropped; one that does stays', async () => {
    h = await startHarness({ heartbeatMs: 30_000 });
    const silent = await TestClient.connect(h.url, { user: alice }, { autoPong: false });
    h.clients.push(silent);
    const lively = await h.connect(bob);

    h.clock.advanceSync(30_000); // ping
    await silent.wsRoundTrip();
    await lively.wsRoundTrip(); // the automatic pong is in before the next tick
    h.clock.advanceSync(30_000); // no pong from silent: dropped
    await silent.waitClosed();
    await lively.sync();
    assert.equal(h.server.metrics.heartbeatTimeouts, 1);
    assert.equal(h.server.stats().connections, 1);
  });

  test('a member that stops reading is dropped once its send buffer passes the limit', async () => {
    h = await startHarness({
      limits: { maxBufferedBytes: 256 * 1024, maxMessagesPerSecond: 1000 },
    });
    const publisher = await h.connect(alice);
    await publisher.join('r:1');
    const stuck = await h.connect(bob);
    await stuck.join('r:1');
    (stuck.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const chunk = 'x'.repeat(60 * 1024);
    for (let i = 0; i < 200 && h.server.metrics.slowConsumers === 0; i++) {
      await publisher.request({
        type: 'emit',
        id: `e${i}`,
        room: 'r:1',
        event: 'x',
        payload: chunk,
      });
    }
    assert.equal(h.server.metrics.slowConsumers, 1);
    await until(() => h.server.stats().connections === 1);
    await publisher.sync(); // the publisher is unaffected
  });

  test("a user whose many sockets all stop reading is dropped at the user's limit, each under its own", async () => {
    // Each socket may hold 64 MiB unsent; the user's four together 1 MiB.
    h = await startHarness({
      limits: {
        maxBufferedBytes: 64 * 1024 * 1024,
        maxUserBufferedBytes: 1024 * 1024,
        maxMessagesPerSecond: 1000,
      },
    });
    const publisher = await h.connect(alice);
    await publisher.join('r:1');
    for (let i = 0; i < 4; i++) {
      const stuck = await h.connect(bob, `device-${i}`);
      await stuck.join('r:1');
      (stuck.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    }
    const chunk = 'x'.repeat(60 * 1024);
    // 24 MB to each socket at most: far under its own limit, far over the user's with what the
    // kernel's buffers take.
    for (let i = 0; i < 400 && h.server.metrics.slowConsumers === 0; i++) {
      await publisher.request({
        type: 'emit',
        id: `e${i}`,
        room: 'r:1',
        event: 'x',
        payload: chunk,
      });
    }
    assert.ok(h.server.metrics.slowConsumers >= 1);
    await until(() => h.server.stats().connections < 5);
    await publisher.sync(); // the publisher is unaffected
  });

  test('a client ping is answered with a pong carrying the same t', async () => {
    h = await startHarness();
    const a = await h.connect(alice);
    const pong = await a.request({ type: 'join', id: 'j', room: 'r:p' }).then(() => {
      a.send({ type: 'ping', t: 12345 });
      return a.upcoming((f) => f.type === 'pong');
    });
    assert.deepEqual(pong, { type: 'pong', t: 12345 });
  });
});

describe("a user's unsent data", () => {
  /** Sockets of bob over peers that read nothing, held to 8 MiB each and 1 MiB together. */
  function bobsSockets(ids: readonly string[]) {
    const users = new UserControl({
      clock: systemClock,
      log: silentLogger,
      metrics: new ServerMetrics(),
      revocations: new LocalRevocations(),
      revocationTtlMs: 3_600_000,
      authorizeCallback: undefined,
      recheckRooms: () => Promise.resolve(0),
      redisBus: undefined,
    });
    const limits = { maxBufferedBytes: 8 << 20, maxUserBufferedBytes: 1 << 20 };
    return ids.map((id) => {
      const socket = fakeSocketConnection({ id, limits, stalled: true, users, describe: () => '' });
      socket.connection.user = { id: 'bob', name: 'Bob' };
      users.add(socket.connection);
      return socket;
    });
  }

  const event = (bytes: number) =>
    PreparedFrame.of({
      type: 'event',
      room: 'r:1',
      seq: 1,
      event: 'x',
      payload: 'x'.repeat(bytes),
      at: 0,
    });

  test("past the user's limit the socket holding the most is dropped, not the one written to", () => {
    // A tab that read nothing for minutes holds 900 KiB; a healthy one is written a 200 KiB
    // replay at once. The healthy one was dropped, and its reconnect's replay dropped it again.
    const [stuck, healthy] = bobsSockets(['stuck', 'healthy']);
    for (let i = 0; i < 9; i++) stuck!.connection.writePrepared(event(100 * 1024));
    assert.equal(stuck!.log.includes('terminate'), false);
    for (let i = 0; i < 2; i++) healthy!.connection.writePrepared(event(100 * 1024));
    assert.equal(stuck!.log.at(-1), 'terminate');
    assert.equal(healthy!.log.includes('terminate'), false);
    assert.equal(healthy!.connection.isOpen, true);
  });

  test("a socket dropped for the user's limit no longer counts against the user's others", () => {
    // Its bytes stay in its buffer until it is closed: counted, every socket of the user written
    // a share in the same turn went after it.
    const [first, second, third] = bobsSockets(['first', 'second', 'third']);
    first!.connection.writePrepared(event(200 * 1024));
    second!.connection.writePrepared(event(900 * 1024));
    assert.equal(second!.log.at(-1), 'terminate');
    third!.connection.writePrepared(event(100 * 1024));
    first!.connection.writePrepared(event(100 * 1024));
    assert.equal(third!.connection.isOpen, true);
    assert.equal(first!.connection.isOpen, true);
  });

  test('a socket closing with its close frame behind what it holds still counts, and is let go', () => {
    // Closed by the server (a token expired, a flood), it holds its unsent bytes until its peer
    // answers the close or ws gives up on it, 30 s later.
    const [closing, healthy] = bobsSockets(['closing', 'healthy']);
    for (let i = 0; i < 9; i++) closing!.connection.writePrepared(event(100 * 1024));
    closing!.connection.close(1008, 'rate limit abuse');
    for (let i = 0; i < 2; i++) healthy!.connection.writePrepared(event(100 * 1024));
    assert.equal(closing!.log.at(-1), 'terminate');
    assert.equal(healthy!.connection.isOpen, true);
  });
});
