/**
 * Schema migrations of the SQLite store, applied in order, each once, recorded in
 * `schema_migrations`. Never edit a released migration: add the next one.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
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
];
