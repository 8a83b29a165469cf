/**
 * A restart in the middle of webhook retries loses no delivery: the server is closed while
 * deliveries wait in backoff and one is in flight, a new server is started on the same SQLite
 * file, and every change reaches a receiver that deduplicates by delivery id exactly once, in
 * order per entity.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { createServer, type RealtimeServer } from '../../../../src/server/server.js';
import { SqliteStorage } from '../../../../src/server/sqlite-storage.js';
import { ManualClock } from '../../../../src/testing/manual-clock.js';
import { until } from '../../helpers/server-client.js';
import { loadDocSnippet, Receiver } from './receiver.js';

/**
 * How long a wait may take before the test calls it a hang. Generous on purpose: the states
 * waited for come in milliseconds, but a loaded CI machine must not turn a wait into a failure.
 */
const HANG_MS = 30_000;

const SECRET = 'whsec-restart-0123456789abcdef';

let dir: string;
let file: string;
let receiver: Receiver;
let clock = new ManualClock();

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crm-webhooks-restart-'));
  file = join(dir, 'crm.sqlite');
  receiver = new Receiver(SECRET, await loadDocSnippet(), () => clock.now());
  await receiver.start();
});

after(async () => {
  await receiver.close();
  await rm(dir, { recursive: true, force: true });
});

async function start(): Promise<RealtimeServer> {
  const server = createServer({
    auth: { devIdentities: true },
    quiet: true,
    clock,
    heartbeatMs: 3_600_000,
    shutdownTimeoutMs: 500,
    storage: new SqliteStorage(file),
    webhooks: {
      url: receiver.url,
      secret: SECRET,
      maxAttempts: 10,
      timeoutMs: 86_400_000,
      backoffMs: 2_000,
      maxBackoffMs: 60_000,
    },
  });
  await server.listen(0, '127.0.0.1');
  return server;
}

/** Steps the clock a second per turn until `condition` holds. */
async function advanceUntil(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} not met`);
    clock.advanceSync(1_000);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

test('a restart during retries loses no delivery and delivers each once', async () => {
  const first = await start();
  const db = new Database(file, { readonly: true });
  const rows = () =>
    db
      .prepare<
        [],
        { id: string; seq: number; entity_id: string | null; attempts: number; delivery: string }
      >('SELECT id, seq, entity_id, attempts, delivery FROM change_log ORDER BY seq')
      .all();
  try {
    receiver.failWhen = () => true;
    for (const id of ['r-1', 'r-2', 'r-3']) {
      for (const name of ['first', 'second']) {
        await first.entities.update({
          type: 'customer',
          id,
          fields: { name: `${id} ${name}` },
          source: 'backend',
          create: true,
        });
      }
    }
    await first.notifications.send({
      target: { user: 'bob' },
      type: 'info',
      priority: 'normal',
      title: 'About nothing in particular',
    });
    const all = rows();
    assert.equal(all.length, 13, '6 entity changes, 6 activity items, 1 notification');
    // The oldest delivery of each entity and the notification fail once and wait in backoff.
    await until(() => rows().filter((r) => r.attempts >= 1).length === 4, HANG_MS, 'four failures');
    // Then the second attempt of r-1's first change is held: in flight when the server stops.
    const r1Head = all.find((r) => r.entity_id === 'r-1')!.id;
    receiver.holdWhen = (r) => r.id === r1Head && r.attempt === 2;
    await advanceUntil(() => receiver.holding === 1, 'the second attempt in flight');
    // The other three heads were due at the same time: their second attempts must have failed
    // (and been recorded) before the stop, or one cut off at the stop may have been answered 2xx
    // and is rightly sent again (at-least-once), which this test does not count on.
    await until(
      () => rows().filter((r) => r.attempts >= 2).length === 3,
      HANG_MS,
      'the other second attempts failed',
    );
    assert.ok(
      rows().every((r) => r.delivery === 'pending'),
      'nothing delivered yet',
    );
    await first.close();
  } finally {
    db.close();
  }

  receiver.failWhen = () => false;
  receiver.holdWhen = () => false;
  clock = new ManualClock(clock.now());
  const second = await start();
  const check = new Database(file, { readonly: true });
  try {
    const all = check
      .prepare<[], { id: string; entity_id: string | null }>(
        'SELECT id, entity_id FROM change_log ORDER BY seq',
      )
      .all();
    await advanceUntil(() => receiver.accepted.length === all.length, 'every change delivered');
    assert.deepEqual(
      new Set(receiver.accepted.map((r) => r.id)),
      new Set(all.map((r) => r.id)),
      'every change, none made up',
    );
    for (const { id } of all) {
      const answered = receiver.requests.filter((r) => r.id === id && r.status === 204);
      assert.equal(answered.length, 1, `${id} is answered 2xx once`);
      assert.ok(answered[0]!.verified);
    }
    for (const entity of ['r-1', 'r-2', 'r-3']) {
      assert.deepEqual(
        receiver.accepted.filter((r) => r.body.entity?.id === entity).map((r) => r.id),
        all.filter((r) => r.entity_id === entity).map((r) => r.id),
        `${entity} in commit order`,
      );
    }
    const heldAttempt = receiver.requests.find((r) => r.attempt === 2 && r.status === undefined);
    assert.ok(heldAttempt, 'the attempt cut off by the restart was never answered');
    const resent = receiver.accepted.find((r) => r.id === heldAttempt.id)!;
    assert.equal(resent.attempt, 2, 'cut off by shutdown, it did not count as an attempt');
    const delivered = () =>
      check
        .prepare<[], { n: number }>(
          `SELECT COUNT(*) AS n FROM change_log WHERE delivery = 'delivered'`,
        )
        .get()!.n;
    // The receiver answered the last one; its outcome is stored a moment later.
    await until(() => delivered() === all.length, HANG_MS, 'every delivery recorded');
    const states = check
      .prepare<[], { delivery: string; n: number }>(
        'SELECT delivery, COUNT(*) AS n FROM change_log GROUP BY delivery',
      )
      .all();
    assert.deepEqual(states, [{ delivery: 'delivered', n: all.length }]);
  } finally {
    check.close();
    await second.close();
  }
});
