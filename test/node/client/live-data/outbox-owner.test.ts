/**
 * Outbox entries of a page that is gone: each page's outbox holds a Web Lock while it lives and
 * stamps its entries with it; when a page's connection opens, it sends what pages now gone left
 * in the store after it loaded (the leader tab of a shared connection closed while offline with a
 * save queued), once, and leaves alone what a live page holds. Two clients on one store stand for
 * two tabs on one IndexedDB; a small lock manager stands for the browser's.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { MemoryOutboxStore, type RealtimeClient } from '../../../../src/client/index.js';
import { createRig, DEMO_USER, type Rig } from '../../../../src/testing/index.js';

/** Exclusive locks as the browser grants them; `die(name)` drops a lock as a closed page does. */
class FakeLocks {
  private readonly held = new Set<string>();
  private readonly waiting = new Map<string, (() => void)[]>();

  async request<T>(name: string, callback: () => Promise<T> | T): Promise<T> {
    while (this.held.has(name)) {
      await new Promise<void>((resolve) => {
        const queue = this.waiting.get(name) ?? [];
        queue.push(resolve);
        this.waiting.set(name, queue);
      });
    }
    this.held.add(name);
    try {
      return await callback();
    } finally {
      this.release(name);
    }
  }

  async query(): Promise<{ held: { name: string; mode: string }[]; pending: [] }> {
    return { held: [...this.held].map((name) => ({ name, mode: 'exclusive' })), pending: [] };
  }

  die(name: string): void {
    this.release(name);
  }

  private release(name: string): void {
    this.held.delete(name);
    this.waiting.get(name)?.shift()?.();
  }
}

let locks: FakeLocks;
const hadNavigator = Object.getOwnPropertyDescriptor(globalThis, 'navigator');

beforeEach(() => {
  locks = new FakeLocks();
  Object.defineProperty(globalThis, 'navigator', { value: { locks }, configurable: true });
});

afterEach(() => {
  if (hadNavigator) Object.defineProperty(globalThis, 'navigator', hadNavigator);
  else delete (globalThis as { navigator?: unknown }).navigator;
});

function setup(): Rig {
  const rig = createRig();
  rig.server.entities.put({
    type: 'customer',
    id: '42',
    fields: { name: 'Customer 42', email: 'info@42.test', phone: '100' },
  });
  return rig;
}

function tab(rig: Rig, store: MemoryOutboxStore): RealtimeClient {
  return rig.client({ devUser: DEMO_USER, clientId: 'ada-device', outbox: store });
}

async function goOffline(rig: Rig): Promise<void> {
  rig.server.refuseConnections(true);
  rig.server.dropConnections();
  await rig.clock.flush();
}

const updates = (rig: Rig) =>
  rig.server.received('entity.update').map((f) => `${f.entityId}:${JSON.stringify(f.fields)}`);

/** Edits `fields` in `client` while offline; resolves with the stored entry's owner. */
async function queueOffline(
  client: RealtimeClient,
  store: MemoryOutboxStore,
  fields: Record<string, string>,
): Promise<string> {
  const live = client.liveData({ entityType: 'customer', entityId: '42' });
  void live.update(fields);
  await client.outbox.flush();
  const entry = (await store.load()).find(
    (e) => JSON.stringify(e.fields) === JSON.stringify(fields),
  );
  assert.ok(entry?.owner, 'the entry names the page that holds it');
  return entry.owner;
}

describe('outbox: entries of a page that is gone', () => {
  it('a tab still open sends what a tab closed while offline left, once', async () => {
    const rig = setup();
    const store = new MemoryOutboxStore();
    const survivor = tab(rig, store);
    const leaving = tab(rig, store);
    await rig.clock.flush();
    await goOffline(rig);
    const owner = await queueOffline(leaving, store, { name: 'From the closed tab' });
    // The tab closes: its client stops and its lock goes with the page.
    leaving.close();
    locks.die(owner);
    assert.equal(survivor.outbox.size, 0, 'made after the survivor loaded: not its entry yet');

    rig.server.refuseConnections(false);
    await rig.clock.advance(5_000);
    await survivor.outbox.flush();
    await rig.clock.flush();
    assert.deepEqual(updates(rig), ['42:{"name":"From the closed tab"}']);
    assert.equal(rig.server.entities.get('customer', '42')?.fields['name'], 'From the closed tab');
    assert.equal(survivor.outbox.size, 0);
    await survivor.outbox.flush();
    assert.equal(store.size, 0, 'gone from the store');
    rig.close();
  });

  it('leaves alone what a live tab holds: each change is sent by its own tab, once', async () => {
    const rig = setup();
    const store = new MemoryOutboxStore();
    const other = tab(rig, store);
    const maker = tab(rig, store);
    await rig.clock.flush();
    await goOffline(rig);
    await queueOffline(maker, store, { phone: '200' });
    rig.server.refuseConnections(false);
    await rig.clock.advance(5_000);
    await Promise.all([other.outbox.flush(), maker.outbox.flush()]);
    await rig.clock.flush();
    assert.deepEqual(updates(rig), ['42:{"phone":"200"}']);
    assert.equal(other.outbox.size, 0);
    assert.equal(store.size, 0);
    rig.close();
  });

  it('two tabs that outlive it: one of them claims the entry, the other does not send it too', async () => {
    const rig = setup();
    const store = new MemoryOutboxStore();
    const first = tab(rig, store);
    const second = tab(rig, store);
    const leaving = tab(rig, store);
    await rig.clock.flush();
    await goOffline(rig);
    const owner = await queueOffline(leaving, store, { email: 'gone@42.test' });
    leaving.close();
    locks.die(owner);
    rig.server.refuseConnections(false);
    await rig.clock.advance(5_000);
    await Promise.all([first.outbox.flush(), second.outbox.flush()]);
    await rig.clock.flush();
    assert.deepEqual(updates(rig), ['42:{"email":"gone@42.test"}']);
    assert.equal(store.size, 0);
    rig.close();
  });
});
