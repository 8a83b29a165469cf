// @vitest-environment jsdom
/**
 * Two tests of one file, in a DOM with IndexedDB (as a browser test runner has, here
 * fake-indexeddb): the offline edit the first test leaves behind must not be sent by the second
 * test's client to its new server. A fake client's outbox is its own, in memory.
 */
import 'fake-indexeddb/auto';
import { expect, it } from 'vitest';
import { FakeServer, connectFake, waitFor } from 'crm-realtime/testing';

const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
const ada = { id: 'ada', name: 'Ada' };

it('ends with an offline edit waiting', async () => {
  const server = new FakeServer();
  server.entities.put({ type: 'customer', id: '42', fields: { phone: '555 0100' } });
  const client = connectFake(server, { devUser: ada });
  const customer = client.liveData({ entityType: 'customer', entityId: '42' });
  await waitFor(() => customer.data.phone === '555 0100');
  server.refuseConnections();
  server.dropConnections();
  await waitFor(() => client.status.state !== 'open');
  void customer.update({ phone: 'left by the first test' });
  await waitFor(() => client.outbox.size === 1);
  // What the default store would have written by now is written: a few frames pass.
  for (let i = 0; i < 5; i++) await frame();
  client.close();
  server.close();
});

it('starts with an empty outbox', async () => {
  const server = new FakeServer();
  server.entities.put({ type: 'customer', id: '42', fields: { phone: '555 0100' } });
  const client = connectFake(server, { devUser: ada });
  const customer = client.liveData({ entityType: 'customer', entityId: '42' });
  await waitFor(() => customer.data.phone !== undefined && client.status.state === 'open');
  // Long enough for the entries another page left to be taken up and sent (they were, at once).
  for (let i = 0; i < 30; i++) await frame();
  expect(client.outbox.entries).toEqual([]);
  expect(server.entities.get('customer', '42')?.fields.phone).toBe('555 0100');
  client.close();
  server.close();
});
