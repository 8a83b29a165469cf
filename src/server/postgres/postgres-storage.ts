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
 *
 * Every wait on the database has an end, so a database that stops answering (a hung host, a
 * network that drops packets) fails saves and the probe instead of stalling them: opening a
 * connection or waiting for a free one (`connectTimeoutMs`), each statement (`queryTimeoutMs`,
 * cancelled by PostgreSQL itself, with the client's own deadline a little later for a server that
 * cannot even answer that), and each probe (`probeMs`). Migrations have no statement deadline (one
 * may rewrite a large table), only the connection's.
 */
import pg from 'pg';
import type { EntityWrite, EntityWriteResult, StoredChange } from '../entities/entity-store.js';
import { silentLogger, type Logger } from '../log.js';
import type { Storage, StoredEntity } from '../storage.js';
import { PostgresActivity } from './postgres-activity.js';
import { PostgresRevocations } from '../sql-revocations.js';
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
  /**
   * How often `healthy()`'s probe runs, and how long one may wait for its answer before the
   * database counts as down. Default 5 s.
   */
  probeMs?: number | undefined;
  /**
   * How long opening a connection (at start too) or waiting for a free pooled one may take.
   * Default `DEFAULT_CONNECT_TIMEOUT_MS`.
   */
  connectTimeoutMs?: number | undefined;
  /** How long one statement may run. Default `DEFAULT_QUERY_TIMEOUT_MS`. */
  queryTimeoutMs?: number | undefined;
  migrations?: readonly Migration[] | undefined;
  /** Hears when the probe finds the database gone or read-only, and when it is back: once each. */
  log?: Logger | undefined;
}

export const DEFAULT_POOL_SIZE = 10;

/**
 * 10 s to open a connection or to get a free one from the pool. Opening one takes milliseconds on
 * a network, about a second with TLS far away; the wait for a free one under load is a queue of
 * saves that each hold a connection for milliseconds. A save still waiting after 10 s has mostly
 * outlived its client's own request timeout (15 s), which sends it again.
 */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/**
 * 30 s for one statement. A save's statements take milliseconds; the longest healthy waits are
 * for the row lock of an entity another writer holds and for the change log's append lock, behind
 * a queue of commits of a few milliseconds each even at thousands of saves per second. The hourly
 * retention sweep's deletes are the slowest statements, and get the same room. A statement at its
 * deadline is cancelled by PostgreSQL (the connection stays usable); a save it fails is sent again
 * by its client.
 */
export const DEFAULT_QUERY_TIMEOUT_MS = 30_000;

/**
 * How much longer than the statement deadline the client waits for an answer before it gives up
 * on the connection (at most; a shorter statement deadline gives as much again): PostgreSQL's own
 * cancellation comes first when the server is alive, this one only when it cannot answer at all
 * (stopped, hung, cut off).
 */
const NO_ANSWER_GRACE_MS = 5_000;

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
  private migrated = false;
  /** When PostgreSQL last answered a statement of this pool (`performance.now()`). */
  private answeredAt = -Infinity;
  /**
   * The last probe found the database taking no writes (a standby after a failover,
   * `default_transaction_read_only`): it answers, yet every save fails.
   */
  private readOnly = false;
  /** Why the last probe found the database down, once the log said so; undefined while up. */
  private downFor: string | undefined;
  /** Why the probe query under way failed, if it did. */
  private probeFailure: string | undefined;
  private readonly log: Logger;
  private readonly label: string;
  /** The probe query under way: a hung one is waited for, never joined by another. */
  private probing: Promise<void> | undefined;
  private readonly probeMs: number;
  private readonly entities: PostgresEntities;
  private readonly probe: ReturnType<typeof setInterval>;
  readonly notifications: PostgresNotifications;
  readonly activity: PostgresActivity;
  /** Every accepted change in commit order, with its webhook delivery state. */
  readonly changes: PostgresChangeLog;
  readonly revocations: PostgresRevocations;
  /** Resolves once the migrations are applied; rejects when they fail. */
  readonly ready: Promise<void>;

  constructor(options: PostgresStorageOptions) {
    const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const queryTimeoutMs = options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
    this.probeMs = options.probeMs ?? 5000;
    this.log = options.log ?? silentLogger;
    this.label = databaseLabel(options.url);
    const connection: pg.ClientConfig = {
      connectionString: options.url,
      types,
      connectionTimeoutMillis: connectTimeoutMs,
    };
    const deadlines: pg.ClientConfig = {
      statement_timeout: queryTimeoutMs,
      query_timeout: queryTimeoutMs + Math.min(NO_ANSWER_GRACE_MS, queryTimeoutMs),
    };
    this.pool = new pg.Pool({
      ...connection,
      ...deadlines,
      max: options.poolSize ?? DEFAULT_POOL_SIZE,
    });
    // An idle connection the server dropped (a restart) is an error event on the pool, not a
    // crash: the next query gets a fresh connection; the probe reports the outage meanwhile.
    this.pool.on('error', () => {
      this.up = false;
    });
    // Any statement answered proves the database reachable, so a probe stuck behind a busy pool
    // does not call a working database down.
    this.pool.on('release', (err: Error | undefined) => {
      if (!err) this.answeredAt = performance.now();
    });
    const migrations = options.migrations ?? POSTGRES_MIGRATIONS;
    this.knownSchemaVersion = Math.max(0, ...migrations.map((m) => m.version));
    this.ready = this.migrate(
      new pg.Client(connection),
      migrations,
      databaseLabel(options.url),
      connectTimeoutMs,
    ).then((version) => {
      this.version = version;
      this.migrated = true;
      this.up = !this.closed;
    });
    // Methods await `ready` and reject with its error; this keeps it from being unhandled.
    this.ready.catch(() => {});
    const ready = (): Promise<void> => this.ready;
    const ambient = new AmbientTransaction();
    // Each writer appends its changes to the log inside its own transaction.
    this.changes = new PostgresChangeLog(
      this.pool,
      ready,
      () => new pg.Client({ ...connection, ...deadlines, keepAlive: true }),
    );
    this.entities = new PostgresEntities(this.pool, ambient, this.changes);
    this.notifications = new PostgresNotifications(this.pool, ready, this.changes);
    this.activity = new PostgresActivity(this.pool, ready, ambient, this.changes);
    this.revocations = new PostgresRevocations(this.pool, ready);
    this.probe = setInterval(() => void this.check(), this.probeMs);
    this.probe.unref();
  }

  /**
   * Connects the migrations' own client (no statement deadline) and applies them. A connection
   * that fails or does not answer in time fails the start, naming the database.
   */
  private async migrate(
    client: pg.Client,
    migrations: readonly Migration[],
    label: string,
    connectTimeoutMs: number,
  ): Promise<number> {
    // A session dropped while migrating would otherwise be an unhandled 'error' event, the end
    // of the process; the statement under way rejects with the same error.
    client.on('error', () => {});
    const started = performance.now();
    try {
      await client.connect();
    } catch (err) {
      const reason =
        performance.now() - started >= connectTimeoutMs
          ? `no answer within ${connectTimeoutMs} ms`
          : err instanceof Error
            ? err.message
            : String(err);
      await client.end().catch(() => {});
      throw new Error(`cannot connect to the database at ${label}: ${reason}`, { cause: err });
    }
    try {
      return await migrate(client, migrations);
    } finally {
      await client.end().catch(() => {});
    }
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

  /**
   * Runs the probe now; resolves to what `healthy()` reports from then on, at the latest after
   * `probeMs`: the database is up when it answered a statement since this call. A probe query
   * still unanswered is not joined by another (the pool would fill with them); its answer, when it
   * comes, counts for the calls made meanwhile.
   */
  async check(): Promise<boolean> {
    if (this.closed) return false;
    const started = performance.now();
    if (!this.probing) this.probeFailure = undefined;
    this.probing ??= this.ready
      .then(() =>
        this.pool.query<{ read_only: string }>(
          "SELECT current_setting('transaction_read_only') AS read_only",
        ),
      )
      .then(
        ({ rows }) => {
          this.readOnly = rows[0]?.read_only === 'on';
          this.answeredAt = performance.now();
          this.probeFailure = undefined;
        },
        (err: unknown) => {
          this.probeFailure = err instanceof Error ? err.message : String(err);
        },
      )
      .finally(() => {
        this.probing = undefined;
      });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.probeMs);
      timer.unref();
    });
    await Promise.race([this.probing, deadline]);
    clearTimeout(timer);
    this.up = this.migrated && !this.closed && this.answeredAt >= started && !this.readOnly;
    if (this.migrated && !this.closed) this.report(started);
    return this.up;
  }

  /**
   * Says in the log when the database stops serving and when it serves again, once each way:
   * `/healthz` turns meanwhile, but without a line an operator reading the log of a process
   * that answers every save "retry" would not learn why.
   */
  private report(started: number): void {
    if (this.up) {
      if (this.downFor === undefined) return;
      this.log.info('database answers again', { database: this.label, after: this.downFor });
      this.downFor = undefined;
      return;
    }
    if (this.downFor !== undefined) return;
    this.downFor = this.readOnly
      ? 'read-only: transaction_read_only is on'
      : this.answeredAt < started && this.probeFailure
        ? this.probeFailure
        : `no answer within ${this.probeMs} ms`;
    this.log.error('database unavailable: saves are answered "retry" until it answers', {
      database: this.label,
      reason: this.downFor,
    });
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

  async mutationRefusal(
    type: string,
    id: string,
    mutationId: string,
  ): Promise<readonly string[] | undefined> {
    await this.ready;
    return this.entities.refusal(type, id, mutationId);
  }

  async deleteEntity(type: string, id: string): Promise<boolean> {
    await this.ready;
    return this.entities.delete(type, id);
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
