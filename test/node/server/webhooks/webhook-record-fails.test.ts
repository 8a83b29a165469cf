/**
 * A delivery whose outcome cannot be stored (the disk is full: `recordAttempt` fails) stays
 * pending as stored. The worker waits its first backoff before any attempt, instead of sending it
 * again at once in a loop as fast as the receiver answers; once the database takes writes, the
 * next attempt is recorded and the delivery is done. Time is the server's manual clock.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { SqliteStorage } from '../../../../src/server/sqlite-storage.js';
import { until } from '../../helpers/server-client.js';
import { startHarness, type Harness } from '../../helpers/server-harness.js';
import { loadDocSnippet, Receiver } from './receiver.js';

const SECRET = 'whsec-test-0123456789abcdef';
const BACKOFF_MS = 2_000;

let dir: string;
let h: Harness;
let receiver: Receiver;
let storage: SqliteStorage;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crm-webhook-record-'));
  receiver = new Receiver(SECRET, await loadDocSnippet(), () => h.clock.now());
  await receiver.start();
  storage = new SqliteStorage(join(dir, 'crm.sqlite'));
  h = await startHarness({
    storage,
    webhooks: {
      url: receiver.url,
      secret: SECRET,
      timeoutMs: 86_400_000,
      backoffMs: BACKOFF_MS,
    },
  });
});

after(async () => {
  await h.close();
  await receiver.close();
  await rm(dir, { recursive: true, force: true });
});

test('an attempt not recorded is not repeated at once; it is, once, after the backoff', async () => {
  const changes = storage.changes;
  const record = changes.recordAttempt.bind(changes);
  let full = true;
  const refused = new Set<number>();
  const recorded = new Set<number>();
  changes.recordAttempt = async (seq, result) => {
    if (full) {
      refused.add(seq);
      throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    }
    await record(seq, result);
    recorded.add(seq);
  };

  // The change and its activity item: deliveries of one entity, attempted one after the other.
  await h.server.entities.update({
    type: 'customer',
    id: 'w1',
    fields: { name: 'Acme' },
    source: 'backend',
    create: true,
  });
  const deliveries = (await changes.after(0, 100)).length;
  await until(() => refused.size > 0, 5000, 'an outcome refused');
  // A round trip through the server: an attempt started at once would have reached the receiver.
  await fetch(`${new URL(h.url.replace('ws:', 'http:')).origin}/healthz`).then((r) =>
    r.arrayBuffer(),
  );
  assert.equal(receiver.requests.length, 1, 'no attempt before the backoff');
  assert.equal(refused.size, 1);

  full = false;
  await h.clock.advance(BACKOFF_MS);
  await until(() => recorded.size === deliveries, 5000, 'every next outcome recorded');
  // The refused one once more, then each of the others once: no loop.
  assert.equal(receiver.requests.length, deliveries + 1);
  assert.equal(new Set(receiver.requests.map((r) => r.id)).size, deliveries);
  assert.deepEqual(await changes.deliveryCounts(), { pending: 0, dead: 0 });
});
