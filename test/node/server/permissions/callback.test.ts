/**
 * The authorization callback (`authorizeCallback`, `CRM_AUTHORIZE_URL`) against a small node:http
 * backend: allow, deny, field rules in an answer, answers cached for a bounded time (the server's
 * clock), revoked by a new hello, and a backend that fails, answers nonsense or hangs refuses
 * for now: `backend_unavailable`, which clients retry, never cached.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, test } from 'node:test';
import { AuthorizationUnavailable } from '../../../../src/server/authorize.js';
import { systemClock } from '../../../../src/server/clock.js';
import { createLogger, silentLogger } from '../../../../src/server/log.js';
import { ManualClock } from '../../../../src/testing/manual-clock.js';
import {
  AuthorizeCallback,
  type AuthorizeCallbackOptions,
} from '../../../../src/server/permissions/callback.js';
import { until } from '../../helpers/server-client.js';
import type { Harness } from '../../helpers/server-harness.js';
import {
  as,
  connectWith,
  get,
  join,
  received,
  seedCustomer,
  startPermissionHarness,
  update,
} from './permission-helpers.js';
import { Backend } from './callback-backend.js';

let h: Harness | undefined;
let backend: Backend | undefined;
afterEach(async () => {
  await h?.close();
  await backend?.close();
  h = undefined;
  backend = undefined;
});

async function start(options: Partial<AuthorizeCallbackOptions> = {}): Promise<[Harness, Backend]> {
  backend = await Backend.start();
  h = await startPermissionHarness({
    authorizeCallback: { url: backend.url, key: 'callback-key-0123456789', ...options },
  });
  await seedCustomer(h);
  return [h, backend];
}

/** Entries in every Map and Set the object holds: what it remembers. */
function remembered(object: object): number {
  let entries = 0;
  for (const value of Object.values(object)) {
    if (value instanceof Map || value instanceof Set) entries += value.size;
  }
  return entries;
}

describe('authorization callback memory', () => {
  test('keeps nothing about the users who came and went once their answers expired', async () => {
    backend = await Backend.start();
    const clock = new ManualClock();
    const callback = new AuthorizeCallback(
      { url: backend.url, cacheMs: 30_000 },
      clock,
      silentLogger,
    );
    const ask = (user: string) =>
      callback.ask({ user: { id: user, name: user }, room: `customer:${user}`, action: 'join' });
    for (let i = 0; i < 200; i++) {
      // Every hello revokes the user's answers, then the join asks.
      callback.revokeUser(`user-${i}`);
      assert.equal((await ask(`user-${i}`)).allow, true);
    }
    assert.equal(callback.size, 200);
    clock.advanceSync(30_001);
    callback.revokeUser('late');
    await ask('late');
    assert.equal(remembered(callback), 1, "the late user's answer, nothing of the others");
  });

  test('an answer asked before a revoke is returned but not cached', async () => {
    backend = await Backend.start();
    let open!: () => void;
    backend.gate = new Promise<void>((resolve) => (open = resolve));
    const callback = new AuthorizeCallback({ url: backend.url }, new ManualClock(), silentLogger);
    const request = {
      user: { id: 'ana', name: 'Ana' },
      room: 'customer:42',
      action: 'join' as const,
    };
    const before = callback.ask(request);
    await until(() => backend!.asked.length === 1);
    callback.revokeUser('ana');
    const after = callback.ask(request);
    await until(() => backend!.asked.length === 2);
    open();
    assert.equal((await before).allow, true);
    assert.equal((await after).allow, true);
    assert.equal(callback.size, 1, 'only the answer asked after the revoke');
    assert.equal(callback.pending, 0);
    await callback.ask(request);
    assert.equal(backend.asked.length, 2, 'served from the cache');
  });
});

describe('authorization callback', () => {
  test('is asked { user, room, action, entity } with the key, and its allow decides', async () => {
    const [h, backend] = await start();
    backend.decide = (b) => ({ allow: b.room !== 'customer:43' });
    const alice = await connectWith(h, 'alice');
    await alice.join('customer:42');
    assert.equal(as(await join(alice, 'customer:43'), 'error').code, 'forbidden');
    const [first] = backend.asked;
    assert.equal(first!.authorization, 'Bearer callback-key-0123456789');
    assert.deepEqual(first!.body, {
      user: { id: 'alice', name: 'alice' },
      room: 'customer:42',
      action: 'join',
      entity: { type: 'customer', id: '42' },
    });
    assert.deepEqual(
      backend.questions().map((b) => `${b.action as string} ${b.room as string}`),
      ['join customer:42', 'read customer:42', 'join customer:43'],
    );
  });

  test('a watching join says so, and is answered and cached apart from a member join', async () => {
    const [h, backend] = await start({ cacheMs: 600_000 });
    backend.decide = (b) => ({ allow: b.action !== 'join' || b.watch === true });
    const alice = await connectWith(h, 'alice');
    await alice.join('customer:42', { watch: true });
    assert.deepEqual(backend.asked[0]!.body, {
      user: { id: 'alice', name: 'alice' },
      room: 'customer:42',
      action: 'join',
      entity: { type: 'customer', id: '42' },
      watch: true,
    });
    assert.equal(as(await join(alice, 'customer:42'), 'error').code, 'forbidden');
    assert.deepEqual(
      backend.questions().map((b) => `${b.action as string}${b.watch ? ' watch' : ''}`),
      ['join watch', 'read watch', 'join'],
    );
  });

  test('a deny refuses writes; field rules in an answer apply to what the user sees and writes', async () => {
    const [h, backend] = await start();
    backend.decide = (b) =>
      b.action === 'write'
        ? { allow: true, fields: { customer: { readOnly: ['revenue'], hidden: ['notes'] } } }
        : b.action === 'emit'
          ? { allow: false }
          : { allow: true, fields: { customer: { hidden: ['notes'] } } };
    const alice = await connectWith(h, 'alice');
    const snapshot = as(await get(alice), 'entity.snapshot');
    assert.equal(Object.hasOwn(snapshot.entity.fields, 'notes'), false);
    const refused = as(await update(alice, { revenue: '1' }, 1), 'error');
    assert.equal(refused.code, 'forbidden');
    as(await update(alice, { phone: '2' }, 1), 'entity.ack');
    assert.deepEqual(as(await get(alice), 'entity.snapshot').readOnly, ['revenue']);
    await alice.join('customer:42');
    const emitted = await alice.request({
      type: 'emit',
      id: 'emit-1',
      room: 'customer:42',
      event: 'typing',
      payload: {},
    });
    assert.equal(as(emitted, 'error').code, 'forbidden');
    assert.doesNotMatch(received(alice), /secret plans/);
  });

  test('answers are cached for cacheMs on the server clock, then asked again', async () => {
    const [h, backend] = await start({ cacheMs: 10_000 });
    const alice = await connectWith(h, 'alice');
    for (let i = 0; i < 3; i++) as(await get(alice), 'entity.snapshot');
    assert.equal(backend.questions('read').length, 1, 'asked once, then cached');
    backend.decide = () => ({ allow: false });
    as(await get(alice), 'entity.snapshot');
    h.clock.advanceSync(10_001);
    assert.equal(as(await get(alice), 'error').code, 'forbidden', 'a fresh answer after cacheMs');
    // Asked again about the join (now denied, so the read is not asked at all).
    assert.deepEqual(
      backend.questions().map((b) => b.action),
      ['join', 'read', 'join'],
    );
  });

  test('a new hello (refreshed token) revokes the cached answers of that user', async () => {
    const [h, backend] = await start({ cacheMs: 600_000 });
    const alice = await connectWith(h, 'alice');
    const bob = await connectWith(h, 'bob');
    as(await get(alice), 'entity.snapshot');
    as(await get(bob), 'entity.snapshot');
    backend.decide = () => ({ allow: false });
    as(await get(alice), 'entity.snapshot'); // still cached
    const refreshed = await connectWith(h, 'alice');
    assert.equal(as(await get(refreshed), 'error').code, 'forbidden');
    assert.equal(as(await get(alice), 'error').code, 'forbidden', 'for all of her connections');
    as(await get(bob), 'entity.snapshot'); // bob's answers stay cached
  });

  test('a failing backend, a malformed answer and a timeout refuse for now (retry), uncached', async () => {
    const [h, backend] = await start({ timeoutMs: 300, cacheMs: 600_000 });
    const alice = await connectWith(h, 'alice');
    backend.failWith = { status: 500, text: '{"allow":true}' };
    const failed = as(await get(alice), 'error');
    assert.equal(failed.code, 'backend_unavailable');
    assert.equal(
      failed.message,
      "could not check permissions: the CRM's authorization service answered HTTP 500; retry",
    );
    backend.failWith = { status: 200, text: '{"allowed":"the secret plans"}' };
    const nonsense = as(await get(alice), 'error');
    assert.equal(nonsense.code, 'backend_unavailable');
    assert.doesNotMatch(nonsense.message, /secret plans/, "the backend's answer is not repeated");
    backend.failWith = undefined;
    backend.hang = true;
    alice.send({ type: 'entity.get', id: 'slow-1', entityType: 'customer', entityId: '42' });
    const timedOut = await alice.upcoming((f) => 'replyTo' in f && f.replyTo === 'slow-1', 5000);
    assert.equal(as(timedOut, 'error').code, 'backend_unavailable');
    assert.match(as(timedOut, 'error').message, /did not answer within 300 ms/);
    backend.hang = false;
    as(await get(alice), 'entity.snapshot');
  });

  test('a 503 or 429 with Retry-After names that wait on the refusal (retryAfterMs), bounded; without, none', async () => {
    const [h, backend] = await start({ cacheMs: 600_000 });
    const alice = await connectWith(h, 'alice');
    backend.failWith = { status: 503, text: 'down', headers: { 'retry-after': '20' } };
    const saved = as(await update(alice, { city: 'Leeds' }, 1), 'error');
    assert.equal(saved.code, 'backend_unavailable');
    assert.equal(saved.retryAfterMs, 20_000);
    backend.failWith = { status: 429, text: 'slow down', headers: { 'retry-after': '3600' } };
    const joined = as(await join(alice, 'customer:42'), 'error');
    assert.equal(joined.code, 'backend_unavailable');
    assert.equal(joined.retryAfterMs, 60_000, 'an hour is passed on as a minute');
    // A status that says nothing of when, or no header: the client's backoff decides.
    backend.failWith = { status: 500, text: 'oops', headers: { 'retry-after': '20' } };
    assert.equal(as(await get(alice), 'error').retryAfterMs, undefined);
    backend.failWith = { status: 503, text: 'down' };
    assert.equal(as(await get(alice), 'error').retryAfterMs, undefined);
    backend.failWith = undefined;
    as(await get(alice), 'entity.snapshot');
  });

  test('a Retry-After date is read on the backend’s clock (its Date), else on the server’s', async () => {
    backend = await Backend.start();
    const clock = new ManualClock(Date.UTC(2026, 11, 7, 12, 0, 0));
    const callback = new AuthorizeCallback({ url: backend.url }, clock, silentLogger);
    const waitNamed = async (): Promise<number | undefined> => {
      const ask = callback.ask({
        user: { id: 'ana', name: 'Ana' },
        room: 'customer:42',
        action: 'join',
      });
      const err = await ask.then(
        () => assert.fail('allowed'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof AuthorizationUnavailable);
      return err.retryAfterMs;
    };
    // A backend whose clock is ten minutes ahead of the server's (and of this machine's).
    const backendNow = clock.now() + 600_000;
    backend.failWith = {
      status: 503,
      text: 'down',
      headers: {
        'retry-after': new Date(backendNow + 20_000).toUTCString(),
        date: new Date(backendNow).toUTCString(),
      },
    };
    assert.equal(await waitNamed(), 20_000);
    // No Date header: the server's clock, not this machine's.
    backend.failWith = {
      status: 429,
      text: 'slow down',
      headers: { 'retry-after': new Date(clock.now() + 45_000).toUTCString() },
      noDate: true,
    };
    assert.equal(await waitNamed(), 45_000);
  });

  test('a backend that cannot be reached refuses joins and saves for now, naming why', async () => {
    const [h, unreachable] = await start();
    await unreachable.close();
    backend = undefined;
    const alice = await connectWith(h, 'alice');
    const refused = as(await join(alice, 'customer:42'), 'error');
    assert.equal(refused.code, 'backend_unavailable');
    assert.match(refused.message, /could not be reached \(ECONNREFUSED\)/);
    // A save is not refused as forbidden (which the client drops) but as worth retrying.
    const saved = as(await update(alice, { city: 'Leeds' }, 1), 'error');
    assert.equal(saved.code, 'backend_unavailable');
    assert.equal((await h.server.entities.get('customer', '42'))?.fields['city'], undefined);
  });

  // A wrong CRM_AUTHORIZE_KEY fails every question alike; logged as a warning per request it
  // read as an outage of the CRM, not as the setting an operator has to fix.
  test('a 401 (the server’s key refused) is logged as an error naming CRM_AUTHORIZE_KEY, and refuses for now', async () => {
    const lines: string[] = [];
    const refusing = await Backend.start();
    refusing.failWith = { status: 401, text: '{"error":"bad key"}' };
    try {
      const callback = new AuthorizeCallback(
        { url: refusing.url, key: 'an-old-key-0123456789' },
        systemClock,
        createLogger({ write: (line) => void lines.push(line) }),
      );
      await assert.rejects(
        callback.ask({ user: { id: 'ana', name: 'Ana' }, room: 'customer:42', action: 'join' }),
        (err: unknown) => err instanceof AuthorizationUnavailable,
      );
      const line = JSON.parse(lines.at(-1)!) as Record<string, unknown>;
      assert.equal(line['level'], 'error');
      assert.match(String(line['msg']), /CRM_AUTHORIZE_KEY/);
      assert.match(String(line['reason']), /401.*CRM_AUTHORIZE_KEY/);
    } finally {
      await refusing.close();
    }
  });

  test("a failure's log line names the URL without its credentials, and the cause", async () => {
    const lines: string[] = [];
    const callback = new AuthorizeCallback(
      { url: 'http://crm:hunter2@127.0.0.1:1/authorize?token=s3cret' },
      systemClock,
      createLogger({ write: (line) => void lines.push(line) }),
    );
    await assert.rejects(
      callback.ask({ user: { id: 'ana', name: 'Ana' }, room: 'customer:42', action: 'join' }),
      (err: unknown) => err instanceof AuthorizationUnavailable,
    );
    const line = JSON.parse(lines.at(-1)!) as Record<string, unknown>;
    assert.equal(line['url'], 'http://127.0.0.1:1/authorize');
    // fetch refuses a URL with credentials (the configuration refuses it at start).
    assert.equal(line['reason'], 'could not be asked');
    assert.doesNotMatch(lines.join('\n'), /hunter2|s3cret/);

    // A port nothing listens on (1 would be refused by fetch itself, as a blocked port).
    const probe = createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const closedPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const unreachable = new AuthorizeCallback(
      { url: `http://127.0.0.1:${closedPort}/authorize?token=s3cret` },
      systemClock,
      createLogger({ write: (line) => void lines.push(line) }),
    );
    await assert.rejects(
      unreachable.ask({ user: { id: 'ana', name: 'Ana' }, room: 'customer:42', action: 'join' }),
      (err: unknown) =>
        err instanceof AuthorizationUnavailable &&
        err.message === "the CRM's authorization service could not be reached (ECONNREFUSED)",
    );
    assert.doesNotMatch(lines.join('\n'), /s3cret/);
  });
});
