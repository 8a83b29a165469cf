/**
 * From a live-data conflict to what `<crm-conflict-dialog>` shows, and from the user's choices
 * back to the fields to save. Pure, so the rules read (and test) on their own.
 */
import type { LiveConflict } from '../../client/live-data/live-data-types.js';
import type { ConflictChoice } from '../../events/conflict-events.js';
import type { FieldConflict, Fields } from '../../protocol/index.js';
import { fieldValue } from '../../protocol/own-field.js';

/**
 * The conflicts as the dialog shows them: "yours" is what the form shows now (the user may have
 * typed on after cancelling the dialog), else the value of the conflicting change.
 */
export function dialogConflicts(
  conflict: LiveConflict,
  current: Readonly<Fields>,
): FieldConflict[] {
  return conflict.conflicts.map((c) =>
    c.field in current ? { ...c, mine: current[c.field]! } : { ...c },
  );
}

export interface Resolution {
  /** The fields to save; empty when every conflicted field took "theirs" and nothing else changed. */
  readonly save: Fields;
  /** Conflicted fields that took "theirs", with the stored value to show. */
  readonly theirs: Fields;
}

/**
 * What to save after the user chose, field by field:
 * - the conflicting change's other fields (they merge: nobody else changed them);
 * - the form's other unsaved changes (`pending`), so nothing typed is dropped;
 * - each conflicted field chosen "mine", with the user's value (from `shown`, the dialog's data).
 * A field chosen "theirs" is not sent: it already has that value, and sending it would only risk a
 * new conflict with whoever changes it next.
 */
export function resolutionOf(
  conflict: LiveConflict,
  choices: Readonly<Record<string, ConflictChoice>>,
  shown: readonly FieldConflict[],
  pending: Readonly<Fields> = {},
): Resolution {
  const conflicted = new Set(conflict.conflicts.map((c) => c.field));
  const save: Fields = {};
  const theirs: Fields = {};
  for (const [field, value] of Object.entries(conflict.mine)) {
    if (!conflicted.has(field)) save[field] = value;
  }
  for (const [field, value] of Object.entries(pending)) {
    if (!conflicted.has(field)) save[field] = value;
  }
  for (const c of shown) {
    if ((fieldValue(choices, c.field) ?? 'mine') === 'mine') save[c.field] = c.mine;
    else theirs[c.field] = c.theirs ?? fieldValue(conflict.current.fields, c.field) ?? null;
  }
  return { save, theirs };
}
