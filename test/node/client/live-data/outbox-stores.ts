/**
 * Stores and locks for outbox tests: a store a test can "close the tab" on, one whose writes wait
 * until released, and exclusive locks as the browser grants them.
 */
import {
  MemoryOutboxStore,
  type NewOutboxEntry,
  type OutboxEntry,
  type OutboxStore,
  type RealtimeClient,
} from '../../../../src/client/index.js';
import type { Fields } from '../../../../src/protocol/index.js';
import { createRig, DEMO_USER, type Rig } from '../../../../src/testing/index.js';

/** A fake server and clock holding customer 42 with `fields`. */
export function customerRig(fields: Fields): Rig {
  const rig = createRig();
  rig.server.entities.put({ type: 'customer', id: '42', fields });
  return rig;
}

/** One page (tab) of the same person on the same device, keeping its outbox in `store`. */
export function pageOn(rig: Rig, store: OutboxStore): RealtimeClient {
  return rig.client({ devUser: DEMO_USER, clientId: 'ada-device', outbox: store });
}

/** The server drops every connection and refuses new ones: the pages are offline. */
export async function goOffline(rig: Rig): Promise<void> {
  rig.server.refuseConnections(true);
  rig.server.dropConnections();
  await rig.clock.flush();
}

/**
 * A durable store whose page can die: after `crash()` nothing more reaches it (a closed tab runs no
 * more code), while `disk` keeps what was written, for the next page.
 */
export class CrashableStore implements OutboxStore {
  readonly persistent = true;
  private crashed = false;

  constructor(readonly disk = new MemoryOutboxStore()) {}

  crash(): void {
    this.crashed = true;
  }

  load(): Promise<OutboxEntry[]> {
    return this.crashed ? new Promise(() => {}) : this.disk.load();
  }

  add(entry: NewOutboxEntry): Promise<number> {
    return this.crashed ? new Promise(() => {}) : this.disk.add(entry);
  }

  put(entry: OutboxEntry): Promise<void> {
    return this.crashed ? new Promise(() => {}) : this.disk.put(entry);
  }

  delete(seq: number): Promise<void> {
    return this.crashed ? new Promise(() => {}) : this.disk.delete(seq);
  }
}

/** A store whose writes wait until `release()`: shows what happens before a write completes. */
export class GatedStore extends MemoryOutboxStore {
  private gate: Promise<void> = new Promise(() => {});
  private open: () => void = () => {};
  /** Writes asked for so far. */
  asked = 0;

  constructor() {
    super();
    this.hold();
  }

  /** Later writes wait again. */
  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.open();
  }

  override async add(entry: NewOutboxEntry): Promise<number> {
    this.asked += 1;
    await this.gate;
    return super.add(entry);
  }
}

/** A store whose reads wait while `holdLoads()` is in force (a slow disk under a busy page). */
export class SlowLoadStore extends MemoryOutboxStore {
  private gate: Promise<void> | undefined;
  private open: () => void = () => {};

  holdLoads(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  releaseLoads(): void {
    this.gate = undefined;
    this.open();
  }

  override async load(): Promise<OutboxEntry[]> {
    await this.gate;
    return super.load();
  }
}

/** A slow store whose `put` fails while `failPuts` (a change to a stored entry not written). */
export class SlowFailingPutStore extends SlowLoadStore {
  failPuts = false;

  override async put(entry: OutboxEntry): Promise<void> {
    if (this.failPuts) throw new Error('the disk refused the write');
    return super.put(entry);
  }
}

/** Exclusive locks as the browser grants them; `die(name)` drops a lock as a closed page does. */
export class FakeLocks {
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

/** Installs `locks` as `navigator.locks` for one test; returns the undo. */
export function installLocks(locks: FakeLocks): () => void {
  const had = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  Object.defineProperty(globalThis, 'navigator', { value: { locks }, configurable: true });
  return () => {
    if (had) Object.defineProperty(globalThis, 'navigator', had);
    else delete (globalThis as { navigator?: unknown }).navigator;
  };
}

/**
 * A store that fails while `failing` (a full disk), and whose entries can vanish under the page
 * (`wipe()`: the site's data cleared), telling the outbox as IndexedDB does.
 */
export class FlakyStore extends MemoryOutboxStore {
  failing = false;
  /** Loads fail while set (a database that cannot be read). */
  failLoads = false;
  private readonly lost = new Set<() => void>();

  async wipe(): Promise<void> {
    for (const entry of await super.load()) await super.delete(entry.seq);
    for (const listener of this.lost) listener();
  }

  onLost(listener: () => void): void {
    this.lost.add(listener);
  }

  override async load(): Promise<OutboxEntry[]> {
    if (this.failLoads) throw quotaError();
    return super.load();
  }

  override async add(entry: NewOutboxEntry): Promise<number> {
    if (this.failing) throw quotaError();
    return super.add(entry);
  }

  override async put(entry: OutboxEntry): Promise<void> {
    if (this.failing) throw quotaError();
    return super.put(entry);
  }

  override async delete(seq: number): Promise<void> {
    if (this.failing) throw quotaError();
    return super.delete(seq);
  }
}

function quotaError(): Error {
  const error = new Error('The quota has been exceeded.');
  error.name = 'QuotaExceededError';
  return error;
}
