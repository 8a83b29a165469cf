/**
 * A save on a file-backed SQLite store is fanned out once committed, while the disk flushes it;
 * the writer's ack waits for the flush, so an acknowledged save is on disk. A failed flush is
 * answered with an error, never an ack, and the retry with the same mutation id is acknowledged
 * once the disk works again.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { MIGRATIONS } from '../../../../src/server/migrations.js';
import { SqliteStorage } from '../../../../src/server/sqlite-storage.js';
import { updateCustomer } from '../../helpers/server-client.js';
import { alice, bob, startHarness, type Harness } from '../../helpers/server-harness.js';

const ROOM = 'customer:42';

/** The WAL's fsync: completes at once until `hold()`, then waits until the test lets it. */
function heldDisk() {
  const waiting: ((err: Error | null) => void)[] = [];
  let holding = false;
  let arrived: (() => void) | undefined;
  return {
    sync: (_fd: number, done: (err: Error | null) => void) => {
      if (!holding) return done(null);
      waiting.push(done);
      arrived?.();
    },
    hold() {
      holding = true;
    },
    /** Resolves once a held fsync is under way (a hang limit, not a wait: it fails the test). */
    started(): Promise<void> {
      if (waiting.length > 0) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const limit = setTimeout(() => reject(new Error('no flush of the save')), 10_000);
        arrived = () => {
          clearTimeout(limit);
          resolve();
        };
      });
    },
    /** Completes the fsyncs under way; the next ones complete at once again. */
    finish(err: Error | null = null) {
      holding = false;
      for (const done of waiting.splice(0)) done(err);
    },
  };
}

describe('entity saves on SQLite: fan-out before the flush, ack after it', () => {
  let dir: string;
  let h: Harness | undefined;
  let disk: ReturnType<typeof heldDisk>;
  let storage: SqliteStorage;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crm-entity-durable-'));
    disk = heldDisk();
    storage = new SqliteStorage(join(dir, 'crm.sqlite'), MIGRATIONS, { fsync: disk.sync });
    h = await startHarness({ storage });
    const seeded = await h.server.entities.update({
      type: 'customer',
      id: '42',
      fields: { name: 'Acme', phone: '100' },
      source: 'backend',
      create: true,
    });
    assert.equal(seeded.kind, 'applied');
  });

  afterEach(async () => {
    disk.finish();
    await h?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('the other member gets the change and its activity item while the flush runs; the ack only after it', async () => {
    const writer = await h!.connect(alice);
    const watcher = await h!.connect(bob);
    await watcher.join(ROOM);
    await watcher.join('activity:customer:42');
    let answered = false;
    disk.hold();
    const answer = updateCustomer(writer, { phone: '200' }, 1, 'mutation-durable-1').then(
      (frame) => {
        answered = true;
        return frame;
      },
    );
    await disk.started();
    const change = await watcher.next((f) => f.type === 'event' && f.event === 'entity.change');
    assert.equal(change.type === 'event' && change.room, ROOM);
    await watcher.next((f) => f.type === 'event' && f.event === 'activity');
    await writer.wsRoundTrip();
    assert.equal(answered, false, 'no ack before the save is on disk');
    assert.equal(
      writer.frames.some((f) => f.type === 'entity.ack'),
      false,
    );
    disk.finish();
    const ack = await answer;
    assert.equal(ack.type, 'entity.ack', JSON.stringify(ack));
    assert.equal(ack.type === 'entity.ack' && ack.entity.version, 2);
  });

  test('a failed flush answers an error, not an ack; the retry is acknowledged as a duplicate', async () => {
    const writer = await h!.connect(alice);
    disk.hold();
    const answer = updateCustomer(writer, { phone: '300' }, 1, 'mutation-durable-2');
    await disk.started();
    disk.finish(new Error('EIO: the disk failed'));
    const failed = await answer;
    assert.equal(failed.type === 'error' && failed.code, 'internal', JSON.stringify(failed));
    // The client keeps the save and sends it again, same mutation id: applied once.
    const retry = updateCustomer(writer, { phone: '300' }, 1, 'mutation-durable-2');
    const ack = await retry;
    assert.equal(ack.type, 'entity.ack', JSON.stringify(ack));
    assert.equal(ack.type === 'entity.ack' && ack.duplicate, true);
    assert.equal(ack.type === 'entity.ack' && ack.entity.version, 2);
  });

  test('other writes still sync inside their commit', async () => {
    const writer = await h!.connect(alice);
    assert.equal(
      (await updateCustomer(writer, { phone: '400' }, 1, 'mutation-durable-3')).type,
      'entity.ack',
    );
    assert.equal(storage.synchronous, 2, 'FULL');
  });
});
