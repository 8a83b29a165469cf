/**
 * The networked store: PostgreSQL through a `pg` pool, for several server processes sharing one
 * database (`CRM_DATABASE_URL`). Same interfaces and guarantees as the SQLite store: entities with
 * history and mutation answers, notifications with read state, the activity log, retention.
 *
 * ```ts
 * const storage = new PostgresStorage({ url: 'postgres://crm@db/crm', poolSize: 10 });
 * await storage.ready; // migrations applied (every method also waits for them)
 * ```
 *
 * `healthy()` is synchronous (`/healthz` asks it on every probe), so it reports the outcome of the
 * last probe query, run every few seconds in the background, and of the migrations.
 */
import pg from 'pg';
import type { EntityWrite, EntityWriteResult, StoredChange } from '../entities/entity-store.js';
import type { Storage, StoredEntity } from '../storage.js';
import { PostgresActivity } from './postgres-activity.js';
import { PostgresChangeLog } from './postgres-change-log.js';
import { PostgresEntities } from './postgres-entities.js';
import {
  APPLIED_MIGRATIONS,
  appliedMigration,
  type AppliedMigration,
  type AppliedMigrationRow,
  type Migration,
} from '../migrations.js';
import { migrate, POSTGRES_MIGRATIONS } from './postgres-migrations.js';
import { PostgresNotifications } from './postgres-notifications.js';
import { AmbientTransaction } from './transaction.js';

export interface PostgresStorageOptions {
  /** `postgres://user:password@host:5432/database` */
  url: string;
  /** Connections this process keeps at most. Default 10. */
  poolSize?: number | undefined;
  /** How often `healthy()`'s probe runs. Default 5 s. */
  probeMs?: number | undefined;
  migrations?: readonly Migration[] | undefined;
}

export const DEFAULT_POOL_SIZE = 10;

const INT8_OID = 20;

/**
 * BIGINT (times in epoch ms, row numbers, counts) as a JavaScript number: every value this
 * schema keeps is far below 2^53, and the shared interfaces speak numbers. Set per pool, so other
 * users of `pg` in the process keep its default (a string).
 */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export class PostgresStorage implements Storage {
  private readonly pool: pg.Pool;
  private version = 0;
  readonly knownSchemaVersion: number;
  private up = false;
  private closed = false;
  private readonly entities: PostgresEntities;
  private readonly probe: ReturnType<typeof setInterval>;
  readonly notifications: PostgresNotifications;
  readonly activity: PostgresActivity;
  /** Every accepted change in commit order, with its webhook delivery state. */
  readonly changes: PostgresChangeLog;
  /** Resolves once the migrations are applied; rejects when they fail. */
  readonly ready: Promise<void>;

  constructor(options: PostgresStorageOptions) {
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? DEFAULT_POOL_SIZE,
      types,
    });
    // An idle connection the server dropped (a restart) is an error event on the pool, not a
    // crash: the next query gets a fresh connection; the probe reports the outage meanwhile.
    this.pool.on('error', () => {
      this.up = false;
    });
    const migrations = options.migrations ?? POSTGRES_MIGRATIONS;
    this.knownSchemaVersion = Math.max(0, ...migrations.map((m) => m.version));
    this.ready = migrate(this.pool, migrations).then((version) => {
      this.version = version;
      this.up = true;
    });
    // Methods await `ready` and reject with its error; this keeps it from being unhandled.
    this.ready.catch(() => {});
    const ready = (): Promise<void> => this.ready;
    const ambient = new AmbientTransaction();
    // Each writer appends its changes to the log inside its own transaction.
    this.changes = new PostgresChangeLog(
      this.pool,
      ready,
      () => new pg.Client({ connectionString: options.url, types, keepAlive: true }),
    );
    this.entities = new PostgresEntities(this.pool, ambient, this.changes);
    this.notifications = new PostgresNotifications(this.pool, ready, this.changes);
    this.activity = new PostgresActivity(this.pool, ready, ambient, this.changes);
    this.probe = setInterval(() => void this.check(), options.probeMs ?? 5000);
    this.probe.unref();
  }

  /** Opens a store and waits for its migrations. */
  static async open(options: PostgresStorageOptions): Promise<PostgresStorage> {
    const storage = new PostgresStorage(options);
    try {
      await storage.ready;
    } catch (err) {
      await storage.close();
      throw err;
    }
    return storage;
  }

  get schemaVersion(): number {
    return this.version;
  }

  /** Migrations applied so far, oldest first. */
  async appliedMigrations(): Promise<AppliedMigration[]> {
    await this.ready;
    const { rows } = await this.pool.query<AppliedMigrationRow>(APPLIED_MIGRATIONS);
    return rows.map(appliedMigration);
  }

  /** Runs the probe now; resolves to what `healthy()` reports from then on. */
  async check(): Promise<boolean> {
    if (this.closed) return false;
    try {
      await this.ready;
      await this.pool.query('SELECT 1');
      this.up = !this.closed;
    } catch {
      this.up = false;
    }
    return this.up;
  }

  async getEntity(type: string, id: string): Promise<StoredEntity | undefined> {
    await this.ready;
    return this.entities.get(type, id);
  }

  async putEntity(entity: StoredEntity): Promise<void> {
    await this.ready;
    await this.entities.put(entity);
  }

  async listEntities(
    type: string,
    page: { limit: number; offset: number },
  ): Promise<{ items: StoredEntity[]; total: number }> {
    await this.ready;
    return this.entities.list(type, page.limit, page.offset);
  }

  async countEntities(): Promise<number> {
    await this.ready;
    return this.entities.count();
  }

  async writeEntity(write: EntityWrite): Promise<EntityWriteResult> {
    await this.ready;
    return this.entities.write(write);
  }

  async entityChanges(
    type: string,
    id: string,
    sinceVersion = 0,
    limit = 1000,
  ): Promise<StoredChange[]> {
    await this.ready;
    return this.entities.changes(type, id, sinceVersion, limit);
  }

  async pruneEntityHistory(cutoff: number): Promise<{ changes: number; mutations: number }> {
    await this.ready;
    return this.entities.prune(cutoff);
  }

  healthy(): boolean {
    return this.up && !this.closed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.up = false;
    clearInterval(this.probe);
    // Let the migrations finish (or fail) before the pool goes, so no query races its end.
    await this.ready.catch(() => {});
    await this.changes.releaseDispatch();
    await this.pool.end();
  }
}

/** Where a database URL points, without its password: `postgres://crm@db:5432/crm`. */
export function databaseLabel(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    parsed.search = '';
    return parsed.toString();
  } catch {
    return 'postgres (unparsable URL)';
  }
}
