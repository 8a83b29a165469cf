/**
 * A server that closes the socket before answering: what a check waits for fails at the close,
 * with its code and reason, instead of after the whole wait for a frame that cannot come (each
 * check of `crm-realtime-conformance` against such a server took its full `--timeout`).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { main } from '../../../src/conformance/cli.js';
import { Peer, type ConformanceSocket } from '../../../src/conformance/peer.js';

let server: WebSocketServer;
let url: string;
before(async () => {
  server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  server.on('connection', (ws) => ws.close(1011, 'going away at once'));
  await once(server, 'listening');
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/realtime`;
});
after(() => server.close());

const open = (to: string) => new WebSocket(to) as unknown as ConformanceSocket;

describe('conformance: a server that closes the socket at once', () => {
  it('fails a wait for a frame at the close, saying so', { timeout: 20_000 }, async () => {
    // A wait far longer than the test may take: only the close can end it in time.
    const peer = await Peer.open(open, url, 60_000);
    const started = Date.now();
    await assert.rejects(
      peer.next((f) => f.type === 'welcome', 'welcome'),
      /the server closed the socket \(1011 "going away at once"\) before welcome/,
    );
    assert.ok(Date.now() - started < 10_000);
    // A wait started after the close fails at once too.
    await assert.rejects(
      peer.next((f) => f.type === 'pong', 'pong'),
      /closed the socket/,
    );
  });

  it(
    'the command reports it and exits 1 without waiting out --timeout',
    { timeout: 20_000 },
    async () => {
      const out: string[] = [];
      const globals = globalThis as { WebSocket?: unknown };
      const own = globals.WebSocket;
      globals.WebSocket ??= WebSocket; // Node 20 has its own only behind a flag
      try {
        const code = await main(
          ['--url', url, '--dev-users', '--only', 'heartbeat', '--timeout', '60000'],
          {},
          (text) => out.push(text),
        );
        assert.equal(code, 1, out.join(''));
      } finally {
        if (own === undefined) delete globals.WebSocket;
        else globals.WebSocket = own;
      }
      assert.match(out.join(''), /FAIL {2}heartbeat: .*closed the socket \(1011/);
    },
  );
});
