/**
 * Hostile input that once broke the reference server: field names that are members of
 * `Object.prototype`, a `__proto__` key, and JSON nested deeper than any real frame or body.
 * Each is answered in the protocol's terms (a normal answer or `bad_frame` with `replyTo` on the
 * socket, a 4xx over HTTP), never `internal`, a 500, or an ack that silently drops a field.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { LIMITS, type ServerFrame } from '../../../src/protocol/index.js';
import { nextId, type TestClient } from '../helpers/server-client.js';
import { alice, bob, startHarness, type Harness } from '../helpers/server-harness.js';

const KEY = 'test-key-0123456789abcdef';
/** Names a plain object inherits: each reads as a value where an own-property check is missing. */
const PROTOTYPE_NAMES = [
  'constructor',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '__lookupSetter__',
];

function update(client: TestClient, fields: unknown, baseVersion: number): Promise<ServerFrame> {
  return client.request({
    type: 'entity.update',
    id: nextId('u'),
    mutationId: nextId('mutation-').padEnd(8, '0'),
    entityType: 'customer',
    entityId: '42',
    baseVersion,
    fields: fields as Record<string, string>,
  });
}

async function api(
  h: Harness,
  method: string,
  path: string,
  body: string | object,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${h.server.port}${path}`, {
    method,
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** `[[[…]]]` nested `depth` deep, built as text so no recursion is needed to make it. */
const nestedArrays = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

describe('server: field names that are Object.prototype members', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ apiKeys: [KEY] });
    const outcome = await h.server.entities.update({
      type: 'customer',
      id: '42',
      fields: { name: 'Acme' },
      source: 'backend',
      create: true,
    });
    assert.equal(outcome.kind, 'applied');
  });
  afterEach(() => h.close());

  test('entity.update of each such field is applied, then conflicts like any other field', async () => {
    const a = await h.connect(alice);
    const b = await h.connect(bob);
    let version = 1;
    for (const field of PROTOTYPE_NAMES) {
      const ack = await update(a, { [field]: `${field}-1` }, version);
      assert.equal(ack.type, 'entity.ack', `${field}: ${JSON.stringify(ack)}`);
      if (ack.type !== 'entity.ack') continue;
      assert.equal(ack.entity.fields[field], `${field}-1`);
      const stale = version;
      version = ack.entity.version;
      // A real conflict on the field reports its base and current values.
      const conflict = await update(b, { [field]: `${field}-2` }, stale);
      assert.equal(conflict.type, 'entity.conflict', `${field}: ${JSON.stringify(conflict)}`);
      if (conflict.type !== 'entity.conflict') continue;
      assert.deepEqual(
        conflict.conflicts.map((c) => [c.field, c.base, c.mine, c.theirs]),
        [[field, undefined, `${field}-2`, `${field}-1`]],
      );
    }
  });

  test('HTTP PATCH with baseVersion writes such fields instead of answering 409', async () => {
    for (const [i, field] of PROTOTYPE_NAMES.entries()) {
      const reply = await api(h, 'PATCH', '/api/entities/customer/42', {
        fields: { [field]: i },
        baseVersion: i + 1,
      });
      assert.equal(reply.status, 200, `${field}: ${JSON.stringify(reply.body)}`);
    }
  });

  test('a __proto__ key is refused with a clear bad_frame, over the socket and HTTP', async () => {
    const a = await h.connect(alice);
    const id = nextId('u');
    a.sendRaw(
      `{"type":"entity.update","id":"${id}","mutationId":"mutation-proto","entityType":"customer",` +
        `"entityId":"42","baseVersion":1,"fields":{"__proto__":{"name":"Evil"},"x":"1"}}`,
    );
    const reply = await a.upcoming((f) => 'replyTo' in f && f.replyTo === id);
    assert.equal(reply.type, 'error');
    if (reply.type === 'error') {
      assert.equal(reply.code, 'bad_frame');
      assert.match(reply.message, /__proto__/);
    }
    const http = await api(
      h,
      'PATCH',
      '/api/entities/customer/42',
      '{"fields":{"__proto__":{"name":"Evil"},"x":"1"}}',
    );
    assert.equal(http.status, 400);
    assert.match(String(http.body['message']), /__proto__/);
    const stored = await h.server.entities.get('customer', '42');
    assert.deepEqual(stored?.fields, { name: 'Acme' });
  });
});

describe('server: deeply nested JSON', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ apiKeys: [KEY] });
  });
  afterEach(() => h.close());

  test('an emit nested 10,000 deep is bad_frame with replyTo; the connection survives', async () => {
    const a = await h.connect(alice);
    await a.join('customer:42');
    for (const depth of [LIMITS.maxJsonDepth + 1, 10_000]) {
      const id = nextId('e');
      a.sendRaw(
        `{"type":"emit","id":"${id}","room":"customer:42","event":"cursor","payload":${nestedArrays(depth)}}`,
      );
      const reply = await a.upcoming((f) => 'replyTo' in f && f.replyTo === id);
      assert.equal(reply.type, 'error', JSON.stringify(reply));
      if (reply.type === 'error') {
        assert.equal(reply.code, 'bad_frame');
        assert.match(reply.message, /nest/i);
      }
    }
    // Within the limit is fine (the frame is well-formed otherwise).
    const id = nextId('e');
    a.sendRaw(
      `{"type":"emit","id":"${id}","room":"customer:42","event":"cursor","payload":${nestedArrays(LIMITS.maxJsonDepth - 2)}}`,
    );
    const ok = await a.upcoming((f) => 'replyTo' in f && f.replyTo === id);
    assert.notEqual(ok.type, 'error', JSON.stringify(ok));
    await a.sync();
  });

  test('an HTTP body nested 1,001 deep is 400, not 500', async () => {
    await api(h, 'PUT', '/api/entities/customer/42', { fields: { name: 'Acme' } });
    const reply = await api(
      h,
      'PATCH',
      '/api/entities/customer/42',
      `{"fields":{"deep":${nestedArrays(1001)}}}`,
    );
    assert.equal(reply.status, 400, JSON.stringify(reply.body));
    assert.match(String(reply.body['message']), /nest/i);
  });
});
