/**
 * The watcher rule (`notifyWatchersOnChange`) when storing the notification fails after the change
 * committed: it is tried again on the server's clock, to the people who were in the room, and
 * given up, logged as an error, after the last wait.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { FrameOf, Notification, ServerFrame } from '../../../../src/protocol/index.js';
import type { Logger, LogFields } from '../../../../src/server/log.js';
import type { EntityChange } from '../../../../src/protocol/index.js';
import {
  notifyWatchersOnChange,
  WATCHER_RETRY_MS,
} from '../../../../src/server/notifications/watcher-notifications.js';
import { ManualClock } from '../../../../src/testing/manual-clock.js';
import { SqliteStorage } from '../../../../src/server/sqlite-storage.js';
import { nextId, until, type TestClient } from '../../helpers/server-client.js';
import { alice, bob, carol, startHarness, type Harness } from '../../helpers/server-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const notificationsOf = (c: TestClient) =>
  c.frames.filter((f) => f.type === 'event' && f.event === 'notification');

const KEY = 'watcher-notifications-api-key';

/**
 * A server with the rule on, whose notification store refuses the first `failures` inserts as a
 * locked SQLite file does; Alice, Bob and Carol on customer 42, Bob and Carol in their personal
 * rooms too. Who may join a room is `allowed` (everyone, until a test changes it).
 */
async function start(failures: number) {
  const allowed = { join: (_user: string, _room: string) => true };
  const logged: { level: string; msg: string; fields: LogFields | undefined }[] = [];
  const logger: Logger = {
    debug: () => {},
    info: () => {},
    warn: (msg, fields) => void logged.push({ level: 'warn', msg, fields }),
    error: (msg, fields) => void logged.push({ level: 'error', msg, fields }),
  };
  const storage = new SqliteStorage(':memory:');
  const inserts = { tried: 0 };
  const insert = storage.notifications.insert.bind(storage.notifications);
  storage.notifications.insert = (n, recipients) => {
    if (++inserts.tried <= failures) {
      return Promise.reject(
        Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }),
      );
    }
    return insert(n, recipients);
  };
  h = await startHarness({
    storage,
    logger,
    quiet: false,
    notifications: { notifyWatchersOnChange: true },
    apiKeys: [KEY],
    authorize: ({ user, room }) => allowed.join(user.id, room),
  });
  await h.server.entities.update({
    type: 'customer',
    id: '42',
    fields: { name: 'Acme Corp', status: 'lead' },
    source: 'backend',
    create: true,
  });
  const a = await h.connect(alice);
  const b = await h.connect(bob);
  const c = await h.connect(carol);
  await b.join('user:bob');
  await c.join('user:carol');
  await a.join('customer:42');
  await b.join('customer:42');
  await c.join('customer:42');
  const reply = await a.request({
    type: 'entity.update',
    id: nextId('u'),
    mutationId: `mutation-${nextId()}`,
    entityType: 'customer',
    entityId: '42',
    baseVersion: 1,
    fields: { status: 'won' },
  });
  assert.equal(reply.type, 'entity.ack', JSON.stringify(reply));
  const retries = () => logged.filter((l) => l.msg.startsWith('watcher notification failed:'));
  return { h, a, b, c, logged, inserts, retries, allowed };
}

describe('watcher notifications when the store fails', () => {
  test('are tried again after a wait, to the people who were there, and arrive once', async () => {
    const { h, b, inserts, retries } = await start(2);
    await until(() => retries().length === 1, undefined, 'the first failure');
    await b.sync();
    assert.equal(notificationsOf(b).length, 0);
    // Bob leaves meanwhile: he was looking when Alice saved, so he is still told.
    await b.request({ type: 'leave', id: nextId('l'), room: 'customer:42' });
    h.clock.advanceSync(WATCHER_RETRY_MS[0]!);
    await until(() => retries().length === 2, undefined, 'the second failure');
    assert.equal(retries()[1]!.fields?.['retryInMs'], WATCHER_RETRY_MS[1]);
    h.clock.advanceSync(WATCHER_RETRY_MS[1]!);
    const event = await b.next((f) => f.type === 'event' && f.event === 'notification');
    const n = (event as FrameOf<ServerFrame, 'event'>).payload as Notification;
    assert.equal(n.title, 'Alice Martin updated Acme Corp: Status');
    assert.equal(inserts.tried, 3);
    await b.sync();
    assert.equal(notificationsOf(b).length, 1);
  });

  test('are not shown to someone who may no longer read the record', async () => {
    // Stored for the people who were there, but what reaches a user passes their read rights
    // as they are when it is sent and read, so a retry cannot tell someone cut off meanwhile.
    const { h, b, c, inserts, retries, allowed } = await start(1);
    await until(() => retries().length === 1, undefined, 'the first failure');
    // Bob may no longer see customer 42: the backend says so, and he is taken out of its room.
    allowed.join = (user, room) => !(user === 'bob' && room === 'customer:42');
    const res = await fetch(`http://127.0.0.1:${h.server.port}/api/users/bob/permissions-changed`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}` },
    });
    assert.equal(res.status, 200, await res.text());
    await b.next((f) => f.type === 'error' && f.code === 'forbidden' && f.room === 'customer:42');
    h.clock.advanceSync(WATCHER_RETRY_MS[0]!);
    await c.next((f) => f.type === 'event' && f.event === 'notification');
    assert.equal(inserts.tried, 2);
    await b.sync();
    assert.equal(notificationsOf(b).length, 0, 'Bob is not told about the record');
    const page = await b.request({ type: 'notification.list', id: nextId('n') });
    assert.equal(page.type, 'notification.page', JSON.stringify(page));
    assert.deepEqual(page.items, [], 'nor finds it in his history');
  });

  test('waiting when the server stops: the log says how many were not sent', async () => {
    const { logged, retries } = await start(1);
    await until(() => retries().length === 1, undefined, 'the first failure');
    await h!.close();
    h = undefined;
    const error = logged.find((l) => l.level === 'error');
    assert.equal(
      error?.msg,
      'watcher notifications not sent: the server stopped before their next try',
    );
    assert.equal(error.fields?.['dropped'], 1);
  });

  test('are given up after the last wait, logged as an error', async () => {
    const { h, b, logged, inserts, retries } = await start(Infinity);
    for (const [i, wait] of WATCHER_RETRY_MS.entries()) {
      await until(() => retries().length === i + 1, undefined, `failure ${i + 1}`);
      h.clock.advanceSync(wait);
    }
    await until(() => logged.some((l) => l.level === 'error'), undefined, 'the error');
    const error = logged.find((l) => l.level === 'error')!;
    assert.equal(error.msg, 'watcher notification failed');
    assert.equal(error.fields?.['entity'], 'customer:42');
    assert.equal(error.fields?.['attempts'], WATCHER_RETRY_MS.length + 1);
    assert.equal(inserts.tried, WATCHER_RETRY_MS.length + 1);
    h.clock.advanceSync(60_000);
    await b.sync();
    assert.equal(inserts.tried, WATCHER_RETRY_MS.length + 1, 'nothing more is tried');
    assert.equal(notificationsOf(b).length, 0);
  });

  test('at most so many wait at once: beyond them a failure is given up, logged', async () => {
    const logged: { level: string; msg: string; fields: LogFields | undefined }[] = [];
    const logger: Logger = {
      debug: () => {},
      info: () => {},
      warn: (msg, fields) => void logged.push({ level: 'warn', msg, fields }),
      error: (msg, fields) => void logged.push({ level: 'error', msg, fields }),
    };
    const listeners: ((change: EntityChange) => void)[] = [];
    const clock = new ManualClock();
    let sends = 0;
    const stop = notifyWatchersOnChange(
      { onChange: (listener) => (listeners.push(listener), () => {}) },
      {
        recipientsOf: () => Promise.resolve(['bob']),
        send: () => {
          sends++;
          return Promise.reject(new Error('database is locked'));
        },
      },
      clock,
      logger,
      2,
    );
    for (const id of ['1', '2', '3']) {
      const change: EntityChange = {
        entity: { type: 'customer', id, version: 2, fields: { status: 'won' }, updatedAt: 1 },
        changed: ['status'],
        previous: { status: 'lead' },
        by: alice,
        source: 'client',
      };
      listeners.forEach((listener) => listener(change));
    }
    await until(() => logged.length === 3, undefined, 'three failures');
    assert.deepEqual(
      logged.map((l) => [l.level, l.fields?.['entity']]),
      [
        ['warn', 'customer:1'],
        ['warn', 'customer:2'],
        ['error', 'customer:3'],
      ],
    );
    assert.equal(logged[2]!.fields?.['waiting'], 2);
    assert.equal(clock.pending, 2, 'two wait to be tried again');
    clock.advanceSync(WATCHER_RETRY_MS[0]!);
    await until(() => sends === 5, undefined, 'the two tried again');
    stop();
  });
});
