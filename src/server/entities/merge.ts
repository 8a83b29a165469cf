/**
 * The merge rules of live data, as pure functions over the current state of one entity and its
 * change history. The store runs them inside one transaction; the fake server
 * (`src/testing/fake-entities.ts`) follows the same rules, so client tests prove real behaviour.
 *
 * - An update with base version B and fields F is applied when every field of F was last changed
 *   at a version <= B: changes to other fields merge automatically.
 * - A field set to the value it already has is neither a conflict nor a change; an update that
 *   changes nothing is acknowledged without a new version.
 * - A conflicting field is reported with `base` (its value at B, from the history), `mine`,
 *   `theirs` (current) and who changed it when.
 * - A base version ahead of the entity (a client that saw state this server no longer has)
 *   conflicts on every field it would change, with no base value.
 * - A write without a base version (a backend's last-writer-wins write) is never a conflict.
 */
import {
  fieldValue,
  type FieldConflict,
  type Fields,
  type UserProfile,
} from '../../protocol/index.js';
import type { StoredChange, StoredEntityState } from './entity-store.js';
import { sameJson } from '../../util/same-json.js';

type JsonValue = Fields[string];

/** What the rules need to read from the history of one entity. */
export interface HistoryReader {
  /** The oldest change after `version` that changed `field`. */
  firstChangeAfter(version: number, field: string): StoredChange | undefined;
  /** The change that produced `version`, if recorded. */
  changeAt(version: number): StoredChange | undefined;
}

/**
 * The fields of `fields` changed after `baseVersion` by someone else, to a value other than the
 * one proposed. Empty when the update may be applied.
 */
export function findConflicts(
  state: StoredEntityState,
  fields: Fields,
  baseVersion: number,
  history: HistoryReader,
): FieldConflict[] {
  const current = state.entity;
  const ahead = baseVersion > current.version;
  const conflicts: FieldConflict[] = [];
  for (const [field, mine] of Object.entries(fields)) {
    // Own fields only: a field named `constructor` must not read Object's constructor.
    const theirs = fieldValue(current.fields, field) as JsonValue | undefined;
    if (sameJson(theirs, mine)) continue;
    const lastChanged = fieldValue(state.fieldVersions, field) ?? 0;
    if (!ahead && lastChanged <= baseVersion) continue;
    const conflict: FieldConflict = { field, mine };
    if (!ahead) {
      // The value at B is what the first later change of the field replaced.
      const first = history.firstChangeAfter(baseVersion, field);
      if (first && Object.prototype.hasOwnProperty.call(first.previous, field)) {
        conflict.base = first.previous[field] as JsonValue;
      }
    }
    if (theirs !== undefined) conflict.theirs = theirs;
    const last = lastChanged > 0 ? history.changeAt(lastChanged) : undefined;
    if (last?.by) conflict.changedBy = last.by;
    conflict.changedAt = last?.at ?? current.updatedAt;
    conflicts.push(conflict);
  }
  return conflicts;
}

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
  const changed = Object.keys(write.fields).filter(
    (f) =>
      !Object.prototype.hasOwnProperty.call(currentFields, f) ||
      !sameJson(currentFields[f], write.fields[f]),
  );
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
