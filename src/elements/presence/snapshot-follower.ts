/**
 * Follows the presence snapshots of the room an element shows and says what changed since the
 * last one: nothing, a fresh start (another room, or not joined yet), or a diff. The first snapshot
 * after joining is a starting point, not a change: it says it was joined, and holds the current
 * user unless the element only watches, which the empty snapshot before the join does not.
 */
import type { Person, PresenceSnapshot } from '../../client/types.js';
import { diffPeople, isEmptyDiff, type PeopleDiff } from './presence-diff.js';

export class SnapshotFollower {
  /** True once the room's first snapshot after joining arrived. */
  synced = false;
  private shown: PresenceSnapshot | undefined;
  private room: string | undefined;
  private before: readonly Person[] = [];

  /** `reset`: start over silently; `diff`: something a user could notice changed. */
  next(snapshot: PresenceSnapshot | undefined): 'same' | 'reset' | PeopleDiff {
    if (snapshot === this.shown) return 'same';
    this.shown = snapshot;
    let reset = false;
    if (!snapshot || snapshot.room !== this.room) {
      this.room = snapshot?.room;
      this.synced = false;
      this.before = [];
      reset = true;
    }
    if (!snapshot) return 'reset';
    if (!this.synced) {
      this.synced = !!snapshot.joined || !!snapshot.self || snapshot.people.length > 0;
      this.before = this.synced ? snapshot.people : [];
      return reset ? 'reset' : 'same';
    }
    const diff = diffPeople(this.before, snapshot.people);
    this.before = snapshot.people;
    return isEmptyDiff(diff) ? 'same' : diff;
  }

  /** Forget everything (the element left the page). */
  clear(): void {
    this.synced = false;
    this.shown = undefined;
    this.room = undefined;
    this.before = [];
  }
}
