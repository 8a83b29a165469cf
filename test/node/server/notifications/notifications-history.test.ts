/**
 * Notification history on the reference server: cursor paging, read state across a restart on
 * the same SQLite file, retention on the server clock, and the HTTP API for backends.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import type { FrameOf, Notification, ServerFrame } from '../../../../src/protocol/index.js';
import { SqliteStorage } from '../../../../src/server/sqlite-storage.js';
import { nextId, type TestClient } from '../../helpers/server-client.js';
import { alice, bob, startHarness, type Harness } from '../../helpers/server-harness.js';

const KEY = 'test-key-1';
const DAY = 86_400_000;

async function list(client: TestClient, extra: { before?: string; limit?: number } = {}) {
  const reply = await client.request({ type: 'notification.list', id: nextId('l'), ...extra });
  assert.equal(reply.type, 'notification.page', JSON.stringify(reply));
  return reply as FrameOf<ServerFrame, 'notification.page'>;
}

function api(h: Harness, path: string, init: RequestInit & { key?: string | null } = {}) {
  const { key = KEY, ...rest } = init;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== null) headers.authorization = `Bearer ${key}`;
  return fetch(`http://127.0.0.1:${h.server.port}${path}`, { ...rest, headers });
}

async function notify(h: Harness, body: unknown): Promise<Response> {
  return api(h, '/api/notifications', { method: 'POST', body: JSON.stringify(body) });
}

describe('server notifications: history', () => {
  let dir: string;
  let h: Harness;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crm-notifications-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));
  afterEach(() => h.close());

  test('pages newest first with cursors: no duplicates, no gaps, stable under new arrivals', async () => {
    h = await startHarness({ apiKeys: [KEY] });
    for (let i = 1; i <= 25; i++) {
      assert.equal((await notify(h, { target: { user: 'bob' }, title: `n${i}` })).status, 201);
    }
    const b = await h.connect(bob);
    const first = await list(b, { limit: 10 });
    assert.equal(first.items.length, 10);
    assert.equal(first.unread, 25);
    assert.ok(first.nextCursor);
    // New ones arrive between two pages: the next page continues where the first stopped.
    for (let i = 26; i <= 28; i++) await notify(h, { target: { user: 'bob' }, title: `n${i}` });
    const second = await list(b, { limit: 10, before: first.nextCursor! });
    const third = await list(b, { limit: 10, before: second.nextCursor! });
    assert.equal(third.nextCursor, undefined, 'the last page says so');
    const titles = [...first.items, ...second.items, ...third.items].map((n) => n.title);
    assert.deepEqual(
      titles,
      Array.from({ length: 25 }, (_, i) => `n${25 - i}`),
    );
    const times = [...first.items, ...second.items, ...third.items].map((n) => n.createdAt);
    assert.deepEqual(
      times,
      [...times].sort((x, y) => y - x),
      'newest first by time too',
    );
    assert.equal((await list(b, { limit: 3 })).items[0]!.title, 'n28');

    const bad = await b.request({ type: 'notification.list', id: nextId('l'), before: 'nope' });
    assert.equal(bad.type === 'error' && bad.code, 'bad_frame');
  });

  test('a page of long notifications stops short of the frame limit and goes on from there', async () => {
    h = await startHarness({ apiKeys: [KEY] });
    // Each is about 4.3 KB (a 2 KB data-URL avatar and a 2,000-character message): 100 are 430 KB.
    const from = {
      id: 'alice',
      name: 'Alice',
      avatarUrl: `data:image/png;base64,${'A'.repeat(2000)}`,
    };
    for (let i = 1; i <= 100; i++) {
      const body = { target: { user: 'bob' }, title: `n${i}`, message: 'm'.repeat(2000), from };
      assert.equal((await notify(h, body)).status, 201);
    }
    const b = await h.connect(bob);
    const titles: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const reply = await list(b, { limit: 100, ...(cursor ? { before: cursor } : {}) });
      const bytes = Buffer.byteLength(JSON.stringify(reply));
      assert.ok(bytes <= 64 * 1024, `page ${pages} is ${bytes} bytes`);
      assert.equal(reply.unread, 100);
      titles.push(...reply.items.map((n) => n.title));
      cursor = reply.nextCursor;
      pages += 1;
    } while (cursor !== undefined && pages < 50);
    assert.ok(pages >= 7, `${pages} pages`);
    assert.deepEqual(
      titles,
      Array.from({ length: 100 }, (_, i) => `n${100 - i}`),
      'every one once, newest first',
    );
  });

  test('read state and unread counts survive a restart on the same file', async () => {
    const file = join(dir, 'restart.sqlite');
    h = await startHarness({ apiKeys: [KEY], storage: new SqliteStorage(file) });
    for (const title of ['A', 'B', 'C']) await notify(h, { target: { user: 'bob' }, title });
    const b = await h.connect(bob);
    const [c] = (await list(b)).items;
    await b.request({ type: 'notification.read', id: nextId('r'), ids: [c!.id] });
    const createdAt = c!.createdAt;
    await h.close();

    h = await startHarness({ apiKeys: [KEY], storage: new SqliteStorage(file) });
    const again = await h.connect(bob);
    const page = await list(again);
    assert.deepEqual(
      page.items.map((n) => [n.title, n.read]),
      [
        ['C', true],
        ['B', false],
        ['A', false],
      ],
    );
    assert.equal(page.unread, 2);
    // The restarted server's clock is behind the stored times; new ones still sort first.
    await notify(h, { target: { user: 'bob' }, title: 'D' });
    const newest = (await list(again, { limit: 1 })).items[0]!;
    assert.equal(newest.title, 'D');
    assert.ok(newest.createdAt >= createdAt);
  });

  test('retention deletes notifications older than the configured days, on the server clock', async () => {
    h = await startHarness({
      apiKeys: [KEY],
      heartbeatMs: 1000 * DAY,
      notifications: { retentionDays: 1, sweepMs: 3_600_000 },
    });
    await notify(h, { target: { user: 'bob' }, title: 'old' });
    h.clock.advanceSync(DAY / 2);
    await notify(h, { target: { user: 'bob' }, title: 'recent' });
    h.clock.advanceSync(DAY / 2 + 3_600_000);
    const b = await h.connect(bob);
    await waitFor(async () => (await list(b)).items.length === 1);
    const page = await list(b);
    assert.deepEqual(
      page.items.map((n) => n.title),
      ['recent'],
    );
    assert.equal(page.unread, 1);
  });

  test('HTTP API: 401 without a valid key, 400 with what was wrong, 201 and 413', async () => {
    h = await startHarness({ apiKeys: [KEY] });
    const b = await h.connect(bob);
    await b.join('user:bob');
    const body = JSON.stringify({ target: { user: 'bob' }, title: 'x' });
    assert.equal(
      (await api(h, '/api/notifications', { method: 'POST', body, key: null })).status,
      401,
    );
    assert.equal(
      (await api(h, '/api/notifications', { method: 'POST', body, key: 'wrong' })).status,
      401,
    );
    assert.equal((await api(h, '/api/notifications?user=bob', { key: null })).status, 401);

    const missing = await notify(h, { target: { user: 'bob' } });
    assert.equal(missing.status, 400);
    const problem = (await missing.json()) as { error: string; message: string };
    assert.equal(problem.error, 'bad_request');
    assert.match(problem.message, /title/);
    assert.equal((await api(h, '/api/notifications')).status, 400, 'GET needs ?user=');
    assert.equal((await api(h, '/api/notifications?user=bob&limit=500')).status, 400);
    assert.equal((await api(h, '/api/notifications?user=bob&before=zzz')).status, 400);

    const created = await notify(h, {
      target: { user: 'bob' },
      title: 'Invoice overdue',
      type: 'warning',
      priority: 'urgent',
      from: { id: 'billing', name: 'Billing system' },
    });
    assert.equal(created.status, 201);
    const sent = (await created.json()) as { notification: Notification; recipients: number };
    assert.equal(sent.recipients, 1);
    assert.deepEqual(sent.notification.from, { id: 'billing', name: 'Billing system' });
    const live = await b.next((f) => f.type === 'event' && f.event === 'notification');
    assert.equal(live.type === 'event' && (live.payload as Notification).id, sent.notification.id);

    const history = await api(h, '/api/notifications?user=bob&limit=5');
    assert.equal(history.status, 200);
    const page = (await history.json()) as { items: Notification[]; unread: number };
    assert.deepEqual(
      page.items.map((n) => n.id),
      [sent.notification.id],
    );
    assert.equal(page.unread, 1);
    assert.equal((await api(h, '/api/notifications?user=alice')).status, 200);

    const huge = await notify(h, { target: { user: 'bob' }, title: 'x', pad: 'x'.repeat(300_000) });
    assert.equal(huge.status, 413);
  });

  test('a room notification from the HTTP API reaches the people present, not the backend author', async () => {
    h = await startHarness({ apiKeys: [KEY] });
    const a = await h.connect(alice);
    const b = await h.connect(bob);
    for (const c of [a, b]) await c.join('customer:42');
    const created = await notify(h, {
      target: { entity: { type: 'customer', id: '42' } },
      title: 'Synced from ERP',
      from: alice,
    });
    assert.equal(((await created.json()) as { recipients: number }).recipients, 1);
    assert.equal((await list(b)).items.length, 1);
    assert.equal((await list(a)).items.length, 0);
  });
});

/** Polls an async condition (the sweep runs asynchronously after the clock moved). */
async function waitFor(check: () => Promise<boolean>, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((r) => setImmediate(r));
  }
}
