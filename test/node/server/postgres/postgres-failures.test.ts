/**
 * PostgreSQL failing under a running server, against a private PostgreSQL 15:
 *
 * - a connection dropped while a save is under way (a DBA's `pg_terminate_backend` of a save
 *   waiting on a row lock, a fast shutdown mid-save, a start whose migration session is ended):
 *   that save or that start fails, and the process goes on (an unhandled 'error' event of a
 *   checked-out client used to end it, every socket with it);
 * - a database that stops answering (its processes stopped with SIGSTOP): `/healthz`'s probe says
 *   down, a save is rejected instead of waiting for ever, and a start fails naming the database
 *   instead of hanging silently.
 *
 * Waits for states (a backend waiting on a lock, health turning), each with a deadline.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { entityRoom } from '../../../../src/protocol/index.js';
import type { EntityWrite } from '../../../../src/server/entities/entity-store.js';
import { MIGRATION_LOCK_KEY } from '../../../../src/server/postgres/postgres-migrations.js';
import type { LogFields } from '../../../../src/server/log.js';
import {
  databaseLabel,
  PostgresStorage,
} from '../../../../src/server/postgres/postgres-storage.js';
import { createServer } from '../../../../src/server/server.js';
import { startPostgres, type PostgresInstance } from '../../../services/postgres.js';
import { readiness } from '../../helpers/metrics.js';
import { nextId, TestClient, until } from '../../helpers/server-client.js';

const WAIT_MS = 15_000;
const waitFor = (check: () => boolean, what: string): Promise<void> =>
  until(check, WAIT_MS, what, 20);

let server: PostgresInstance;
let databases = 0;
before(async () => {
  server = await startPostgres();
});
after(() => server.dispose());

const freshDatabase = (): Promise<string> => server.createDatabase(`fail_${++databases}`);

async function connected(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  // Its own session may be ended by a test's stop; that is not this client's test.
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** Backends of `database` waiting for a lock (a row lock, an advisory lock). */
async function lockWaiters(admin: pg.Client, database: string): Promise<number[]> {
  const { rows } = await admin.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity
      WHERE datname = $1 AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
    [database],
  );
  return rows.map((r) => r.pid);
}

/** Polls until some backend of `database` waits for a lock; resolves with their pids. */
async function untilWaiting(admin: pg.Client, database: string): Promise<number[]> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const pids = await lockWaiters(admin, database);
    if (pids.length > 0) return pids;
    if (Date.now() > deadline) throw new Error(`no backend of ${database} waits on a lock`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Resolves once `url` answers a query again (PostgreSQL restarting after a backend crashed). */
async function untilAnswering(url: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      const client = await connected(url);
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

const nameOf = (url: string): string => new URL(url).pathname.slice(1);

const update = (mutationId: string, fields: Record<string, string>): EntityWrite => ({
  type: 'customer',
  id: '42',
  fields,
  baseVersion: 1,
  mutationId,
  source: 'client',
  at: 2,
});

/** A store on a fresh database holding customer 42 at version 1, and a session of its own. */
async function storeWithCustomer(
  options: Partial<ConstructorParameters<typeof PostgresStorage>[0]> = {},
): Promise<{ url: string; storage: PostgresStorage; locker: pg.Client }> {
  const url = await freshDatabase();
  const storage = await PostgresStorage.open({ url, poolSize: 2, ...options });
  await storage.writeEntity({
    type: 'customer',
    id: '42',
    fields: { name: 'Acme' },
    source: 'backend',
    create: true,
    at: 1,
  });
  return { url, storage, locker: await connected(url) };
}

/** Holds customer 42's row lock in an open transaction of `locker`. */
async function lockCustomer(locker: pg.Client): Promise<void> {
  await locker.query('BEGIN');
  await locker.query(`SELECT 1 FROM entities WHERE type = 'customer' AND id = '42' FOR UPDATE`);
}

describe('a PostgreSQL connection dropped during a save', () => {
  test('pg_terminate_backend of a save waiting on a row lock fails that save; the next one applies', async () => {
    const { url, storage, locker } = await storeWithCustomer();
    const admin = await connected(server.url);
    try {
      await lockCustomer(locker);
      const saved = assert.rejects(
        storage.writeEntity(update('m-1', { status: 'won' })),
        /terminat/,
      );
      const [waiting] = await untilWaiting(admin, nameOf(url));
      await admin.query('SELECT pg_terminate_backend($1)', [waiting]);
      await saved;
      await locker.query('ROLLBACK');
      // Same mutation id: nothing of the failed save was committed, so it applies now.
      const retry = await storage.writeEntity(update('m-1', { status: 'won' }));
      assert.equal(retry.outcome, 'applied');
      assert.equal((await storage.getEntity('customer', '42'))?.fields['status'], 'won');
      assert.equal(await storage.check(), true);
    } finally {
      await locker.end();
      await admin.end();
      await storage.close();
    }
  });

  test('a fast shutdown of PostgreSQL mid-save fails that save; after the restart the retry applies', async () => {
    const { url, storage, locker } = await storeWithCustomer({ probeMs: 100 });
    const admin = await connected(server.url);
    try {
      await lockCustomer(locker);
      const saved = assert.rejects(storage.writeEntity(update('m-2', { status: 'lost' })));
      await untilWaiting(admin, nameOf(url));
      await admin.end();
      await server.stop();
      await saved;
      await server.restart();
      await waitFor(() => storage.healthy(), 'healthy after the restart');
      const retry = await storage.writeEntity(update('m-2', { status: 'lost' }));
      assert.equal(retry.outcome, 'applied');
    } finally {
      await locker.end().catch(() => {});
      await storage.close();
    }
  });

  test('a migration whose connection is cut fails the start, not the process', async () => {
    const url = await freshDatabase();
    const holder = await connected(url);
    const admin = await connected(server.url);
    // Another process migrating: this start waits for its advisory lock, then its backend dies
    // without a word (SIGKILL), as a cut network would leave it. PostgreSQL restarts its other
    // sessions after that.
    await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const opened = assert.rejects(PostgresStorage.open({ url, poolSize: 1 }), /terminated/);
    const [waiting] = await untilWaiting(admin, nameOf(url));
    // The other sessions end once PostgreSQL has seen the crash: only then is "answering again"
    // the restart's, not the old server's before it noticed (then in recovery when opened).
    const restarted = new Promise((resolve) => admin.once('end', resolve));
    process.kill(waiting!, 'SIGKILL');
    await opened;
    await restarted;
    await untilAnswering(url);
    const storage = await PostgresStorage.open({ url, poolSize: 1 });
    assert.equal(await storage.check(), true);
    await storage.close();
    await holder.end().catch(() => {});
    await admin.end().catch(() => {});
  });

  test('over a WebSocket: the save is answered with a retryable error, the socket stays, the resend is acked', async () => {
    const databaseUrl = await freshDatabase();
    const realtime = createServer({
      auth: { devIdentities: true },
      quiet: true,
      databaseUrl,
      shutdownTimeoutMs: 500,
    });
    const { port } = await realtime.listen(0, '127.0.0.1');
    const locker = await connected(databaseUrl);
    const admin = await connected(server.url);
    const alice = await TestClient.connect(`ws://127.0.0.1:${port}/realtime`, {
      user: { id: 'alice', name: 'Alice Martin' },
    });
    try {
      const created = await realtime.entities.update({
        type: 'customer',
        id: '42',
        fields: { name: 'Acme' },
        source: 'backend',
        create: true,
      });
      assert.equal(created.kind, 'applied');
      await alice.join(entityRoom('customer', '42'));
      await lockCustomer(locker);
      const frame = {
        type: 'entity.update' as const,
        mutationId: 'ws-save-1',
        entityType: 'customer',
        entityId: '42',
        baseVersion: 1,
        fields: { status: 'won' },
      };
      const answer = alice.request({ ...frame, id: nextId('u') });
      const [waiting] = await untilWaiting(admin, nameOf(databaseUrl));
      await admin.query('SELECT pg_terminate_backend($1)', [waiting]);
      const failed = await answer;
      assert.equal(failed.type, 'error', JSON.stringify(failed));
      assert.equal(failed.type === 'error' && failed.code, 'internal');
      await locker.query('ROLLBACK');
      const resent = await alice.request({ ...frame, id: nextId('u') });
      assert.equal(resent.type, 'entity.ack', JSON.stringify(resent));
      assert.ok(resent.type === 'entity.ack' && resent.duplicate !== true);
    } finally {
      alice.ws.terminate();
      await locker.end();
      await admin.end();
      await realtime.close();
    }
  });
});

/** The pids of `postmaster` and of its children (backends, background workers). */
function postgresProcesses(postmaster: number): number[] {
  const children = spawnSync('ps', ['-o', 'pid=', '--ppid', String(postmaster)], {
    encoding: 'utf8',
  });
  return [
    postmaster,
    ...children.stdout
      .split('\n')
      .map((line) => Number(line.trim()))
      .filter((pid) => pid > 0),
  ];
}

/**
 * Stops every process of the test's PostgreSQL (SIGSTOP): connections stay open and new ones are
 * accepted by the kernel, but nothing answers, as with a hung host. Returns the resume.
 */
function hang(): () => void {
  const postmaster = server.pid;
  assert.ok(postmaster !== undefined, 'the test PostgreSQL runs');
  const stopped = postgresProcesses(postmaster);
  for (const pid of stopped) signal(pid, 'SIGSTOP');
  let resumed = false;
  return () => {
    if (resumed) return;
    resumed = true;
    for (const pid of stopped) signal(pid, 'SIGCONT');
  };
}

/**
 * Signals one of PostgreSQL's processes. A backend of a connection closed by the test before
 * (an earlier test's pool) may exit between the listing and the signal: it needs no stopping.
 */
function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

describe('a PostgreSQL that stops answering', () => {
  test('health turns down within a probe, a save is rejected, both recover when it answers again', async () => {
    const logged: { level: string; msg: string; fields: LogFields | undefined }[] = [];
    const { url, storage, locker } = await storeWithCustomer({
      probeMs: 200,
      connectTimeoutMs: 500,
      queryTimeoutMs: 500,
      log: {
        debug: () => {},
        info: (msg, fields) => void logged.push({ level: 'info', msg, fields }),
        warn: (msg, fields) => void logged.push({ level: 'warn', msg, fields }),
        error: (msg, fields) => void logged.push({ level: 'error', msg, fields }),
      },
    });
    await locker.end();
    let resume: (() => void) | undefined;
    try {
      assert.equal(await storage.check(), true);
      resume = hang();
      await waitFor(() => !storage.healthy(), '/healthz down while PostgreSQL hangs');
      await assert.rejects(storage.writeEntity(update('h-1', { status: 'hung' })));
      resume();
      await waitFor(() => storage.healthy(), '/healthz up once PostgreSQL answers');
      const retry = await storage.writeEntity(update('h-1', { status: 'hung' }));
      assert.equal(retry.outcome, 'applied');
      // The log says it once each way, naming the database (probes ran every 200 ms meanwhile).
      assert.deepEqual(
        logged.map((l) => `${l.level} ${l.msg}`),
        [
          'error database unavailable: saves are answered "retry" until it answers',
          'info database answers again',
        ],
      );
      assert.equal(logged[0]!.fields?.['database'], databaseLabel(url));
      assert.equal(logged[0]!.fields?.['reason'], 'no answer within 200 ms');
    } finally {
      resume?.();
      await storage.close();
    }
  });

  test('a start against it fails within the connect timeout, naming the database', async () => {
    const url = await freshDatabase();
    const resume = hang();
    try {
      await assert.rejects(
        PostgresStorage.open({ url, connectTimeoutMs: 500 }),
        /cannot connect to the database at postgres:\/\/postgres@127\.0\.0\.1:\d+\/fail_\d+: no answer within 500 ms/,
      );
    } finally {
      resume();
    }
  });

  test('the server process says it waits for the database, then exits with why', async () => {
    const url = await freshDatabase();
    const resume = hang();
    try {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'src/server/main.ts', '--dev', '--port', '0', '--no-seed'],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
          env: {
            ...process.env,
            CRM_API_KEYS: '',
            CRM_REDIS_URL: '',
            CRM_DATABASE_URL: url,
            CRM_DATABASE_CONNECT_TIMEOUT_MS: '500',
          },
        },
      );
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      clearTimeout(killer);
      assert.equal(code, 1, output);
      assert.match(output, /waiting for the database/);
      assert.match(output, /failed to start: .*cannot connect to the database at .*no answer/);
      assert.doesNotMatch(output, /WebSocket:/);
    } finally {
      resume();
    }
  });
});

describe('a database that answers but takes no writes', () => {
  /**
   * A store with a customer, and `readOnly(on)`: the database's sessions become read-only (a
   * standby after a failover) or writable again. New sessions get the setting; ending the pool's
   * sessions is the failover's dropped sockets.
   */
  async function failingOver() {
    const { url, storage, locker } = await storeWithCustomer();
    await locker.end();
    const admin = await connected(server.url);
    const name = nameOf(url);
    const readOnly = async (on: boolean): Promise<void> => {
      await admin.query(
        on
          ? `ALTER DATABASE ${name} SET default_transaction_read_only = on`
          : `ALTER DATABASE ${name} RESET default_transaction_read_only`,
      );
      await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [name],
      );
    };
    return { storage, admin, readOnly };
  }

  test('read-only (a standby after a failover) is unhealthy, and healthy again once writable', async () => {
    const { storage, admin, readOnly } = await failingOver();
    try {
      assert.equal(await storage.check(), true);
      await readOnly(true);
      // The first statement on a session just ended may fail as terminated; then it is read-only.
      let refusal = '';
      for (let n = 0; n < 5 && !/read-only/.test(refusal); n++) {
        refusal = await storage.writeEntity(update(`m-ro-${n}`, { status: 'won' })).then(
          () => 'applied',
          (err: Error) => err.message,
        );
      }
      assert.match(refusal, /read-only/);
      assert.equal(await storage.check(), false, 'a database refusing every save is not healthy');
      assert.equal(storage.healthy(), false);

      await readOnly(false);
      let healthy = false;
      for (let n = 0; n < 5 && !healthy; n++) healthy = await storage.check();
      assert.equal(healthy, true);
    } finally {
      await admin.end();
      await storage.close();
    }
  });

  test('/metrics reports the database down and the process not ready while read-only, up after', async () => {
    const { storage, admin, readOnly } = await failingOver();
    // Closes the storage it is given.
    const realtime = createServer({
      auth: { devIdentities: true },
      quiet: true,
      storage,
      shutdownTimeoutMs: 500,
    });
    const { port } = await realtime.listen(0, '127.0.0.1');
    const base = `127.0.0.1:${port}`;
    const health = async (): Promise<number> => (await fetch(`http://${base}/healthz`)).status;
    /** Probes now (`healthy()` reports the last probe) until it says `up`. */
    const probeUntil = async (up: boolean): Promise<void> => {
      for (let n = 0; n < 5 && (await storage.check()) !== up; n++);
      assert.equal(storage.healthy(), up);
    };
    try {
      await probeUntil(true);
      assert.deepEqual(await readiness(base), { ready: 1, database: 1, redis: undefined });
      await readOnly(true);
      await probeUntil(false);
      assert.equal(await health(), 503);
      assert.deepEqual(await readiness(base), { ready: 0, database: 0, redis: undefined });

      await readOnly(false);
      await probeUntil(true);
      assert.equal(await health(), 200);
      assert.deepEqual(await readiness(base), { ready: 1, database: 1, redis: undefined });
    } finally {
      await readOnly(false);
      await admin.end();
      await realtime.close();
    }
  });
});
