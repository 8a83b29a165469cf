/**
 * The per-user bound on the authorization callback's questions that reach the CRM's backend (a
 * node:http backend on loopback counting POSTs): a user asking about many distinct rooms sends
 * the backend at most the bound and is refused the rest for now (`rate_limited`), which clients
 * retry; another user's questions are not held behind theirs; cached answers are never limited;
 * the state of a user goes once they are idle; the refusal is logged once a minute per user.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import {
  AuthorizationRateLimited,
  type AuthorizeRequest,
} from '../../../../src/server/authorize.js';
import { createLogger, silentLogger } from '../../../../src/server/log.js';
import {
  AuthorizeCallback,
  type AuthorizeCallbackOptions,
} from '../../../../src/server/permissions/callback.js';
import {
  askedByServer,
  DEFAULT_CALLBACK_BURST,
  DEFAULT_CALLBACK_MAX_IN_FLIGHT,
  DEFAULT_CALLBACK_PER_SECOND,
} from '../../../../src/server/permissions/callback-limit.js';
import { ManualClock } from '../../../../src/testing/manual-clock.js';
import { nextId, until, type TestClient } from '../../helpers/server-client.js';
import type { Harness } from '../../helpers/server-harness.js';
import { Backend } from './callback-backend.js';
import {
  as,
  connectWith,
  get,
  join,
  seedCustomer,
  startPermissionHarness,
} from './permission-helpers.js';

let h: Harness | undefined;
let backend: Backend | undefined;
afterEach(async () => {
  await h?.close();
  await backend?.close();
  h = undefined;
  backend = undefined;
});

const BOUND = { maxInFlight: 8, burst: 60, perSecond: 20 };
const API_KEY = 'callback-limit-key';

function question(user: string, room: string, action: AuthorizeRequest['action'] = 'join') {
  return { user: { id: user, name: user }, room, action };
}

/** Settles every promise; the refusals, by kind. */
async function outcomes(asked: Promise<unknown>[]): Promise<{ ok: number; limited: number }> {
  const settled = await Promise.allSettled(asked);
  let ok = 0;
  let limited = 0;
  for (const s of settled) {
    if (s.status === 'fulfilled') ok++;
    else if (s.reason instanceof AuthorizationRateLimited) limited++;
    else throw s.reason;
  }
  return { ok, limited };
}

function callbackOn(
  clock: ManualClock,
  options: Partial<AuthorizeCallbackOptions> = {},
  lines?: string[],
): AuthorizeCallback {
  const log = lines ? createLogger({ write: (line) => void lines.push(line) }) : silentLogger;
  return new AuthorizeCallback({ url: backend!.url, ...BOUND, ...options }, clock, log);
}

describe('authorization callback: per-user bound', () => {
  test('500 distinct questions at once: 8 on their way, the burst asked, the rest refused for now', async () => {
    backend = await Backend.start();
    backend.hold = (b) => (b.user as { id: string }).id === 'mallory';
    const clock = new ManualClock();
    const callback = callbackOn(clock);
    const flood = outcomes(
      Array.from({ length: 500 }, (_, i) => callback.ask(question('mallory', `customer:${i + 1}`))),
    );
    await until(() => backend!.holding === 8, undefined, 'eight of her questions on their way');
    assert.equal(callback.counts.limited, 440, 'beyond the burst of 60: refused, not asked');

    // Another user is answered while all of mallory's slots are taken, and hers still held.
    const bob = await callback.ask(question('bob', 'customer:1'));
    assert.equal(bob.allow, true);
    assert.equal(backend.holding, 8);

    backend.release();
    assert.deepEqual(await flood, { ok: 60, limited: 440 });
    assert.equal(backend.asked.length, 61, "her 60 and bob's one");
    assert.equal(
      backend.asked.filter((a) => (a.body.user as { id: string }).id === 'mallory').length,
      60,
      'the backend got the burst, not the flood',
    );
    // The bucket refills at 20 a second.
    clock.advanceSync(1000);
    const later = Array.from({ length: 30 }, (_, i) =>
      callback.ask(question('mallory', `customer:${1000 + i}`)),
    );
    assert.deepEqual(await outcomes(later), { ok: 20, limited: 10 });
  });

  test('cached answers, and a question already on its way, are never limited', async () => {
    backend = await Backend.start();
    const clock = new ManualClock();
    const callback = callbackOn(clock, { burst: 2, perSecond: 1 });
    await callback.ask(question('ana', 'customer:1'));
    await callback.ask(question('ana', 'customer:2'));
    await assert.rejects(
      callback.ask(question('ana', 'customer:3')),
      (err: unknown) => err instanceof AuthorizationRateLimited,
      'the bucket is empty',
    );
    for (let i = 0; i < 100; i++) {
      assert.equal((await callback.ask(question('ana', `customer:${(i % 2) + 1}`))).allow, true);
    }
    assert.equal(callback.counts.cached, 100);
    assert.equal(backend.asked.length, 2);

    // Identical questions asked together share one request and one token.
    clock.advanceSync(1000);
    const same = Array.from({ length: 20 }, () => callback.ask(question('ana', 'customer:9')));
    assert.deepEqual(await outcomes(same), { ok: 20, limited: 0 });
    assert.equal(backend.asked.length, 3);
  });

  test("keeps a user's state only while they are not idle", async () => {
    backend = await Backend.start();
    const clock = new ManualClock();
    const callback = callbackOn(clock);
    const flood = Array.from({ length: 100 }, (_, i) =>
      callback.ask(question(`user-${i % 10}`, `customer:${i}`)),
    );
    await outcomes(flood);
    assert.equal(callback.limit.tracked, 10);
    // Long enough for every bucket to be full again (10 questions each, 20 a second).
    clock.advanceSync(1000);
    await callback.ask(question('late', 'customer:1'));
    assert.equal(callback.limit.tracked, 1, "the late user's state, nothing of the others");
  });

  test('a question waiting as long as the backend may take is refused instead of asked', async () => {
    backend = await Backend.start();
    backend.hold = () => true;
    const clock = new ManualClock();
    const callback = callbackOn(clock, { maxInFlight: 1, timeoutMs: 2000 });
    const first = callback.ask(question('ana', 'customer:1'));
    const second = assert.rejects(
      callback.ask(question('ana', 'customer:2')),
      (err: unknown) => err instanceof AuthorizationRateLimited,
    );
    await until(() => backend!.holding === 1);
    clock.advanceSync(2001);
    backend.release();
    assert.equal((await first).allow, true);
    await second;
    assert.equal(backend.asked.length, 1);
  });

  test("the server's own questions have a lane of their own: a larger burst, their own slots, bounded too", async () => {
    backend = await Backend.start();
    backend.hold = (b) => String(b.room).startsWith('customer:');
    const clock = new ManualClock();
    const callback = callbackOn(clock, { timeoutMs: 2000 });
    // 700 questions about the entities of unread notifications, after a sign-in dropped the
    // cache; the lane is ten times her burst of 60.
    const reads = askedByServer(() =>
      Array.from({ length: 700 }, (_, i) =>
        callback.ask(question('ana', `customer:${i + 1}`, 'read')),
      ),
    );
    const settled = outcomes(reads);
    await until(() => backend!.holding === 8, undefined, 'eight on their way');
    // Her own question is not held behind the server's: it has slots of its own.
    assert.equal((await callback.ask(question('ana', 'team:sales'))).allow, true);
    // Waiting longer than a question of hers may, but not five times as long: still asked.
    clock.advanceSync(5000);
    backend.release();
    assert.deepEqual(await settled, { ok: 600, limited: 100 }, 'the lane holds 600 at once');
    assert.equal(backend.asked.length, 601);
    // They took none of her tokens: questions of her own still have her whole burst.
    const own = Array.from({ length: 60 }, (_, i) =>
      callback.ask(question('ana', `customer:${1000 + i}`)),
    );
    assert.deepEqual(await outcomes(own), { ok: 60, limited: 0 });
  });

  test("a user's question never waits in the server's lane, nor the server's in hers", async () => {
    backend = await Backend.start();
    backend.hold = () => true;
    const clock = new ManualClock();
    const callback = callbackOn(clock, { maxInFlight: 1, timeoutMs: 2000 });
    // The server's lane: one on its way, the next (a notification's entity) waiting behind it.
    const first = askedByServer(() => callback.ask(question('ana', 'customer:1', 'read')));
    const queued = askedByServer(() => callback.ask(question('ana', 'customer:2', 'read')));
    await until(() => backend!.holding === 1);
    // She opens customer 2 herself: asked in her own lane, at once.
    const hers = callback.ask(question('ana', 'customer:2', 'read'));
    await until(() => backend!.holding === 2, undefined, 'hers asked beside the server question');
    backend.release();
    assert.equal((await hers).allow, true);
    assert.equal((await first).allow, true);
    assert.equal((await queued).allow, true);
  });

  test("a server question identical to the user's refused one is asked in its own lane", async () => {
    backend = await Backend.start();
    backend.hold = () => true;
    const clock = new ManualClock();
    const callback = callbackOn(clock, { maxInFlight: 1, timeoutMs: 2000 });
    const first = callback.ask(question('ana', 'customer:1'));
    // Hers, waiting for her one slot; the server's identical question shares it.
    const hers = callback.ask(question('ana', 'customer:2', 'read'));
    const servers = askedByServer(() => callback.ask(question('ana', 'customer:2', 'read')));
    await until(() => backend!.holding === 1);
    clock.advanceSync(2001);
    backend.release();
    await first;
    await assert.rejects(hers, (err: unknown) => err instanceof AuthorizationRateLimited);
    assert.equal((await servers).allow, true, "the server's is answered");
  });

  test('logs a user over the bound at most once a minute', async () => {
    backend = await Backend.start();
    const clock = new ManualClock();
    const lines: string[] = [];
    const callback = callbackOn(clock, { burst: 1, perSecond: 1 }, lines);
    const warnings = () =>
      lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.user === 'eve');
    const flood = async (from: number) =>
      outcomes(
        Array.from({ length: 10 }, (_, i) => callback.ask(question('eve', `customer:${from + i}`))),
      );
    assert.deepEqual(await flood(0), { ok: 1, limited: 9 });
    assert.equal(warnings().length, 1);
    assert.equal(warnings()[0]!.level, 'warn');
    clock.advanceSync(30_000);
    assert.deepEqual(await flood(100), { ok: 1, limited: 9 });
    assert.equal(warnings().length, 1, 'not again within the minute');
    clock.advanceSync(30_000);
    assert.deepEqual(await flood(200), { ok: 1, limited: 9 });
    assert.equal(warnings().length, 2, 'again a minute later');
  });
});

/** Sends `count` join/leave pairs of distinct rooms at once; the answers to the joins. */
async function joinMany(client: TestClient, count: number, from = 1): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = nextId('join');
    ids.push(id);
    const room = `customer:${from + i}`;
    client.send({ type: 'join', id, room });
    client.send({ type: 'leave', id: nextId('leave'), room });
  }
  const answers = await Promise.all(
    ids.map((id) => client.next((f) => 'replyTo' in f && f.replyTo === id)),
  );
  return answers.map((f) => (f.type === 'error' ? f.code : f.type));
}

describe('authorization callback: per-user bound, through the server', () => {
  async function start(options: Partial<AuthorizeCallbackOptions> = {}): Promise<Harness> {
    backend = await Backend.start();
    h = await startPermissionHarness({
      authorizeCallback: { url: backend.url, ...BOUND, ...options },
      apiKeys: [API_KEY],
      // Frames are not what is limited here: the callback's bound is.
      limits: { maxMessagesPerSecond: 100_000 },
    });
    await seedCustomer(h);
    return h;
  }

  test('a client joining 500 distinct rooms: the backend gets at most the bound, the rest rate_limited', async () => {
    const h = await start();
    const mallory = await connectWith(h, 'mallory');
    const answers = await joinMany(mallory, 500);
    // Each join of an entity room asks `join` and `read`: 30 joins spend the burst of 60.
    assert.ok(backend!.asked.length <= BOUND.burst, `${backend!.asked.length} POSTs`);
    assert.equal(answers.filter((a) => a === 'joined').length, 30);
    assert.equal(answers.filter((a) => a === 'rate_limited').length, 470);
    assert.equal(h.server.metrics.authorizeCallbackLimited, 470);
    const refused = mallory.ofType('error').find((f) => f.code === 'rate_limited')!;
    assert.equal(refused.room?.startsWith('customer:'), true, 'names the room');
    assert.match(refused.message, /too many permission checks/);
    // When the bucket holds a question again (one at 20 a second): the client waits that long.
    assert.equal(refused.retryAfterMs, 50);

    // Refused for now, not for good: once the bucket refills, the same join goes through.
    h.clock.advanceSync(1000);
    as(await join(mallory, 'customer:500'), 'joined');
  });

  test("another user's join is answered while one user's questions fill their slots", async () => {
    const h = await start();
    backend!.hold = (b) => (b.user as { id: string }).id === 'mallory';
    // Frames are handled one at a time per connection: one question each on its way.
    const connections = await Promise.all(
      Array.from({ length: 12 }, () => connectWith(h, 'mallory')),
    );
    connections.forEach((c, i) => c.send({ type: 'join', id: `m${i}`, room: `customer:${i}` }));
    await until(() => backend!.holding === 8, undefined, 'her eight slots taken');
    const bob = await connectWith(h, 'bob');
    as(await join(bob, 'customer:42'), 'joined');
    assert.equal(backend!.holding, 8, "mallory's questions are still held");
    backend!.release();
    for (const [i, c] of connections.entries()) {
      as(await c.next((f) => 'replyTo' in f && f.replyTo === `m${i}`), 'joined');
    }
  });

  test('the unread count asks about every entity of the unread notifications, beyond the burst', async () => {
    // The defaults: 300 entities are 600 questions (`join` and `read` of each entity's room).
    const h = await start({
      maxInFlight: DEFAULT_CALLBACK_MAX_IN_FLIGHT,
      burst: DEFAULT_CALLBACK_BURST,
      perSecond: DEFAULT_CALLBACK_PER_SECOND,
    });
    for (let i = 1; i <= 300; i++) {
      const res = await fetch(`http://127.0.0.1:${h.server.port}/api/notifications`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
        body: JSON.stringify({
          target: { user: 'ana' },
          title: `About ${i}`,
          entity: { type: 'customer', id: String(i) },
        }),
      });
      assert.equal(res.status, 201, await res.text());
    }
    const ana = await connectWith(h, 'ana');
    const list = await ana.request({ type: 'notification.list', id: nextId('n') });
    assert.equal(list.type, 'notification.page', JSON.stringify(list));
    assert.equal((list as { unread: number }).unread, 300, 'none left out for being many');
    assert.equal(h.server.metrics.authorizeCallbackLimited, 0);
  });

  test('entity reads and watching joins over the bound are refused with rate_limited', async () => {
    const h = await start({ burst: 2, perSecond: 1 });
    const ana = await connectWith(h, 'ana');
    as(await get(ana), 'entity.snapshot'); // join + read of customer:42: the burst
    as(await get(ana), 'entity.snapshot'); // cached
    assert.equal(as(await get(ana, '43'), 'error').code, 'rate_limited');
    const watch = await ana.request({
      type: 'join',
      id: nextId('w'),
      room: 'customer:44',
      watch: true,
    });
    assert.equal(as(watch, 'error').code, 'rate_limited');
    h.clock.advanceSync(2000);
    as(
      await ana.request({ type: 'join', id: nextId('w'), room: 'customer:44', watch: true }),
      'joined',
    );
  });
});
