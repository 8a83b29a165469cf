/**
 * Planning one accepted write over a stored entity: the new version, its history row and the
 * versions of its fields. The merge rules themselves (which fields conflict, what changes) are
 * `src/domain/merge.ts`, shared with the fake server; the stores run both inside one transaction.
 */
import type { Fields, UserProfile } from '../../protocol/index.js';
import { changedFields } from '../../domain/merge.js';
import {
  toEntityChange,
  type EntityWriteResult,
  type StoredChange,
  type StoredEntityState,
} from './entity-store.js';

export { findConflicts, historyOfChanges, type HistoryReader } from '../../domain/merge.js';

type JsonValue = Fields[string];

export interface PlannedChange {
  /** The entity after the change. */
  state: StoredEntityState;
  change: StoredChange;
}

/**
 * The new version that writing `fields` over `state` produces (a new entity at version 1 when
 * `state` is undefined), or undefined when no field would change.
 */
export function planChange(
  state: StoredEntityState | undefined,
  write: {
    type: string;
    id: string;
    fields: Fields;
    by?: UserProfile | undefined;
    at: number;
    mutationId?: string | undefined;
    source: 'client' | 'backend';
  },
): PlannedChange | undefined {
  const currentFields = state?.entity.fields ?? {};
  const changed = changedFields(currentFields, write.fields);
  if (changed.length === 0) return undefined;
  const version = (state?.entity.version ?? 0) + 1;
  const previous: Fields = {};
  const next: Fields = {};
  const fields: Record<string, unknown> = { ...currentFields };
  const fieldVersions = { ...state?.fieldVersions };
  for (const field of changed) {
    if (Object.prototype.hasOwnProperty.call(currentFields, field)) {
      previous[field] = currentFields[field] as JsonValue;
    }
    next[field] = write.fields[field]!;
    fields[field] = write.fields[field];
    fieldVersions[field] = version;
  }
  const change: StoredChange = {
    type: write.type,
    id: write.id,
    version,
    changed,
    previous,
    next,
    at: write.at,
    source: write.source,
  };
  if (write.by) change.by = write.by;
  if (write.mutationId !== undefined) change.mutationId = write.mutationId;
  const entity: StoredEntityState['entity'] = {
    type: write.type,
    id: write.id,
    version,
    fields,
    updatedAt: write.at,
    updatedBy: write.by?.id ?? null,
  };
  if (write.by) entity.updatedByProfile = write.by;
  return { state: { entity, fieldVersions }, change };
}

/**
 * The store's answer when a planned change, as the `entity.change` event every member receives,
 * would be larger than `maxChangeBytes`: nothing is written then. Undefined when it fits.
 */
export function oversizedChange(
  planned: PlannedChange,
  maxChangeBytes: number | undefined,
): Extract<EntityWriteResult, { outcome: 'too_large' }> | undefined {
  if (maxChangeBytes === undefined) return undefined;
  const event = toEntityChange(planned.change, planned.state.entity);
  const bytes = Buffer.byteLength(JSON.stringify(event));
  return bytes > maxChangeBytes
    ? { outcome: 'too_large', bytes, limit: maxChangeBytes }
    : undefined;
}
