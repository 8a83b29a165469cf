/**
 * The activity log on the reference server: backends publish over HTTP, feeds page and filter,
 * the live tail reaches the rooms of the feeds an item belongs to, and retention trims the log.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type {
  ActivityInput,
  ActivityItem,
  FeedRef,
  FrameOf,
  ServerFrame,
} from '../../../../src/protocol/index.js';
import { ConfigError, loadConfig } from '../../../../src/server/config.js';
import { nextId, type TestClient } from '../../helpers/server-client.js';
import { alice, bob, carol, startHarness, type Harness } from '../../helpers/server-harness.js';

const KEY = 'activity-key';
const DAY = 86_400_000;

function api(h: Harness, path: string, init: RequestInit & { key?: string | null } = {}) {
  const { key = KEY, ...rest } = init;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== null) headers.authorization = `Bearer ${key}`;
  return fetch(`http://127.0.0.1:${h.server.port}${path}`, { ...rest, headers });
}

async function publish(h: Harness, input: ActivityInput): Promise<ActivityItem> {
  const res = await api(h, '/api/activity', { method: 'POST', body: JSON.stringify(input) });
  assert.equal(res.status, 201, await res.clone().text());
  return ((await res.json()) as { item: ActivityItem }).item;
}

async function page(
  client: TestClient,
  feed: FeedRef,
  extra: { before?: string; limit?: number; filter?: { kinds?: string[]; actors?: string[] } } = {},
) {
  const reply = await client.request({ type: 'activity.list', id: nextId('a'), feed, ...extra });
  assert.equal(reply.type, 'activity.page', JSON.stringify(reply));
  return reply as FrameOf<ServerFrame, 'activity.page'>;
}

const call = (customerId: string, actor = alice, summary = 'Call'): ActivityInput => ({
  kind: 'call.logged',
  actor,
  entity: { type: 'call', id: `call-${summary}` },
  customerId,
  summary,
});

describe('server activity', () => {
  let h: Harness;
  afterEach(() => h.close());

  test('a published item is stored once and tailed live in the global, actor and customer rooms', async () => {
    h = await startHarness({ apiKeys: [KEY] });
    const global = await h.connect(carol);
    await global.join('activity:global');
    const customer = await h.connect(bob);
    await customer.join('activity:customer:42');
    await customer.join('activity:user:alice');
    const other = await h.connect(carol, 'carol-2');
    await other.join('activity:customer:7');

    const item = await publish(h, call('42', alice, 'Renewal'));
    assert.equal(item.kind, 'call.logged');
    assert.equal(item.customerId, '42');
    assert.equal(item.at, h.clock.now(), "stamped with the server's time");

    const tail = await global.next((f) => f.type === 'event' && f.event === 'activity');
    assert.deepEqual(tail.type === 'event' && tail.payload, item);
    await customer.next((f) => f.type === 'event' && f.room === 'activity:customer:42');
    await customer.next((f) => f.type === 'event' && f.room === 'activity:user:alice');
    await other.sync();
    assert.equal(other.ofType('event').length, 0, 'not in the feed of another customer');

    assert.deepEqual((await page(global, { kind: 'global' })).items, [item]);
    assert.deepEqual((await page(global, { kind: 'customer', entityId: '42' })).items, [item]);
    assert.deepEqual((await page(global, { kind: 'user', userId: 'alice' })).items, [item]);
    assert.deepEqual((await page(global, { kind: 'customer', entityId: '7' })).items, []);
    assert.deepEqual((await page(global, { kind: 'user', userId: 'bob' })).items, []);
  });

  test('an item about a customer entity belongs to that customer without a customerId', async () => {
    h = await startHarness({ apiKeys: [KEY] });
    const item = await publish(h, {
      kind: 'note.added',
      entity: { type: 'customer', id: '42', label: 'Acme' },
      summary: 'Prefers email',
    });
    const c = await h.connect(alice);
    assert.deepEqual((await page(c, { kind: 'customer', entityId: '42' })).items, [item]);
  });

  test('feeds filter by kinds and actors, and page without duplicates or gaps', async () => {
    h = await startHarness({ apiKeys: [KEY] });
    const c = await h.connect(alice);
    for (let i = 0; i < 12; i++) {
      await publish(h, call('42', i % 2 ? bob : alice, `c${i}`));
      await publish(h, { kind: 'meeting.scheduled', actor: carol, customerId: '42' });
    }
    const calls = await page(
      c,
      { kind: 'customer', entityId: '42' },
      {
        filter: { kinds: ['call.logged'] },
        limit: 5,
      },
    );
    assert.equal(calls.items.length, 5);
    assert.ok(calls.items.every((i) => i.kind === 'call.logged'));
    await publish(h, call('42', alice, 'late'));
    const rest = await page(
      c,
      { kind: 'customer', entityId: '42' },
      {
        filter: { kinds: ['call.logged'] },
        before: calls.nextCursor!,
        limit: 50,
      },
    );
    assert.equal(rest.nextCursor, undefined);
    assert.deepEqual(
      [...calls.items, ...rest.items].map((i) => i.summary),
      Array.from({ length: 12 }, (_, i) => `c${11 - i}`),
    );
    const bobs = await page(c, { kind: 'global' }, { filter: { actors: ['bob'] } });
    assert.equal(bobs.items.length, 6);
    assert.ok(bobs.items.every((i) => i.actor?.id === 'bob'));
    const both = await page(
      c,
      { kind: 'global' },
      {
        filter: { kinds: ['meeting.scheduled'], actors: ['alice', 'bob'] },
      },
    );
    assert.deepEqual(both.items, []);
    const bad = await c.request({
      type: 'activity.list',
      id: nextId('a'),
      feed: { kind: 'global' },
      before: 'bm86MQ',
    });
    assert.equal(
      bad.type === 'error' && bad.code,
      'bad_frame',
      'a notification cursor is not ours',
    );
  });

  test('reading a feed needs what joining its room needs', async () => {
    h = await startHarness({
      apiKeys: [KEY],
      authorize: ({ room, user }) => room !== 'activity:global' || user.id === 'alice',
    });
    const b = await h.connect(bob);
    const reply = await b.request({
      type: 'activity.list',
      id: nextId('a'),
      feed: { kind: 'global' },
    });
    assert.equal(reply.type === 'error' && reply.code, 'forbidden');
    const a = await h.connect(alice);
    assert.equal((await page(a, { kind: 'global' })).items.length, 0);
  });

  test('HTTP API: 401 without a key, 400 on bad input, feeds over GET', async () => {
    h = await startHarness({ apiKeys: [KEY] });
    const body = JSON.stringify(call('42'));
    assert.equal((await api(h, '/api/activity', { method: 'POST', body, key: null })).status, 401);
    assert.equal((await api(h, '/api/activity?feed=global', { key: 'nope' })).status, 401);
    const bad = await api(h, '/api/activity', {
      method: 'POST',
      body: JSON.stringify({ kind: 'Call Logged' }),
    });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { message: string }).message, /kind/);
    assert.equal((await api(h, '/api/activity?feed=team:1')).status, 400);
    assert.equal((await api(h, '/api/activity?feed=customer:')).status, 400);
    assert.equal((await api(h, '/api/activity?feed=global&limit=0')).status, 400);

    const one = await publish(h, call('42', alice, 'one'));
    const two = await publish(h, { kind: 'email.sent', actor: bob, customerId: '42' });
    const res = await api(h, '/api/activity?feed=customer:42&limit=1');
    assert.equal(res.status, 200);
    const first = (await res.json()) as { items: ActivityItem[]; nextCursor?: string };
    assert.deepEqual(first.items, [two]);
    const next = await api(h, `/api/activity?feed=customer:42&before=${first.nextCursor}`);
    assert.deepEqual(((await next.json()) as { items: ActivityItem[] }).items, [one]);
    const filtered = await api(h, '/api/activity?feed=global&kinds=email.sent&actors=bob,carol');
    assert.deepEqual(((await filtered.json()) as { items: ActivityItem[] }).items, [two]);
    const mine = await api(h, '/api/activity?feed=user:alice');
    assert.deepEqual(((await mine.json()) as { items: ActivityItem[] }).items, [one]);
  });

  test('a page of large items stops short of the frame limit and its cursor goes on from there', async () => {
    h = await startHarness({ apiKeys: [KEY] });
    // Each item is about 2.5 KB (a 2 KB data-URL avatar and a long summary): 200 are ~500 KB.
    const avatarUrl = `data:image/png;base64,${'A'.repeat(2000)}`;
    const published: string[] = [];
    for (let i = 0; i < 200; i++) {
      const actor = { ...alice, avatarUrl };
      published.push(
        (await publish(h, { ...call('42', actor, `c${i}`), summary: 's'.repeat(400) })).id,
      );
    }
    const c = await h.connect(bob);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const reply = await page(
        c,
        { kind: 'global' },
        { limit: 200, ...(cursor ? { before: cursor } : {}) },
      );
      const bytes = Buffer.byteLength(JSON.stringify(reply));
      assert.ok(bytes <= 64 * 1024, `page ${pages} is ${bytes} bytes`);
      assert.ok(reply.items.length > 0);
      seen.push(...reply.items.map((i) => i.id));
      cursor = reply.nextCursor;
      pages += 1;
    } while (cursor !== undefined && pages < 50);
    assert.ok(pages >= 8, `${pages} pages`);
    assert.deepEqual(seen, [...published].reverse(), 'every item once, newest first');
  });

  test('an item too large for a frame on its own is listed without its values', async () => {
    h = await startHarness({ apiKeys: [KEY] });
    const big = 'v'.repeat(40_000);
    const item = await publish(h, {
      kind: 'entity.updated',
      actor: alice,
      customerId: '42',
      changes: [
        { field: 'notes', from: big, to: `${big}!` },
        { field: 'status', from: 'Lead', to: 'Won' },
      ],
    });
    await publish(h, call('42', bob, 'after'));
    const c = await h.connect(bob);
    const first = await page(c, { kind: 'customer', entityId: '42' }, { limit: 10 });
    assert.equal(first.items.length, 1, 'the small newer one alone');
    assert.ok(first.nextCursor);
    const second = await page(
      c,
      { kind: 'customer', entityId: '42' },
      { before: first.nextCursor! },
    );
    assert.ok(Buffer.byteLength(JSON.stringify(second)) <= 64 * 1024);
    assert.deepEqual(second.items, [
      { ...item, changes: [{ field: 'notes' }, { field: 'status' }] },
    ]);
    assert.equal(second.nextCursor, undefined);
  });

  test('retention drops items past the age limit and beyond the row limit', async () => {
    h = await startHarness({
      apiKeys: [KEY],
      heartbeatMs: 1000 * DAY,
      activity: { maxAgeDays: 2, maxRows: 3, sweepMs: DAY },
    });
    await publish(h, call('42', alice, 'ancient'));
    h.clock.advanceSync(2 * DAY);
    for (const s of ['a', 'b', 'c', 'd']) await publish(h, call('42', alice, s));
    h.clock.advanceSync(DAY);
    const c = await h.connect(alice);
    await until(async () => (await page(c, { kind: 'global' })).items.length === 3);
    assert.deepEqual(
      (await page(c, { kind: 'global' })).items.map((i) => i.summary),
      ['d', 'c', 'b'],
    );
  });
});

describe('retention and watcher configuration', () => {
  const jwt = { CRM_JWT_SECRET: 'x'.repeat(32) };

  test('defaults: 90 days of notifications, 365 of activity, no row cap, watchers only in --dev', () => {
    const config = loadConfig([], jwt);
    assert.equal(config.notificationRetentionDays, 90);
    assert.equal(config.activityRetentionDays, 365);
    assert.equal(config.activityMaxRows, 0);
    assert.equal(config.notifyWatchersOnChange, false);
    assert.equal(loadConfig(['--dev'], {}).notifyWatchersOnChange, true);
  });

  test('environment variables set them, and bad values are refused', () => {
    const config = loadConfig(['--dev'], {
      CRM_NOTIFICATION_RETENTION_DAYS: '7',
      CRM_ACTIVITY_RETENTION_DAYS: '0',
      CRM_ACTIVITY_MAX_ROWS: '100000',
      CRM_NOTIFY_WATCHERS: '0',
    });
    assert.equal(config.notificationRetentionDays, 7);
    assert.equal(config.activityRetentionDays, 0);
    assert.equal(config.activityMaxRows, 100_000);
    assert.equal(config.notifyWatchersOnChange, false);
    assert.throws(() => loadConfig([], { ...jwt, CRM_ACTIVITY_RETENTION_DAYS: '-1' }), ConfigError);
    assert.throws(() => loadConfig([], { ...jwt, CRM_NOTIFY_WATCHERS: 'yes' }), ConfigError);
  });
});

async function until(check: () => Promise<boolean>, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((r) => setImmediate(r));
  }
}
