/**
 * Makes commits that SQLite wrote without syncing (`synchronous = NORMAL` in WAL mode: committed
 * and visible, safe from a killed process, not yet from a power loss) durable, with an `fsync` of
 * the WAL file on libuv's thread pool instead of inside the commit on the event loop.
 *
 * What that buys an entity save: its change can be fanned out as soon as it is committed, while the
 * disk flush runs; only the writer's answer waits for `flush()`. One `fsync` covers every commit
 * written before it starts, so saves that arrive while one runs share the next (group commit)
 * instead of queueing one flush each on the event loop.
 *
 * ```ts
 * const sync = new WalSync(`${file}-wal`);
 * commitWithoutSync();
 * sync.committed();
 * await sync.flush(); // resolves once that commit is on disk; rejects when the fsync failed
 * ```
 */
import { closeSync, fsync, fsyncSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

export class WalSync {
  /** Commits noted so far; `durableUpTo` counts those known to be on disk. */
  private commits = 0;
  private durableUpTo = 0;
  /** The fsync under way, and the commit count it covers. */
  private running: Promise<void> | undefined;
  private fd: number | undefined;

  /**
   * @param walFile the database's `-wal` file. It exists from the first commit on and, while the
   *   database stays open in WAL mode, SQLite keeps it (it rewrites it from the start after a
   *   checkpoint instead of replacing it), so one descriptor serves for the storage's lifetime.
   * @param sync for tests: the fsync of a descriptor; default `fs.fsync` on the thread pool.
   */
  constructor(
    private readonly walFile: string,
    private readonly sync: (fd: number, done: (err: Error | null) => void) => void = fsync,
  ) {}

  /** Notes a commit SQLite made without syncing; call it right after the commit. */
  committed(): void {
    this.commits++;
  }

  /** True when every noted commit is known to be on disk. */
  get clean(): boolean {
    return this.durableUpTo >= this.commits;
  }

  /** Resolves once every commit noted so far is on disk; rejects when an fsync fails. */
  async flush(): Promise<void> {
    const target = this.commits;
    while (this.durableUpTo < target) {
      // A flush under way may have started before our commit: wait for it, then start the next,
      // which covers every commit made meanwhile (ours and those that waited with it).
      if (this.running) {
        await this.running.catch(() => {});
        continue;
      }
      const upTo = this.commits;
      const run = this.fsyncWal().then(() => {
        this.durableUpTo = Math.max(this.durableUpTo, upTo);
      });
      this.running = run;
      try {
        await run;
      } finally {
        if (this.running === run) this.running = undefined;
      }
    }
  }

  /** Closes the descriptor; call after the database is closed (its last commits synced). */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private fsyncWal(): Promise<void> {
    if (this.fd === undefined) {
      this.fd = openSync(this.walFile, 'r');
      // The WAL file may be new: its directory entry must be on disk too, once.
      const dir = openSync(dirname(this.walFile), 'r');
      try {
        fsyncSync(dir);
      } finally {
        closeSync(dir);
      }
    }
    const fd = this.fd;
    return new Promise((resolve, reject) => {
      this.sync(fd, (err) => (err ? reject(err) : resolve()));
    });
  }
}
