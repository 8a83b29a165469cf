/**
 * The client on Node's `ws` (the README's `socketFactory` for Node 20), dropping a socket that is
 * still connecting: on `close()` of a client, and when its connect timeout gives up on a server that
 * never answers the upgrade. `ws` reports closing a connecting socket as an `error` event, which a
 * socket with no listener throws: the Node process (a script, a worker, a test run) must not crash.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { RealtimeClient } from '../../../../src/client/index.js';
import { listenPort } from '../../../services/free-port.js';
import { realClientOptions } from '../../helpers/real-client.js';
import { waitFor } from '../../../../src/testing/index.js';

describe('a ws socket dropped while it connects', () => {
  let server: Server;
  let url: string;
  /** Upgrade requests the server holds unanswered, with a promise of each client going. */
  const held: { socket: Socket; gone: Promise<void> }[] = [];

  before(async () => {
    server = createServer();
    server.on('upgrade', (_request, socket: Socket) => {
      // Read, so the client's going is seen (\`end\`: an HTTP server's sockets are half-open).
      held.push({ socket, gone: new Promise((done) => socket.once('end', () => done())) });
      socket.resume();
    });
    const port = await listenPort();
    await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
    const address = server.address();
    url = `ws://127.0.0.1:${typeof address === 'object' && address ? address.port : port}/`;
  });

  after(async () => {
    for (const { socket } of held) socket.destroy();
    await new Promise<void>((done) => server.close(() => done()));
  });

  it('client.close() ends it without an uncaught error', async () => {
    const client = new RealtimeClient(
      realClientOptions(url, { devUser: { id: 'ada', name: 'A' } }),
    );
    const before = held.length;
    await waitFor(() => held.length > before, { what: 'the upgrade request', timeout: 20_000 });
    assert.equal(client.status.state, 'connecting');
    client.close();
    // `ws` reports the abort on the next tick, before the server sees the connection close.
    await held.at(-1)!.gone;
    assert.equal(client.status.state, 'closed');
  });

  it('a connect timeout replaces it without an uncaught error', async () => {
    const client = new RealtimeClient(
      realClientOptions(url, { devUser: { id: 'bo', name: 'B' }, connectTimeout: 50 }),
    );
    try {
      const before = held.length;
      await waitFor(() => held.length > before, { what: 'the upgrade request', timeout: 20_000 });
      await held.at(-1)!.gone;
      await waitFor(() => client.status.state === 'reconnecting', {
        what: 'reconnecting',
        timeout: 20_000,
      });
    } finally {
      client.close();
    }
  });
});
