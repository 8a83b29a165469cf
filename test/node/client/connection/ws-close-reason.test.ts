/**
 * The client on Node's `ws` giving up a socket the server left open, with a reason longer than
 * the 123 bytes (UTF-8) a close frame carries: a server's refusal in another language
 * (`sign-in refused (forbidden: …)`). `close()` throws on such a reason, in `ws` as in a browser:
 * the socket must still be closed, not left open with no one listening.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { RealtimeClient } from '../../../../src/client/index.js';
import { waitFor } from '../../../../src/testing/index.js';
import { listenPort } from '../../../services/free-port.js';
import { realClientOptions } from '../../helpers/real-client.js';

/** A refusal in Japanese: 32 characters, 96 bytes; with `sign-in refused (forbidden: …)`, 125. */
const REFUSAL = 'この顧客へのアクセスは拒否されました。管理者に連絡してください。';

describe('a ws socket given up with a long reason', () => {
  let server: WebSocketServer;
  let url: string;
  /** Each connection's close as the server saw it. */
  const closes: Promise<{ code: number; reason: string }>[] = [];

  before(async () => {
    const port = await listenPort();
    server = new WebSocketServer({ port, host: '127.0.0.1' });
    await new Promise<void>((done) => server.once('listening', () => done()));
    // The port it listens on: `listenPort` is 0 (any) unless the run was given a range.
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    server.on('connection', (socket) => {
      closes.push(
        new Promise((done) =>
          socket.once('close', (code, reason) => done({ code, reason: reason.toString() })),
        ),
      );
      // Refuse the hello for good, and leave the socket open: the client closes it.
      socket.once('message', () =>
        socket.send(JSON.stringify({ type: 'error', code: 'forbidden', message: REFUSAL })),
      );
    });
  });

  after(async () => {
    for (const socket of server.clients) socket.terminate();
    await new Promise<void>((done) => server.close(() => done()));
  });

  it('is closed, its reason cut short', async () => {
    const sockets: WebSocket[] = [];
    const client = new RealtimeClient(
      realClientOptions(url, {
        devUser: { id: 'ada', name: 'A' },
        socketFactory: (u) => {
          const socket = new WebSocket(u);
          sockets.push(socket);
          return socket;
        },
      }),
    );
    try {
      await waitFor(() => client.status.state === 'closed', {
        what: 'the refusal',
        timeout: 20_000,
      });
      assert.equal(client.status.state === 'closed' && client.status.refusal?.message, REFUSAL);
      assert.equal(sockets.length, 1);
      assert.notEqual(sockets[0]!.readyState, WebSocket.OPEN, 'the socket is left open');
      const { code, reason } = await closes[0]!;
      assert.equal(code, 1000);
      assert.ok(Buffer.byteLength(reason) <= 123, reason);
      assert.ok(`sign-in refused (forbidden: ${REFUSAL})`.startsWith(reason), reason);
      assert.ok(reason.length >= 41, reason);
    } finally {
      client.close();
    }
  });
});
