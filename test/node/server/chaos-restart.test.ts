/**
 * Chaos: every acknowledged save survives a restart, and nothing is applied twice.
 * 50 real `RealtimeClient`s save their own field of 5 customers through `liveData().update()`,
 * one save after the other, while the server on a file-backed SQLite database is stopped and
 * started again on the same port and data file: once gracefully (`close()`: bye, then storage),
 * once with SIGKILL (the real `main.ts` as a child process). The clients reconnect by themselves
 * and replay what was in flight from their outboxes. Afterwards the database must hold one change
 * row and one activity item per save, every acknowledged save at the version it was acknowledged
 * with, no mutation id twice, and every client must be connected again.
 * Waits for states with deadlines, never for a duration.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test, type TestContext } from 'node:test';
import Database from 'better-sqlite3';
import {
  MemoryOutboxStore,
  RealtimeClient,
  type ChangeInfo,
  type LiveData,
} from '../../../src/client/index.js';
import { createServer, type RealtimeServer } from '../../../src/server/server.js';
import { SqliteStorage } from '../../../src/server/sqlite-storage.js';
import { realClientOptions } from '../helpers/real-client.js';
import { until } from '../helpers/server-client.js';
import { startMain } from '../helpers/main-process.js';

const CLIENTS = 50;
const CUSTOMERS = 5;
/** Confirmed saves every client makes before the stop, and again after the restart. */
const SAVES_PER_PHASE = 3;
/** Generous for a busy 2-core machine; the waits end as soon as the state is reached. */
const WAIT_MS = 60_000;
const START_MS = 30_000;

/** Polls every 10 ms: fifty clients share this process and its two cores with the server. */
const waitFor = (check: () => boolean, what: string, ms = WAIT_MS) => until(check, ms, what, 10);

/** A server that can be stopped and started again on the same port and database file. */
interface Control {
  start(port: number): Promise<number>;
  stop(): Promise<void>;
}

/** In process; `stop` is the graceful shutdown a SIGTERM triggers in main.ts. */
function inProcess(file: string): Control {
  let server: RealtimeServer | undefined;
  return {
    async start(port) {
      server = createServer({
        auth: { devIdentities: true },
        quiet: true,
        storage: new SqliteStorage(file),
        // The announced restart window: clients wait it out before retrying.
        shutdownReconnectMs: 200,
      });
      return (await server.listen(port, '127.0.0.1')).port;
    },
    async stop() {
      await server?.close();
      server = undefined;
    },
  };
}

/** `src/server/main.ts` as a child process; `stop` is SIGKILL (nothing gets flushed). */
function childProcess(dataDir: string, children: ChildProcess[]): Control {
  let child: ChildProcess | undefined;
  return {
    async start(port) {
      const args = ['--dev', '--quiet', '--port', String(port), '--host', '127.0.0.1'];
      const started = await startMain([...args, '--data-dir', dataDir], START_MS);
      child = started.child;
      children.push(started.child);
      return started.port;
    },
    async stop() {
      // No child when a start failed (it killed what it spawned): the start's error is the one
      // to report.
      const c = child;
      if (!c) return;
      const exited = once(c, 'exit');
      c.kill('SIGKILL');
      const [, signal] = (await exited) as [number | null, string | null];
      assert.equal(signal, 'SIGKILL');
      child = undefined;
    },
  };
}

/** The customers everyone saves to, created before the first start. */
async function createCustomers(file: string): Promise<void> {
  const server = createServer({
    auth: { devIdentities: true },
    quiet: true,
    storage: new SqliteStorage(file),
  });
  for (let c = 0; c < CUSTOMERS; c++) {
    await server.entities.update({
      type: 'customer',
      id: `chaos-${c}`,
      fields: { name: `Customer ${c}` },
      source: 'backend',
      create: true,
    });
  }
  await server.close();
}

interface Saver {
  client: RealtimeClient;
  live: LiveData;
  field: string;
  entityId: string;
  outcomes: ChangeInfo[];
  loop: Promise<void>;
}

async function scenario(
  t: TestContext,
  control: Control,
  file: string,
  crashed: boolean,
): Promise<void> {
  await createCustomers(file);
  const port = await control.start(0);
  const url = `ws://127.0.0.1:${port}/realtime`;
  const savers: Saver[] = [];
  let stopping = false;
  try {
    for (let i = 0; i < CLIENTS; i++) {
      const client = new RealtimeClient(
        realClientOptions(url, {
          devUser: { id: `chaos-user-${i}`, name: `Chaos ${i}` },
          clientId: `chaos-device-${i}`,
          outbox: new MemoryOutboxStore(),
          // A restart takes seconds here (a child process compiles main.ts): cap the backoff so
          // the test does not wait out long retry intervals once the server is back.
          maxReconnectInterval: 500,
        }),
      );
      const entityId = `chaos-${i % CUSTOMERS}`;
      const live = client.liveData({ entityType: 'customer', entityId });
      savers.push({
        client,
        live,
        field: `f${i}`,
        entityId,
        outcomes: [],
        loop: Promise.resolve(),
      });
    }
    await waitFor(() => savers.every((s) => s.live.status === 'ready'), 'every client ready');

    // Continuously: each client saves 1, 2, 3 … to its own field, the next once the last is
    // answered (a save made while the server is down waits in the outbox and resolves on replay).
    for (const s of savers) {
      s.loop = (async () => {
        for (let n = 1; !stopping; n++) s.outcomes.push(await s.live.update({ [s.field]: n }));
      })();
    }
    const phaseStart = Date.now();
    const confirmed = (s: Saver): number =>
      s.outcomes.filter((o) => o.state === 'confirmed').length;
    await waitFor(
      () => savers.every((s) => confirmed(s) >= SAVES_PER_PHASE),
      'saves before the restart',
    );

    const phaseMs = Date.now() - phaseStart;
    await control.stop();
    const stoppedAt = Date.now();
    const atStop = savers.map(confirmed);
    await control.start(port);
    const startedAt = Date.now();
    await waitFor(() => savers.every((s) => s.client.status.state === 'open'), 'every client back');
    const openAt = Date.now();
    await waitFor(
      () => savers.every((s, i) => confirmed(s) >= atStop[i]! + SAVES_PER_PHASE),
      'saves after the restart',
    );
    const backAt = Date.now();
    stopping = true;
    await Promise.all(savers.map((s) => s.loop));

    assert.ok(
      savers.every((s) => s.client.status.state === 'open'),
      'every client is connected again',
    );
    const all = savers.flatMap((s) => s.outcomes);
    assert.deepEqual(
      all.filter((o) => o.state !== 'confirmed').map((o) => [o.mutationId, o.state]),
      [],
      'disjoint fields never conflict: every save is confirmed',
    );
    t.diagnostic(
      `${CLIENTS} clients, ${all.length} saves (${all.filter((o) => o.duplicate).length} answered ` +
        `as duplicates after a replay); down ${startedAt - stoppedAt} ms; every client connected ` +
        `${openAt - startedAt} ms and saving again ${backAt - startedAt} ms after the start; ` +
        `first phase ${phaseMs} ms`,
    );
  } finally {
    stopping = true;
    for (const s of savers) s.client.close();
    await control.stop();
  }

  // The database as the restarted server left it.
  const db = new Database(file, { readonly: true });
  try {
    for (let c = 0; c < CUSTOMERS; c++) {
      const entityId = `chaos-${c}`;
      const mine = savers.filter((s) => s.entityId === entityId);
      const rows = db
        .prepare<[string], { version: number; next: string; mutation_id: string | null }>(
          `SELECT version, next, mutation_id FROM entity_changes
           WHERE type = 'customer' AND id = ? ORDER BY version`,
        )
        .all(entityId);
      const clientRows = rows.filter((r) => r.mutation_id !== null);
      const saves = mine.reduce((sum, s) => sum + s.outcomes.length, 0);
      // Every save changed a value, so it is exactly one version: none lost, none twice.
      assert.equal(clientRows.length, saves, `${entityId}: one change per save`);
      assert.equal(
        new Set(clientRows.map((r) => r.mutation_id)).size,
        clientRows.length,
        `${entityId}: no mutation id applied twice`,
      );
      assert.deepEqual(
        rows.map((r) => r.version),
        rows.map((_, k) => k + 1),
        `${entityId}: versions without holes`,
      );
      const byVersion = new Map(rows.map((r) => [r.version, r]));
      for (const s of mine) {
        for (const o of s.outcomes) {
          const row = byVersion.get(o.version!);
          assert.equal(row?.mutation_id, o.mutationId, `${o.mutationId} stored at ${o.version}`);
          const next = JSON.parse(row.next) as Record<string, unknown>;
          assert.deepEqual(next[s.field], o.fields[s.field]);
        }
      }
      const entity = db
        .prepare<[string], { version: number; fields: string }>(
          `SELECT version, fields FROM entities WHERE type = 'customer' AND id = ?`,
        )
        .get(entityId)!;
      assert.equal(entity.version, rows.length);
      const fields = JSON.parse(entity.fields) as Record<string, unknown>;
      for (const s of mine) assert.equal(fields[s.field], s.outcomes.length, `${s.field} final`);
      const activity = db
        .prepare<[string], { n: number }>(
          `SELECT COUNT(*) AS n FROM activity WHERE entity_type = 'customer' AND entity_id = ?`,
        )
        .get(entityId)!;
      // Its creation is an item too. The item commits in the change's own transaction
      // (entity-activity.ts), so even a kill -9 leaves exactly one item per change: none lost,
      // none twice.
      assert.equal(
        activity.n,
        rows.length,
        `${entityId}: one activity item per save${crashed ? ' (after kill -9)' : ''}`,
      );
    }
  } finally {
    db.close();
  }
}

describe('chaos: acknowledged saves across a server restart', () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  after(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  async function dataDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'crm-chaos-'));
    dirs.push(dir);
    return dir;
  }

  test('a graceful restart: every acknowledged save is stored once, every client is back', async (t) => {
    const file = join(await dataDir(), 'crm.sqlite');
    await scenario(t, inProcess(file), file, false);
  });

  test('kill -9 and a restart: every acknowledged save is stored once, every client is back', async (t) => {
    const dir = await dataDir();
    const file = join(dir, 'crm.sqlite');
    await scenario(t, childProcess(dir, children), file, true);
  });
});
