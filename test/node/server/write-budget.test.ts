/**
 * What one user may have stored per minute: saves and notifications are refused `rate_limited`
 * once a user's bytes for the minute are spent, across all their sockets, and allowed again as the
 * budget refills; other users and frames that store nothing are not affected.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { ServerFrame } from '../../../src/protocol/index.js';
import { WriteBudget } from '../../../src/util/write-budget.js';
import { nextId, type TestClient } from '../helpers/server-client.js';
import { alice, bob, startHarness, type Harness } from '../helpers/server-harness.js';

/** A 10 KB value: two saves of it fit a 25 KB budget, a third does not. */
const BIG = 'x'.repeat(10_000);

/** The version of customer 42 the next save is based on: each ack moves it on. */
let version = 1;

/**
 * A save of `value` into the same field, based on the version the last one made, so none of them
 * conflicts and the record stays about the size of one value (the copy of it a save stores is
 * charged too: see the test of a save into a large record).
 */
async function save(client: TestClient, value: string): Promise<ServerFrame> {
  const answer = await client.request({
    type: 'entity.update',
    id: nextId('u'),
    mutationId: nextId('mutation-').padEnd(8, '0'),
    entityType: 'customer',
    entityId: '42',
    baseVersion: version,
    fields: { note: value },
  });
  if (answer.type === 'entity.ack') version = answer.entity.version;
  return answer;
}

/** Customer 42, small, as the backend created it; the next `save` is based on its version 1. */
async function seedAcme(h: Harness): Promise<void> {
  version = 1;
  await h.server.entities.update({
    type: 'customer',
    id: '42',
    fields: { name: 'Acme' },
    source: 'backend',
    create: true,
  });
}

/** Records what `WriteBudget.spend` is charged from now until the test ends. */
function spyOnSpend(): () => number[] {
  const charged: number[] = [];
  const spend = WriteBudget.prototype.spend;
  WriteBudget.prototype.spend = function (this: WriteBudget, user, bytes, now) {
    charged.push(bytes);
    spend.call(this, user, bytes, now);
  };
  restore.push(() => (WriteBudget.prototype.spend = spend));
  return () => charged;
}

const restore: (() => void)[] = [];

describe("a user's write budget", () => {
  let h: Harness | undefined;
  afterEach(async () => {
    for (const undo of restore.splice(0)) undo();
    await h?.close();
    h = undefined;
  });

  test('saves past the budget are refused rate_limited on every socket of that user, then allowed as it refills', async () => {
    h = await startHarness({ limits: { writeBytesPerMinute: 25_000 } });
    await seedAcme(h);
    const first = await h.connect(alice);
    const second = await h.connect(alice);
    const other = await h.connect(bob);
    assert.equal((await save(first, `${BIG}a`)).type, 'entity.ack');
    assert.equal((await save(second, `${BIG}b`)).type, 'entity.ack');
    const refused = await save(first, `${BIG}c`);
    assert.equal(refused.type, 'error');
    assert.equal(refused.type === 'error' && refused.code, 'rate_limited');
    assert.match(refused.type === 'error' ? refused.message : '', /KiB stored a minute/);
    // A second socket of the same user buys nothing more.
    const alsoRefused = await save(second, `${BIG}d`);
    assert.equal(alsoRefused.type === 'error' && alsoRefused.code, 'rate_limited');
    // Another user has a budget of their own; frames that store nothing pass.
    assert.equal((await save(other, `${BIG}e`)).type, 'entity.ack');
    first.send({ type: 'ping', t: 7 });
    assert.deepEqual(await first.next((f) => f.type === 'pong'), { type: 'pong', t: 7 });
    // Half a minute later half the budget is back: one more save fits.
    h.clock.advanceSync(30_000);
    assert.equal((await save(first, `${BIG}f`)).type, 'entity.ack');
  });

  test('a refusal says how long until the same save fits (retryAfterMs), and then it does', async () => {
    h = await startHarness({ limits: { writeBytesPerMinute: 25_000 } });
    await seedAcme(h);
    const client = await h.connect(alice);
    assert.equal((await save(client, `${BIG}a`)).type, 'entity.ack');
    assert.equal((await save(client, `${BIG}b`)).type, 'entity.ack');
    const refused = await save(client, `${BIG}c`);
    assert.equal(refused.type === 'error' && refused.code, 'rate_limited');
    const wait = refused.type === 'error' ? refused.retryAfterMs : undefined;
    assert.ok(wait !== undefined && wait > 0 && wait <= 60_000, `retryAfterMs ${wait}`);
    // A moment before, it still does not fit; then it does.
    h.clock.advanceSync(Math.max(0, wait - 50));
    const early = await save(client, `${BIG}c`);
    assert.equal(early.type === 'error' && early.code, 'rate_limited');
    h.clock.advanceSync(50 + (early.type === 'error' ? (early.retryAfterMs ?? 0) : 0));
    assert.equal((await save(client, `${BIG}c`)).type, 'entity.ack');
  });

  test('notifications count against the same budget', async () => {
    h = await startHarness({ limits: { writeBytesPerMinute: 70_000 } });
    const client = await h.connect(alice);
    await client.request({ type: 'join', id: nextId('j'), room: 'user:alice' });
    const notify = () =>
      client.request({
        type: 'emit',
        id: nextId('n'),
        room: 'user:alice',
        event: 'notification',
        payload: { target: { user: 'alice' }, title: 'Call back', message: 'm'.repeat(1900) },
      });
    let answer: ServerFrame | undefined;
    let sent = 0;
    // About 2 KB each: the 70 KB budget runs out after some thirty-odd.
    while ((answer = await notify()).type !== 'error' && sent < 100) sent++;
    assert.equal(answer.type === 'error' && answer.code, 'rate_limited');
    assert.ok(sent >= 30 && sent < 40, `${sent} notifications before the refusal`);
  });

  test('a save into a large record is charged for the copy of the record it stores', async () => {
    // Each applied save keeps the whole entity as the answer to a retry of its mutation id: a
    // one-word save of a 60 KB record stored 60 KB, and a budget counting only the frame let a
    // user store hundreds of megabytes a minute.
    h = await startHarness({
      limits: { writeBytesPerMinute: 200_000, maxMessagesPerSecond: 10_000 },
    });
    await h.server.entities.update({
      type: 'customer',
      id: '42',
      fields: { name: 'Acme', notes: 'n'.repeat(60_000) },
      source: 'backend',
      create: true,
    });
    version = 1;
    const client = await h.connect(alice);
    let applied = 0;
    let answer: ServerFrame;
    while ((answer = await save(client, `call back ${applied}`)).type === 'entity.ack') {
      applied++;
      assert.ok(applied < 100, 'the budget runs out');
    }
    assert.equal(answer.type === 'error' && answer.code, 'rate_limited');
    assert.ok(applied >= 3 && applied <= 5, `${applied} saves of a 60 KB record in 200 KB`);
    // The debt is paid back as the budget fills: a minute later, saves go again.
    h.clock.advanceSync(60_000);
    assert.equal((await save(client, 'again')).type, 'entity.ack');
  });

  test('a save into a large record with non-ASCII text is charged the bytes of its copy beyond the bytes of its frame', async () => {
    // Bytes, not characters: a euro sign is one character and three bytes, so a charge measured
    // in characters, on the fields alone, or on anything but the frame and the copy as they are
    // would be off by thousands here.
    h = await startHarness({ limits: { writeBytesPerMinute: 1_000_000 } });
    await h.server.entities.update({
      type: 'customer',
      id: '42',
      fields: { name: 'Société Générale', notes: `${'€'.repeat(20_000)} rappel à 9h ☎ 🙂` },
      source: 'backend',
      create: true,
    });
    const client = await h.connect(alice);
    const spent = spyOnSpend();
    const frame = {
      type: 'entity.update' as const,
      id: nextId('u'),
      mutationId: nextId('mutation-').padEnd(8, '0'),
      entityType: 'customer',
      entityId: '42',
      baseVersion: 1,
      fields: { note: 'rappeler Zoë à 9h — ☎ 🙂' },
    };
    const ack = await client.request(frame);
    assert.equal(ack.type, 'entity.ack');
    const copy = Buffer.byteLength(JSON.stringify(ack.type === 'entity.ack' && ack.entity));
    assert.ok(copy > 60_000, `${copy} bytes stored`);
    // `request` sends the frame as JSON.stringify makes it: those are the bytes that arrived.
    assert.deepEqual(spent(), [copy - Buffer.byteLength(JSON.stringify(frame))]);
  });

  test('a save costs the larger of its frame as sent and the copy it stores', async () => {
    // The frame is taken from the budget as it arrived, spaces and escapes included; what the
    // copy holds beyond those bytes is charged after. (Measured on the frame serialized again,
    // the charge left out what the client's spaces and escapes had added to its frame.)
    h = await startHarness({ limits: { writeBytesPerMinute: 1_000_000 } });
    await h.server.entities.update({
      type: 'customer',
      id: '42',
      fields: { notes: 'é'.repeat(30_000) },
      source: 'backend',
      create: true,
    });
    const client = await h.connect(alice);
    const spent = spyOnSpend();
    const frame = {
      type: 'entity.update',
      id: nextId('u'),
      mutationId: nextId('mutation-').padEnd(8, '0'),
      entityType: 'customer',
      entityId: '42',
      baseVersion: 1,
      fields: { note: 'Zoë' },
    };
    // Indented, and the ë written as an escape: 42 bytes more than JSON.stringify makes.
    const text = JSON.stringify(frame, null, 2).replace('ë', '\\u00eb');
    client.sendRaw(text);
    const ack = await client.next((f) => f.type === 'entity.ack');
    const copy = Buffer.byteLength(JSON.stringify(ack.type === 'entity.ack' && ack.entity));
    assert.deepEqual(spent(), [copy - Buffer.byteLength(text)]);
  });

  test('a notification to a room is charged for each of its recipients', async () => {
    // One small frame stores a row for, and sends an event to, everyone in the room: counted once,
    // a user could store hundreds of thousands of rows a minute into a busy room.
    // The frame rate is no limit here: the clock stands still.
    h = await startHarness({ limits: { writeBytesPerMinute: 70_000, maxMessagesPerSecond: 1000 } });
    const room = 'team:sales';
    const sender = await h.connect(alice);
    await sender.join(room);
    for (let i = 0; i < 20; i++) {
      const member = await h.connect({ id: `member${i}`, name: `Member ${i}` });
      await member.join(room);
    }
    const notify = () =>
      sender.request({
        type: 'emit',
        id: nextId('n'),
        room,
        event: 'notification',
        payload: { target: { room }, title: 'Standup in 5' },
      });
    let answer: ServerFrame | undefined;
    let sent = 0;
    // Some 200 bytes and 19 recipients beyond the first at 256 each: about 5 KB a notification.
    while ((answer = await notify()).type !== 'error' && sent < 400) sent++;
    assert.equal(answer.type === 'error' && answer.code, 'rate_limited', JSON.stringify(answer));
    assert.ok(sent >= 10 && sent < 16, `${sent} notifications before the refusal`);
    // Nothing is stored for a refused one.
    assert.equal((await h.server.notifications.list('member0', undefined, 100)).items.length, sent);
  });

  test('a room too large for a minute of budget still gets one notification a minute', async () => {
    h = await startHarness({ limits: { writeBytesPerMinute: 10_000 } });
    const room = 'all-hands';
    const sender = await h.connect(alice);
    await sender.join(room);
    for (let i = 0; i < 45; i++) {
      const member = await h.connect({ id: `member${i}`, name: `Member ${i}` });
      await member.join(room);
    }
    const notify = () =>
      sender.request({
        type: 'emit',
        id: nextId('n'),
        room,
        event: 'notification',
        payload: { target: { room }, title: 'Town hall now' },
      });
    assert.equal((await notify()).type, 'ack');
    const refused = await notify();
    assert.equal(refused.type === 'error' && refused.code, 'rate_limited');
    h.clock.advanceSync(60_000);
    assert.equal((await notify()).type, 'ack');
  });

  test('keeps at most maxUsers buckets, and 0 bytes a minute is no budget', () => {
    const budget = new WriteBudget(100, 2);
    assert.equal(budget.take('a', 100, 0), true);
    assert.equal(budget.take('a', 1, 0), false);
    assert.equal(budget.take('b', 100, 0), true);
    // A third user pushes out the least recently used (a), who starts again with a full budget.
    assert.equal(budget.take('c', 100, 0), true);
    assert.equal(budget.take('a', 100, 0), true);
    const none = new WriteBudget(0);
    for (let i = 0; i < 10; i++) assert.equal(none.take('a', 1e9, 0), true);
  });

  test('forgets the users whose budget is full again', () => {
    const budget = new WriteBudget(100);
    for (let i = 0; i < 500; i++) assert.equal(budget.take(`user-${i}`, 100, i), true);
    assert.equal(budget.size, 500);
    budget.take('late', 50, 60_000);
    assert.equal(budget.size, 500, 'user-0, a minute old, is full again and gone; the others stay');
    budget.take('later', 1, 61_000);
    assert.equal(budget.size, 2, 'only the users who stored something lately, not full again');
    // A forgotten user starts with a full minute's worth again, as they would have by now.
    assert.equal(budget.take('user-7', 100, 61_000), true);
  });

  test('keeps a user in debt until the debt is paid off, not only for a minute', () => {
    const budget = new WriteBudget(100);
    budget.spend('ada', 200, 0); // stored a whole minute's worth more than the budget held
    assert.equal(budget.take('ada', 1, 60_000), false, 'a minute pays off the debt only');
    assert.equal(budget.take('ada', 1, 60_600), true);
  });
});
