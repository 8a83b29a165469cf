/**
 * The embedded store: one SQLite file through better-sqlite3, WAL journal, migrations on open.
 *
 * Every commit is on disk before it returns (`synchronous = FULL`), except entity writes on a
 * file: those commit without the sync (`NORMAL`: visible, and safe from a killed process) and a
 * `WalSync` flushes the WAL on the thread pool, so the entity service can fan a change out while
 * the disk works and answer its writer once `entityWritesDurable()` resolves.
 *
 * `healthy()` is about writes, not reads: a full disk, a data directory made read-only or a file
 * another process holds locked still answers `SELECT 1` while every save fails. It reports down
 * from the first write that failed for such a reason (`SQLITE_FULL`, `SQLITE_READONLY`,
 * `SQLITE_BUSY`, …) and, at most every `probeMs`, commits a one-page probe write (the header's
 * `user_version`, rewritten unchanged) to find out whether writes fail now or work again, so
 * `/healthz` says so without a restart. The change of state is logged once each way.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { errorFields, silentLogger, type Logger } from './log.js';
import { SqliteActivity } from './activity/sqlite-activity.js';
import type { EntityWrite, EntityWriteResult, StoredChange } from './entities/entity-store.js';
import { SqliteEntities } from './entities/sqlite-entities.js';
import {
  APPLIED_MIGRATIONS,
  APPLIED_VERSION,
  appliedMigration,
  MIGRATIONS,
  pendingMigrations,
  schemaMigrationsTable,
  type AppliedMigration,
  type AppliedMigrationRow,
  type Migration,
} from './migrations.js';
import { SqliteNotifications } from './notifications/sqlite-notifications.js';
import type { Storage, StoredEntity } from './storage.js';
import { SqliteRevocations } from './sql-revocations.js';
import { WalSync } from './wal-sync.js';

/** The migration that makes the `revocations` table. */
const REVOCATIONS_MIGRATION = 6;
import { SqliteChangeLog } from './webhooks/sqlite-change-log.js';

export class SqliteStorage implements Storage {
  private readonly db: Database.Database;
  private version = 0;
  readonly knownSchemaVersion: number;
  private readonly entities: SqliteEntities;
  readonly notifications: SqliteNotifications;
  readonly activity: SqliteActivity;
  readonly changes: SqliteChangeLog;
  /** Undefined when the database was opened with migrations that do not make its table. */
  readonly revocations: SqliteRevocations | undefined;
  /** Flushes entity writes committed without a sync; undefined in memory (nothing to flush). */
  private readonly walSync: WalSync | undefined;
  private readonly syncNormal: Database.Statement;
  private readonly syncFull: Database.Statement;
  private closing = false;
  /** Why writes fail (the SQLite error code), since the last write or probe; undefined: they work. */
  private writeFailure: string | undefined;
  private probedAt = -Infinity;
  private readonly probeMs: number;
  private readonly probeWrite: Database.Statement;
  private readonly log: Logger;

  /**
   * Opens (creating if needed) the database file and applies pending migrations.
   * `:memory:` gives a private in-memory database. `options.fsync`, for tests, replaces the
   * flush of entity writes (`fs.fsync` of the WAL file). `options.log` hears when writes start
   * failing and work again; `options.probeMs` (default 2 s) spaces the probe writes `healthy()`
   * makes.
   */
  constructor(
    file: string,
    migrations: readonly Migration[] = MIGRATIONS,
    options: {
      fsync?: ConstructorParameters<typeof WalSync>[1];
      log?: Logger;
      probeMs?: number;
    } = {},
  ) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // FULL: a commit is on disk before it returns, so an acknowledged change survives kill -9
    // and power loss (NORMAL in WAL may lose the last commits on power loss).
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    this.syncNormal = this.db.prepare('PRAGMA synchronous = NORMAL');
    this.syncFull = this.db.prepare('PRAGMA synchronous = FULL');
    this.walSync =
      this.journalMode === 'wal' ? new WalSync(`${file}-wal`, options.fsync) : undefined;
    this.knownSchemaVersion = Math.max(0, ...migrations.map((m) => m.version));
    this.migrate(migrations);
    // Each writer appends its changes to the log inside its own transaction.
    this.changes = new SqliteChangeLog(this.db);
    this.entities = new SqliteEntities(this.db, this.changes.record);
    // Their writes tell, as entity writes do, whether the database takes writes.
    this.notifications = this.watchWrites(new SqliteNotifications(this.db, this.changes.record), {
      insert: true,
      markRead: false,
      deleteBefore: false,
    });
    this.activity = this.watchWrites(new SqliteActivity(this.db, this.changes.record), {
      append: true,
      prune: false,
    });
    this.watchWrites(this.changes, {
      recordAttempt: true,
      retryDead: false,
      discardDead: false,
      prune: false,
    });
    this.revocations =
      this.version >= REVOCATIONS_MIGRATION ? new SqliteRevocations(this.db) : undefined;
    this.log = options.log ?? silentLogger;
    this.probeMs = options.probeMs ?? DEFAULT_WRITE_PROBE_MS;
    const userVersion = Number(this.db.pragma('user_version', { simple: true }));
    this.probeWrite = this.db.prepare(`PRAGMA user_version = ${userVersion}`);
  }

  get schemaVersion(): number {
    return this.version;
  }

  /** The journal mode SQLite reports (`wal` once opened on a file). */
  get journalMode(): string {
    return String(this.db.pragma('journal_mode', { simple: true }));
  }

  /** The `synchronous` level SQLite reports: 2 (FULL) outside an entity write. */
  get synchronous(): number {
    return Number(this.db.pragma('synchronous', { simple: true }));
  }

  /** Migrations applied so far, oldest first. */
  appliedMigrations(): AppliedMigration[] {
    return this.db.prepare<[], AppliedMigrationRow>(APPLIED_MIGRATIONS).all().map(appliedMigration);
  }

  private migrate(migrations: readonly Migration[]): void {
    this.db.exec(schemaMigrationsTable('INTEGER'));
    this.version = this.db.prepare<[], { v: number | null }>(APPLIED_VERSION).get()?.v ?? 0;
    const record = this.db.prepare<[number, string, number]>(
      'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
    );
    for (const migration of pendingMigrations(migrations, this.version)) {
      // Each migration and its record commit together, or not at all.
      this.db.transaction(() => {
        this.db.exec(migration.sql);
        record.run(migration.version, migration.name, Date.now());
      })();
      this.version = migration.version;
    }
  }

  // async so that SQLite errors reject the promise instead of throwing at the call.
  async getEntity(type: string, id: string): Promise<StoredEntity | undefined> {
    return this.entities.get(type, id)?.entity;
  }

  async putEntity(entity: StoredEntity): Promise<void> {
    this.writing(() => this.entities.put(entity));
  }

  async listEntities(
    type: string,
    page: { limit: number; offset: number },
  ): Promise<{ items: StoredEntity[]; total: number }> {
    return this.entities.list(type, page.limit, page.offset);
  }

  async countEntities(): Promise<number> {
    return this.entities.count();
  }

  async writeEntity(write: EntityWrite): Promise<EntityWriteResult> {
    if (this.closing) throw new Error('the database is closing');
    const walSync = this.walSync;
    if (!walSync) return this.writing(() => this.entities.write(write), wroteEntity);
    // Committed without the WAL's fsync; `entityWritesDurable` flushes it off the event loop.
    this.syncNormal.run();
    let result: EntityWriteResult;
    try {
      result = this.writing(() => this.entities.write(write), wroteEntity);
    } finally {
      this.syncFull.run();
    }
    // Only an applied write adds to the WAL (a new version, or a mutation's answer), and a
    // refusal stored as its mutation's answer.
    if (wroteEntity(result)) walSync.committed();
    return result;
  }

  async mutationRefusal(
    type: string,
    id: string,
    mutationId: string,
  ): Promise<readonly string[] | undefined> {
    return this.entities.refusal(type, id, mutationId);
  }

  // Outside `writeEntity`'s relaxed sync: the delete commits with its fsync, durable when answered.
  async deleteEntity(type: string, id: string): Promise<boolean> {
    if (this.closing) throw new Error('the database is closing');
    return this.writing(
      () => this.entities.delete(type, id),
      (existed) => existed,
    );
  }

  entityWritesDurable(): Promise<void> {
    return this.walSync?.flush() ?? Promise.resolve();
  }

  async entityChanges(
    type: string,
    id: string,
    sinceVersion = 0,
    limit = 1000,
  ): Promise<StoredChange[]> {
    return this.entities.changes(type, id, sinceVersion, limit);
  }

  async pruneEntityHistory(cutoff: number): Promise<{ changes: number; mutations: number }> {
    return this.entities.prune(cutoff);
  }

  /** Whether writes work, as far as the last write or probe showed (see the header). */
  healthy(): boolean {
    if (!this.db.open) return false;
    const now = performance.now();
    if (now - this.probedAt >= this.probeMs) {
      this.probedAt = now;
      this.probe();
    }
    return this.writeFailure === undefined;
  }

  /**
   * A commit of one page, not synced (it changes nothing) and without waiting for a lock: the
   * probe must not stall the event loop behind another process's transaction.
   */
  private probe(): void {
    // `busy_timeout` takes effect when its statement is prepared, not when a prepared one runs
    // again: it is set with `pragma()` each time, never kept as a prepared statement.
    this.db.pragma('busy_timeout = 0');
    this.db.pragma('synchronous = NORMAL');
    try {
      this.writing(() => this.probeWrite.run());
    } catch {
      // Noted by `writing`; any other failure is the next write's to report.
    } finally {
      this.db.pragma('synchronous = FULL');
      this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
  }

  /**
   * Runs a write, noting whether writes work (see `storageUnavailable`). `wrote` tells whether a
   * result committed something: one that only read (a duplicate, a conflict) says nothing about
   * the disk.
   */
  private writing<T>(write: () => T, wrote: (result: T) => boolean = () => true): T {
    let result: T;
    try {
      result = write();
    } catch (err) {
      this.writeFailed(err);
      throw err;
    }
    if (wrote(result)) this.writeWorked();
    return result;
  }

  /**
   * `repository`'s async write methods noted as `writing` notes a write: each one's failure, and
   * the success of those that always commit something (`true`; the others may change nothing).
   */
  private watchWrites<R extends object>(
    repository: R,
    methods: Partial<Record<keyof R & string, boolean>>,
  ): R {
    for (const [name, alwaysWrites] of Object.entries(methods) as [keyof R & string, boolean][]) {
      const method = repository[name] as (...args: unknown[]) => Promise<unknown>;
      Object.defineProperty(repository, name, {
        writable: true,
        configurable: true,
        value: (...args: unknown[]): Promise<unknown> =>
          method.apply(repository, args).then(
            (result) => {
              if (alwaysWrites) this.writeWorked();
              return result;
            },
            (err: unknown) => {
              this.writeFailed(err);
              throw err;
            },
          ),
      });
    }
    return repository;
  }

  private writeFailed(err: unknown): void {
    const code = storageUnavailable(err);
    if (code === undefined || this.writeFailure !== undefined) return;
    this.writeFailure = code;
    this.log.error('database refuses writes: saves are answered "retry" until it takes them', {
      code,
      ...errorFields(err),
    });
  }

  private writeWorked(): void {
    if (this.writeFailure === undefined) return;
    this.log.info('database takes writes again', { after: this.writeFailure });
    this.writeFailure = undefined;
  }

  async close(): Promise<void> {
    // No write is taken once closing starts (as when the close was immediate): the services
    // that join an entity's transaction (its activity item) are gone by now.
    this.closing = true;
    // Entity writes still being flushed finish first: closing must not make them less durable.
    // Only then does the close wait: otherwise it closes in the caller's turn, as it always did.
    if (this.walSync && !this.walSync.clean) await this.walSync.flush().catch(() => {});
    if (this.db.open) this.db.close();
    this.walSync?.close();
  }
}

/**
 * How long a write waits for another process's lock (a backup tool, an operator's `sqlite3`)
 * before failing with `SQLITE_BUSY`. The wait blocks the event loop, every socket with it, so it
 * is short: a save that finds the file locked longer is answered "retry" and its page sends it
 * again later, instead of freezing the server for seconds per save.
 */
export const BUSY_TIMEOUT_MS = 250;

export const DEFAULT_WRITE_PROBE_MS = 2000;

const wroteEntity = (result: EntityWriteResult): boolean =>
  result.outcome === 'applied' || result.outcome === 'refused';

/**
 * The SQLite error code when `err` says the database cannot take writes now, whatever the write
 * (a full disk, a read-only file or directory, a lock held by another process, an I/O error);
 * undefined for anything else (a constraint, a bug), which says nothing about the next write.
 */
export function storageUnavailable(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  return /^SQLITE_(FULL|READONLY|BUSY|LOCKED|IOERR|CANTOPEN|PROTOCOL|NOMEM)/.test(code)
    ? code
    : undefined;
}
