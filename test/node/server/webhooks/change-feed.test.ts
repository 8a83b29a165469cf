/**
 * The pull feed `GET /api/changes`: every accepted change in commit order, paged by cursor; a
 * backend that was down catches up from its stored cursor (across a server restart too); a change
 * that rolled back has no row; bad cursors get a clear 400. Also the settings that turn webhooks on.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { ConfigError, loadConfig } from '../../../../src/server/config.js';
import { createServer, type RealtimeServer } from '../../../../src/server/server.js';
import { SqliteStorage } from '../../../../src/server/sqlite-storage.js';

const KEY = 'api-key-for-change-feed-tests';

interface Item {
  id: string;
  cursor: string;
  kind: string;
  at: number;
  entity?: { type: string; id: string };
  data: Record<string, unknown>;
}
interface Page {
  items: Item[];
  nextCursor: string | null;
  more: boolean;
}

describe('GET /api/changes', () => {
  let dir: string;
  let file: string;
  let server: RealtimeServer;

  const start = async (): Promise<RealtimeServer> => {
    const started = createServer({
      auth: { devIdentities: true },
      quiet: true,
      apiKeys: [KEY],
      storage: new SqliteStorage(file),
    });
    await started.listen(0, '127.0.0.1');
    return started;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crm-change-feed-'));
    file = join(dir, 'crm.sqlite');
    server = await start();
  });

  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const get = async (path: string, key = KEY) => {
    const res = await fetch(`http://127.0.0.1:${server.port}${path}`, {
      headers: { authorization: `Bearer ${key}` },
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const page = async (after: string | null, limit: number): Promise<Page> => {
    const query = new URLSearchParams({ limit: String(limit) });
    if (after !== null) query.set('after', after);
    const answer = await get(`/api/changes?${query}`);
    assert.equal(answer.status, 200);
    return answer.body as unknown as Page;
  };
  /** Reads pages from `cursor` to the end, as a polling backend does. */
  const readAll = async (cursor: string | null, limit: number) => {
    const items: Item[] = [];
    for (;;) {
      const next = await page(cursor, limit);
      items.push(...next.items);
      cursor = next.nextCursor;
      if (!next.more) return { items, cursor };
    }
  };
  const save = (id: string, name: string) =>
    server.entities.update({
      type: 'customer',
      id,
      fields: { name },
      source: 'backend',
      create: true,
    });
  const committed = () => {
    const db = new Database(file, { readonly: true });
    try {
      return db
        .prepare<[], { id: string; kind: string }>('SELECT id, kind FROM change_log ORDER BY seq')
        .all();
    } finally {
      db.close();
    }
  };

  test('needs an API key; an empty log answers an empty page', async () => {
    assert.equal((await get('/api/changes', 'wrong-key-0123456789')).status, 401);
    assert.deepEqual(await page(null, 10), { items: [], nextCursor: null, more: false });
  });

  test('pages in commit order with a cursor; a backend catches up after downtime', async () => {
    await save('feed-1', 'One');
    await save('feed-2', 'Two');
    await server.notifications.send({
      target: { user: 'bob' },
      type: 'info',
      priority: 'normal',
      title: 'Hello',
    });
    const read = await readAll(null, 2);
    assert.deepEqual(
      read.items.map((item) => [item.id, item.kind]),
      committed().map((row) => [row.id, row.kind]),
      'every change once, in commit order',
    );
    assert.deepEqual(
      read.items.map((item) => item.kind),
      ['entity.change', 'activity', 'entity.change', 'activity', 'notification'],
    );
    assert.deepEqual(read.items[0]!.entity, { type: 'customer', id: 'feed-1' });
    assert.equal((read.items[0]!.data.entity as { version: number }).version, 1);
    assert.deepEqual(read.items[4]!.data.recipients, ['bob']);
    assert.equal(read.cursor, read.items[4]!.cursor);

    // Nothing new: an empty page that keeps the cursor.
    assert.deepEqual(await page(read.cursor, 2), {
      items: [],
      nextCursor: read.cursor,
      more: false,
    });

    // The backend is down while changes happen, and the server restarts meanwhile.
    const stored = read.cursor;
    await save('feed-1', 'One, renamed');
    await server.close();
    server = await start();
    await save('feed-3', 'Three');
    const caughtUp = await readAll(stored, 3);
    const all = committed();
    assert.deepEqual(
      caughtUp.items.map((item) => item.id),
      all.slice(5).map((row) => row.id),
      'exactly what was missed, in order',
    );
    assert.equal(caughtUp.items.length, 4);
    assert.equal(
      (caughtUp.items[0]!.data.entity as { fields: { name: string } }).fields.name,
      'One, renamed',
    );
  });

  test('a change that rolls back leaves no row in the feed', async () => {
    const before = committed().length;
    const db = new Database(file);
    db.exec(`CREATE TRIGGER refuse_activity BEFORE INSERT ON activity
             BEGIN SELECT RAISE(ABORT, 'activity refused'); END`);
    try {
      await assert.rejects(save('feed-1', 'Never stored'), /activity refused/);
    } finally {
      db.exec('DROP TRIGGER refuse_activity');
      db.close();
    }
    assert.equal(committed().length, before, 'the change and its row roll back together');
  });

  test('a change whose row cannot be written is not committed either', async () => {
    const version = (await server.entities.get('customer', 'feed-1'))!.version;
    const db = new Database(file);
    db.exec(`CREATE TRIGGER refuse_change_log BEFORE INSERT ON change_log
             BEGIN SELECT RAISE(ABORT, 'change log refused'); END`);
    try {
      await assert.rejects(save('feed-1', 'Never stored either'), /change log refused/);
      await assert.rejects(
        server.notifications.send({
          target: { user: 'bob' },
          title: 'Lost?',
          type: 'info',
          priority: 'normal',
        }),
        /change log refused/,
      );
    } finally {
      db.exec('DROP TRIGGER refuse_change_log');
      db.close();
    }
    const entity = (await server.entities.get('customer', 'feed-1'))!;
    assert.equal(entity.version, version, 'no version without its row');
    assert.equal(entity.fields.name, 'One, renamed');
    const history = await server.notifications.list('bob', undefined, 50);
    assert.ok(!history.items.some((n) => n.title === 'Lost?'), 'no notification without its row');
  });

  test('a cursor it did not hand out is a clear 400', async () => {
    for (const after of ['nonsense', Buffer.from('a:3').toString('base64url'), 'x'.repeat(200)]) {
      const answer = await get(`/api/changes?after=${encodeURIComponent(after)}`);
      assert.equal(answer.status, 400, after);
      assert.equal(answer.body.error, 'bad_cursor');
      assert.match(String(answer.body.message), /unknown cursor .*pass a nextCursor from a page/);
    }
    for (const limit of ['0', '1001', 'ten']) {
      const answer = await get(`/api/changes?limit=${limit}`);
      assert.equal(answer.status, 400);
      assert.match(String(answer.body.message), /limit must be an integer from 1 to 1000/);
    }
  });

  test('without a webhook URL the dead-letter API says so', async () => {
    const answer = await get('/api/webhooks/dead-letters');
    assert.equal(answer.status, 409);
    assert.equal(answer.body.error, 'webhooks_off');
  });
});

test('retention drops old changes but never an undelivered one', async () => {
  const storage = new SqliteStorage(':memory:');
  const log = storage.changes;
  const write = (id: string, at: number) =>
    storage.writeEntity({
      type: 'customer',
      id,
      fields: { name: id },
      source: 'backend',
      create: true,
      at,
    });
  try {
    await write('untracked', 1_000);
    log.trackDeliveries(true);
    await write('delivered', 1_000);
    await write('dead', 1_000);
    await write('pending', 1_000);
    await write('recent', 5_000);
    const rows = await log.after(0, 10);
    const seqOf = (id: string) => rows.find((r) => r.entity?.id === id)!.seq;
    await log.recordAttempt(seqOf('delivered'), { state: 'delivered', attempts: 1, at: 2_000 });
    await log.recordAttempt(seqOf('dead'), {
      state: 'dead',
      attempts: 1,
      at: 2_000,
      error: 'HTTP 500',
    });
    assert.equal(await log.prune(3_000), 2, 'the untracked and the delivered one');
    assert.deepEqual(
      (await log.after(0, 10)).map((r) => r.entity?.id),
      ['dead', 'pending', 'recent'],
    );
    assert.deepEqual(await log.deliveryCounts(), { pending: 2, dead: 1 });
    // A discarded dead letter goes with the retention like a delivered row.
    const dead = rows.find((r) => r.entity?.id === 'dead')!.id;
    assert.deepEqual(await log.discardDead([dead, 'unknown']), [dead]);
    assert.deepEqual(await log.discardDead('all'), [], 'nothing dead is left');
    assert.deepEqual(await log.deliveryCounts(), { pending: 2, dead: 0 });
    assert.equal(await log.prune(3_000), 1);
    assert.deepEqual(
      (await log.after(0, 10)).map((r) => r.entity?.id),
      ['pending', 'recent'],
    );
  } finally {
    await storage.close();
  }
});

describe('webhook settings', () => {
  const env = { CRM_DEV: '1' };

  test('CRM_WEBHOOK_URL (or --webhook-url) with CRM_WEBHOOK_SECRET turns webhooks on', () => {
    const secret = 'whsec-0123456789abcdef';
    assert.equal(loadConfig([], env).webhooks, undefined);
    assert.deepEqual(
      loadConfig([], {
        ...env,
        CRM_WEBHOOK_URL: 'https://crm.example/hooks',
        CRM_WEBHOOK_SECRET: secret,
      }).webhooks,
      { url: 'https://crm.example/hooks', secret, maxAttempts: 12, timeoutMs: 10_000 },
    );
    const flagged = loadConfig(['--webhook-url', 'http://127.0.0.1:9/h'], {
      ...env,
      CRM_WEBHOOK_URL: 'https://ignored.example/',
      CRM_WEBHOOK_SECRET: secret,
      CRM_WEBHOOK_MAX_ATTEMPTS: '5',
      CRM_WEBHOOK_TIMEOUT_MS: '2500',
    }).webhooks;
    assert.deepEqual(flagged, {
      url: 'http://127.0.0.1:9/h',
      secret,
      maxAttempts: 5,
      timeoutMs: 2500,
    });
    assert.equal(loadConfig([], env).changeFeedRetentionDays, 30);
    assert.equal(
      loadConfig([], { ...env, CRM_CHANGE_FEED_RETENTION_DAYS: '0' }).changeFeedRetentionDays,
      0,
    );
  });

  test('a missing or short secret, or a URL that is not http(s), refuses to start', () => {
    const url = { ...env, CRM_WEBHOOK_URL: 'https://crm.example/hooks' };
    assert.throws(() => loadConfig([], url), ConfigError);
    assert.throws(() => loadConfig([], { ...url, CRM_WEBHOOK_SECRET: 'short' }), /at least 16/);
    assert.throws(
      () =>
        loadConfig([], {
          ...env,
          CRM_WEBHOOK_URL: 'ftp://crm.example/',
          CRM_WEBHOOK_SECRET: 'whsec-0123456789abcdef',
        }),
      /not an http\(s\) URL/,
    );
    assert.throws(
      () =>
        loadConfig([], {
          ...url,
          CRM_WEBHOOK_SECRET: 'whsec-0123456789abcdef',
          CRM_WEBHOOK_MAX_ATTEMPTS: '0',
        }),
      ConfigError,
    );
    // A longer timer fires at once: every attempt would fail before the receiver could answer.
    assert.throws(
      () =>
        loadConfig([], {
          ...url,
          CRM_WEBHOOK_SECRET: 'whsec-0123456789abcdef',
          CRM_WEBHOOK_TIMEOUT_MS: '99999999999',
        }),
      /CRM_WEBHOOK_TIMEOUT_MS must be an integer from 100 to 2147483647/,
    );
    assert.equal(
      loadConfig([], {
        ...url,
        CRM_WEBHOOK_SECRET: 'whsec-0123456789abcdef',
        CRM_WEBHOOK_TIMEOUT_MS: '2147483647',
      }).webhooks?.timeoutMs,
      2_147_483_647,
    );
  });

  test('createServer refuses a missing or short webhook secret, as the environment does', () => {
    for (const secret of ['', undefined, 'fifteen-chars!!']) {
      assert.throws(
        () =>
          createServer({
            quiet: true,
            auth: { devIdentities: true },
            storage: new SqliteStorage(':memory:'),
            webhooks: { url: 'http://127.0.0.1:9/h', secret: secret as string },
          }),
        /webhooks\.secret must have at least 16 characters/,
      );
    }
  });

  test('createServer refuses a webhook timer no Node timer can hold', async () => {
    for (const option of ['timeoutMs', 'backoffMs', 'maxBackoffMs'] as const) {
      assert.throws(
        () =>
          createServer({
            quiet: true,
            auth: { devIdentities: true },
            storage: new SqliteStorage(':memory:'),
            webhooks: {
              url: 'http://127.0.0.1:9/h',
              secret: 'whsec-0123456789abcdef',
              [option]: 99_999_999_999,
            },
          }),
        new RegExp(`webhooks\\.${option} must be from 1 to 2147483647 ms`),
      );
    }
  });
});
