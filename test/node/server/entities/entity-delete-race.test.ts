/**
 * Deleting a record while a save of it is under way must not bring it back. With write-through,
 * the CRM deletes the record (an erasure request) while it decides a user's save, tells the
 * server (`DELETE /api/entities/…`) and then answers the save: the server must not store that
 * answer as a new version of a record that no longer exists. Without write-through, a save and a
 * delete of one entity take turns, so the save lands before the delete (and is erased with it)
 * or after it (and finds nothing).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { nextId, TestClient } from '../../helpers/server-client.js';
import { alice, startHarness } from '../../helpers/server-harness.js';
import { API_KEY, serverWithBackend, type BackendRig } from './backend-rig.js';

describe('a delete racing a save', () => {
  let rig: BackendRig;
  let url: string;
  const sockets: TestClient[] = [];

  before(async () => {
    // A CRM that, while deciding the save, deletes the record and tells the server first.
    rig = await serverWithBackend(async (req, res) => {
      if (req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ fields: { email: 'ada@example.com' } }));
      }
      const told = await fetch(`${rig.base}/api${req.url}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${API_KEY}` },
      });
      assert.equal(told.status, 204);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
    url = rig.url;
  });

  after(async () => {
    for (const s of sockets) s.close();
    await rig.close();
  });

  it('write-through: the save the CRM answered after deleting the record gets not_found; nothing comes back', async () => {
    const socket = await TestClient.connect(url, { user: alice, clientId: nextId('alice-') });
    sockets.push(socket);
    await socket.join('customer:42');
    const read = await socket.request({
      type: 'entity.get',
      id: nextId('get'),
      entityType: 'customer',
      entityId: '42',
    });
    assert.equal(read.type, 'entity.snapshot');
    const answer = await socket.request({
      type: 'entity.update',
      id: nextId('upd'),
      mutationId: nextId('mutation-'),
      entityType: 'customer',
      entityId: '42',
      baseVersion: 1,
      fields: { email: 'ada@new.example' },
    });
    assert.ok(answer.type === 'error' && answer.code === 'not_found', JSON.stringify(answer));
    const cached = await fetch(`${rig.base}/api/entities/customer/42`, {
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    assert.equal(cached.status, 404);
    await socket.sync();
    const events = socket.frames.flatMap((f) => (f.type === 'event' ? [f.event] : []));
    assert.deepEqual(events, ['entity.deleted']);
  });

  it('without write-through: a save queued before the delete lands and is erased; one after gets not_found', async () => {
    const h = await startHarness({ apiKeys: [API_KEY] });
    try {
      const entities = h.server.entities;
      await entities.update({
        type: 'customer',
        id: '7',
        fields: { a: 1 },
        source: 'backend',
        create: true,
      });
      const before = entities.update({
        type: 'customer',
        id: '7',
        fields: { a: 2 },
        baseVersion: 1,
        source: 'client',
      });
      const deleted = entities.delete('customer', '7');
      const afterIt = entities.update({
        type: 'customer',
        id: '7',
        fields: { a: 3 },
        baseVersion: 2,
        source: 'client',
      });
      assert.equal((await before).kind, 'applied');
      assert.equal(await deleted, true);
      assert.equal((await afterIt).kind, 'not_found');
      assert.equal(await entities.get('customer', '7'), undefined);
    } finally {
      await h.close();
    }
  });
});
