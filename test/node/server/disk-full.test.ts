/**
 * The embedded SQLite store on a disk that fills up: a 2 MB tmpfs as the data directory, filled
 * with a file, under the reference server and a real live-data client. Saves are answered with a
 * code the page retries (its outbox keeps the edit), `/healthz` and `/metrics` say the database is
 * down, the log says so once, a notification is answered "retry" as well, and once space is back everything recovers by itself: the health
 * turns, the page's edit lands exactly once, nothing half-written is left in the history, the
 * change log or the activity log.
 *
 * Mounting needs root (or CAP_SYS_ADMIN); without it the suite is skipped, saying why.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { MemoryOutboxStore } from '../../../src/client/index.js';
import type { Logger, LogFields } from '../../../src/server/log.js';
import { SqliteStorage } from '../../../src/server/sqlite-storage.js';
import { readiness } from '../helpers/metrics.js';
import { RealServerSuite } from '../helpers/real-client.js';
import { nextId, TestClient, until } from '../helpers/server-client.js';

const ada = { id: 'ada', name: 'Ada' };
const API_KEY = 'api-key-for-the-disk-full-tests';

/** A backend's `POST /api/activity`. */
function postActivity(base: string, summary: string): Promise<Response> {
  return fetch(`http://${base}/api/activity`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'call.logged', customerId: 'c1', summary }),
  });
}

/** Whether a 2 MB tmpfs could be mounted on `dir`; the reason when not. */
function mountTmpfs(dir: string): string | undefined {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir], { stdio: 'pipe' });
    return undefined;
  } catch (err) {
    return `cannot mount a tmpfs to fill (needs root): ${String(err).split('\n')[0]}`;
  }
}

/** Fills the file system of `dir` with one file; resolves to its path. */
function fill(dir: string): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    // Bounded: a 2 MB file system is full long before 1000 chunks.
    for (let i = 0; i < 1000; i++) writeSync(fd, chunk);
    throw new Error('the file system never filled');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
  return path;
}

/** A logger that keeps its lines. */
function capturingLogger(): {
  log: Logger;
  lines: { level: string; msg: string; fields?: LogFields }[];
} {
  const lines: { level: string; msg: string; fields?: LogFields }[] = [];
  const keep =
    (level: string) =>
    (msg: string, fields?: LogFields): void =>
      void lines.push({ level, msg, ...(fields ? { fields } : {}) });
  return {
    lines,
    log: { debug: keep('debug'), info: keep('info'), warn: keep('warn'), error: keep('error') },
  };
}

/** Waits (polling, 10 s at most: the machine may be busy) until `check` holds. */
const waitFor = (check: () => boolean, what: string): Promise<void> =>
  until(check, 10_000, what, 5);

async function healthStatus(base: string): Promise<number> {
  const res = await fetch(`http://${base}/healthz`);
  await res.arrayBuffer();
  return res.status;
}

describe('a full disk under the SQLite store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crm-disk-full-'));
  let cannotMount: string | undefined;
  let suite: RealServerSuite | undefined;
  let storage: SqliteStorage | undefined;
  before(() => {
    cannotMount = mountTmpfs(dir);
  });
  after(async () => {
    await suite?.stop();
    await storage?.close();
    if (cannotMount === undefined) execFileSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers saves "retry", reports the database down, and recovers by itself with the edit landing once', async (t) => {
    if (cannotMount !== undefined) return t.skip(cannotMount);
    const { log, lines } = capturingLogger();
    // Every health check probes: the test waits for states, not for a probe interval.
    storage = new SqliteStorage(join(dir, 'crm.db'), undefined, { log, probeMs: 0 });
    suite = new RealServerSuite({
      auth: { devIdentities: true },
      storage,
      logger: log,
      apiKeys: [API_KEY],
    });
    await suite.start();
    const server = suite.server;
    const base = new URL(suite.url).host;
    await server.entities.update({
      type: 'customer',
      id: 'c1',
      fields: { name: 'Acme', notes: '' },
      source: 'backend',
      create: true,
    });
    const live = suite
      // A re-send waits a hundredth of its usual ceiling (50 ms for the first).
      .client(ada.id, 'ada-device', {
        devUser: ada,
        outbox: new MemoryOutboxStore(),
        random: () => 0.01,
      })
      .liveData({ entityType: 'customer', entityId: 'c1' });
    await waitFor(() => live.status === 'ready', 'ready');
    assert.deepEqual(await readiness(base), { ready: 1, database: 1, redis: undefined });

    const bob = await TestClient.connect(suite.url, { user: { id: 'bob', name: 'Bob' } });
    await bob.join('user:bob');
    const earlier = {
      type: 'entity.update' as const,
      mutationId: 'acked-before-the-disk-filled',
      entityType: 'customer',
      entityId: 'c1',
      baseVersion: 1,
      fields: { name: 'Acme Ltd' },
    };
    const acked = await bob.request({ ...earlier, id: nextId('u') });
    assert.equal(acked.type, 'entity.ack', JSON.stringify(acked));

    const filler = fill(dir);
    // The WAL file may have room left from before (SQLite rewrites it from the start after a
    // checkpoint): backend saves use it up until one fails, as the disk being full.
    let refused: unknown;
    for (let i = 0; i < 200 && refused === undefined; i++) {
      await server.entities
        .update({
          type: 'customer',
          id: 'c1',
          fields: { ballast: `backend ${i} ${'b'.repeat(2000)}` },
          source: 'backend',
        })
        .catch((err: unknown) => (refused = err));
    }
    assert.equal((refused as { code?: string } | undefined)?.code, 'SQLITE_FULL');
    const before = (await server.entities.get('customer', 'c1'))!;

    assert.equal(await healthStatus(base), 503, '/healthz says the server is not ready');
    assert.deepEqual(await readiness(base), { ready: 0, database: 0, redis: undefined });

    const failures = (): number => lines.filter((l) => l.msg === 'entity request failed').length;
    const saving = live.update({ notes: `from the page ${'p'.repeat(2000)}` });
    // The server answers "retry" (internal): the change stays pending and is sent again.
    await waitFor(() => failures() >= 2, 'the save refused and retried');
    assert.equal(live.changes.at(-1)?.state, 'pending');
    assert.equal((await server.entities.get('customer', 'c1'))?.version, before.version);
    assert.equal(await healthStatus(base), 503);

    // A save acknowledged before the disk filled, sent again (its ack was lost): answered as the
    // duplicate it is, from what is stored; it wrote nothing, so the database stays down.
    const again = await bob.request({ ...earlier, id: nextId('u') });
    assert.equal(again.type === 'entity.ack' && again.duplicate, true, JSON.stringify(again));
    assert.equal(await healthStatus(base), 503);

    // A backend's write is answered 503 with a time to retry.
    const posted = await postActivity(base, 'while full');
    await posted.arrayBuffer();
    assert.equal(posted.status, 503);
    assert.equal(posted.headers.get('retry-after'), '5');

    // A notification is answered "retry" too, and the server stays up for everything else.
    const notified = await bob.request({
      type: 'emit',
      id: nextId('n'),
      room: 'user:bob',
      event: 'notification',
      payload: { target: { user: 'bob' }, title: 'Call Ada back' },
    });
    assert.equal(notified.type, 'error', JSON.stringify(notified));
    assert.equal(notified.type === 'error' && notified.code, 'internal');
    await bob.sync();
    bob.close();

    unlinkSync(filler);
    await waitFor(() => live.changes.at(-1)?.state === 'confirmed', 'the kept edit lands');
    const outcome = await saving;
    assert.equal(outcome.state, 'confirmed');
    assert.equal(await healthStatus(base), 200, 'ready again without a restart');
    assert.deepEqual(await readiness(base), { ready: 1, database: 1, redis: undefined });

    const postedAgain = await postActivity(base, 'space is back');
    await postedAgain.arrayBuffer();
    assert.ok(postedAgain.ok, `POST /api/activity answered ${postedAgain.status}`);

    // Exactly once: one version more than before the disk filled, one history row per version,
    // one change-log row per version, nothing from the refused attempts.
    const after = (await server.entities.get('customer', 'c1'))!;
    assert.equal(after.version, before.version + 1);
    assert.ok(String(after.fields['notes']).startsWith('from the page'));
    const history = await storage.entityChanges('customer', 'c1');
    assert.deepEqual(
      history.map((c) => c.version),
      Array.from({ length: after.version }, (_, i) => i + 1),
    );
    const logged = (await storage.changes.after(0, 1000)).filter(
      (c) => c.kind === 'entity.change' && c.entity?.id === 'c1',
    );
    assert.equal(logged.length, after.version, 'a change-log row per version, none half-written');

    // The file is sound after the failed writes and their checkpoints.
    const check = new Database(join(dir, 'crm.db'), { readonly: true });
    try {
      assert.equal(check.pragma('integrity_check', { simple: true }), 'ok');
    } finally {
      check.close();
    }

    const said = (msg: string): number => lines.filter((l) => l.msg === msg).length;
    assert.equal(
      said('database refuses writes: saves are answered "retry" until it takes them'),
      1,
    );
    assert.equal(said('database takes writes again'), 1, 'a duplicate answered is no write');
  });
  it('an activity append refused for lack of space reports the database down, one that lands up', async (t) => {
    if (cannotMount !== undefined) return t.skip(cannotMount);
    // No probe after the first: what the health says comes from the appends alone.
    const store = new SqliteStorage(join(dir, 'activity.db'), undefined, { probeMs: 1e9 });
    try {
      assert.equal(store.healthy(), true);
      const filler = fill(dir);
      let refused: unknown;
      for (let i = 0; i < 200 && refused === undefined; i++) {
        await store.activity
          .append({ kind: 'call.logged', summary: 's'.repeat(500), at: Date.now() })
          .catch((err: unknown) => (refused = err));
      }
      assert.equal((refused as { code?: string } | undefined)?.code, 'SQLITE_FULL');
      assert.equal(store.healthy(), false);
      const logged = (await store.changes.after(0, 10_000)).filter((c) => c.kind === 'activity');
      assert.equal(
        logged.length,
        await store.activity.count(),
        'no change-log row without its item',
      );
      unlinkSync(filler);
      await store.activity.append({ kind: 'call.logged', summary: 'back', at: Date.now() });
      assert.equal(store.healthy(), true);
    } finally {
      await store.close();
    }
  });
});

describe('a database file locked by another process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crm-locked-'));
  let suite: RealServerSuite | undefined;
  after(async () => {
    await suite?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a save "retry" without stalling the server, reports it down, and takes the resend once unlocked', async () => {
    const file = join(dir, 'crm.db');
    const { log } = capturingLogger();
    const storage = new SqliteStorage(file, undefined, { log, probeMs: 0 });
    suite = new RealServerSuite({ auth: { devIdentities: true }, storage, logger: log });
    await suite.start();
    const base = new URL(suite.url).host;
    await suite.server.entities.update({
      type: 'customer',
      id: 'c2',
      fields: { name: 'Acme' },
      source: 'backend',
      create: true,
    });
    const client = await TestClient.connect(suite.url, { user: ada });
    const save = {
      type: 'entity.update' as const,
      mutationId: 'locked-mutation-1',
      entityType: 'customer',
      entityId: 'c2',
      baseVersion: 1,
      fields: { name: 'Acme Ltd' },
    };

    // A backup tool, or an operator's sqlite3, holding the write lock.
    const other = new Database(file);
    try {
      other.exec('BEGIN IMMEDIATE');
      const started = performance.now();
      const refused = await client.request({ ...save, id: nextId('u') });
      const waited = performance.now() - started;
      assert.equal(refused.type === 'error' && refused.code, 'internal', JSON.stringify(refused));
      // Waiting for the lock blocks every socket: the wait is short (it was 5 s per save).
      assert.ok(waited < 2000, `answered after ${Math.round(waited)} ms`);
      assert.equal(await healthStatus(base), 503);
      assert.deepEqual(await readiness(base), { ready: 0, database: 0, redis: undefined });
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }

    assert.equal(await healthStatus(base), 200);
    const landed = await client.request({ ...save, id: nextId('u') });
    assert.equal(landed.type, 'entity.ack', JSON.stringify(landed));
    assert.equal(landed.type === 'entity.ack' && landed.entity.version, 2);
    assert.equal(landed.type === 'entity.ack' && landed.duplicate, false);
    client.close();
  });
});
