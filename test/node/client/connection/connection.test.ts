/**
 * The connection: token on every connect (never in the URL), heartbeat and dead-socket
 * detection, immediate retry on `online` and on a visible tab, offline status, refused tokens,
 * graceful server shutdown, invalid frames, `retryNow` and `close`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RealtimeError, type ConnectionStatus } from '../../../../src/client/index.js';
import { createRig, fakeToken } from '../../../../src/testing/index.js';
import { expectState, stateOf, statusOf } from '../../helpers/client-status.js';

const ada = { id: 'ada', name: 'Ada Lovelace' };

describe('handshake and tokens', () => {
  it('calls getToken before every connect and sends the token in hello, never in the URL', async () => {
    const rig = createRig({ server: { users: [ada] } });
    const urls: string[] = [];
    let calls = 0;
    const client = rig.client({
      url: 'wss://crm.example.com/realtime',
      devUser: undefined,
      getToken: async () => {
        calls += 1;
        return fakeToken('ada');
      },
      socketFactory: (url) => (urls.push(url), rig.server.socketFactory(url)),
    });
    await rig.clock.flush();
    assert.equal(stateOf(client), 'open');
    assert.equal(client.user?.name, 'Ada Lovelace');
    rig.server.dropConnections();
    await rig.clock.advance(1000);
    rig.server.dropConnections();
    await rig.clock.advance(1000);
    assert.equal(stateOf(client), 'open');
    assert.equal(calls, 3);
    const hellos = rig.server.received('hello');
    assert.equal(hellos.length, 3);
    assert.ok(hellos.every((h) => h.token === fakeToken('ada') && h.clientId === 'fake-device'));
    assert.ok(urls.every((url) => url === 'wss://crm.example.com/realtime'));
    rig.close();
  });

  it('retries with a fresh token after the server refuses one (1008), counting the attempt', async () => {
    let valid = 'second';
    const rig = createRig({
      server: { verifyToken: (token) => (token === valid ? ada : undefined) },
    });
    const tokens = ['first', 'second'];
    const statuses: ConnectionStatus[] = [];
    const client = rig.client({ devUser: undefined, getToken: () => tokens.shift() });
    client.onStatus((s) => statuses.push(s));
    await rig.clock.flush();
    const refused = statuses.find((s) => s.state === 'reconnecting');
    assert.ok(refused && refused.state === 'reconnecting');
    assert.equal(refused.attempt, 1);
    assert.match(refused.lastError ?? '', /1008/);
    await rig.clock.advance(500);
    assert.equal(stateOf(client), 'open');
    assert.deepEqual(
      rig.server.received('hello').map((h) => h.token),
      ['first', 'second'],
    );
    valid = 'none';
    rig.close();
  });

  it('treats a throwing getToken as a failed attempt and tries again', async () => {
    const rig = createRig();
    let fail = true;
    const client = rig.client({
      getToken: () => {
        if (fail) throw new Error('auth service down');
        return undefined;
      },
    });
    await rig.clock.flush();
    assert.equal(stateOf(client), 'reconnecting');
    assert.match(expectState(client, 'reconnecting').lastError ?? '', /auth service down/);
    fail = false;
    await rig.clock.advance(500);
    assert.equal(stateOf(client), 'open');
    rig.close();
  });

  it('fails an attempt that gets no welcome within connectTimeout', async () => {
    const rig = createRig();
    rig.server.blackhole(true);
    const client = rig.client({ connectTimeout: 5000 });
    await rig.clock.advance(4999);
    assert.equal(stateOf(client), 'connecting');
    await rig.clock.advance(1);
    assert.equal(stateOf(client), 'reconnecting');
    rig.server.blackhole(false);
    await rig.clock.advance(500);
    assert.equal(stateOf(client), 'open');
    rig.close();
  });
});

describe('heartbeat', () => {
  it('pings every heartbeatInterval and stays open while answers come', async () => {
    const rig = createRig();
    const client = rig.client();
    await rig.clock.flush();
    await rig.clock.advance(29_999);
    assert.equal(rig.server.received('ping').length, 0);
    await rig.clock.advance(1);
    assert.equal(rig.server.received('ping').length, 1);
    await rig.clock.advance(5 * 30_000);
    assert.equal(rig.server.received('ping').length, 6);
    assert.equal(stateOf(client), 'open');
    assert.equal(rig.server.sent('welcome').length, 1); // never replaced
    rig.close();
  });

  it('replaces a socket that stays silent for heartbeatTimeout after a ping', async () => {
    const rig = createRig();
    const client = rig.client();
    await rig.clock.flush();
    rig.server.blackhole(true); // a dead NAT mapping: no close, no frames
    await rig.clock.advance(30_000); // ping goes out
    await rig.clock.advance(9_999);
    assert.equal(stateOf(client), 'open');
    await rig.clock.advance(1);
    assert.equal(stateOf(client), 'reconnecting');
    assert.match(expectState(client, 'reconnecting').lastError ?? '', /heartbeat/);
    assert.equal(rig.server.connections, 0); // the dead socket was closed
    rig.server.blackhole(false);
    await rig.clock.advance(500);
    assert.equal(stateOf(client), 'open');
    assert.equal(rig.server.connections, 1);
    rig.close();
  });

  it('answers the server ping with a pong carrying the same t', async () => {
    const rig = createRig();
    rig.client();
    await rig.clock.flush();
    rig.server.ping();
    await rig.clock.flush();
    const pongs = rig.server.received('pong');
    assert.equal(pongs.length, 1);
    assert.equal(pongs[0]!.t, rig.clock.now());
    rig.close();
  });

  it('checks the socket at once when a hidden tab becomes visible', async () => {
    const rig = createRig();
    const client = rig.client();
    await rig.clock.flush();
    rig.env.setVisible(false);
    rig.server.blackhole(true);
    rig.env.setVisible(true);
    assert.equal(rig.server.received('ping').length, 0); // lost in the black hole
    await rig.clock.advance(10_000);
    assert.equal(stateOf(client), 'reconnecting'); // detected in 10 s, not 40 s
    rig.close();
  });
});

describe('network and visibility', () => {
  /** Refuse connections until the retry delay has grown to 15 s. */
  async function longWait() {
    const rig = createRig();
    rig.server.refuseConnections(true);
    const client = rig.client();
    await rig.clock.advance(500 + 1000 + 2000 + 4000 + 8000);
    const status = statusOf(client);
    assert.equal(status.state, 'reconnecting');
    assert.ok(status.state === 'reconnecting' && status.nextRetryAt - rig.clock.now() >= 8000);
    rig.server.refuseConnections(false);
    return { rig, client };
  }

  it('reconnects at once when the browser comes back online', async () => {
    const { rig, client } = await longWait();
    rig.env.setOnline(false);
    assert.equal(stateOf(client), 'offline');
    await rig.clock.advance(60_000);
    assert.equal(stateOf(client), 'offline'); // no attempts while offline
    rig.env.setOnline(true);
    assert.equal(stateOf(client), 'connecting');
    await rig.clock.flush();
    assert.equal(stateOf(client), 'open');
    rig.close();
  });

  it('reconnects at once when a hidden tab becomes visible', async () => {
    const { rig, client } = await longWait();
    rig.env.setVisible(false);
    assert.equal(stateOf(client), 'reconnecting');
    rig.env.setVisible(true);
    await rig.clock.flush();
    assert.equal(stateOf(client), 'open');
    rig.close();
  });

  it('a socket whose error comes without its close still fails the attempt and is retried', async () => {
    // Chromium fires `error` and never `close` on a socket the page's Content-Security-Policy
    // blocks: the attempt must not wait for the connect timeout.
    const rig = createRig();
    let first = true;
    const client = rig.client({
      connectTimeout: 20_000,
      socketFactory: (url) => {
        if (!first) return rig.server.socketFactory(url);
        first = false;
        const socket = {
          readyState: 0,
          send() {},
          close() {},
          onopen: null,
          onmessage: null,
          onclose: null,
          onerror: null as ((ev: unknown) => void) | null,
        };
        queueMicrotask(() => {
          socket.readyState = 3;
          socket.onerror?.({});
        });
        return socket;
      },
    });
    await rig.clock.advance(0);
    const status = statusOf(client);
    assert.equal(status.state, 'reconnecting', 'failed at once, not after the connect timeout');
    assert.match(status.state === 'reconnecting' ? (status.lastError ?? '') : '', /1006/);
    await rig.clock.advance(1000);
    assert.equal(stateOf(client), 'open');
    rig.close();
  });

  it('retryNow skips the wait', async () => {
    const { rig, client } = await longWait();
    client.retryNow();
    await rig.clock.flush();
    assert.equal(stateOf(client), 'open');
    rig.close();
  });

  it('starts offline without opening a socket when the browser is offline', async () => {
    const rig = createRig();
    rig.env.setOnline(false);
    let sockets = 0;
    const client = rig.client({
      socketFactory: (url) => (sockets++, rig.server.socketFactory(url)),
    });
    await rig.clock.advance(10_000);
    assert.equal(stateOf(client), 'offline');
    assert.equal(sockets, 0);
    rig.env.setOnline(true);
    await rig.clock.flush();
    assert.equal(stateOf(client), 'open');
    rig.close();
  });

  it('goes offline at once on the offline event, even while the socket still looks open', async () => {
    const rig = createRig();
    const client = rig.client();
    client.joinRoom('customer:42');
    await rig.clock.flush();
    // The network is gone: frames vanish and no close arrives, as after pulling the cable.
    rig.server.blackhole(true);
    const pending = assert.rejects(
      client.emit('customer:42', 'x', 1),
      (e: unknown) => e instanceof RealtimeError && e.code === 'disconnected',
    );
    rig.env.setOnline(false);
    // Not after the heartbeat's 10 s: no time passes at all.
    assert.equal(stateOf(client), 'offline');
    assert.equal(rig.server.connections, 0, 'the dead socket was given up');
    await pending; // a request in flight fails now, so it can be queued or retried
    await assert.rejects(
      client.emit('customer:42', 'x', 2),
      (e: unknown) => e instanceof RealtimeError && e.code === 'not_connected',
    );
    await rig.clock.advance(60_000);
    assert.equal(stateOf(client), 'offline', 'no attempts while the browser is offline');
    rig.server.blackhole(false);
    rig.env.setOnline(true);
    assert.equal(stateOf(client), 'connecting', 'the online event tries at once');
    await rig.clock.flush();
    assert.equal(stateOf(client), 'open');
    rig.close();
  });

  it('an attempt under way when the offline event comes is given up for the offline state', async () => {
    const rig = createRig();
    rig.server.blackhole(true); // the handshake never completes
    const client = rig.client();
    await rig.clock.flush();
    assert.equal(stateOf(client), 'connecting');
    rig.env.setOnline(false);
    assert.equal(stateOf(client), 'offline');
    assert.equal(rig.server.connections, 0);
    rig.server.blackhole(false);
    rig.env.setOnline(true);
    await rig.clock.flush();
    assert.equal(stateOf(client), 'open');
    rig.close();
  });

  it('a drop while offline shows offline, not a countdown', async () => {
    const rig = createRig();
    const client = rig.client();
    await rig.clock.flush();
    rig.env.setOnline(false);
    rig.server.dropConnections();
    await rig.clock.flush();
    assert.equal(stateOf(client), 'offline');
    rig.close();
  });
});

describe('server shutdown and bad frames', () => {
  it('on bye, reconnects after a jittered delay within reconnectMs', async () => {
    const rig = createRig();
    const client = rig.client();
    await rig.clock.flush();
    rig.server.bye(8000);
    await rig.clock.flush();
    const status = statusOf(client);
    assert.equal(status.state, 'reconnecting');
    assert.equal(status.state === 'reconnecting' && status.nextRetryAt - rig.clock.now(), 4000);
    await rig.clock.advance(3999);
    assert.equal(stateOf(client), 'reconnecting');
    await rig.clock.advance(1);
    assert.equal(stateOf(client), 'open');
    rig.close();
  });

  it('drops invalid frames, warns once per kind, and keeps the connection', async () => {
    const rig = createRig();
    const client = rig.client();
    const room = client.joinRoom('customer:42');
    const seen: number[] = [];
    client.on('*', (m) => seen.push(m.seq));
    await rig.clock.flush();
    rig.server.sendRaw('not json');
    rig.server.sendRaw('still not json');
    rig.server.sendRaw(JSON.stringify({ type: 'event', room: 'customer:42', seq: 'x' }));
    rig.server.sendRaw(JSON.stringify({ type: 'event', room: 'customer:42', seq: -1 }));
    rig.server.sendRaw(JSON.stringify({ type: 'wat' }));
    rig.server.broadcast('customer:42', 'note', 'ok');
    await rig.clock.flush();
    assert.equal(stateOf(client), 'open');
    assert.deepEqual(seen, [1]);
    assert.equal(rig.warnings.length, 3, rig.warnings.join('\n'));
    assert.ok(rig.warnings.some((w) => /not-json/.test(w)));
    assert.ok(rig.warnings.some((w) => /:event/.test(w)));
    room.release();
    rig.close();
  });
});

describe('close', () => {
  it('stops for good, rejects calls and leaves no listeners behind', async () => {
    const rig = createRig();
    const client = rig.client();
    await rig.clock.flush();
    assert.ok(rig.env.listenerCount > 0);
    client.close();
    assert.equal(stateOf(client), 'closed');
    assert.equal(rig.env.listenerCount, 0);
    await rig.clock.flush();
    assert.equal(rig.server.connections, 0);
    await rig.clock.advance(10 * 60_000);
    assert.equal(stateOf(client), 'closed');
    await assert.rejects(client.emit('customer:42', 'x', 1), (e: unknown) => {
      return e instanceof RealtimeError && e.code === 'not_connected';
    });
  });

  it('retryNow connects a client that was never connected, but not one that was closed', async () => {
    const rig = createRig();
    const lazy = rig.client({ autoConnect: false });
    const closed = rig.client();
    await rig.clock.flush();
    closed.close();
    lazy.retryNow();
    closed.retryNow();
    await rig.clock.flush();
    assert.equal(stateOf(lazy), 'open');
    assert.equal(stateOf(closed), 'closed');
    closed.connect(); // an explicit connect revives it
    await rig.clock.flush();
    assert.equal(stateOf(closed), 'open');
    rig.close();
  });

  it('rejects requests in flight when the connection drops', async () => {
    const rig = createRig();
    const client = rig.client();
    client.joinRoom('customer:42');
    await rig.clock.flush();
    rig.server.setLatency(50);
    const pending = assert.rejects(
      client.emit('customer:42', 'x', 1),
      (e: unknown) => e instanceof RealtimeError && e.code === 'disconnected',
    );
    rig.server.dropConnections();
    await rig.clock.advance(50);
    await pending;
    rig.close();
  });
});
