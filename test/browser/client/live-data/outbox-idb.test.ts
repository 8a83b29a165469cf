/**
 * The outbox in real IndexedDB (Chromium): offline edits survive a "reload" (the client is closed
 * and a new client opens the same database), replay once against the fake server, and leave the
 * store empty.
 */
import { expect } from '@open-wc/testing';
import {
  DEFAULT_OUTBOX_DB,
  IndexedDbOutboxStore,
  RealtimeClient,
  type OutboxEntry,
} from '../../../../src/client/index.js';
import {
  connectFake,
  DEMO_USER,
  FakeServer,
  ManualClock,
  ManualEnvironment,
} from '../../../../src/testing/index.js';
import { deleteTestDatabases, uniqueDb } from '../../helpers/outbox-db.js';

const clients: RealtimeClient[] = [];

/** What the database holds, read without the kit's code. */
function rawEntries(name: string): Promise<OutboxEntry[]> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(name);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const request = db.transaction('entries', 'readonly').objectStore('entries').getAll();
      request.onsuccess = () => {
        db.close();
        resolve(request.result as OutboxEntry[]);
      };
      request.onerror = () => reject(request.error);
    };
  });
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await deleteTestDatabases();
});

function world() {
  const clock = new ManualClock();
  const server = new FakeServer({ clock });
  server.entities.put({
    type: 'customer',
    id: '42',
    fields: { name: 'Acme', email: 'info@acme.test', phone: '100' },
  });
  const environment = new ManualEnvironment();
  /** A page load: a new client on the same database. */
  const page = (db: string) => {
    const client = connectFake(server, {
      clock,
      environment,
      random: () => 0.5,
      scheduleFrame: (fn) => queueMicrotask(fn),
      outbox: new IndexedDbOutboxStore(db),
    });
    clients.push(client);
    return client;
  };
  return { clock, server, page };
}

describe('IndexedDB outbox', () => {
  it('keeps offline edits across a reload and replays them once, leaving the store empty', async () => {
    const { clock, server, page } = world();
    const db = uniqueDb();
    const first = page(db);
    await first.outbox.ready;
    const live = first.liveData({ entityType: 'customer', entityId: '42' });
    await clock.flush();
    expect(live.status).to.equal('ready');

    server.refuseConnections(true);
    server.dropConnections();
    await clock.flush();
    void live.update({ name: 'Acme Ltd' });
    void live.update({ phone: '200' });
    void live.update({ name: 'Acme Group' });
    expect(first.outbox.size).to.equal(3);
    expect(live.data['name']).to.equal('Acme Group');
    await first.outbox.flush();

    const stored = await rawEntries(db);
    expect(stored.map((e) => e.fields)).to.deep.equal([
      { name: 'Acme Ltd' },
      { phone: '200' },
      { name: 'Acme Group' },
    ]);
    expect(stored.map((e) => e.seq)).to.deep.equal(
      [...stored.map((e) => e.seq)].sort((a, b) => a - b),
    );
    expect(stored.every((e) => e.userId === DEMO_USER.id && e.baseVersion === 1)).to.equal(true);
    expect(stored.every((e) => e.entityType === 'customer' && e.entityId === '42')).to.equal(true);
    const ids = stored.map((e) => e.mutationId);

    // The tab is closed; the network comes back; the page is opened again.
    first.close();
    server.refuseConnections(false);
    const second = page(db);
    await second.outbox.ready;
    expect(second.outbox.size).to.equal(3);
    await clock.advance(5_000);
    await second.outbox.flush();

    expect(server.received('entity.update').map((f) => f.mutationId)).to.deep.equal(ids);
    expect(server.sent('entity.conflict')).to.have.length(0);
    const entity = server.entities.get('customer', '42')!;
    expect(entity.version).to.equal(4);
    expect(entity.fields).to.deep.equal({
      name: 'Acme Group',
      email: 'info@acme.test',
      phone: '200',
    });
    expect(second.outbox.size).to.equal(0);
    expect(await rawEntries(db)).to.deep.equal([]);

    // Yet another load sends nothing again.
    const third = page(db);
    await third.outbox.ready;
    await clock.advance(5_000);
    expect(server.received('entity.update')).to.have.length(3);
  });

  it('shows entries left by a closed tab in the data of a widget opened on the entity', async () => {
    const { clock, server, page } = world();
    const db = uniqueDb();
    const store = new IndexedDbOutboxStore(db);
    await store.add({
      mutationId: 'mutation-left-behind',
      entityType: 'customer',
      entityId: '42',
      baseVersion: 1,
      fields: { email: 'offline@acme.test' },
      createdAt: clock.now(),
      userId: DEMO_USER.id,
    });
    store.close();
    server.refuseConnections(true);
    const client = page(db);
    await client.outbox.ready;
    const live = client.liveData({ entityType: 'customer', entityId: '42' });
    expect(live.data['email']).to.equal('offline@acme.test');
    expect(live.changes.map((c) => [c.mutationId, c.state, c.queued])).to.deep.equal([
      ['mutation-left-behind', 'pending', true],
    ]);
    server.refuseConnections(false);
    await clock.advance(5_000);
    await client.outbox.flush();
    expect(live.entity?.fields['email']).to.equal('offline@acme.test');
    expect(live.changes.at(-1)?.state).to.equal('confirmed');
    expect(await rawEntries(db)).to.deep.equal([]);
  });

  it('is the default store in a browser, on the shared database name', async () => {
    const clock = new ManualClock();
    // A client of its own: `connectFake` gives each fake client an outbox in memory.
    const client = new RealtimeClient({
      url: 'fake://crm-realtime',
      socketFactory: new FakeServer({ clock }).socketFactory,
      clock,
      clientId: 'fake-device',
      autoConnect: false,
    });
    clients.push(client);
    await client.outbox.ready;
    expect(client.outbox.persistent).to.equal(true);
    expect(DEFAULT_OUTBOX_DB).to.equal('crm-realtime-outbox');
    const names = (await indexedDB.databases()).map((d) => d.name);
    expect(names).to.include(DEFAULT_OUTBOX_DB);
  });
});
