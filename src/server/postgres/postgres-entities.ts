/**
 * Entities in PostgreSQL: reads, listing, and one write applied atomically by the rules of
 * `../entities/merge.ts`, safe with writers in other processes. The write locks the entity's row
 * (`SELECT … FOR UPDATE`), so a second writer waits for the first to commit and then checks
 * against its version: no lost update, conflicts exactly as merge.ts says. A writer that finds no
 * row races other creators on the primary key, and a mutation id on the `mutations` key; the
 * loser's transaction is run again (see `transaction.ts`) and answers from the winner's rows (a
 * duplicate, or a write over the created entity).
 *
 * The history the rules read is fetched inside the transaction before they run (they are
 * synchronous): only when the check without history finds conflicts, whose base values and
 * authors it then explains.
 */
import type pg from 'pg';
import { fieldValue, type Entity, type FieldConflict } from '../../protocol/index.js';
import type { StoredEntity } from '../storage.js';
import {
  toEntity,
  toEntityChange,
  withClearedFields,
  type EntityWrite,
  type EntityWriteResult,
  type StoredChange,
  type StoredEntityState,
} from '../entities/entity-store.js';
import {
  findConflicts,
  historyOfChanges,
  oversizedChange,
  planChange,
  type HistoryReader,
} from '../entities/merge.js';
import {
  CHANGE_COLUMNS,
  ENTITY_COLUMNS,
  changeOfRow,
  emptyEntity,
  entityOfRow,
  type ChangeRow,
  type EntityRow,
} from '../entities/entity-rows.js';
import type { PostgresChangeLog } from './postgres-change-log.js';
import type { AmbientTransaction } from './transaction.js';
import { PendingStatements, transaction } from './transaction.js';

const entityOf = entityOfRow;
const changeOf = changeOfRow;

function stateOf(row: EntityRow): StoredEntityState {
  return { entity: entityOf(row), fieldVersions: row.field_versions };
}

/** The fields a mutation id of the entity was refused for, if it was. */
async function refusalIn(
  db: Queryable,
  type: string,
  id: string,
  mutationId: string,
): Promise<string[] | undefined> {
  const { rows } = await db.query<{ fields: string[] }>(
    'SELECT fields FROM mutation_refusals WHERE type = $1 AND id = $2 AND mutation_id = $3',
    [type, id, mutationId],
  );
  return rows[0]?.fields;
}

/** A reader over history rows already fetched (the rules never see more than these). */
function historyOf(changes: readonly StoredChange[]): HistoryReader {
  return historyOfChanges(changes);
}

const NO_HISTORY: HistoryReader = {
  firstChangeAfter: () => undefined,
  changeAt: () => undefined,
};

type Queryable = Pick<pg.PoolClient, 'query'>;

export class PostgresEntities {
  /** `changeLog`: each new version is appended to it in the write's transaction. */
  constructor(
    private readonly pool: pg.Pool,
    private readonly ambient: AmbientTransaction,
    private readonly changeLog?: PostgresChangeLog,
  ) {}

  async get(type: string, id: string): Promise<StoredEntity | undefined> {
    const { rows } = await this.pool.query<EntityRow>(
      `SELECT ${ENTITY_COLUMNS} FROM entities WHERE type = $1 AND id = $2`,
      [type, id],
    );
    return rows[0] && entityOf(rows[0]);
  }

  async list(
    type: string,
    limit: number,
    offset: number,
  ): Promise<{ items: StoredEntity[]; total: number }> {
    const [page, count] = await Promise.all([
      this.pool.query<EntityRow>(
        `SELECT ${ENTITY_COLUMNS} FROM entities WHERE type = $1 ORDER BY id LIMIT $2 OFFSET $3`,
        [type, limit, offset],
      ),
      this.pool.query<{ n: number }>('SELECT COUNT(*) AS n FROM entities WHERE type = $1', [type]),
    ]);
    return { items: page.rows.map(entityOf), total: count.rows[0]?.n ?? 0 };
  }

  async count(): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>('SELECT COUNT(*) AS n FROM entities');
    return rows[0]?.n ?? 0;
  }

  /** Stores an entity as given; each field counts as changed at the entity's version. */
  async put(entity: StoredEntity): Promise<void> {
    const fieldVersions: Record<string, number> = {};
    for (const field of Object.keys(entity.fields)) fieldVersions[field] = entity.version;
    await this.store(this.pool, { entity, fieldVersions });
  }

  /** The fields a mutation id was refused for, if it was (see `Storage.mutationRefusal`). */
  refusal(type: string, id: string, mutationId: string): Promise<readonly string[] | undefined> {
    return refusalIn(this.pool, type, id, mutationId);
  }

  async changes(
    type: string,
    id: string,
    sinceVersion: number,
    limit: number,
  ): Promise<StoredChange[]> {
    const { rows } = await this.pool.query<ChangeRow>(
      `SELECT ${CHANGE_COLUMNS} FROM entity_changes
       WHERE type = $1 AND id = $2 AND version > $3 ORDER BY version LIMIT $4`,
      [type, id, sinceVersion, limit],
    );
    return rows.map(changeOf);
  }

  /** Deletes history rows and mutation answers from before `cutoff` (see SQLite's `prune`). */
  prune(cutoff: number): Promise<{ changes: number; mutations: number }> {
    return transaction(this.pool, async (client) => {
      const changes = await client.query('DELETE FROM entity_changes WHERE at < $1', [cutoff]);
      const mutations = await client.query('DELETE FROM mutations WHERE at < $1', [cutoff]);
      const refusals = await client.query('DELETE FROM mutation_refusals WHERE at < $1', [cutoff]);
      return {
        changes: changes.rowCount ?? 0,
        mutations: (mutations.rowCount ?? 0) + (refusals.rowCount ?? 0),
      };
    });
  }

  /**
   * Deletes the entity and its history (see `Storage.deleteEntity`); true when it existed. The
   * row's DELETE comes first: it waits for a writer holding the row (`FOR UPDATE`), so the history
   * that writer committed goes too, and a writer waiting behind it then finds no row.
   */
  delete(type: string, id: string): Promise<boolean> {
    return transaction(this.pool, async (client) => {
      const removed = await client.query('DELETE FROM entities WHERE type = $1 AND id = $2', [
        type,
        id,
      ]);
      await client.query('DELETE FROM entity_changes WHERE type = $1 AND id = $2', [type, id]);
      await client.query('DELETE FROM mutations WHERE type = $1 AND id = $2', [type, id]);
      await client.query('DELETE FROM mutation_refusals WHERE type = $1 AND id = $2', [type, id]);
      await client.query(
        `DELETE FROM change_log WHERE kind = 'entity.change' AND entity_type = $1 AND entity_id = $2`,
        [type, id],
      );
      return (removed.rowCount ?? 0) > 0;
    });
  }

  async write(write: EntityWrite): Promise<EntityWriteResult> {
    const result = await transaction(this.pool, (client) => this.apply(client, write));
    if (result.outcome === 'applied' && result.change) this.changeLog?.appended();
    return result;
  }

  private async apply(client: pg.PoolClient, request: EntityWrite): Promise<EntityWriteResult> {
    const { type, id } = request;
    // The row lock first: a concurrent writer of this entity waits here until we commit, then
    // reads (statement by statement, READ COMMITTED) what we wrote, our mutation answer included.
    const locked = await client.query<EntityRow>(
      `SELECT ${ENTITY_COLUMNS} FROM entities WHERE type = $1 AND id = $2 FOR UPDATE`,
      [type, id],
    );
    if (request.mutationId !== undefined) {
      const seen = await client.query<{ entity: Entity }>(
        'SELECT entity FROM mutations WHERE type = $1 AND id = $2 AND mutation_id = $3',
        [type, id, request.mutationId],
      );
      if (seen.rows[0]) return { outcome: 'duplicate', entity: seen.rows[0].entity };
      const fields = await refusalIn(client, type, id, request.mutationId);
      if (fields) return { outcome: 'refused', fields };
    }
    // After the duplicate check, under the row lock: a replay is answered as applied whatever the
    // rules now say; a refusal is the id's answer from now on (see `EntityWrite.refusedFields`).
    if (request.refusedFields?.length) {
      const fields = [...request.refusedFields].sort();
      if (request.mutationId !== undefined) {
        await client.query(
          `INSERT INTO mutation_refusals (type, id, mutation_id, fields, at)
           VALUES ($1, $2, $3, $4, $5)`,
          [type, id, request.mutationId, JSON.stringify(fields), request.at],
        );
      }
      return { outcome: 'refused', fields };
    }
    const state = locked.rows[0] && stateOf(locked.rows[0]);
    const write = request.replace && state ? withClearedFields(request, state) : request;
    // Creating needs no base (or base 0): a writer that saw a version of a missing entity is lost.
    if (!state && (!write.create || (write.baseVersion ?? 0) > 0)) return { outcome: 'not_found' };
    if (state && write.baseVersion !== undefined) {
      // Whether a field conflicts does not depend on the history, only what the conflict says.
      let conflicts = findConflicts(state, write.fields, write.baseVersion, NO_HISTORY);
      if (conflicts.length > 0) {
        const history = await this.historyFor(client, state, conflicts, write.baseVersion);
        conflicts = findConflicts(state, write.fields, write.baseVersion, history);
        return { outcome: 'conflict', conflicts, current: state.entity };
      }
    }
    const planned = planChange(state, write);
    let entity: StoredEntity;
    if (planned) {
      entity = planned.state.entity;
      const tooLarge = oversizedChange(planned, write.maxChangeBytes);
      if (tooLarge) return tooLarge;
      await this.store(client, planned.state, state === undefined);
      const change = planned.change;
      await client.query(
        `INSERT INTO entity_changes (${CHANGE_COLUMNS})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          type,
          id,
          change.version,
          JSON.stringify(change.changed),
          JSON.stringify(change.previous),
          JSON.stringify(change.next),
          change.by ? JSON.stringify(change.by) : null,
          change.at,
          change.mutationId ?? null,
          change.source,
        ],
      );
      await this.changeLog?.append(client, {
        kind: 'entity.change',
        entity: { type, id },
        at: change.at,
        data: toEntityChange(change, entity),
      });
      const step = write.inTransaction;
      if (step) {
        // The step is synchronous: what it writes is queued, then run here, before the commit.
        const pending = new PendingStatements();
        this.ambient.run(pending, () => step(change, entity));
        await pending.flush(client);
      }
    } else if (state) {
      entity = state.entity;
    } else {
      entity = emptyEntity(type, id, write);
      await this.store(client, { entity, fieldVersions: {} }, true);
    }
    let answerBytes: number | undefined;
    if (write.mutationId !== undefined) {
      const answer = JSON.stringify(toEntity(entity));
      await client.query(
        'INSERT INTO mutations (type, id, mutation_id, entity, at) VALUES ($1, $2, $3, $4, $5)',
        [type, id, write.mutationId, answer, write.at],
      );
      answerBytes = Buffer.byteLength(answer);
    }
    return { outcome: 'applied', entity, change: planned?.change, created: !state, answerBytes };
  }

  /**
   * The history rows the rules read for a write based on `baseVersion` that conflicts: the first
   * change after the base of each conflicting field (for its `base` value) and the last change of
   * each (for who made it). The field lists of the changes since the base are read to find the
   * former, and then only the rows needed: a stale base on a long history must not bring every
   * change since, values and all, into memory for one frame.
   */
  private async historyFor(
    client: Queryable,
    state: StoredEntityState,
    conflicts: readonly FieldConflict[],
    baseVersion: number,
  ): Promise<HistoryReader> {
    const { type, id } = state.entity;
    const versions = new Set<number>();
    const wanted = new Set<string>();
    for (const { field } of conflicts) {
      const last = fieldValue(state.fieldVersions, field) ?? 0;
      if (last > 0) versions.add(last);
      if (last > baseVersion) wanted.add(field);
    }
    if (wanted.size > 0) {
      const lists = await client.query<{ version: number; changed: string[] }>(
        `SELECT version, changed FROM entity_changes
         WHERE type = $1 AND id = $2 AND version > $3 ORDER BY version`,
        [type, id, baseVersion],
      );
      for (const { version, changed } of lists.rows) {
        for (const field of changed) if (wanted.delete(field)) versions.add(version);
        if (wanted.size === 0) break;
      }
    }
    if (versions.size === 0) return NO_HISTORY;
    const { rows } = await client.query<ChangeRow>(
      `SELECT ${CHANGE_COLUMNS} FROM entity_changes
       WHERE type = $1 AND id = $2 AND version = ANY($3::int[])`,
      [type, id, [...versions]],
    );
    return historyOf(rows.map(changeOf));
  }

  /**
   * Writes an entity's row. `create`: insert only, so a concurrent creator that got there first
   * makes this transaction fail on the key and run again (an upsert would overwrite its version).
   */
  private async store(
    client: Queryable,
    { entity, fieldVersions }: StoredEntityState,
    create = false,
  ): Promise<void> {
    const values = [
      entity.type,
      entity.id,
      entity.version,
      JSON.stringify(entity.fields),
      entity.updatedAt,
      entity.updatedBy,
      entity.updatedByProfile ? JSON.stringify(entity.updatedByProfile) : null,
      JSON.stringify(fieldVersions),
    ];
    const insert = `INSERT INTO entities (${ENTITY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`;
    await client.query(
      create
        ? insert
        : `${insert} ON CONFLICT (type, id) DO UPDATE SET version = excluded.version,
             fields = excluded.fields, updated_at = excluded.updated_at,
             updated_by = excluded.updated_by, updated_by_profile = excluded.updated_by_profile,
             field_versions = excluded.field_versions`,
      values,
    );
  }
}
