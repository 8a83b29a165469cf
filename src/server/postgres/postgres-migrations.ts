/**
 * Schema migrations of the PostgreSQL store, applied in order, each once, recorded in
 * `schema_migrations`, as the SQLite store's (`../migrations.ts`) are; the SQL is PostgreSQL's
 * own. Never edit a released migration: add the next one.
 *
 * Several processes may start at once on one database: `migrate` holds a session advisory lock
 * while it reads what is applied and applies the rest, so the second process waits, then finds
 * nothing left to do. Each migration and its record commit together (PostgreSQL's DDL is
 * transactional), so a failing one leaves no trace.
 */
import type pg from 'pg';
import {
  APPLIED_VERSION,
  pendingMigrations,
  schemaMigrationsTable,
  type Migration,
} from '../migrations.js';

/**
 * The advisory lock key every process of this schema takes around its migrations (an arbitrary
 * constant: "crm-rt" in ASCII, so it is recognisable in `pg_locks`).
 */
export const MIGRATION_LOCK_KEY = 0x63726d2d7274;

export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'entities, history, mutation answers, activity, notifications',
    // The tables of SQLite's migrations 1 to 4 as they end up. Times are epoch milliseconds in
    // BIGINT; values are `json` (kept as written: key order and numbers unchanged), not `jsonb`.
    sql: `
      CREATE TABLE entities (
        type                TEXT    NOT NULL,
        id                  TEXT    NOT NULL,
        version             INTEGER NOT NULL CHECK (version >= 0),
        fields              JSON    NOT NULL,
        updated_at          BIGINT  NOT NULL,
        updated_by          TEXT,
        updated_by_profile  JSON,
        field_versions      JSON    NOT NULL DEFAULT '{}',
        PRIMARY KEY (type, id)
      );

      -- One row per accepted change; the key makes a version recorded once however many
      -- processes write the entity.
      CREATE TABLE entity_changes (
        type         TEXT    NOT NULL,
        id           TEXT    NOT NULL,
        version      INTEGER NOT NULL,
        changed      JSON    NOT NULL,
        previous     JSON    NOT NULL,
        next         JSON    NOT NULL,
        by_profile   JSON,
        at           BIGINT  NOT NULL,
        mutation_id  TEXT,
        source       TEXT    NOT NULL CHECK (source IN ('client', 'backend')),
        PRIMARY KEY (type, id, version)
      );
      CREATE INDEX entity_changes_by_time ON entity_changes (at);

      -- The answer an applied mutation id got: the key applies a mutation id once per entity.
      CREATE TABLE mutations (
        type         TEXT    NOT NULL,
        id           TEXT    NOT NULL,
        mutation_id  TEXT    NOT NULL,
        entity       JSON    NOT NULL,
        at           BIGINT  NOT NULL,
        PRIMARY KEY (type, id, mutation_id)
      );
      CREATE INDEX mutations_by_time ON mutations (at);

      CREATE TABLE activity (
        id           BIGSERIAL PRIMARY KEY,
        at           BIGINT  NOT NULL,
        actor        TEXT,
        kind         TEXT    NOT NULL,
        entity_type  TEXT,
        entity_id    TEXT,
        customer_id  TEXT,
        changes      JSON,
        data         JSON
      );
      CREATE INDEX activity_by_time ON activity (at);
      CREATE INDEX activity_by_actor ON activity (actor, id);
      CREATE INDEX activity_by_customer ON activity (customer_id, id);

      CREATE TABLE notifications (
        id           TEXT    PRIMARY KEY,
        created_at   BIGINT  NOT NULL,
        target_kind  TEXT    NOT NULL CHECK (target_kind IN ('user', 'room', 'entity')),
        target       TEXT    NOT NULL,
        kind         TEXT    NOT NULL CHECK (kind IN ('info', 'success', 'warning', 'error')),
        priority     INTEGER NOT NULL DEFAULT 0,
        title        TEXT    NOT NULL,
        body         TEXT,
        actions      JSON,
        data         JSON
      );
      CREATE INDEX notifications_by_target ON notifications (target_kind, target, created_at);
      CREATE INDEX notifications_by_time ON notifications (created_at);

      CREATE TABLE notification_recipients (
        seq              BIGSERIAL PRIMARY KEY,
        user_id          TEXT    NOT NULL,
        notification_id  TEXT    NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
        read_at          BIGINT,
        UNIQUE (user_id, notification_id)
      );
      CREATE INDEX notification_recipients_by_user ON notification_recipients (user_id, seq);
      CREATE INDEX notification_recipients_unread ON notification_recipients (user_id)
        WHERE read_at IS NULL;
      CREATE INDEX notification_recipients_by_notification
        ON notification_recipients (notification_id);
    `,
  },
  {
    version: 2,
    name: 'change log: the change feed and webhook deliveries',
    // As SQLite's migration 5: one row per accepted change, appended in the change's own
    // transaction under a transaction advisory lock, so `seq` order is commit order.
    sql: `
      CREATE TABLE change_log (
        seq              BIGSERIAL PRIMARY KEY,
        id               TEXT    NOT NULL UNIQUE,
        kind             TEXT    NOT NULL
          CHECK (kind IN ('entity.change', 'notification', 'activity')),
        entity_type      TEXT,
        entity_id        TEXT,
        at               BIGINT  NOT NULL,
        data             JSON    NOT NULL,
        delivery         TEXT    CHECK (delivery IN ('pending', 'delivered', 'dead')),
        attempts         INTEGER NOT NULL DEFAULT 0,
        next_attempt_at  BIGINT,
        last_attempt_at  BIGINT,
        last_error       TEXT
      );
      CREATE INDEX change_log_pending ON change_log (seq) WHERE delivery = 'pending';
      CREATE INDEX change_log_pending_by_entity ON change_log (entity_type, entity_id, seq)
        WHERE delivery = 'pending';
      CREATE INDEX change_log_dead ON change_log (seq) WHERE delivery = 'dead';
      CREATE INDEX change_log_by_time ON change_log (at);
    `,
  },
  {
    version: 3,
    name: 'revocations: users whose sessions a backend ended',
    // As SQLite's migration 6.
    sql: `
      CREATE TABLE revocations (
        user_id     TEXT    PRIMARY KEY,
        revoked_at  BIGINT  NOT NULL,
        until       BIGINT  NOT NULL
      );
      CREATE INDEX revocations_by_until ON revocations (until);
    `,
  },
  {
    version: 4,
    name: 'mutation refusals: ids a save was refused with by field rules',
    // As SQLite's migration 7.
    sql: `
      CREATE TABLE mutation_refusals (
        type         TEXT    NOT NULL,
        id           TEXT    NOT NULL,
        mutation_id  TEXT    NOT NULL,
        fields       JSON    NOT NULL,
        at           BIGINT  NOT NULL,
        PRIMARY KEY (type, id, mutation_id)
      );
      CREATE INDEX mutation_refusals_by_time ON mutation_refusals (at);
    `,
  },
];

/**
 * Applies the pending migrations under the advisory lock; resolves to the highest version
 * applied. Runs on one connected client of its own for the whole run (a session lock belongs to
 * its session), which its caller opened, listens to for errors, and closes.
 */
export async function migrate(
  client: pg.ClientBase,
  migrations: readonly Migration[] = POSTGRES_MIGRATIONS,
): Promise<number> {
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
  try {
    await client.query(schemaMigrationsTable('BIGINT'));
    const current = await client.query<{ v: number | null }>(APPLIED_VERSION);
    let version = current.rows[0]?.v ?? 0;
    for (const migration of pendingMigrations(migrations, version)) {
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query(
          'INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)',
          [migration.version, migration.name, Date.now()],
        );
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      }
      version = migration.version;
    }
    return version;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
  }
}
