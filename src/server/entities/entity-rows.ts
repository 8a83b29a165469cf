/**
 * How entities and their history are laid out in the SQL stores (SQLite and PostgreSQL keep the
 * same columns): selected rows with their JSON columns parsed, and the stored shapes they make.
 * One module, so the two stores cannot drift.
 */
import type { Fields, UserProfile } from '../../protocol/index.js';
import type { StoredEntity } from '../storage.js';
import type { EntityWrite, StoredChange } from './entity-store.js';

export interface EntityRow {
  type: string;
  id: string;
  version: number;
  fields: Record<string, unknown>;
  updated_at: number;
  updated_by: string | null;
  updated_by_profile: UserProfile | null;
  field_versions: Record<string, number>;
}

export interface ChangeRow {
  type: string;
  id: string;
  version: number;
  changed: string[];
  previous: Fields;
  next: Fields;
  by_profile: UserProfile | null;
  at: number;
  mutation_id: string | null;
  source: 'client' | 'backend';
}

export const ENTITY_COLUMNS =
  'type, id, version, fields, updated_at, updated_by, updated_by_profile, field_versions';
export const CHANGE_COLUMNS =
  'type, id, version, changed, previous, next, by_profile, at, mutation_id, source';

/** The stored entity of a row (`field_versions` is the merge rules' business, not read here). */
export function entityOfRow(row: Omit<EntityRow, 'field_versions'>): StoredEntity {
  const entity: StoredEntity = {
    type: row.type,
    id: row.id,
    version: row.version,
    fields: row.fields,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  };
  if (row.updated_by_profile !== null) entity.updatedByProfile = row.updated_by_profile;
  return entity;
}

/** An entity a write creates with no fields: version 1, empty, by the writer. */
export function emptyEntity(type: string, id: string, write: EntityWrite): StoredEntity {
  return entityOfRow({
    type,
    id,
    version: 1,
    fields: {},
    updated_at: write.at,
    updated_by: write.by?.id ?? null,
    updated_by_profile: write.by ?? null,
  });
}

export function changeOfRow(row: ChangeRow): StoredChange {
  const change: StoredChange = {
    type: row.type,
    id: row.id,
    version: row.version,
    changed: row.changed,
    previous: row.previous,
    next: row.next,
    at: row.at,
    source: row.source,
  };
  if (row.by_profile !== null) change.by = row.by_profile;
  if (row.mutation_id !== null) change.mutationId = row.mutation_id;
  return change;
}
