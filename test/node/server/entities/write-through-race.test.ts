/**
 * Write-through while the CRM changes the same record itself: the backend accepts a user's save
 * and, before its answer reaches the server, its own form changes the same field and it tells the
 * server through the HTTP API (`PATCH /api/entities/…`), as docs/webhooks.md asks. The backend
 * holds the later value; the server must not store the earlier answer over it and show everyone
 * a value the CRM no longer holds. It reads the record again and stores what the backend has.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Entity, ServerFrame } from '../../../../src/protocol/index.js';
import { nextId, TestClient } from '../../helpers/server-client.js';
import { API_KEY, serverWithBackend, type BackendRig } from './backend-rig.js';

const ada = { id: 'ada', name: 'Ada' };
const bob = { id: 'bob', name: 'Bob' };

describe('write-through: the CRM changes the record while it decides a save', () => {
  let rig: BackendRig;
  let url: string;
  let id: string;
  let n = 0;
  const sockets: TestClient[] = [];
  /** The CRM's records, by `customer:<id>`. */
  const records = new Map<string, Record<string, unknown>>();
  /** Whether the CRM's GET answers (false: 503, as when it is down). */
  let readable = true;

  before(async () => {
    rig = await serverWithBackend(async (req, res, body) => {
      const [, , type, key] = (req.url ?? '').split('/');
      const record = records.get(`${type}:${key}`)!;
      if (req.method === 'GET') {
        if (!readable) return void res.writeHead(503).end();
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ fields: record }));
      }
      const save = JSON.parse(body) as { fields: Record<string, unknown> };
      // The save is stored …
      Object.assign(record, save.fields);
      // … then, before the answer leaves, someone changes the phone in the CRM's own form,
      // and the backend tells the server (and waits for it to take the change).
      record['phone'] = '+1 555-000-0002';
      const told = await fetch(`${rig.base}/api/entities/${type}/${key}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          fields: { phone: record['phone'] },
          actor: { id: 'crm', name: 'CRM desk' },
        }),
      });
      assert.equal(told.status, 200, await told.text());
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ fields: save.fields }));
    });
    url = rig.url;
  });

  after(async () => {
    for (const s of sockets) s.close();
    await rig.close();
  });

  beforeEach(() => {
    id = `race${++n}`;
    records.set(`customer:${id}`, { name: 'Acme', phone: '+1 555-000-0000' });
    readable = true;
  });

  async function connect(user: typeof ada): Promise<TestClient> {
    const socket = await TestClient.connect(url, { user, clientId: nextId(`${user.id}-`) });
    sockets.push(socket);
    await socket.join(`customer:${id}`);
    return socket;
  }

  async function cached(): Promise<Entity> {
    const res = await fetch(`${rig.base}/api/entities/customer/${id}`, {
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    return ((await res.json()) as { entity: Entity }).entity;
  }

  function savePhone(socket: TestClient, phone: string): Promise<ServerFrame> {
    return socket.request({
      type: 'entity.update',
      id: nextId('upd'),
      mutationId: nextId('mutation-'),
      entityType: 'customer',
      entityId: id,
      baseVersion: 1,
      fields: { phone },
    });
  }

  it('stores what the CRM holds last, not the earlier answer, and everyone sees it', async () => {
    const writer = await connect(ada);
    const watcher = await connect(bob);
    const ack = await savePhone(writer, '+1 555-000-0001');
    assert.equal(ack.type, 'entity.ack', JSON.stringify(ack));
    assert.equal(ack.type === 'entity.ack' && ack.entity.fields['phone'], '+1 555-000-0002');

    assert.equal(records.get(`customer:${id}`)?.['phone'], '+1 555-000-0002', 'the CRM holds');
    assert.equal((await cached()).fields['phone'], '+1 555-000-0002', 'the server shows');
    // The watcher's last word on the record is the CRM's value too.
    await watcher.sync();
    const changes = watcher.frames.filter((f) => f.type === 'event' && f.event === 'entity.change');
    const last = changes.at(-1);
    assert.equal(
      last?.type === 'event' && (last.payload as { entity: Entity }).entity.fields['phone'],
      '+1 555-000-0002',
    );
  });

  it('the record unreadable then: backend_unavailable, and the CRM’s value stays', async () => {
    const writer = await connect(ada);
    // Cached first (read-through), so the save goes to the backend.
    const loaded = await writer.request({
      type: 'entity.get',
      id: nextId('get'),
      entityType: 'customer',
      entityId: id,
    });
    assert.equal(loaded.type, 'entity.snapshot');
    readable = false;
    const answer = await savePhone(writer, '+1 555-000-0001');
    assert.equal(answer.type === 'error' && answer.code, 'backend_unavailable');
    assert.equal((await cached()).fields['phone'], '+1 555-000-0002');
  });
});
