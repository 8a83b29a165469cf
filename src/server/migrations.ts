/**
 * Schema migrations, and the SQLite store's list of them. Both SQL stores apply theirs the same
 * way: in version order, each once, each in one transaction with its row in `schema_migrations`.
 * Never edit a released migration: add the next one.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The table of applied migrations; `timeType` holds epoch milliseconds in the store's dialect. */
export function schemaMigrationsTable(timeType: 'INTEGER' | 'BIGINT'): string {
  return `CREATE TABLE IF NOT EXISTS schema_migrations (
    version     INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    applied_at  ${timeType} NOT NULL
  )`;
}

/** The highest version applied, from `SELECT MAX(version) AS v` of `schema_migrations`. */
export const APPLIED_VERSION = 'SELECT MAX(version) AS v FROM schema_migrations';

/** A migration a store has applied, as `appliedMigrations` lists it. */
export interface AppliedMigration {
  version: number;
  name: string;
  appliedAt: number;
}

/** The applied migrations, oldest first, as rows of `appliedMigration`. */
export const APPLIED_MIGRATIONS =
  'SELECT version, name, applied_at FROM schema_migrations ORDER BY version';

/** A row of `APPLIED_MIGRATIONS`. */
export interface AppliedMigrationRow {
  version: number;
  name: string;
  applied_at: number;
}

export function appliedMigration(row: AppliedMigrationRow): AppliedMigration {
  return { version: row.version, name: row.name, appliedAt: row.applied_at };
}

/** The migrations newer than `applied`, oldest first. */
export function pendingMigrations(
  migrations: readonly Migration[],
  applied: number,
): readonly Migration[] {
  return [...migrations].sort((a, b) => a.version - b.version).filter((m) => m.version > applied);
}

/**
 * What to tell the operator when a newer release has migrated the database past what this one
 * knows (a rollback, or old processes during a rolling upgrade). The server still starts: after
 * migrations that only add it runs as before, without what they added; after one that changed
 * what this release uses, its queries fail, and the warning says why. Undefined when in step.
 */
export function schemaAheadWarning(store: {
  readonly schemaVersion: number;
  readonly knownSchemaVersion: number;
}): string | undefined {
  if (store.schemaVersion <= store.knownSchemaVersion) return undefined;
  return (
    `the database schema is at version ${store.schemaVersion}, newer than this server's ` +
    `${store.knownSchemaVersion}: a newer release migrated it; run that release (or newer)`
  );
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'entities, history, activity, notifications',
    sql: `
      CREATE TABLE entities (
        type        TEXT    NOT NULL,
        id          TEXT    NOT NULL,
        version     INTEGER NOT NULL CHECK (version >= 0),
        fields      TEXT    NOT NULL CHECK (json_valid(fields)),
        updated_at  INTEGER NOT NULL,
        updated_by  TEXT,
        PRIMARY KEY (type, id)
      );

      -- One row per accepted update: which fields changed (old and new values) at which version.
      -- A mutation id is applied once: replays of an offline outbox hit the unique index.
      CREATE TABLE entity_changes (
        seq          INTEGER PRIMARY KEY AUTOINCREMENT,
        type         TEXT    NOT NULL,
        id           TEXT    NOT NULL,
        version      INTEGER NOT NULL,
        mutation_id  TEXT    NOT NULL UNIQUE,
        changes      TEXT    NOT NULL CHECK (json_valid(changes)),
        changed_at   INTEGER NOT NULL,
        changed_by   TEXT
      );
      CREATE INDEX entity_changes_by_entity ON entity_changes (type, id, version);

      CREATE TABLE activity (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        at           INTEGER NOT NULL,
        actor        TEXT,
        verb         TEXT    NOT NULL,
        entity_type  TEXT,
        entity_id    TEXT,
        changes      TEXT    CHECK (changes IS NULL OR json_valid(changes)),
        data         TEXT    CHECK (data IS NULL OR json_valid(data))
      );
      CREATE INDEX activity_by_time ON activity (at);
      CREATE INDEX activity_by_actor ON activity (actor, at);
      CREATE INDEX activity_by_entity ON activity (entity_type, entity_id, at);

      CREATE TABLE notifications (
        id           TEXT    PRIMARY KEY,
        created_at   INTEGER NOT NULL,
        target_kind  TEXT    NOT NULL CHECK (target_kind IN ('user', 'room', 'entity')),
        target       TEXT    NOT NULL,
        kind         TEXT    NOT NULL CHECK (kind IN ('info', 'success', 'warning', 'error')),
        priority     INTEGER NOT NULL DEFAULT 0,
        title        TEXT    NOT NULL,
        body         TEXT,
        actions      TEXT    CHECK (actions IS NULL OR json_valid(actions)),
        data         TEXT    CHECK (data IS NULL OR json_valid(data))
      );
      CREATE INDEX notifications_by_target ON notifications (target_kind, target, created_at);

      CREATE TABLE notification_reads (
        notification_id  TEXT    NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
        user_id          TEXT    NOT NULL,
        read_at          INTEGER NOT NULL,
        PRIMARY KEY (notification_id, user_id)
      );
    `,
  },
  {
    version: 2,
    name: 'live data: per-field versions, change history, mutation answers',
    // entity_changes of version 1 was never written (no code used it); it is rebuilt with the
    // columns live data needs: the changed field names, their previous and new values, the
    // writer's profile, and a mutation id unique per entity rather than globally.
    sql: `
      ALTER TABLE entities ADD COLUMN field_versions TEXT NOT NULL DEFAULT '{}'
        CHECK (json_valid(field_versions));
      ALTER TABLE entities ADD COLUMN updated_by_profile TEXT
        CHECK (updated_by_profile IS NULL OR json_valid(updated_by_profile));

      DROP TABLE entity_changes;
      CREATE TABLE entity_changes (
        type         TEXT    NOT NULL,
        id           TEXT    NOT NULL,
        version      INTEGER NOT NULL,
        changed      TEXT    NOT NULL CHECK (json_valid(changed)),
        previous     TEXT    NOT NULL CHECK (json_valid(previous)),
        next         TEXT    NOT NULL CHECK (json_valid(next)),
        by_profile   TEXT    CHECK (by_profile IS NULL OR json_valid(by_profile)),
        at           INTEGER NOT NULL,
        mutation_id  TEXT,
        source       TEXT    NOT NULL CHECK (source IN ('client', 'backend')),
        PRIMARY KEY (type, id, version)
      );

      -- The answer an applied mutation id got, so a replay is answered the same way.
      CREATE TABLE mutations (
        type         TEXT    NOT NULL,
        id           TEXT    NOT NULL,
        mutation_id  TEXT    NOT NULL,
        entity       TEXT    NOT NULL CHECK (json_valid(entity)),
        at           INTEGER NOT NULL,
        PRIMARY KEY (type, id, mutation_id)
      );
    `,
  },
  {
    version: 3,
    name: 'notifications per recipient, activity feeds',
    // The notification and activity tables of version 1 were never written. A notification is
    // stored once and fanned out on write to one row per recipient, which holds that person's
    // read state (so `notification_reads` goes); history pages by the recipient row's `seq`.
    // Activity gets the customer it belongs to and pages by `id` within each feed.
    sql: `
      DROP TABLE notification_reads;
      CREATE TABLE notification_recipients (
        seq              INTEGER PRIMARY KEY AUTOINCREMENT,
        user_id          TEXT    NOT NULL,
        notification_id  TEXT    NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
        read_at          INTEGER,
        UNIQUE (user_id, notification_id)
      );
      CREATE INDEX notification_recipients_by_user ON notification_recipients (user_id, seq);
      CREATE INDEX notification_recipients_unread ON notification_recipients (user_id)
        WHERE read_at IS NULL;
      CREATE INDEX notification_recipients_by_notification
        ON notification_recipients (notification_id);
      CREATE INDEX notifications_by_time ON notifications (created_at);

      ALTER TABLE activity RENAME COLUMN verb TO kind;
      ALTER TABLE activity ADD COLUMN customer_id TEXT;
      DROP INDEX activity_by_actor;
      DROP INDEX activity_by_entity;
      CREATE INDEX activity_by_actor ON activity (actor, id);
      CREATE INDEX activity_by_customer ON activity (customer_id, id);
    `,
  },
  {
    version: 4,
    name: 'entity history retention',
    // The hourly sweep deletes entity history and mutation answers by age.
    sql: `
      CREATE INDEX entity_changes_by_time ON entity_changes (at);
      CREATE INDEX mutations_by_time ON mutations (at);
    `,
  },
  {
    version: 5,
    name: 'change log: the change feed and webhook deliveries',
    // One row per accepted change (entity change, notification, activity item), appended in the
    // change's own transaction; `seq` is commit order (the feed's cursor). `delivery` is the
    // webhook state (NULL: webhooks were off when it was written). See `webhooks/change-log.ts`.
    sql: `
      CREATE TABLE change_log (
        seq              INTEGER PRIMARY KEY AUTOINCREMENT,
        id               TEXT    NOT NULL UNIQUE,
        kind             TEXT    NOT NULL
          CHECK (kind IN ('entity.change', 'notification', 'activity')),
        entity_type      TEXT,
        entity_id        TEXT,
        at               INTEGER NOT NULL,
        data             TEXT    NOT NULL CHECK (json_valid(data)),
        delivery         TEXT    CHECK (delivery IN ('pending', 'delivered', 'dead')),
        attempts         INTEGER NOT NULL DEFAULT 0,
        next_attempt_at  INTEGER,
        last_attempt_at  INTEGER,
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
    version: 6,
    name: 'revocations: users whose sessions a backend ended',
    // A user's tokens issued up to `revoked_at` are refused until `until` (see revocations.ts),
    // across restarts of a single process.
    sql: `
      CREATE TABLE revocations (
        user_id     TEXT    PRIMARY KEY,
        revoked_at  INTEGER NOT NULL,
        until       INTEGER NOT NULL
      );
      CREATE INDEX revocations_by_until ON revocations (until);
    `,
  },
  {
    version: 7,
    name: 'mutation refusals: ids a save was refused with by field rules',
    // The fields a mutation id was refused for, its answer from then on (see
    // `EntityWrite.refusedFields`); pruned with the mutation answers. Apart from `mutations`,
    // whose every row a process of the previous release takes for an applied save's answer.
    sql: `
      CREATE TABLE mutation_refusals (
        type         TEXT    NOT NULL,
        id           TEXT    NOT NULL,
        mutation_id  TEXT    NOT NULL,
        fields       TEXT    NOT NULL CHECK (json_valid(fields)),
        at           INTEGER NOT NULL,
        PRIMARY KEY (type, id, mutation_id)
      );
      CREATE INDEX mutation_refusals_by_time ON mutation_refusals (at);
    `,
  },
];
