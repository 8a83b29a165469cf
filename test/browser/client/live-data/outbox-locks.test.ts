/**
 * The outbox with the browser's own Web Locks (Chromium): a page takes at load only what pages now
 * gone left, never what a live client holds; and on a new connection its queued saves go without
 * asking for the claim lock when the store holds nothing of another page.
 */
import { expect, waitUntil } from '@open-wc/testing';
import { MemoryOutboxStore, type RealtimeClient } from '../../../../src/client/index.js';
import {
  connectFake,
  FakeServer,
  ManualClock,
  ManualEnvironment,
} from '../../../../src/testing/index.js';

const clients: RealtimeClient[] = [];

afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

function world() {
  const clock = new ManualClock();
  const server = new FakeServer({ clock });
  server.entities.put({ type: 'customer', id: '42', fields: { name: 'Acme', phone: '100' } });
  const environment = new ManualEnvironment();
  const store = new MemoryOutboxStore();
  const page = () => {
    const client = connectFake(server, {
      clock,
      environment,
      random: () => 0.5,
      scheduleFrame: (fn) => queueMicrotask(fn),
      outbox: store,
    });
    clients.push(client);
    return client;
  };
  return { clock, server, environment, store, page };
}

describe('outbox and Web Locks', () => {
  it('a page loading beside a live one leaves its queued saves alone', async () => {
    const { clock, server, page } = world();
    const live = page();
    const handle = live.liveData({ entityType: 'customer', entityId: '42' });
    await live.outbox.ready;
    await clock.flush();
    server.refuseConnections(true);
    server.dropConnections();
    await clock.flush();
    void handle.update({ phone: '200' });
    await live.outbox.flush();
    const beside = page();
    await beside.outbox.ready;
    expect(beside.outbox.entries).to.deep.equal([]);
    expect(live.outbox.size).to.equal(1);
  });

  it('sends queued saves on a new connection without asking for the claim lock, when no other page stored any', async () => {
    const { clock, server, environment, page } = world();
    const client = page();
    const handle = client.liveData({ entityType: 'customer', entityId: '42' });
    await client.outbox.ready;
    await clock.flush();
    server.blackhole(true);
    environment.setOnline(false);
    void handle.update({ phone: '300' });
    await client.outbox.flush();
    expect(client.outbox.size).to.equal(1);
    const asked = spyOnLockRequests();
    try {
      server.blackhole(false);
      environment.setOnline(true);
      await waitUntil(() => client.outbox.size === 0, 'the queued save was sent');
      expect(asked.names.filter((name) => name === 'crm-realtime:outbox:')).to.deep.equal([]);
    } finally {
      asked.restore();
    }
    expect(server.entities.get('customer', '42')?.fields['phone']).to.equal('300');
  });
});

/** Records the names of the locks requested until `restore()`. */
function spyOnLockRequests(): { names: string[]; restore(): void } {
  const locks = navigator.locks;
  const names: string[] = [];
  const request = locks.request.bind(locks) as (...args: unknown[]) => Promise<unknown>;
  Object.defineProperty(locks, 'request', {
    configurable: true,
    value: (...args: unknown[]) => {
      names.push(String(args[0]));
      return request(...args);
    },
  });
  return { names, restore: () => delete (locks as { request?: unknown }).request };
}
