/**
 * The HTTP API over real HTTP: API-key authentication, JSON errors, the entity routes with the
 * same versioning as clients, and that a backend's change reaches the entity's room.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { Entity, EntityChange, FieldConflict } from '../../../src/protocol/index.js';
import { HttpApi } from '../../../src/server/http-api.js';
import { alice, bob, startHarness, type Harness } from '../helpers/server-harness.js';

const KEY = 'test-key-0123456789abcdef';
const OTHER_KEY = 'second-key-0123456789abcdef';
const crm = { id: 'crm', name: 'CRM backend' };

/** The union of what the routes answer, read by tests as if every key were there. */
interface ApiBody {
  error: string;
  message: string;
  entity: Entity;
  changed: string[];
  duplicate: boolean;
  conflicts: FieldConflict[];
  current: Entity;
  items: Entity[];
  total: number;
  allow: string;
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: ApiBody;
}

/** One HTTP request; the body is sent as given (string) or as JSON (anything else). */
function call(
  h: Harness,
  method: string,
  path: string,
  options: { key?: string | null; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const key = options.key === undefined ? KEY : options.key;
  const payload =
    options.body === undefined
      ? undefined
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  const headers: Record<string, string> = { ...options.headers };
  if (key !== null) headers['authorization'] ??= `Bearer ${key}`;
  if (payload !== undefined) {
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: h.server.port, method, path, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: body as ApiBody });
        });
      },
    );
    req.on('error', reject);
    // A server that refuses the body early may close before all of it is written.
    req.on('socket', (socket) => socket.on('error', () => {}));
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

describe('HTTP API: authentication and input', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ apiKeys: [KEY, OTHER_KEY] });
  });
  afterEach(() => h.close());

  test('without a key, with a wrong key or another scheme: 401 with a JSON error', async () => {
    for (const headers of <Record<string, string>[]>[
      {},
      { authorization: 'Bearer wrong-key-0123456789abcdef' },
      { authorization: `Basic ${KEY}` },
      { authorization: `Bearer ${KEY}x` },
      { authorization: 'Bearer' },
    ]) {
      const reply = await call(h, 'GET', '/api/entities/customer/42', { key: null, headers });
      assert.equal(reply.status, 401, JSON.stringify(headers));
      assert.equal(reply.body.error, 'unauthorized');
      assert.match(String(reply.headers['www-authenticate']), /^Bearer/);
    }
    // Even unknown routes say 401 first: an anonymous caller learns nothing of the API.
    assert.equal((await call(h, 'GET', '/api/nothing', { key: null })).status, 401);
  });

  test('every configured key is accepted', async () => {
    assert.equal((await call(h, 'GET', '/api/entities/customer/42')).status, 404);
    assert.equal(
      (await call(h, 'GET', '/api/entities/customer/42', { key: OTHER_KEY })).status,
      404,
    );
  });

  test('bad JSON, a body of the wrong shape, bad names: 400 saying what is wrong', async () => {
    const badJson = await call(h, 'PUT', '/api/entities/customer/42', { body: '{"fields": ' });
    assert.equal(badJson.status, 400);
    assert.equal(badJson.body.error, 'bad_json');

    const empty = await call(h, 'PUT', '/api/entities/customer/42', {
      body: '',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(empty.status, 400);

    const typo = await call(h, 'PUT', '/api/entities/customer/42', {
      body: { fields: { name: 'A' }, basVersion: 1 },
    });
    assert.equal(typo.status, 400);
    assert.equal(typo.body.error, 'bad_request');
    assert.match(typo.body.message, /basVersion/);

    const badField = await call(h, 'PUT', '/api/entities/customer/42', {
      body: { fields: { 'no spaces': 1 } },
    });
    assert.equal(badField.status, 400);

    const badVersion = await call(h, 'PATCH', '/api/entities/customer/42', {
      body: { fields: { a: 1 }, baseVersion: -1 },
    });
    assert.equal(badVersion.status, 400);

    const badActor = await call(h, 'PUT', '/api/entities/customer/42', {
      body: { fields: { a: 1 }, actor: { id: 'x', name: 'X', avatarUrl: 'javascript:alert(1)' } },
    });
    assert.equal(badActor.status, 400);

    const badType = await call(h, 'GET', '/api/entities/Customer!/42');
    assert.equal(badType.status, 400);
    assert.match(badType.body.message, /entity type/);

    const badLimit = await call(h, 'GET', '/api/entities/customer?limit=9999');
    assert.equal(badLimit.status, 400);

    // An activity item or notification with a key the API does not take is refused naming it,
    // not stored without it (a backend setting `at` would think it had set the time).
    const activityTypo = await call(h, 'POST', '/api/activity', {
      body: { kind: 'call.logged', customerId: '42', summary: 'Called', at: 1 },
    });
    assert.equal(activityTypo.status, 400);
    assert.match(activityTypo.body.message, /unknown key at/);
    const notificationTypo = await call(h, 'POST', '/api/notifications', {
      body: { target: { user: 'alice' }, title: 'Hi', mesage: 'typo' },
    });
    assert.equal(notificationTypo.status, 400);
    assert.match(notificationTypo.body.message, /unknown key mesage/);
    const fine = await call(h, 'POST', '/api/notifications', {
      body: { target: { user: 'alice' }, title: 'Hi', from: { id: 'crm', name: 'CRM' } },
    });
    assert.equal(fine.status, 201);
  });

  test('a body over 256 KiB: 413; not JSON: 415; wrong method: 405; unknown route: 404', async () => {
    const big = JSON.stringify({ fields: { notes: 'x'.repeat(300 * 1024) } });
    const tooBig = await call(h, 'PUT', '/api/entities/customer/42', { body: big });
    assert.equal(tooBig.status, 413);
    assert.equal(tooBig.body.error, 'payload_too_large');

    const form = await call(h, 'PUT', '/api/entities/customer/42', {
      body: 'fields=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(form.status, 415);

    const method = await call(h, 'DELETE', '/api/entities/customer');
    assert.equal(method.status, 405);
    assert.match(String(method.body.allow), /GET/);

    assert.equal((await call(h, 'GET', '/api/elsewhere')).status, 404);
    // The server still answers after all that.
    assert.equal((await call(h, 'GET', '/api/entities/customer')).status, 200);
  });

  test('a body streamed without content-length is still cut at the limit', async () => {
    const reply = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: h.server.port,
          method: 'PUT',
          path: '/api/entities/customer/42',
          headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.on('socket', (socket) => socket.on('error', () => {}));
      req.write('{"fields":{"notes":"');
      const chunk = 'y'.repeat(64 * 1024);
      for (let i = 0; i < 5; i++) req.write(chunk);
      req.end('"}}');
    });
    assert.equal(reply, 413);
  });
});

describe('HTTP API: entities', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ apiKeys: [KEY] });
  });
  afterEach(() => h.close());

  test('PUT creates (201), GET reads it, PUT again replaces (absent fields become null)', async () => {
    const created = await call(h, 'PUT', '/api/entities/customer/42', {
      body: { fields: { name: 'Acme', phone: '100', tier: 'gold' }, actor: crm },
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.entity.version, 1);
    assert.deepEqual(created.body.entity.updatedBy, crm);
    assert.deepEqual(created.body.changed.sort(), ['name', 'phone', 'tier']);

    const read = await call(h, 'GET', '/api/entities/customer/42');
    assert.equal(read.status, 200);
    assert.deepEqual(read.body.entity, created.body.entity);

    const replaced = await call(h, 'PUT', '/api/entities/customer/42', {
      body: { fields: { name: 'Acme', phone: '200' } },
    });
    assert.equal(replaced.status, 200);
    assert.deepEqual(replaced.body.entity.fields, { name: 'Acme', phone: '200', tier: null });
    assert.deepEqual(replaced.body.changed.sort(), ['phone', 'tier']);
    assert.equal(replaced.body.entity.version, 2);
  });

  test('PATCH changes named fields; an unknown entity is 404; without base, last writer wins', async () => {
    assert.equal(
      (await call(h, 'PATCH', '/api/entities/customer/42', { body: { fields: { a: 1 } } })).status,
      404,
    );
    await call(h, 'PUT', '/api/entities/customer/42', {
      body: { fields: { name: 'Acme', phone: '1' } },
    });
    const ws = await h.connect(alice);
    const ack = await ws.request({
      type: 'entity.update',
      id: 'u1',
      mutationId: 'mutation-ws-1',
      entityType: 'customer',
      entityId: '42',
      baseVersion: 1,
      fields: { phone: '2' },
    });
    assert.equal(ack.type, 'entity.ack');
    const patched = await call(h, 'PATCH', '/api/entities/customer/42', {
      body: { fields: { phone: '3' } },
    });
    assert.equal(patched.status, 200);
    assert.deepEqual(patched.body.entity.fields, { name: 'Acme', phone: '3' });
    assert.equal(patched.body.entity.version, 3);
  });

  test('with a base version, a field changed since is 409 with the conflicts and the current entity', async () => {
    await call(h, 'PUT', '/api/entities/customer/42', {
      body: { fields: { name: 'Acme', phone: '1' } },
    });
    const ws = await h.connect(alice);
    await ws.request({
      type: 'entity.update',
      id: 'u1',
      mutationId: 'mutation-ws-2',
      entityType: 'customer',
      entityId: '42',
      baseVersion: 1,
      fields: { phone: '2' },
    });
    const conflict = await call(h, 'PATCH', '/api/entities/customer/42', {
      body: { fields: { phone: '9', name: 'Acme SA' }, baseVersion: 1, actor: crm },
    });
    assert.equal(conflict.status, 409);
    assert.equal(conflict.body.error, 'conflict');
    assert.deepEqual(conflict.body.conflicts, [
      {
        field: 'phone',
        base: '1',
        mine: '9',
        theirs: '2',
        changedBy: alice,
        changedAt: h.clock.now(),
      },
    ]);
    assert.equal(conflict.body.current.version, 2);
    const merged = await call(h, 'PATCH', '/api/entities/customer/42', {
      body: { fields: { name: 'Acme SA' }, baseVersion: 1 },
    });
    assert.equal(merged.status, 200);
    assert.equal(merged.body.entity.version, 3);
  });

  test('a repeated mutation id is applied once and answered the same way, marked duplicate', async () => {
    await call(h, 'PUT', '/api/entities/customer/42', { body: { fields: { n: 0 } } });
    const body = { fields: { n: 1 }, mutationId: 'backend-mutation-1' };
    const first = await call(h, 'PATCH', '/api/entities/customer/42', { body });
    await call(h, 'PATCH', '/api/entities/customer/42', { body: { fields: { other: true } } });
    const again = await call(h, 'PATCH', '/api/entities/customer/42', { body });
    assert.equal(first.body.duplicate, false);
    assert.equal(again.status, 200);
    assert.equal(again.body.duplicate, true);
    assert.deepEqual(again.body.entity, first.body.entity);
    const read = await call(h, 'GET', '/api/entities/customer/42');
    assert.equal(read.body.entity.version, 3);
  });

  test('a mutation id a user’s save was refused with is 403, nothing applied', async () => {
    await call(h, 'PUT', '/api/entities/customer/42', { body: { fields: { n: 0 } } });
    const refused = await h.server.entities.update({
      type: 'customer',
      id: '42',
      fields: { n: 1 },
      baseVersion: 1,
      mutationId: 'refused-mutation-1',
      by: alice,
      source: 'client',
      refusedFields: ['n'],
    });
    assert.equal(refused.kind, 'refused');
    const body = { fields: { n: 2 }, mutationId: 'refused-mutation-1' };
    const reply = await call(h, 'PATCH', '/api/entities/customer/42', { body });
    assert.equal(reply.status, 403);
    assert.equal(reply.body.error, 'forbidden');
    assert.equal((await call(h, 'GET', '/api/entities/customer/42')).body.entity.version, 1);
  });

  test('GET of a type pages through its entities in id order', async () => {
    for (const id of ['c', 'a', 'b']) {
      await call(h, 'PUT', `/api/entities/deal/${id}`, { body: { fields: { id } } });
    }
    await call(h, 'PUT', '/api/entities/other/z', { body: { fields: {} } });
    const page = await call(h, 'GET', '/api/entities/deal?limit=2&offset=1');
    assert.equal(page.status, 200);
    assert.equal(page.body.total, 3);
    assert.deepEqual(
      page.body.items.map((e: { id: string }) => e.id),
      ['b', 'c'],
    );
    const none = await call(h, 'GET', '/api/entities/nothing');
    assert.deepEqual(none.body, { items: [], total: 0, limit: 50, offset: 0 });
  });

  test('a change through the API reaches a WebSocket client in the room as a backend change', async () => {
    await call(h, 'PUT', '/api/entities/customer/42', { body: { fields: { name: 'Acme' } } });
    const ws = await h.connect(alice);
    await ws.join('customer:42');
    const other = await h.connect({ id: 'zed', name: 'Zed' });
    await other.join('customer:7');
    const patched = await call(h, 'PATCH', '/api/entities/customer/42', {
      body: { fields: { name: 'Acme SA' }, actor: crm, mutationId: 'backend-mutation-2' },
    });
    const event = await ws.next((f) => f.type === 'event' && f.event === 'entity.change');
    assert.ok(event.type === 'event');
    assert.equal(event.from, 'crm');
    assert.deepEqual(event.payload as EntityChange, {
      entity: patched.body.entity,
      changed: ['name'],
      previous: { name: 'Acme' },
      mutationId: 'backend-mutation-2',
      by: crm,
      source: 'backend',
    });
    await other.sync();
    assert.deepEqual(
      other.frames.filter((f) => f.type === 'event'),
      [],
    );
  });

  test('DELETE removes the entity (204); then GET, PATCH and another DELETE are 404; a key is required', async () => {
    assert.equal((await call(h, 'DELETE', '/api/entities/customer/42')).status, 404);
    await call(h, 'PUT', '/api/entities/customer/42', { body: { fields: { name: 'Acme' } } });
    const unauthorized = await call(h, 'DELETE', '/api/entities/customer/42', { key: null });
    assert.equal(unauthorized.status, 401);
    assert.equal((await call(h, 'DELETE', '/api/entities/Customer!/42')).body.error, 'bad_request');
    const deleted = await call(h, 'DELETE', '/api/entities/customer/42');
    assert.equal(deleted.status, 204);
    assert.equal(deleted.body, undefined);
    const read = await call(h, 'GET', '/api/entities/customer/42');
    assert.deepEqual([read.status, read.body.error], [404, 'not_found']);
    const patch = await call(h, 'PATCH', '/api/entities/customer/42', {
      body: { fields: { name: 'Back' } },
    });
    assert.equal(patch.status, 404);
    // A retry of a DELETE whose answer was lost: nothing left to delete, the same final state.
    const again = await call(h, 'DELETE', '/api/entities/customer/42');
    assert.deepEqual([again.status, again.body.error], [404, 'not_found']);
    // A PUT afterwards creates a fresh record, at version 1.
    const created = await call(h, 'PUT', '/api/entities/customer/42', {
      body: { fields: { name: 'New' } },
    });
    assert.deepEqual([created.status, created.body.entity.version], [201, 1]);
  });

  test('a DELETE reaches the room as a sequenced entity.deleted; reads and saves then get not_found', async () => {
    await call(h, 'PUT', '/api/entities/customer/42', { body: { fields: { name: 'Acme' } } });
    const ws = await h.connect(alice);
    const joined = await ws.join('customer:42');
    const late = await h.connect(bob);
    await late.join('customer:42');
    late.close();
    assert.equal((await call(h, 'DELETE', '/api/entities/customer/42')).status, 204);
    const event = await ws.next((f) => f.type === 'event' && f.event === 'entity.deleted');
    assert.ok(event.type === 'event');
    assert.equal(event.seq, joined.seq + 1);
    assert.deepEqual(event.payload, { type: 'customer', id: '42', at: h.clock.now() });
    const get = await ws.request({
      type: 'entity.get',
      id: 'g1',
      entityType: 'customer',
      entityId: '42',
    });
    assert.ok(get.type === 'error' && get.code === 'not_found');
    const save = await ws.request({
      type: 'entity.update',
      id: 'u1',
      mutationId: 'mutation-after-delete',
      entityType: 'customer',
      entityId: '42',
      baseVersion: 1,
      fields: { name: 'Back' },
    });
    assert.ok(save.type === 'error' && save.code === 'not_found');
    assert.equal((await call(h, 'GET', '/api/entities/customer/42')).status, 404);
    // A member that was away when it happened gets it replayed when it resumes.
    const back = await h.connect(bob);
    const resumed = await back.join('customer:42', { since: joined.seq });
    assert.equal(resumed.resume, 'replayed');
    assert.ok(back.frames.some((f) => f.type === 'event' && f.event === 'entity.deleted'));
  });

  test('a client cannot forge entity.deleted into a room', async () => {
    await call(h, 'PUT', '/api/entities/customer/42', { body: { fields: { name: 'Acme' } } });
    const ws = await h.connect(alice);
    await ws.join('customer:42');
    const reply = await ws.request({
      type: 'emit',
      id: 'p1',
      room: 'customer:42',
      event: 'entity.deleted',
      payload: { type: 'customer', id: '42', at: 1 },
    });
    assert.ok(reply.type === 'error' && reply.code === 'forbidden');
    assert.equal((await call(h, 'GET', '/api/entities/customer/42')).status, 200);
  });

  test('a change too large for a client frame is 413 and not stored', async () => {
    await call(h, 'PUT', '/api/entities/customer/42', { body: { fields: { name: 'Acme' } } });
    const reply = await call(h, 'PATCH', '/api/entities/customer/42', {
      body: { fields: { notes: 'z'.repeat(100 * 1024) } },
    });
    assert.equal(reply.status, 413);
    assert.equal((await call(h, 'GET', '/api/entities/customer/42')).body.entity.version, 1);
  });
});

describe('HTTP API: no keys configured, and the router', () => {
  let h: Harness;
  afterEach(() => h?.close());

  test('with no key configured, every request is 401 and says why', async () => {
    h = await startHarness();
    const reply = await call(h, 'GET', '/api/entities/customer/42');
    assert.equal(reply.status, 401);
    assert.match(reply.body.message, /CRM_API_KEYS/);
  });

  test('adding a route is one line; handler errors are 500 without details', async () => {
    h = await startHarness({ apiKeys: [KEY] });
    h.server.api
      .route('GET', '/api/ping/:name', ({ params }) => ({
        status: 200,
        body: { pong: params['name'] },
      }))
      .route('POST', '/api/boom', () => {
        throw new Error('secret internals');
      });
    const pong = await call(h, 'GET', '/api/ping/h%C3%A9llo');
    assert.deepEqual(pong.body, { pong: 'héllo' });
    const boom = await call(h, 'POST', '/api/boom', { body: {} });
    assert.equal(boom.status, 500);
    assert.doesNotMatch(JSON.stringify(boom.body), /secret internals/);
    assert.throws(() =>
      new HttpApi({ keys: [], log: console as never }).route('GET', '/x', () => ({ status: 200 })),
    );
  });
});
