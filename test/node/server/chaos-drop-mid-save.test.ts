/**
 * Chaos: a client whose network drops mid-save replays the change from its outbox and
 * it is applied exactly once. A TCP proxy on loopback between a real `RealtimeClient` and the
 * real server cuts both sides the moment the server's `entity.ack` for the save comes back, so the
 * server has applied the change and the client never hears it. The proxy holds the reconnection
 * until the test has seen the change waiting in the outbox, then lets it through: the replay
 * (same mutation id) is answered as a duplicate, and the entity has one new version and one new
 * activity item. Waits for states with deadlines, never for a duration.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { MemoryOutboxStore, RealtimeClient } from '../../../src/client/index.js';
import { createServer, type RealtimeServer } from '../../../src/server/server.js';
import { SqliteStorage } from '../../../src/server/sqlite-storage.js';
import { realClientOptions } from '../helpers/real-client.js';
import { until } from '../helpers/server-client.js';

const WAIT_MS = 10_000;

const waitFor = (check: () => boolean, what: string) => until(check, WAIT_MS, what, 5);

/**
 * Forwards loopback TCP to `port`. `cutOn(text)`: the first server-to-client chunk containing
 * `text` is not forwarded, and both sides of that connection are destroyed; connections arriving
 * after the cut wait (unforwarded) until `release()`.
 */
class CuttingProxy {
  readonly server: Server;
  private trigger: string | undefined;
  private holding = false;
  private held: Socket[] = [];
  private readonly open = new Set<Socket>();
  cuts = 0;
  accepted = 0;

  constructor(private readonly port: number) {
    this.server = createTcpServer((socket) => {
      this.accepted += 1;
      this.open.add(socket);
      socket.on('close', () => this.open.delete(socket));
      socket.on('error', () => undefined);
      if (this.holding) this.held.push(socket);
      else this.forward(socket);
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as { port: number }).port;
  }

  cutOn(text: string): void {
    this.trigger = text;
  }

  release(): void {
    this.holding = false;
    for (const socket of this.held.splice(0)) if (!socket.destroyed) this.forward(socket);
  }

  private forward(client: Socket): void {
    const upstream = connect(this.port, '127.0.0.1');
    this.open.add(upstream);
    upstream.on('close', () => this.open.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('data', (chunk: Buffer) => upstream.write(chunk));
    // Server frames are unmasked and uncompressed (no permessage-deflate): text is findable.
    let tail = '';
    upstream.on('data', (chunk: Buffer) => {
      const text = tail + chunk.toString('latin1');
      tail = text.slice(-256);
      if (this.trigger !== undefined && text.includes(this.trigger)) {
        this.trigger = undefined;
        this.cuts += 1;
        this.holding = true;
        client.destroy();
        upstream.destroy();
        return;
      }
      client.write(chunk);
    });
  }

  async close(): Promise<void> {
    for (const socket of this.open) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe('chaos: the network drops between a save and its ack', () => {
  let dir: string;
  let file: string;
  let server: RealtimeServer;
  let proxy: CuttingProxy;
  let client: RealtimeClient | undefined;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crm-chaos-drop-'));
    file = join(dir, 'crm.sqlite');
    server = createServer({
      auth: { devIdentities: true },
      quiet: true,
      storage: new SqliteStorage(file),
    });
    const { port } = await server.listen(0, '127.0.0.1');
    proxy = new CuttingProxy(port);
  });

  after(async () => {
    client?.close();
    await proxy.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('the change is replayed from the outbox, applied once, and ends confirmed', async () => {
    await server.entities.update({
      type: 'customer',
      id: 'drop-1',
      fields: { name: 'Acme', phone: '100' },
      source: 'backend',
      create: true,
    });
    const db = new Database(file, { readonly: true });
    const activityCount = (): number =>
      db
        .prepare<[], { n: number }>(
          `SELECT COUNT(*) AS n FROM activity WHERE entity_type = 'customer' AND entity_id = 'drop-1'`,
        )
        .get()!.n;
    try {
      const proxyPort = await proxy.listen();
      client = new RealtimeClient(
        realClientOptions(`ws://127.0.0.1:${proxyPort}/realtime`, {
          devUser: { id: 'ada', name: 'Ada' },
          clientId: 'ada-device',
          outbox: new MemoryOutboxStore(),
        }),
      );
      const live = client.liveData({ entityType: 'customer', entityId: 'drop-1' });
      await waitFor(() => live.status === 'ready', 'ready');
      assert.equal(live.version, 1);
      const activityBefore = activityCount();

      proxy.cutOn('"entity.ack"');
      const saving = live.update({ phone: '200' });
      const mutationId = live.changes.at(-1)!.mutationId;
      await waitFor(() => proxy.cuts === 1, 'the cut after the server acknowledged');

      // The server applied it; the client did not hear so and keeps it for a replay.
      assert.equal((await server.entities.get('customer', 'drop-1'))?.version, 2);
      await waitFor(() => client!.status.state !== 'open', 'the client notices the drop');
      await waitFor(() => proxy.accepted >= 2, 'the client reconnecting');
      const waiting = live.changes.find((c) => c.mutationId === mutationId);
      assert.equal(waiting?.state, 'pending', 'not confirmed without an ack');
      assert.equal(waiting?.queued, true, 'waiting in the outbox');

      proxy.release();
      const outcome = await saving;
      assert.equal(outcome.state, 'confirmed');
      assert.equal(outcome.mutationId, mutationId, 'replayed with the same mutation id');
      assert.equal(outcome.duplicate, true, 'the server recognized the replay');
      assert.equal(outcome.version, 2);
      await waitFor(() => client!.status.state === 'open', 'connected again');
      assert.equal(live.version, 2);
      assert.equal(live.data['phone'], '200');
      assert.equal(live.changes.at(-1)?.state, 'confirmed');

      // Exactly once: one version bump, one history row, one activity item.
      const entity = await server.entities.get('customer', 'drop-1');
      assert.equal(entity?.version, 2);
      const rows = db
        .prepare<[string], { n: number }>(
          `SELECT COUNT(*) AS n FROM entity_changes WHERE mutation_id = ?`,
        )
        .get(mutationId)!.n;
      assert.equal(rows, 1);
      assert.equal(activityCount(), activityBefore + 1);
    } finally {
      db.close();
    }
  });
});
