/**
 * Webhook delivery against a real receiver (node:http): every accepted change is POSTed signed
 * (verified with the snippet of docs/webhooks.md), retried with backoff under one delivery id,
 * in order per entity, a timeout counts as a failure, and after the last attempt a delivery is a
 * dead letter that the API lists and retries; `/metrics` counts all of it. Time is the server's
 * manual clock: backoff and timeouts are stepped, never waited for.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { SqliteStorage } from '../../../../src/server/sqlite-storage.js';
import { until } from '../../helpers/server-client.js';
import { startHarness, type Harness } from '../../helpers/server-harness.js';
import { loadDocSnippet, Receiver, type Received, type Verify } from './receiver.js';

/**
 * How long a wait may take before the test calls it a hang. Generous on purpose: the states
 * waited for come in milliseconds, but a loaded CI machine must not turn a wait into a failure.
 */
const HANG_MS = 30_000;

const SECRET = 'whsec-test-0123456789abcdef';
const KEY = 'api-key-for-webhook-tests';
/** Far beyond any real round trip, so stepping the clock never times out a live request. */
const TIMEOUT_MS = 86_400_000;

interface Row {
  attempts: number;
  delivery: string | null;
  next_attempt_at: number | null;
  last_attempt_at: number | null;
  last_error: string | null;
}

describe('webhook delivery', () => {
  let dir: string;
  let h: Harness;
  let receiver: Receiver;
  let verify: Verify;
  let db: Database.Database;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crm-webhooks-'));
    verify = await loadDocSnippet();
    receiver = new Receiver(SECRET, verify, () => h.clock.now());
    await receiver.start();
    const file = join(dir, 'crm.sqlite');
    h = await startHarness({
      storage: new SqliteStorage(file),
      apiKeys: [KEY],
      webhooks: {
        url: receiver.url,
        secret: SECRET,
        maxAttempts: 3,
        timeoutMs: TIMEOUT_MS,
        backoffMs: 2_000,
        maxBackoffMs: 60_000,
      },
    });
    db = new Database(file, { readonly: true });
  });

  afterEach(() => {
    receiver.failWhen = () => false;
    receiver.holdWhen = () => false;
  });

  after(async () => {
    db.close();
    await h.close();
    await receiver.close();
    await rm(dir, { recursive: true, force: true });
  });

  const save = (id: string, fields: Record<string, string>) =>
    h.server.entities.update({ type: 'customer', id, fields, source: 'backend', create: true });

  const row = (id: string): Row | undefined =>
    db
      .prepare<[string], Row>(
        'SELECT attempts, delivery, next_attempt_at, last_attempt_at, last_error FROM change_log WHERE id = ?',
      )
      .get(id);

  const about = (entityId: string): Received[] =>
    receiver.requests.filter((r) => r.body.entity?.id === entityId);

  /** Steps the clock a second per turn until `condition` holds (retries fall due on the way). */
  const advanceUntil = async (condition: () => boolean, what: string): Promise<void> => {
    const deadline = Date.now() + 5_000;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`${what} not met`);
      h.clock.advanceSync(1_000);
      await new Promise((resolve) => setImmediate(resolve));
    }
  };

  const api = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`http://127.0.0.1:${h.server.port}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  const metric = async (name: string): Promise<number> => {
    const text = await (await fetch(`http://127.0.0.1:${h.server.port}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    assert.ok(line, `${name} in /metrics`);
    return Number(line.split(' ')[1]);
  };

  /** Polls `/metrics` until `name` reads `want` (the gauges refresh after each attempt). */
  const metricBecomes = async (name: string, want: number): Promise<void> => {
    const deadline = Date.now() + HANG_MS;
    while ((await metric(name)) !== want && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.equal(await metric(name), want, name);
  };

  test('every accepted change is POSTed as signed JSON with its delivery id', async () => {
    await save('sig-1', { name: 'Acme', phone: '030 1' });
    await h.server.notifications.send({
      target: { user: 'bob' },
      type: 'info',
      priority: 'normal',
      title: 'Call Acme back',
      entity: { type: 'customer', id: 'sig-1' },
    });
    await until(() => about('sig-1').length === 3, HANG_MS, 'three deliveries');
    const [change, activity, notification] = about('sig-1');
    assert.deepEqual(
      [change!.event, activity!.event, notification!.event],
      ['entity.change', 'activity', 'notification'],
      'one entity delivers in commit order: the change, its activity item, the notification',
    );
    for (const request of [change!, activity!, notification!]) {
      assert.ok(request.verified, 'the documented snippet verifies the signature');
      assert.equal(request.status, 204);
      assert.equal(request.id, request.body.id, 'X-CRM-Delivery is the change id');
      assert.equal(request.event, request.body.kind);
      assert.equal(request.attempt, 1);
      assert.match(request.signature, /^t=\d+,v1=[0-9a-f]{64}$/);
      assert.deepEqual(request.body.entity, { type: 'customer', id: 'sig-1' });
    }
    const data = change!.body.data as {
      entity: { fields: unknown; version: number };
      changed: string[];
    };
    assert.deepEqual(data.entity.fields, { name: 'Acme', phone: '030 1' });
    assert.equal(data.entity.version, 1);
    assert.deepEqual(data.changed.sort(), ['name', 'phone']);
    assert.deepEqual((notification!.body.data as { recipients: string[] }).recipients, ['bob']);
    assert.equal((activity!.body.data as { customerId: string }).customerId, 'sig-1');

    // The snippet refuses what it must: a changed body, another secret, an old timestamp.
    const now = h.clock.now();
    assert.equal(verify(change!.raw, change!.signature, SECRET, 300, now), true);
    assert.equal(
      verify(Buffer.concat([change!.raw, Buffer.from(' ')]), change!.signature, SECRET, 300, now),
      false,
    );
    assert.equal(
      verify(change!.raw, change!.signature, 'another-secret-0123456789', 300, now),
      false,
    );
    assert.equal(verify(change!.raw, change!.signature, SECRET, 300, now + 301_000), false);
    assert.equal(verify(change!.raw, undefined, SECRET, 300, now), false);
  });

  test('a failed delivery is retried with doubling backoff under the same id and body', async () => {
    receiver.failWhen = (r) => r.body.entity?.id === 'retry-1' && r.attempt < 3;
    await save('retry-1', { name: 'Beta' });
    await until(() => about('retry-1').length === 1, HANG_MS, 'first attempt');
    const id = about('retry-1')[0]!.id;
    await until(() => row(id)?.attempts === 1, HANG_MS, 'first failure recorded');
    const first = row(id)!;
    assert.equal(first.delivery, 'pending');
    assert.equal(first.last_error, 'HTTP 500');
    assert.equal(first.next_attempt_at! - first.last_attempt_at!, 2_000);
    // The change waits in backoff and its activity item behind it: both count as pending.
    await metricBecomes('crm_webhook_pending', 2);

    await advanceUntil(() => row(id)?.attempts === 2, 'second failure recorded');
    const second = row(id)!;
    assert.equal(second.next_attempt_at! - second.last_attempt_at!, 4_000, 'backoff doubles');

    await advanceUntil(() => row(id)?.delivery === 'delivered', 'third attempt delivered');
    const attempts = about('retry-1').filter((r) => r.event === 'entity.change');
    assert.deepEqual(
      attempts.map((r) => [r.id, r.attempt, r.status]),
      [
        [id, 1, 500],
        [id, 2, 500],
        [id, 3, 204],
      ],
    );
    assert.ok(
      attempts.every((r) => r.raw.equals(attempts[0]!.raw)),
      'the body is the same bytes',
    );
    assert.ok(
      attempts.every((r) => r.verified),
      'each attempt is signed anew',
    );
    // The change's activity item waited for it: nothing of the entity overtook the retries.
    const order = about('retry-1').map((r) => r.event);
    assert.deepEqual(order.slice(0, 3), ['entity.change', 'entity.change', 'entity.change']);
    await until(() => about('retry-1').length === 4, HANG_MS, 'the activity item after it');
  });

  test('a later delivery of an entity waits for the earlier one; other entities do not', async () => {
    let aFails = true;
    receiver.failWhen = (r) => aFails && r.body.entity?.id === 'order-a';
    await save('order-a', { name: 'A1' });
    await save('order-a', { name: 'A2' });
    await save('order-b', { name: 'B1' });
    await until(
      () => receiver.accepted.filter((r) => r.body.entity?.id === 'order-b').length === 2,
      HANG_MS,
      'order-b delivered while order-a fails',
    );
    const triedA = new Set(about('order-a').map((r) => r.id));
    assert.equal(triedA.size, 1, 'only the oldest delivery of order-a was tried');
    const feed = await api('/api/changes?limit=1000');
    const expected = (feed.body.items as { id: string; entity?: { id: string } }[])
      .filter((item) => item.entity?.id === 'order-a')
      .map((item) => item.id);
    assert.equal(expected.length, 4);
    assert.equal([...triedA][0], expected[0]);

    aFails = false;
    await advanceUntil(
      () => receiver.accepted.filter((r) => r.body.entity?.id === 'order-a').length === 4,
      'order-a delivered',
    );
    assert.deepEqual(
      receiver.accepted.filter((r) => r.body.entity?.id === 'order-a').map((r) => r.id),
      expected,
      'in commit order',
    );
  });

  test('no answer within the timeout is a failed attempt, retried', async () => {
    receiver.holdWhen = (r) => r.body.entity?.id === 'slow-1' && r.attempt === 1;
    await save('slow-1', { name: 'Slow' });
    await until(() => receiver.holding === 1, HANG_MS, 'the receiver holds the first attempt');
    const id = about('slow-1')[0]!.id;
    h.clock.advanceSync(TIMEOUT_MS);
    await until(() => row(id)?.attempts === 1, HANG_MS, 'the timeout recorded');
    assert.equal(row(id)!.last_error, `no answer within ${TIMEOUT_MS} ms`);
    assert.equal(row(id)!.delivery, 'pending');
    await advanceUntil(() => row(id)?.delivery === 'delivered', 'delivered on the retry');
    const attempts = about('slow-1').filter((r) => r.event === 'entity.change');
    assert.deepEqual(
      attempts.map((r) => [r.id, r.attempt, r.status]),
      [
        [id, 1, undefined],
        [id, 2, 204],
      ],
      'the first attempt is still unanswered when the second is delivered',
    );
    // The late answer to the first attempt finds nobody listening; the receiver's dedup holds.
    receiver.release();
    assert.equal(receiver.accepted.filter((r) => r.id === id).length, 1);
  });

  test('after the last attempt a delivery is dead: listed, counted, retried through the API', async () => {
    const failedBefore = await metric('crm_webhook_failed_total');
    let failing = true;
    receiver.failWhen = (r) =>
      failing && r.body.entity?.id === 'dead-1' && r.body.kind === 'entity.change';
    await save('dead-1', { name: 'Gone' });
    await until(() => about('dead-1').length === 1, HANG_MS, 'first attempt');
    const id = about('dead-1')[0]!.id;
    await advanceUntil(() => row(id)?.delivery === 'dead', 'dead after 3 attempts');
    assert.equal(row(id)!.attempts, 3);
    // A dead letter no longer holds up its entity: the activity item after it is delivered.
    await until(
      () => receiver.accepted.some((r) => r.body.entity?.id === 'dead-1' && r.event === 'activity'),
      HANG_MS,
      'the next delivery of the entity',
    );

    const listed = await api('/api/webhooks/dead-letters');
    assert.equal(listed.status, 200);
    const items = listed.body.items as Record<string, unknown>[];
    assert.equal(items.length, 1);
    assert.equal(items[0]!.id, id);
    assert.equal(items[0]!.kind, 'entity.change');
    assert.equal(items[0]!.attempts, 3);
    assert.equal(items[0]!.lastError, 'HTTP 500');
    assert.equal(typeof items[0]!.lastAttemptAt, 'number');
    assert.deepEqual(items[0]!.entity, { type: 'customer', id: 'dead-1' });
    assert.equal(listed.body.nextCursor, undefined);

    await until(() => h.server.metrics.webhooksDead === 1, HANG_MS, 'dead counted');
    assert.equal(await metric('crm_webhook_dead'), 1);
    assert.equal(await metric('crm_webhook_dead_total'), 1);
    assert.equal((await metric('crm_webhook_failed_total')) - failedBefore, 3);

    const bad = await api('/api/webhooks/dead-letters/retry', {
      method: 'POST',
      body: JSON.stringify({ ids: 'all' }),
    });
    assert.equal(bad.status, 400);
    const unknown = await api('/api/webhooks/dead-letters/retry', {
      method: 'POST',
      body: JSON.stringify({ ids: ['no-such-delivery'] }),
    });
    assert.deepEqual(unknown.body, { retried: [], count: 0 });

    failing = false;
    const retried = await api('/api/webhooks/dead-letters/retry', {
      method: 'POST',
      body: JSON.stringify({ ids: [id] }),
    });
    assert.deepEqual(retried, { status: 200, body: { retried: [id], count: 1 } });
    await until(() => receiver.accepted.some((r) => r.id === id), HANG_MS, 'delivered on retry');
    assert.equal(receiver.accepted.find((r) => r.id === id)!.attempt, 1, 'a fresh count');
    assert.deepEqual((await api('/api/webhooks/dead-letters')).body, { items: [] });
    await until(
      () => h.server.metrics.webhooksDelivered >= receiver.accepted.length,
      HANG_MS,
      'delivered counted',
    );
    await metricBecomes('crm_webhook_pending', 0);
    await metricBecomes('crm_webhook_dead', 0);
    assert.equal(await metric('crm_webhook_delivered_total'), receiver.accepted.length);
  });

  test('dead letters discarded through the API are given up for good; "all" answers a count', async () => {
    const failing = new Set(['discard-1', 'discard-2', 'discard-3']);
    receiver.failWhen = (r) =>
      failing.has(r.body.entity?.id ?? '') && r.body.kind === 'entity.change';
    for (const entity of failing) await save(entity, { name: 'Dropped' });
    await until(
      () => [...failing].every((entity) => about(entity).length > 0),
      HANG_MS,
      'first attempts',
    );
    const ids = [...failing].map((entity) => about(entity)[0]!.id);
    await advanceUntil(
      () => ids.every((id) => row(id)?.delivery === 'dead'),
      'all three dead after 3 attempts',
    );
    await metricBecomes('crm_webhook_dead', 3);

    const one = await api('/api/webhooks/dead-letters/discard', {
      method: 'POST',
      body: JSON.stringify({ ids: [ids[0], 'no-such-delivery'] }),
    });
    assert.deepEqual(one, { status: 200, body: { discarded: [ids[0]], count: 1 } });
    assert.equal(row(ids[0]!)!.delivery, null, 'no delivery left to make');
    const listed = (await api('/api/webhooks/dead-letters')).body.items as { id: string }[];
    assert.deepEqual(
      listed.map((item) => item.id),
      ids.slice(1),
    );
    await metricBecomes('crm_webhook_dead', 2);

    // Retrying a discarded one does nothing; the others are still there to retry.
    failing.clear();
    const retriedDiscarded = await api('/api/webhooks/dead-letters/retry', {
      method: 'POST',
      body: JSON.stringify({ ids: [ids[0]] }),
    });
    assert.deepEqual(retriedDiscarded.body, { retried: [], count: 0 });
    const all = await api('/api/webhooks/dead-letters/retry', {
      method: 'POST',
      body: JSON.stringify({ all: true }),
    });
    assert.deepEqual(all, { status: 200, body: { count: 2 } }, 'a count, not every id');
    await until(
      () => ids.slice(1).every((id) => receiver.accepted.some((r) => r.id === id)),
      HANG_MS,
      'the two retried ones delivered',
    );
    assert.equal(receiver.accepted.filter((r) => r.id === ids[0]).length, 0);
    await metricBecomes('crm_webhook_dead', 0);
    const none = await api('/api/webhooks/dead-letters/discard', {
      method: 'POST',
      body: JSON.stringify({ all: true }),
    });
    assert.deepEqual(none.body, { count: 0 });

    // The change itself stays in the pull feed, where its retention takes it like a delivered one.
    const feed = (await api('/api/changes?limit=1000')).body.items as { id: string }[];
    assert.ok(feed.some((item) => item.id === ids[0]));
  });

  test('a retried dead letter waits while a newer delivery of its entity is in flight', async () => {
    const version = (r: Received) =>
      (r.body.data as { entity?: { version: number } }).entity?.version;
    const change = (r: Received, v: number) =>
      r.body.entity?.id === 'revive-1' && r.event === 'entity.change' && version(r) === v;
    let failing = true;
    receiver.failWhen = (r) => failing && change(r, 1);
    await save('revive-1', { name: 'First' });
    await until(() => about('revive-1').length === 1, HANG_MS, 'first attempt');
    const dead = about('revive-1')[0]!.id;
    await advanceUntil(() => row(dead)?.delivery === 'dead', 'dead after 3 attempts');
    failing = false;

    receiver.holdWhen = (r) => change(r, 2);
    await save('revive-1', { name: 'Second' });
    await until(() => receiver.holding === 1, HANG_MS, 'version 2 in flight, held');
    const retried = await api('/api/webhooks/dead-letters/retry', {
      method: 'POST',
      body: JSON.stringify({ ids: [dead] }),
    });
    assert.deepEqual(retried.body, { retried: [dead], count: 1 });
    // Another entity's delivery after the retry: the looks that started it saw the revived one.
    await save('revive-other', { name: 'Other' });
    await until(
      () => receiver.accepted.some((r) => r.body.entity?.id === 'revive-other'),
      HANG_MS,
      'another entity delivered meanwhile',
    );
    assert.equal(
      receiver.requests.filter((r) => r.id === dead).length,
      3,
      'the revived dead letter is not sent beside version 2 of its entity',
    );

    receiver.release();
    await until(() => receiver.accepted.some((r) => r.id === dead), HANG_MS, 'then it goes');
    const order = receiver.accepted
      .filter((r) => r.body.entity?.id === 'revive-1' && r.event === 'entity.change')
      .map(version);
    assert.deepEqual(order, [2, 1], 'version 2 (in flight) first, then the retried version 1');
  });
});
