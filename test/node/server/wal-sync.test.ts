/**
 * The WAL flush behind entity saves: one fsync covers every commit written before it starts, so
 * saves made while one runs share the next; a failed fsync fails its waiters and the next flush
 * tries again.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { WalSync } from '../../../src/server/wal-sync.js';

/** An fsync the test completes by hand. */
function heldSync() {
  const calls: ((err: Error | null) => void)[] = [];
  return {
    calls,
    sync: (_fd: number, done: (err: Error | null) => void) => void calls.push(done),
    /** Completes the oldest fsync under way. */
    finish(err: Error | null = null) {
      const done = calls.shift();
      assert.ok(done, 'no fsync under way');
      done(err);
    },
  };
}

const settled = async <T>(promise: Promise<T>): Promise<boolean> => {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  // Two turns: the promise chains inside `flush` settle within them.
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
};

describe('WalSync', () => {
  let dir: string;
  let wal: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crm-wal-sync-'));
    wal = join(dir, 'db.sqlite-wal');
    await writeFile(wal, '');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  test('nothing committed: flush resolves without an fsync', async () => {
    const disk = heldSync();
    const sync = new WalSync(wal, disk.sync);
    await sync.flush();
    assert.equal(disk.calls.length, 0);
    assert.equal(sync.clean, true);
  });

  test('commits made while an fsync runs share the next one', async () => {
    const disk = heldSync();
    const sync = new WalSync(wal, disk.sync);
    sync.committed();
    const first = sync.flush();
    assert.equal(disk.calls.length, 1);
    // Two more saves commit while the first flush is on the disk.
    sync.committed();
    const second = sync.flush();
    sync.committed();
    const third = sync.flush();
    assert.equal(await settled(second), false);
    disk.finish();
    await first;
    assert.equal(await settled(second), false, 'the first fsync may have missed the later commits');
    assert.equal(disk.calls.length, 1, 'one more fsync for both waiting saves');
    disk.finish();
    await Promise.all([second, third]);
    assert.equal(disk.calls.length, 0);
    assert.equal(sync.clean, true);
    sync.close();
  });

  test('a failed fsync fails its waiters; the next flush tries again', async () => {
    const disk = heldSync();
    const sync = new WalSync(wal, disk.sync);
    sync.committed();
    const failing = sync.flush();
    disk.finish(new Error('EIO'));
    await assert.rejects(failing, /EIO/);
    assert.equal(sync.clean, false, 'the commit is not known to be on disk');
    const retry = sync.flush();
    assert.equal(disk.calls.length, 1);
    disk.finish();
    await retry;
    assert.equal(sync.clean, true);
    sync.close();
  });
});
