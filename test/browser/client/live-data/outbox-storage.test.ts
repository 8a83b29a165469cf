/**
 * The outbox when IndexedDB lets it down (Chromium): a database deleted under the page (the site's
 * data cleared) is made anew and holds the waiting edits again, and while an edit could not be
 * stored the page asks before it is closed, and only then.
 */
import { expect, waitUntil } from '@open-wc/testing';
import {
  IndexedDbOutboxStore,
  type NewOutboxEntry,
  type OutboxEntry,
  type RealtimeClient,
} from '../../../../src/client/index.js';
import {
  connectFake,
  FakeServer,
  ManualClock,
  ManualEnvironment,
} from '../../../../src/testing/index.js';
import { deleteDb, deleteTestDatabases, uniqueDb } from '../../helpers/outbox-db.js';

const clients: RealtimeClient[] = [];

/** What the database holds, read without the kit's code (and without making it). */
async function rawEntries(name: string): Promise<OutboxEntry[]> {
  if (!(await indexedDB.databases()).some((d) => d.name === name)) return [];
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(name);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains('entries')) {
        db.close();
        resolve([]);
        return;
      }
      const request = db.transaction('entries', 'readonly').objectStore('entries').getAll();
      request.onsuccess = () => {
        db.close();
        resolve(request.result as OutboxEntry[]);
      };
      request.onerror = () => reject(request.error);
    };
  });
}

/** An IndexedDB store whose writes fail while `full` (a disk with no room left). */
class FullDiskStore extends IndexedDbOutboxStore {
  full = false;

  override add(entry: NewOutboxEntry): Promise<number> {
    return this.full ? Promise.reject(quotaError()) : super.add(entry);
  }

  override put(entry: OutboxEntry): Promise<void> {
    return this.full ? Promise.reject(quotaError()) : super.put(entry);
  }
}

const quotaError = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError');

afterEach(async () => {
  for (const client of clients.splice(0)) {
    client.outbox.warnBeforeUnload = false;
    client.close();
  }
  await deleteTestDatabases();
});

function world(store: IndexedDbOutboxStore) {
  const clock = new ManualClock();
  const server = new FakeServer({ clock });
  server.entities.put({ type: 'customer', id: '42', fields: { name: 'Acme', phone: '100' } });
  const client = connectFake(server, {
    clock,
    environment: new ManualEnvironment(),
    random: () => 0.5,
    scheduleFrame: (fn) => queueMicrotask(fn),
    outbox: store,
  });
  clients.push(client);
  const live = client.liveData({ entityType: 'customer', entityId: '42' });
  const offline = async () => {
    server.refuseConnections(true);
    server.dropConnections();
    await clock.flush();
  };
  return { clock, server, client, live, offline };
}

/** Whether the page asks before it is closed: a `beforeunload` the page cancels. */
function asksBeforeClosing(): boolean {
  const event = new Event('beforeunload', { cancelable: true });
  window.dispatchEvent(event);
  return event.defaultPrevented;
}

describe('IndexedDB outbox when storage fails', () => {
  it('makes the database anew when it is deleted under the page, with the waiting edits', async () => {
    const db = uniqueDb();
    const { clock, client, live, offline } = world(new IndexedDbOutboxStore(db));
    await client.outbox.ready;
    await clock.flush();
    await offline();
    void live.update({ name: 'Acme Ltd' });
    await client.outbox.flush();
    expect((await rawEntries(db)).map((e) => e.fields)).to.deep.equal([{ name: 'Acme Ltd' }]);

    await deleteDb(db); // the user clears the site's data
    await clock.advance(0);
    await client.outbox.flush();
    void live.update({ phone: '200' });
    await client.outbox.flush();
    await waitUntil(async () => (await rawEntries(db)).length === 2, 'both edits stored again');
    expect((await rawEntries(db)).map((e) => e.fields)).to.deep.equal([
      { name: 'Acme Ltd' },
      { phone: '200' },
    ]);
    expect(client.outbox.snapshot().unstored).to.equal(0);
  });

  it('asks before the page is closed while an edit could not be stored, and only then', async () => {
    const store = new FullDiskStore(uniqueDb());
    const { clock, client, live, offline } = world(store);
    await client.outbox.ready;
    await clock.flush();
    await live.update({ name: 'Saved online' });
    await client.outbox.flush();
    expect(asksBeforeClosing(), 'answered: nothing to lose').to.equal(false);

    await offline();
    void live.update({ name: 'Waiting offline' });
    await client.outbox.flush();
    expect(asksBeforeClosing(), 'stored: it survives a closed tab').to.equal(false);

    store.full = true;
    void live.update({ phone: '200' });
    await client.outbox.flush();
    expect(client.outbox.snapshot().unstored).to.equal(1);
    expect(asksBeforeClosing(), 'in this page only').to.equal(true);
    client.outbox.warnBeforeUnload = false;
    expect(asksBeforeClosing(), 'turned off by the page').to.equal(false);
    client.outbox.warnBeforeUnload = true;
    expect(asksBeforeClosing()).to.equal(true);

    store.full = false;
    await clock.advance(60_000);
    await client.outbox.flush();
    await waitUntil(() => client.outbox.snapshot().unstored === 0, 'stored on a later try');
    expect(asksBeforeClosing()).to.equal(false);
  });
});
