/**
 * The difference between two presence snapshots, by person: who arrived, who left, who changed.
 */
import type { Person } from '../../client/types.js';

export interface PeopleDiff {
  readonly arrived: readonly Person[];
  readonly left: readonly Person[];
  readonly changed: readonly Person[];
}

/** True when something a user could notice differs between two entries of one person. */
function differs(a: Person, b: Person): boolean {
  return (
    a.status !== b.status ||
    a.activity.kind !== b.activity.kind ||
    (a.activity.kind === 'editing' &&
      b.activity.kind === 'editing' &&
      a.activity.field !== b.activity.field) ||
    a.connections !== b.connections ||
    a.devices !== b.devices ||
    a.user.name !== b.user.name ||
    a.user.avatarUrl !== b.user.avatarUrl
  );
}

export function diffPeople(before: readonly Person[], after: readonly Person[]): PeopleDiff {
  const previous = new Map(before.map((p) => [p.user.id, p]));
  const arrived: Person[] = [];
  const changed: Person[] = [];
  for (const person of after) {
    const old = previous.get(person.user.id);
    if (!old) arrived.push(person);
    else if (differs(old, person)) changed.push(person);
    previous.delete(person.user.id);
  }
  return { arrived, left: [...previous.values()], changed };
}

export function isEmptyDiff(diff: PeopleDiff): boolean {
  return diff.arrived.length === 0 && diff.left.length === 0 && diff.changed.length === 0;
}
