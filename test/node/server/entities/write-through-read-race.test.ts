/**
 * A record the CRM changes while the server is reading it for the first time (read-through): the
 * backend's `GET` answered with the values from before its change, and the backend then publishes
 * the change through the HTTP API, as docs/webhooks.md says to (`PATCH`, or `PUT` with all the
 * fields). The change must reach the page and the cache; the read, older, must not overwrite it.
 */
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createServer, type RealtimeServer } from '../../../../src/server/server.js';
import type { Logger } from '../../../../src/server/log.js';
import { nextId, TestClient } from '../../helpers/server-client.js';

const API_KEY = 'api-key-0123456789abcdef';
const ada = { id: 'ada', name: 'Ada' };

describe('write-through: a CRM change published while the record is being read', () => {
  let backend: Server;
  let server: RealtimeServer;
  let url: string;
  let apiBase: string;
  const sockets: TestClient[] = [];
  let n = 0;
  let id: string;
  /** The GET's answer waits for this; `getArrived` resolves when the GET came in. */
  let release: () => void;
  let gate: Promise<void>;
  let getArrived: Promise<void>;
  let gotGet: () => void;
  /** Resolves when the server logs that an API write waits for the record's first read. */
  let waiting: Promise<void>;
  let writeWaits: () => void;
  const logger: Logger = {
    debug: (msg) => {
      if (msg.includes('waits for the record')) writeWaits();
    },
    info: () => {},
    warn: () => {},
    error: () => {},
  };

  before(async () => {
    backend = createHttpServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.method !== 'GET') return void res.writeHead(405).end();
        gotGet();
        // The values as the backend read them, before the CRM's change committed.
        void gate.then(() => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ fields: { name: 'Acme', phone: 'old' } }));
        });
      });
    });
    backend.listen(0, '127.0.0.1');
    await new Promise((resolve) => backend.once('listening', resolve));
    const { port: backendPort } = backend.address() as AddressInfo;
    server = createServer({
      auth: { devIdentities: true },
      logger,
      apiKeys: [API_KEY],
      entityBackend: { url: `http://127.0.0.1:${backendPort}`, timeoutMs: 5000 },
    });
    const { port } = await server.listen(0, '127.0.0.1');
    url = `ws://127.0.0.1:${port}/`;
    apiBase = `http://127.0.0.1:${port}/api`;
  });

  after(async () => {
    for (const s of sockets) s.close();
    await server.close();
    await new Promise((resolve) => backend.close(resolve));
  });

  beforeEach(() => {
    id = `race${++n}`;
    gate = new Promise((resolve) => (release = resolve));
    getArrived = new Promise((resolve) => (gotGet = resolve));
    waiting = new Promise((resolve) => (writeWaits = resolve));
  });

  /** The CRM's change through the HTTP API: fields for a PATCH or PUT, none for a DELETE. */
  function api(method: string, fields?: Record<string, string>): Promise<Response> {
    return fetch(`${apiBase}/entities/customer/${id}`, {
      method,
      headers: fields
        ? { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' }
        : { authorization: `Bearer ${API_KEY}` },
      ...(fields && { body: JSON.stringify({ fields, actor: { id: 'crm', name: 'CRM' } }) }),
    });
  }

  async function openWhileTheCrmChangesIt(method: 'PATCH' | 'PUT' | 'DELETE') {
    const socket = await TestClient.connect(url, { user: ada, clientId: nextId('ada-') });
    sockets.push(socket);
    await socket.join(`customer:${id}`);
    const snapshot = socket.request({
      type: 'entity.get',
      id: nextId('get'),
      entityType: 'customer',
      entityId: id,
    });
    await getArrived;
    // The CRM's change commits after its GET answered, and is published while the answer travels.
    const published = api(method, method === 'DELETE' ? undefined : { name: 'Acme', phone: 'new' });
    // The read's answer goes once the publish has been handled or is waiting for the read.
    await Promise.race([published, waiting]);
    release();
    const answered = await published;
    await answered.body?.cancel();
    await snapshot;
    return { socket, status: answered.status };
  }

  it('a DELETE that arrives while the GET is answered deletes the record the read stored', async () => {
    const { status } = await openWhileTheCrmChangesIt('DELETE');
    assert.equal(status, 204);
    assert.equal(await server.entities.get('customer', id), undefined);
  });

  for (const method of ['PATCH', 'PUT'] as const) {
    it(`a ${method} that arrives while the GET is answered is not lost: the cache and the page get it`, async () => {
      const { socket, status } = await openWhileTheCrmChangesIt(method);
      assert.ok(status === 200 || status === 201, `${method} answered ${status}`);
      const cached = await server.entities.get('customer', id);
      assert.equal(cached?.fields['phone'], 'new', JSON.stringify(cached));
      // A fresh read, as a page opened now would get.
      const reread = await socket.request({
        type: 'entity.get',
        id: nextId('get'),
        entityType: 'customer',
        entityId: id,
      });
      assert.equal(
        reread.type === 'entity.snapshot' && reread.entity.fields['phone'],
        'new',
        JSON.stringify(reread),
      );
    });
  }
});
