/**
 * The data a conflict resolution saves, from the two versions and a choice per conflicted field.
 * Pure functions, so the rules are easy to read and to test on their own.
 */
import type { ConflictChoice, ConflictResolution } from '../../events/conflict-events.js';
import type { UserProfile } from '../../protocol/common.js';
import type { FieldConflict } from '../../protocol/entities.js';
import { fieldValue } from '../../protocol/own-field.js';
import { sameJson } from '../../util/same-json.js';

/** A record of field values, as the dialog receives them. */
export type FieldValues = Readonly<Record<string, unknown>>;

const has = (record: FieldValues, key: string) => Object.prototype.hasOwnProperty.call(record, key);

export interface MergeInput {
  local: FieldValues;
  remote: FieldValues;
  /** The value each field had when the user started editing, where known. */
  base: FieldValues;
  fields: readonly string[];
  choices: Readonly<Record<string, ConflictChoice>>;
}

/**
 * The data to save:
 * 1. start from the remote data (what is stored now);
 * 2. put the user's non-conflicted fields on top — except a field the base says the user did not
 *    change (local equals base), so a stale copy never reverts someone else's change;
 * 3. set each conflicted field to the chosen side (a missing choice keeps mine).
 * A field whose resulting value is `undefined` is left out.
 */
export function mergeResolution({ local, remote, base, fields, choices }: MergeInput) {
  const conflicted = new Set(fields);
  const merged: Record<string, unknown> = {};
  for (const key of Object.keys(remote)) merged[key] = remote[key];
  for (const key of Object.keys(local)) {
    if (conflicted.has(key)) continue;
    const untouched = has(base, key) && sameJson(local[key], base[key]) && has(remote, key);
    if (!untouched) merged[key] = local[key];
  }
  for (const field of fields) {
    merged[field] =
      (fieldValue(choices, field) ?? 'mine') === 'mine'
        ? fieldValue(local, field)
        : fieldValue(remote, field);
  }
  for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
  return merged;
}

/** `mine` or `theirs` when every field took that side, else `merged`. */
export function resolutionOf(
  fields: readonly string[],
  choices: Readonly<Record<string, ConflictChoice>>,
): ConflictResolution {
  const sides = new Set(fields.map((f) => fieldValue(choices, f) ?? 'mine'));
  if (sides.size > 1) return 'merged';
  return sides.has('theirs') ? 'theirs' : 'mine';
}

/** What the dialog shows, as separate properties. */
export interface ConflictData {
  conflictedFields: string[];
  localData: Record<string, unknown>;
  remoteData: Record<string, unknown>;
  baseData: Record<string, unknown>;
  /** Who made the most recent remote change (else anyone named). */
  remoteAuthor: UserProfile | undefined;
  remoteChangedAt: number | undefined;
}

/** The field conflicts of an `entity.conflict` answer, as the dialog's properties. */
export function fromConflicts(conflicts: readonly FieldConflict[]): ConflictData {
  const data: ConflictData = {
    conflictedFields: [],
    localData: {},
    remoteData: {},
    baseData: {},
    remoteAuthor: undefined,
    remoteChangedAt: undefined,
  };
  let latest: FieldConflict | undefined;
  for (const c of conflicts) {
    data.conflictedFields.push(c.field);
    data.localData[c.field] = c.mine;
    if (c.theirs !== undefined) data.remoteData[c.field] = c.theirs;
    if ('base' in c) data.baseData[c.field] = c.base;
    if (c.changedAt !== undefined && (latest?.changedAt ?? -Infinity) < c.changedAt) latest = c;
  }
  data.remoteAuthor = latest?.changedBy ?? conflicts.find((c) => c.changedBy)?.changedBy;
  data.remoteChangedAt = latest?.changedAt;
  return data;
}
