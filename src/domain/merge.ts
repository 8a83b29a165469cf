/**
 * The merge rules of live data, as pure functions over the current state of one entity and its
 * change history. The reference server's stores (`src/server/entities/`) run them inside one
 * transaction and the fake server (`src/testing/fake-entities.ts`) runs them over its maps, so a
 * client test against the fake cannot pass on an answer the real server would not give.
 *
 * - An update with base version B and fields F is applied when every field of F was last changed
 *   at a version <= B: changes to other fields merge automatically.
 * - A field set to the value it already has is neither a conflict nor a change; an update that
 *   changes nothing is acknowledged without a new version.
 * - A conflicting field is reported with `base` (its value at B, from the history), `mine`,
 *   `theirs` (current) and who changed it when (when the history does not say, the entity's last
 *   update time).
 * - A base version ahead of the entity (a client that saw state this server no longer has)
 *   conflicts on every field it would change, with no base value.
 * - A write without a base version (a backend's last-writer-wins write) is never a conflict.
 */
import {
  fieldValue,
  type FieldConflict,
  type Fields,
  type UserProfile,
} from '../protocol/index.js';
import { sameJson } from '../util/same-json.js';

type JsonValue = Fields[string];

/** What the rules read of one recorded change. */
export interface RecordedChange {
  /** Values of the changed fields before the change (a field absent before is absent here). */
  previous: Fields;
  by?: UserProfile | undefined;
  at: number;
}

/** What the rules need to read from the history of one entity. */
export interface HistoryReader {
  /** The oldest recorded change after `version` that changed `field`. */
  firstChangeAfter(version: number, field: string): RecordedChange | undefined;
  /** The change that produced `version`, if recorded. */
  changeAt(version: number): RecordedChange | undefined;
}

/** A recorded change with what indexes it: the version it made and the fields it changed. */
export interface IndexedChange extends RecordedChange {
  version: number;
  changed: readonly string[];
}

/**
 * A reader over changes already in memory, indexed on first use: one pass over the changes after
 * a version answers every field's question about it. An update names thousands of fields (a
 * frame's worth) and an entity can have thousands of changes since a stale base: searching the
 * list once per field made one frame cost their product.
 */
export function historyOfChanges(changes: readonly IndexedChange[]): HistoryReader {
  let byVersion: Map<number, IndexedChange> | undefined;
  const firstAfter = new Map<number, Map<string, IndexedChange>>();
  return {
    firstChangeAfter(version, field) {
      let first = firstAfter.get(version);
      if (!first) {
        first = new Map();
        const after = changes.filter((c) => c.version > version);
        after.sort((a, b) => a.version - b.version);
        for (const change of after) {
          for (const name of change.changed) if (!first.has(name)) first.set(name, change);
        }
        firstAfter.set(version, first);
      }
      return first.get(field);
    },
    changeAt(version) {
      byVersion ??= new Map(changes.map((c) => [c.version, c]));
      return byVersion.get(version);
    },
  };
}

/** An entity as the rules see it, with the version at which each field last changed. */
export interface MergeState {
  entity: { version: number; fields: Record<string, unknown>; updatedAt: number };
  /** Field name → version of its last change. A field missing here counts as version 0. */
  fieldVersions: Record<string, number>;
}

/**
 * The fields of `fields` changed after `baseVersion` by someone else, to a value other than the
 * one proposed. Empty when the update may be applied.
 */
export function findConflicts(
  state: MergeState,
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

/**
 * The fields of `fields` whose value differs from `current` (a field `current` lacks counts as
 * changed): what a write changes, in the order given. Empty means no new version.
 */
export function changedFields(current: Record<string, unknown>, fields: Fields): string[] {
  return Object.keys(fields).filter(
    (f) => !Object.prototype.hasOwnProperty.call(current, f) || !sameJson(current[f], fields[f]),
  );
}
