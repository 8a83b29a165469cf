/**
 * An applied save's `entity.ack` carries the whole entity, up to most of a frame: measuring it
 * against the frame limit made its JSON, and that text is what is sent, not a second
 * serialization of it. Counted by a spy on `JSON.stringify`; the ack each client receives is the
 * same either way (compressed or not, with a field hidden from the writer or not). So are the
 * `entity.snapshot` of a read and the `entity.conflict` of a save on an old version, which carry
 * the record too.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { ServerFrame } from '../../../../src/protocol/index.js';
import { nextId, TestClient } from '../../helpers/server-client.js';
import { alice, startHarness, type Harness } from '../../helpers/server-harness.js';
import {
  as,
  connectWith,
  seedCustomer,
  startPermissionHarness,
  update,
} from '../permissions/permission-helpers.js';

let h: Harness | undefined;
const restore: (() => void)[] = [];
afterEach(async () => {
  for (const undo of restore.splice(0).reverse()) undo();
  await h?.close();
  h = undefined;
});

/** Counts the `JSON.stringify` calls on a frame of `type` from now until the test ends. */
function countAckSerializations(type = 'entity.ack'): () => number {
  const stringify = JSON.stringify;
  let count = 0;
  JSON.stringify = function (value: unknown, ...rest: unknown[]) {
    if ((value as { type?: unknown } | null)?.type === type) count++;
    return (stringify as (...args: unknown[]) => string).call(JSON, value, ...rest);
  } as typeof JSON.stringify;
  restore.push(() => (JSON.stringify = stringify));
  return () => count;
}

function save(client: TestClient, fields: Record<string, string>): Promise<ServerFrame> {
  return client.request({
    type: 'entity.update',
    id: nextId('u'),
    mutationId: nextId('mutation-').padEnd(8, '0'),
    entityType: 'customer',
    entityId: '42',
    baseVersion: 1,
    fields,
  });
}

describe('an applied save is acknowledged with its entity serialized once', () => {
  for (const deflate of [false, true]) {
    test(deflate ? 'to a client that negotiated compression' : 'to a client', async () => {
      h = await startHarness(deflate ? { compression: { enabled: true, threshold: 1024 } } : {});
      await seedCustomer(h, '42', { notes: 'n'.repeat(20_000) });
      const client = await TestClient.connect(
        h.url,
        { user: alice },
        { perMessageDeflate: deflate },
      );
      const serialized = countAckSerializations();
      const answer = await save(client, { phone: '555 0100' });
      // Read before any assertion: their messages serialize the frame too.
      assert.equal(serialized(), 1);
      const ack = as(answer, 'entity.ack');
      assert.equal(ack.entity.version, 2);
      assert.equal(ack.entity.fields.phone, '555 0100');
      assert.equal(ack.entity.fields.notes, 'n'.repeat(20_000));
    });
  }

  test('to a writer from whom a field is hidden, without that field', async () => {
    h = await startPermissionHarness();
    await seedCustomer(h);
    const writer = await connectWith(h, 'alice', {
      crm: { fields: { customer: { hidden: ['notes'] } } },
    });
    const serialized = countAckSerializations();
    const answer = await update(writer, { phone: '555 0100' }, 1);
    assert.equal(serialized(), 1);
    const ack = as(answer, 'entity.ack');
    assert.equal(ack.entity.fields.phone, '555 0100');
    assert.equal('notes' in ack.entity.fields, false, JSON.stringify(ack.entity.fields));
  });

  test('a snapshot and a conflict, too', async () => {
    h = await startHarness();
    await seedCustomer(h, '42', { notes: 'n'.repeat(20_000) });
    const client = await TestClient.connect(h.url, { user: alice });
    let serialized = countAckSerializations('entity.snapshot');
    const snapshot = await client.request({
      type: 'entity.get',
      id: nextId('g'),
      entityType: 'customer',
      entityId: '42',
    });
    assert.equal(serialized(), 1);
    assert.equal(as(snapshot, 'entity.snapshot').entity.fields.notes, 'n'.repeat(20_000));
    await save(client, { phone: '555 0100' });
    serialized = countAckSerializations('entity.conflict');
    // Saved on the version before: phone changed since.
    const conflict = await save(client, { phone: '555 0199' });
    assert.equal(serialized(), 1);
    assert.equal(as(conflict, 'entity.conflict').current.fields.phone, '555 0100');
  });
});
