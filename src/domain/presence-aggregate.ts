/**
 * One person's presence from all their connections (tabs, devices, and across server processes
 * the parts each process holds), in one rule for the reference server, its Redis presence and the
 * fake server:
 *
 * - `status`: the most present of them (online, then away, then offline);
 * - `activity`: the most recently started `editing` among them (on a tie, the later one listed),
 *   else `viewing`; `activityAt` says when it started, so parts can be merged again;
 * - `inCall`: in the room's call from any of them.
 *
 * A connection's `activityAt` moves only when its activity changes (`sameActivity`): going away
 * and back while editing the same field keeps its place among concurrent editors.
 */
import type { Activity, PresenceStatus } from '../protocol/index.js';

export const VIEWING: Activity = { kind: 'viewing' };

/** One connection's presence, or one process's part of a person. */
export interface PresencePart {
  readonly status: PresenceStatus;
  readonly activity: Activity;
  /** When `activity` started (orders concurrent editing). */
  readonly activityAt: number;
  readonly inCall?: boolean | undefined;
}

export interface AggregatePresence {
  status: PresenceStatus;
  activity: Activity;
  /** When the chosen editing started; else the latest `activityAt` of the parts. */
  activityAt: number;
  inCall: boolean;
}

/** Whether two activities are the same (the same field, when editing). */
export function sameActivity(a: Activity, b: Activity): boolean {
  return (
    a.kind === b.kind && (a.kind !== 'editing' || (b.kind === 'editing' && a.field === b.field))
  );
}

const PRESENT: Record<PresenceStatus, number> = { online: 2, away: 1, offline: 0 };

/** The person the parts make (`offline` with no part at all). */
export function aggregatePresence(parts: Iterable<PresencePart>): AggregatePresence {
  let status: PresenceStatus = 'offline';
  let inCall = false;
  let editing: PresencePart | undefined;
  let latest = -Infinity;
  for (const part of parts) {
    if (PRESENT[part.status] > PRESENT[status]) status = part.status;
    if (part.inCall === true) inCall = true;
    if (part.activity.kind === 'editing' && (!editing || part.activityAt >= editing.activityAt)) {
      editing = part;
    }
    latest = Math.max(latest, part.activityAt);
  }
  return {
    status,
    activity: editing ? editing.activity : VIEWING,
    activityAt: editing ? editing.activityAt : latest,
    inCall,
  };
}
