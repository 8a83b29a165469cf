/**
 * Entities in SQLite (tables of migration 2): reads, listing, and one write applied atomically in
 * an IMMEDIATE transaction — duplicate check, field-rule refusal, conflict check, new version,
 * history row, the caller's `inTransaction` step (the activity item), mutation answer — so two
 * writers never both pass the check, and the answer is sent only after commit.
 */
import type Database from 'better-sqlite3';
import { fieldValue, type Entity, type Fields, type UserProfile } from '../../protocol/index.js';
import type { StoredEntity } from '../storage.js';
import {
  toEntity,
  toEntityChange,
  withClearedFields,
  type EntityWrite,
  type EntityWriteResult,
  type StoredChange,
  type StoredEntityState,
} from './entity-store.js';
import { findConflicts, oversizedChange, planChange, type HistoryReader } from './merge.js';
import {
  CHANGE_COLUMNS,
  ENTITY_COLUMNS,
  changeOfRow,
  emptyEntity,
  entityOfRow,
} from './entity-rows.js';
import type { ChangeRecorder } from '../webhooks/change-log.js';

interface EntityRow {
  type: string;
  id: string;
  version: number;
  fields: string;
  updated_at: number;
  updated_by: string | null;
  updated_by_profile: string | null;
  field_versions: string;
}

interface ChangeRow {
  type: string;
  id: string;
  version: number;
  changed: string;
  previous: string;
  next: string;
  by_profile: string | null;
  at: number;
  mutation_id: string | null;
  source: 'client' | 'backend';
}

/** SQLite keeps the JSON columns as text: parsed, a row is the shared layout's. */
function entityOf({ field_versions: _unread, ...row }: EntityRow): StoredEntity {
  return entityOfRow({
    ...row,
    fields: JSON.parse(row.fields) as Record<string, unknown>,
    updated_by_profile:
      row.updated_by_profile === null ? null : (JSON.parse(row.updated_by_profile) as UserProfile),
  });
}

function changeOf(row: ChangeRow): StoredChange {
  return changeOfRow({
    ...row,
    changed: JSON.parse(row.changed) as string[],
    previous: JSON.parse(row.previous) as Fields,
    next: JSON.parse(row.next) as Fields,
    by_profile: row.by_profile === null ? null : (JSON.parse(row.by_profile) as UserProfile),
  });
}

export class SqliteEntities {
  private readonly selectEntity: Database.Statement<[string, string], EntityRow>;
  private readonly selectPage: Database.Statement<[string, number, number], EntityRow>;
  private readonly countType: Database.Statement<[string], { n: number }>;
  private readonly countAll: Database.Statement<[], { n: number }>;
  private readonly upsert: Database.Statement<Record<string, unknown>>;
  private readonly insertChange: Database.Statement<Record<string, unknown>>;
  private readonly selectChangesAfter: Database.Statement<
    [string, string, number, number],
    ChangeRow
  >;
  private readonly selectChangeAt: Database.Statement<[string, string, number], ChangeRow>;
  private readonly selectChangedAfter: Database.Statement<
    [string, string, number],
    { version: number; changed: string }
  >;
  private readonly selectMutation: Database.Statement<[string, string, string], { entity: string }>;
  private readonly insertMutation: Database.Statement<[string, string, string, string, number]>;
  private readonly selectRefusal: Database.Statement<[string, string, string], { fields: string }>;
  private readonly insertRefusal: Database.Statement<[string, string, string, string, number]>;
  private readonly deleteOldChanges: Database.Statement<[number]>;
  private readonly deleteOldMutations: Database.Statement<[number]>;
  private readonly deleteOldRefusals: Database.Statement<[number]>;
  private readonly pruneTx: (cutoff: number) => { changes: number; mutations: number };
  private readonly deleteTx: (type: string, id: string) => boolean;
  private readonly writeTx: (write: EntityWrite) => EntityWriteResult;

  /**
   * `recordChange` appends each new version to the change log (webhooks, `GET /api/changes`)
   * inside the write's transaction, before the caller's `inTransaction` step.
   */
  constructor(
    private readonly db: Database.Database,
    private readonly recordChange?: ChangeRecorder,
  ) {
    this.selectEntity = db.prepare(
      `SELECT ${ENTITY_COLUMNS} FROM entities WHERE type = ? AND id = ?`,
    );
    this.selectPage = db.prepare(
      `SELECT ${ENTITY_COLUMNS} FROM entities WHERE type = ? ORDER BY id LIMIT ? OFFSET ?`,
    );
    this.countType = db.prepare('SELECT COUNT(*) AS n FROM entities WHERE type = ?');
    this.countAll = db.prepare('SELECT COUNT(*) AS n FROM entities');
    this.upsert = db.prepare(
      `INSERT INTO entities (${ENTITY_COLUMNS})
       VALUES (@type, @id, @version, @fields, @updated_at, @updated_by, @updated_by_profile, @field_versions)
       ON CONFLICT (type, id) DO UPDATE SET version = excluded.version, fields = excluded.fields,
         updated_at = excluded.updated_at, updated_by = excluded.updated_by,
         updated_by_profile = excluded.updated_by_profile, field_versions = excluded.field_versions`,
    );
    this.insertChange = db.prepare(
      `INSERT INTO entity_changes (${CHANGE_COLUMNS})
       VALUES (@type, @id, @version, @changed, @previous, @next, @by_profile, @at, @mutation_id, @source)`,
    );
    this.selectChangesAfter = db.prepare(
      `SELECT ${CHANGE_COLUMNS} FROM entity_changes
       WHERE type = ? AND id = ? AND version > ? ORDER BY version LIMIT ?`,
    );
    this.selectChangeAt = db.prepare(
      `SELECT ${CHANGE_COLUMNS} FROM entity_changes WHERE type = ? AND id = ? AND version = ?`,
    );
    this.selectChangedAfter = db.prepare(
      `SELECT version, changed FROM entity_changes
       WHERE type = ? AND id = ? AND version > ? ORDER BY version`,
    );
    this.selectMutation = db.prepare(
      'SELECT entity FROM mutations WHERE type = ? AND id = ? AND mutation_id = ?',
    );
    this.insertMutation = db.prepare(
      'INSERT INTO mutations (type, id, mutation_id, entity, at) VALUES (?, ?, ?, ?, ?)',
    );
    this.selectRefusal = db.prepare(
      'SELECT fields FROM mutation_refusals WHERE type = ? AND id = ? AND mutation_id = ?',
    );
    this.insertRefusal = db.prepare(
      'INSERT INTO mutation_refusals (type, id, mutation_id, fields, at) VALUES (?, ?, ?, ?, ?)',
    );
    this.deleteOldChanges = db.prepare('DELETE FROM entity_changes WHERE at < ?');
    this.deleteOldMutations = db.prepare('DELETE FROM mutations WHERE at < ?');
    this.deleteOldRefusals = db.prepare('DELETE FROM mutation_refusals WHERE at < ?');
    this.pruneTx = db.transaction((cutoff: number) => ({
      changes: this.deleteOldChanges.run(cutoff).changes,
      mutations:
        this.deleteOldMutations.run(cutoff).changes + this.deleteOldRefusals.run(cutoff).changes,
    }));
    // Erasure: the row and every stored copy of its values (history, mutation answers, the
    // change log's entity.change rows) go together or not at all.
    const erase = [
      db.prepare('DELETE FROM entity_changes WHERE type = ? AND id = ?'),
      db.prepare('DELETE FROM mutations WHERE type = ? AND id = ?'),
      db.prepare('DELETE FROM mutation_refusals WHERE type = ? AND id = ?'),
      db.prepare(
        `DELETE FROM change_log WHERE kind = 'entity.change' AND entity_type = ? AND entity_id = ?`,
      ),
    ];
    const deleteRow = db.prepare<[string, string]>(
      'DELETE FROM entities WHERE type = ? AND id = ?',
    );
    const deleteTx = db.transaction((type: string, id: string) => {
      const existed = deleteRow.run(type, id).changes > 0;
      for (const statement of erase) statement.run(type, id);
      return existed;
    });
    this.deleteTx = (type, id) => deleteTx.immediate(type, id);
    const tx = db.transaction((write: EntityWrite) => this.apply(write));
    // IMMEDIATE takes the write lock before reading, so the check and the write see one state.
    this.writeTx = (write) => tx.immediate(write);
  }

  get(type: string, id: string): StoredEntityState | undefined {
    const row = this.selectEntity.get(type, id);
    if (!row) return undefined;
    return {
      entity: entityOf(row),
      fieldVersions: JSON.parse(row.field_versions) as Record<string, number>,
    };
  }

  list(type: string, limit: number, offset: number): { items: StoredEntity[]; total: number } {
    const items = this.selectPage.all(type, limit, offset).map(entityOf);
    return { items, total: this.countType.get(type)?.n ?? 0 };
  }

  count(): number {
    return this.countAll.get()?.n ?? 0;
  }

  /** Stores an entity as given; each field counts as changed at the entity's version. */
  put(entity: StoredEntity): void {
    const fieldVersions: Record<string, number> = {};
    for (const field of Object.keys(entity.fields)) fieldVersions[field] = entity.version;
    this.store({ entity, fieldVersions });
  }

  /**
   * Deletes history rows and mutation answers from before `cutoff`. The merge rules do without
   * them: a conflict on a field last changed before it lacks its base value and its author.
   */
  prune(cutoff: number): { changes: number; mutations: number } {
    return this.pruneTx(cutoff);
  }

  /** Deletes the entity and its history (see `Storage.deleteEntity`); true when it existed. */
  delete(type: string, id: string): boolean {
    return this.deleteTx(type, id);
  }

  /** The fields a mutation id was refused for, if it was (see `Storage.mutationRefusal`). */
  refusal(type: string, id: string, mutationId: string): readonly string[] | undefined {
    const refused = this.selectRefusal.get(type, id, mutationId);
    return refused && (JSON.parse(refused.fields) as string[]);
  }

  changes(type: string, id: string, sinceVersion: number, limit: number): StoredChange[] {
    return this.selectChangesAfter.all(type, id, sinceVersion, limit).map(changeOf);
  }

  write(write: EntityWrite): EntityWriteResult {
    return this.writeTx(write);
  }

  private apply(request: EntityWrite): EntityWriteResult {
    const { type, id } = request;
    if (request.mutationId !== undefined) {
      const seen = this.selectMutation.get(type, id, request.mutationId);
      if (seen) return { outcome: 'duplicate', entity: JSON.parse(seen.entity) as Entity };
      const fields = this.refusal(type, id, request.mutationId);
      if (fields) return { outcome: 'refused', fields };
    }
    // After the duplicate check: a replay is answered as applied whatever the rules now say. A
    // refusal is the id's answer from now on (see `EntityWrite.refusedFields`).
    if (request.refusedFields?.length) {
      const fields = [...request.refusedFields].sort();
      if (request.mutationId !== undefined) {
        this.insertRefusal.run(type, id, request.mutationId, JSON.stringify(fields), request.at);
      }
      return { outcome: 'refused', fields };
    }
    const state = this.get(type, id);
    const write = request.replace && state ? withClearedFields(request, state) : request;
    // Creating needs no base (or base 0): a writer that saw a version of a missing entity is lost.
    if (!state && (!write.create || (write.baseVersion ?? 0) > 0)) return { outcome: 'not_found' };
    if (state && write.baseVersion !== undefined) {
      const conflicts = findConflicts(
        state,
        write.fields,
        write.baseVersion,
        this.history(type, id, Object.keys(write.fields), state.fieldVersions),
      );
      if (conflicts.length > 0) return { outcome: 'conflict', conflicts, current: state.entity };
    }
    const planned = planChange(state, write);
    let entity: StoredEntity;
    if (planned) {
      entity = planned.state.entity;
      const tooLarge = oversizedChange(planned, write.maxChangeBytes);
      if (tooLarge) return tooLarge;
      this.store(planned.state);
      const change = planned.change;
      this.insertChange.run({
        type,
        id,
        version: change.version,
        changed: JSON.stringify(change.changed),
        previous: JSON.stringify(change.previous),
        next: JSON.stringify(change.next),
        by_profile: change.by ? JSON.stringify(change.by) : null,
        at: change.at,
        mutation_id: change.mutationId ?? null,
        source: change.source,
      });
      this.recordChange?.({
        kind: 'entity.change',
        entity: { type, id },
        at: change.at,
        data: toEntityChange(change, entity),
      });
      write.inTransaction?.(change, entity);
    } else if (state) {
      entity = state.entity;
    } else {
      entity = emptyEntity(type, id, write);
      this.store({ entity, fieldVersions: {} });
    }
    let answerBytes: number | undefined;
    if (write.mutationId !== undefined) {
      const answer = JSON.stringify(toEntity(entity));
      this.insertMutation.run(type, id, write.mutationId, answer, write.at);
      answerBytes = Buffer.byteLength(answer);
    }
    return { outcome: 'applied', entity, change: planned?.change, created: !state, answerBytes };
  }

  private store({ entity, fieldVersions }: StoredEntityState): void {
    this.upsert.run({
      type: entity.type,
      id: entity.id,
      version: entity.version,
      fields: JSON.stringify(entity.fields),
      updated_at: entity.updatedAt,
      updated_by: entity.updatedBy,
      updated_by_profile: entity.updatedByProfile ? JSON.stringify(entity.updatedByProfile) : null,
      field_versions: JSON.stringify(fieldVersions),
    });
  }

  /**
   * The history the merge rules read for a write of `fields`. An update names up to a frame's
   * worth of fields (thousands) and its base may lie thousands of changes back: the first change
   * after the base of every field the write names is found in one pass over the changes' field
   * lists, and each change row is read once, however many fields ask about it. (A query per field
   * made one frame cost fields × changes, seconds of a blocked event loop.)
   */
  private history(
    type: string,
    id: string,
    fields: readonly string[],
    fieldVersions: Record<string, number>,
  ): HistoryReader {
    const rows = new Map<number, StoredChange | undefined>();
    const changeAt = (version: number): StoredChange | undefined => {
      if (rows.has(version)) return rows.get(version);
      const row = this.selectChangeAt.get(type, id, version);
      const change = row ? changeOf(row) : undefined;
      rows.set(version, change);
      return change;
    };
    let firstAfter: { version: number; first: Map<string, number> } | undefined;
    const scan = (version: number): Map<string, number> => {
      // Only fields changed after the base have a first change after it: the scan stops once
      // each of them is found.
      const wanted = new Set(fields.filter((f) => (fieldValue(fieldVersions, f) ?? 0) > version));
      const first = new Map<string, number>();
      if (wanted.size === 0) return first;
      for (const row of this.selectChangedAfter.iterate(type, id, version)) {
        for (const name of JSON.parse(row.changed) as string[]) {
          if (wanted.delete(name)) first.set(name, row.version);
        }
        if (wanted.size === 0) break;
      }
      return first;
    };
    return {
      firstChangeAfter: (version, field) => {
        if (firstAfter?.version !== version) firstAfter = { version, first: scan(version) };
        const at = firstAfter.first.get(field);
        return at === undefined ? undefined : changeAt(at);
      },
      changeAt,
    };
  }
}
