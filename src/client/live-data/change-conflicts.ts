/**
 * Conflicts and their resolution: which clashes of a change are real (not with what the user saw
 * or this client wrote before), the change made a conflict and handed to a handle, and what the
 * user then does with it — `resolve` (a new change takes its place in line), `discard`, or `amend`
 * (newer values of the clashing fields, in the outbox too). A part of `Changes`, the one owner of
 * a change's life (see change-life.ts).
 */
import { hasField, type Entity, type FieldConflict, type Fields } from '../../protocol/index.js';
import { checkFields } from '../../protocol/checks/fields.js';
import { Change } from './change.js';
import type { ChangeLife } from './change-life.js';
import { park } from './change-outbox.js';
import type { ChangeInfo, LiveConflict } from './live-data-types.js';
import { RealtimeError } from '../realtime-error.js';

/**
 * Clashes of a change with the entity: those with a value this client wrote with a newer change
 * of the same user (this change waited in a tab closed meanwhile) drop their fields from it —
 * the newer values stand, an older one never overwrites them, and asking the user to choose
 * between two of their own values would only confuse; with none left, the change is superseded
 * (settled, undefined returned). Returns the clashes that are real: neither what the user saw
 * nor what this client wrote before.
 */
export function judge(
  life: ChangeLife,
  m: Change,
  clashes: readonly FieldConflict[],
): FieldConflict[] | undefined {
  const { superseded, real } = life.own.judge(m.key, m.seen, m.createdAt, clashes);
  if (superseded.length === 0) return real;
  m.narrow(superseded);
  if (Object.keys(m.fields).length === 0) {
    m.supersede();
    life.line.settleOut(m);
    life.views.notify(m.key);
    return undefined;
  }
  life.line.stored(m, { fields: m.fields });
  return real;
}

/** The change conflicts: its values stay shown, its handle (or another) gets to decide. */
export function conflict(
  life: ChangeLife,
  m: Change,
  conflicts: FieldConflict[],
  current: Entity,
): void {
  m.conflicted(conflicts, current);
  conflictsChanged(life);
  life.views.notify(m.key);
  offer(life, m);
}

/** The open conflicts changed (for `client.outbox.conflicts`). */
export function conflictsChanged(life: ChangeLife): void {
  life.outbox.setConflicts(life.line.openConflicts().map((m) => conflictOf(life, m)));
}

/**
 * The one object of a change's conflict, for as long as it lasts: an amend changes what it
 * holds (`change`, `conflicts`, `mine`, `local` read the change as it is now), never which
 * object it is. Whoever holds it — a page that took it over, the form's dialog, a list by
 * identity — keeps holding the conflict, not a stale copy of it.
 */
export function conflictOf(life: ChangeLife, m: Change): LiveConflict {
  if (m.conflict) return m.conflict;
  const current = m.current!;
  const localOf = () => {
    const local: Fields = { ...current.fields };
    for (const o of life.overlay(m.key)) Object.assign(local, o.fields);
    return Object.freeze(local);
  };
  // What the user saw when the change last changed (it conflicted, or was amended).
  let local = localOf();
  let localOfInfo = m.info();
  m.conflict = Object.freeze({
    entityType: m.entityType,
    entityId: m.entityId,
    get change() {
      return m.info();
    },
    get conflicts() {
      return m.conflicts ?? [];
    },
    current,
    get mine() {
      return m.fields;
    },
    get local() {
      if (localOfInfo !== m.info()) {
        localOfInfo = m.info();
        local = localOf();
      }
      return local;
    },
    resolve: (fields: Fields) => resolve(life, m, fields),
    discard: () => discard(life, m),
    amend: (fields: Fields) => amend(life, m, fields),
  });
  return m.conflict;
}

/** Hand a conflict to its change's handle, else to any handle of the entity taking them. */
export function offer(life: ChangeLife, m: Change): void {
  const owner = m.owner?.handlesConflicts ? m.owner : undefined;
  const target = owner ?? [...life.views.takers(m.key)].find((h) => h.handlesConflicts);
  if (!target) return;
  m.conflictOffered = true;
  try {
    target.offerConflict(conflictOf(life, m));
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}

function resolve(life: ChangeLife, m: Change, fields: Fields): Promise<ChangeInfo> {
  if (m.resolution) return m.resolution;
  if (!m.openConflict) return Promise.resolve(m.info());
  const valid = checkFields(fields);
  if (!valid.success) return Promise.reject(new RealtimeError('bad_frame', valid.message));
  const current = m.current!;
  const seen: Fields = {};
  for (const field of Object.keys(fields)) {
    if (hasField(current.fields, field)) seen[field] = current.fields[field]!;
  }
  // Based on the version the user decided against: a change made after it is a new conflict.
  const next = new Change({
    entityType: m.entityType,
    entityId: m.entityId,
    fields: JSON.parse(JSON.stringify(valid.data)) as Fields,
    baseVersion: current.version,
    seen,
    createdAt: life.clock.now(),
    userId: m.userId,
    serial: life.line.takeSerial(),
    owner: m.owner,
  });
  m.resolvedWith(next);
  // The resolution takes the conflicting change's place: later changes stay behind it.
  life.line.replace(m, next);
  if (!next.record) life.line.record(next, !life.isOpen());
  else if (!life.isOpen()) park(life, next);
  m.resolution = next.settled;
  conflictsChanged(life);
  life.views.notify(m.key);
  life.pump();
  return next.settled;
}

/**
 * The user's newer values of an open conflict's clashing fields replace the conflicting
 * change's, in its outbox entry too, so a reload offers them. Amends come with the user's
 * typing: the entry is written once it pauses, or the page is hidden or goes, with what the
 * change holds then (the latest amend wins), not once per keystroke. A decided conflict keeps
 * its decision.
 */
function amend(life: ChangeLife, m: Change, fields: Fields): boolean {
  const clashing = (field: string) => m.conflicts!.some((c) => c.field === field);
  const valid = checkFields(fields);
  if (!m.openConflict || !valid.success || !Object.keys(fields).every(clashing)) return false;
  m.amend(JSON.parse(JSON.stringify(valid.data)) as Fields);
  life.line.amended(m, { mutationId: m.mutationId, fields: m.fields });
  conflictsChanged(life);
  life.views.notify(m.key);
  return true;
}

function discard(life: ChangeLife, m: Change): void {
  if (!m.openConflict) return;
  m.withdraw();
  life.line.settleOut(m);
  conflictsChanged(life);
  life.views.notify(m.key);
  life.pump();
}
