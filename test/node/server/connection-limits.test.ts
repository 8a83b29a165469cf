/**
 * Ceilings on sockets: per client address while their handshake is in flight (429 at the upgrade,
 * so one address cannot hold thousands of sockets that never say hello), and per user once past
 * it (a valid token cannot open sockets without end). Both free their place when a socket moves
 * on or closes, and the client retries past either with backoff.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { PROTOCOL_VERSION } from '../../../src/protocol/index.js';
import { ConnectionCounts } from '../../../src/server/connection-counts.js';
import { loadConfig } from '../../../src/server/config.js';
import { metrics, TestClient, until } from '../helpers/server-client.js';
import { alice, bob, startHarness, type Harness } from '../helpers/server-harness.js';

/** Opens a socket without saying hello; resolves with it once open, or with the refusal status. */
function openSilent(url: string): Promise<WebSocket | { status: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      res.resume();
    });
    ws.once('open', () => resolve(ws));
    ws.on('error', (error) => {
      if (!/Unexpected server response/.test(String(error))) reject(error);
    });
  });
}

/** A TCP socket that sent half a request line and no more (each one a descriptor held). */
async function halfRequest(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  await once(socket, 'connect');
  socket.write('GET /healthz HT');
  return socket;
}

/** Whether `/healthz` answers on a new socket, or the server closes that socket unanswered. */
async function healthAnswers(port: number): Promise<boolean> {
  try {
    // Not kept alive: a pooled socket would hold a place of its own.
    const res = await fetch(`http://127.0.0.1:${port}/healthz`, {
      headers: { connection: 'close' },
    });
    return res.ok;
  } catch {
    return false;
  }
}

describe('socket ceilings', () => {
  let h: Harness | undefined;
  const sockets: WebSocket[] = [];
  afterEach(async () => {
    for (const ws of sockets.splice(0)) ws.terminate();
    await h?.close();
    h = undefined;
  });

  test('an address with too many handshakes in flight gets 429 until one of them moves on', async () => {
    h = await startHarness({ limits: { maxHandshakesPerAddress: 3 } });
    for (let i = 0; i < 3; i++) {
      const ws = await openSilent(h.url);
      assert.ok(ws instanceof WebSocket, `socket ${i + 1} of 3 is accepted`);
      sockets.push(ws);
    }
    assert.deepEqual(await openSilent(h.url), { status: 429 });
    assert.match(await metrics(h.server.port), /^crm_handshakes_over_limit_total 1$/m);

    // A socket that completes its handshake no longer counts: another may start.
    sockets[0]!.send(
      JSON.stringify({
        type: 'hello',
        id: 'h',
        v: PROTOCOL_VERSION,
        clientId: 'c',
        devUser: alice,
      }),
    );
    await new Promise((resolve) => sockets[0]!.once('message', resolve));
    const fourth = await openSilent(h.url);
    assert.ok(fourth instanceof WebSocket, 'a place freed by a welcome is taken again');
    sockets.push(fourth);
    assert.deepEqual(await openSilent(h.url), { status: 429 });

    // Nor does one that closed.
    sockets[1]!.close();
    const server = h.server;
    await until(() => server.stats().connections === 3, 5000, 'the closed socket is gone');
    const fifth = await openSilent(h.url);
    assert.ok(fifth instanceof WebSocket, 'a place freed by a close is taken again');
    sockets.push(fifth);
  });

  test('an address holding too many plain HTTP sockets has the next one closed; its WebSockets do not count', async () => {
    // Without the ceiling, 20,000 such sockets from one address left the process no descriptor
    // to accept anyone else's.
    h = await startHarness({ limits: { maxHttpSocketsPerAddress: 3 } });
    const { port } = h.server;
    for (let i = 0; i < 4; i++) await h.connect(bob, `device-${i}`);
    const held: Socket[] = [];
    try {
      for (let i = 0; i < 3; i++) held.push(await halfRequest(port));
      assert.equal(await healthAnswers(port), false);
      assert.equal(h.server.metrics.httpSocketsOverLimit, 1);
      held.pop()!.destroy();
      // A place is free once the server has seen the close; each refusal before it is at once.
      let answered = false;
      for (let i = 0; i < 200 && !answered; i++) answered = await healthAnswers(port);
      assert.equal(answered, true);
      assert.match(await metrics(port), /^crm_http_sockets_over_limit_total [1-9]\d*$/m);
    } finally {
      for (const socket of held) socket.destroy();
    }
  });

  test('a refused upgrade is let go once answered, though its client keeps its side open', async () => {
    // Ending only the server's side of a refused upgrade (a 403 here; a 429 or 503 alike) left
    // the socket held for as long as the client kept its own open: one descriptor per refusal,
    // counted against the address's ceiling until then.
    h = await startHarness({
      limits: { maxHttpSocketsPerAddress: 3 },
      allowedOrigins: ['https://crm.example.com'],
    });
    const held: Socket[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        // Half-open allowed: the server's end of its side does not end this one's.
        const socket = connect({ port: h.server.port, host: '127.0.0.1', allowHalfOpen: true });
        socket.on('error', () => {});
        held.push(socket);
        await once(socket, 'connect');
        socket.write(
          'GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
            'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
            'Origin: https://elsewhere.example\r\n\r\n',
        );
        const [answer] = (await once(socket, 'data')) as [Buffer];
        assert.match(answer.toString('latin1'), /^HTTP\/1\.1 403 /);
      }
      // The three refused sockets, still open on the clients' side, no longer hold the address.
      const deadline = Date.now() + 5000;
      while (!(await healthAnswers(h.server.port))) {
        assert.ok(Date.now() < deadline, 'the refused sockets are let go');
      }
    } finally {
      for (const socket of held) socket.destroy();
    }
  });

  test('a trusted proxy is not held to the plain HTTP socket ceiling', async () => {
    h = await startHarness({ limits: { maxHttpSocketsPerAddress: 3 }, trustProxy: 'loopback' });
    const held: Socket[] = [];
    try {
      for (let i = 0; i < 5; i++) held.push(await halfRequest(h.server.port));
      assert.equal(await healthAnswers(h.server.port), true);
    } finally {
      for (const socket of held) socket.destroy();
    }
  });

  test('a user past the ceiling is refused after hello with rate_limited and 1013; others are not', async () => {
    h = await startHarness({ limits: { maxConnectionsPerUser: 2 } });
    const first = await h.connect(alice, 'tab-1');
    await h.connect(alice, 'tab-2');
    const third = await h.open();
    third.send({ type: 'hello', id: 'h3', v: PROTOCOL_VERSION, clientId: 'tab-3', devUser: alice });
    const refusal = await third.next((f) => 'replyTo' in f && f.replyTo === 'h3');
    assert.equal(refusal.type, 'error');
    assert.equal(refusal.type === 'error' && refusal.code, 'rate_limited');
    assert.equal((await third.closed).code, 1013);
    assert.match(await metrics(h.server.port), /^crm_user_connections_over_limit_total 1$/m);

    // Another user is not affected, and a closed socket frees its user's place.
    await h.connect(bob);
    first.ws.close();
    await first.closed;
    const server = h.server;
    await until(() => server.stats().connections === 2, 5000, 'the first tab is gone');
    await h.connect(alice, 'tab-4');
  });

  test('refused handshakes do not hold places of their user or address', async () => {
    h = await startHarness({ limits: { maxConnectionsPerUser: 1, maxHandshakesPerAddress: 1 } });
    for (let i = 0; i < 3; i++) {
      const client = await TestClient.open(h.url);
      h.clients.push(client);
      client.send({ type: 'hello', id: 'h', v: PROTOCOL_VERSION + 1, clientId: 'c' });
      assert.equal((await client.closed).code, 1002);
    }
    const server = h.server;
    await until(() => server.stats().connections === 0, 5000, 'the refused sockets are gone');
    await h.connect(alice);
  });

  test('ConnectionCounts: a ceiling of 0 is none, and a key back at zero holds no entry', () => {
    const none = new ConnectionCounts(0);
    for (let i = 0; i < 1000; i++) assert.equal(none.take('a'), true);
    const two = new ConnectionCounts(2);
    assert.equal(two.take('a'), true);
    assert.equal(two.take('a'), true);
    assert.equal(two.take('a'), false);
    assert.equal(two.of('a'), 2);
    two.release('a');
    two.release('a');
    two.release('a');
    assert.equal(two.of('a'), 0);
    assert.equal(two.take('a'), true);
  });

  test('CRM_MAX_HANDSHAKES_PER_ADDRESS and CRM_MAX_CONNECTIONS_PER_USER set the ceilings', () => {
    const defaults = loadConfig(['--dev'], {}).limits;
    assert.equal(defaults.maxHandshakesPerAddress, 256);
    assert.equal(defaults.maxConnectionsPerUser, 100);
    const set = loadConfig(['--dev'], {
      CRM_MAX_HANDSHAKES_PER_ADDRESS: '0',
      CRM_MAX_CONNECTIONS_PER_USER: '7',
    }).limits;
    assert.equal(set.maxHandshakesPerAddress, 0);
    assert.equal(set.maxConnectionsPerUser, 7);
    assert.throws(() => loadConfig(['--dev'], { CRM_MAX_CONNECTIONS_PER_USER: 'many' }), /integer/);
  });
});
