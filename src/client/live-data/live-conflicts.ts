/**
 * Conflicts of live-data changes, from the server's answer to the user's decision: the object
 * handed to `onConflict`, who gets it (the handle that made the change, else any handle of the
 * entity taking conflicts, else the first one to open later), and what `resolve` and `discard` do.
 * Until then the change's values stay shown and later changes of that entity wait behind it.
 */
import { hasField, type Fields } from '../../protocol/index.js';
import { checkFields } from '../../protocol/checks/fields.js';
import type { ChangeQueue } from './change-queue.js';
import type { ChangeInfo, LiveConflict } from './live-data-types.js';
import { Mutation, type ConflictTaker } from './mutation.js';
import type { Outbox } from './outbox.js';
import { RealtimeError } from '../realtime-error.js';
import type { Clock } from '../types.js';

/** What the conflict desk needs from the hub. */
export interface LiveConflictsHost {
  readonly clock: Clock;
  /** The handles showing an entity. */
  takers(key: string): Iterable<ConflictTaker>;
  isOpen(): boolean;
  notify(key: string): void;
  pump(): void;
}

export class LiveConflicts {
  constructor(
    private readonly host: LiveConflictsHost,
    private readonly queue: ChangeQueue,
    private readonly outbox: Outbox,
  ) {}

  /** Open conflicts of an entity, as handed out. */
  of(key: string): readonly LiveConflict[] {
    return Object.freeze(this.queue.openConflicts(key).map((m) => this.conflictOf(m)));
  }

  /** A change just conflicted: list it, show it, offer it. */
  arrived(m: Mutation): void {
    this.changed();
    this.host.notify(m.key);
    this.offer(m);
  }

  /** A handle that takes conflicts opened: give it those of its entity nobody took yet. */
  opened(key: string, taker: ConflictTaker): void {
    if (!taker.handlesConflicts) return;
    for (const m of this.queue.openConflicts(key)) if (!m.conflictOffered) this.offer(m);
  }

  /** The open conflicts changed (for `client.outbox.conflicts`). */
  changed(): void {
    this.outbox.setConflicts(this.queue.openConflicts().map((m) => this.conflictOf(m)));
  }

  private conflictOf(m: Mutation): LiveConflict {
    if (m.conflict) return m.conflict;
    const current = m.current!;
    const local: Fields = { ...current.fields };
    for (const o of this.queue.overlay(m.key)) Object.assign(local, o.fields);
    m.conflict = Object.freeze({
      entityType: m.entityType,
      entityId: m.entityId,
      change: m.info(),
      conflicts: m.conflicts ?? [],
      current,
      mine: m.fields,
      local: Object.freeze(local),
      resolve: (fields: Fields) => this.resolve(m, fields),
      discard: () => this.discard(m),
    });
    return m.conflict;
  }

  /** Hand a conflict to its change's handle, else to any handle of the entity taking them. */
  private offer(m: Mutation): void {
    const owner = m.owner?.handlesConflicts ? m.owner : undefined;
    const target = owner ?? [...this.host.takers(m.key)].find((h) => h.handlesConflicts);
    if (!target) return;
    m.conflictOffered = true;
    try {
      target.offerConflict(this.conflictOf(m));
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }

  private resolve(m: Mutation, fields: Fields): Promise<ChangeInfo> {
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
    const next = new Mutation({
      entityType: m.entityType,
      entityId: m.entityId,
      fields: JSON.parse(JSON.stringify(valid.data)) as Fields,
      baseVersion: current.version,
      seen,
      createdAt: this.host.clock.now(),
      userId: m.userId,
      serial: this.queue.takeSerial(),
      owner: m.owner,
    });
    m.resolvedBy = next.mutationId;
    m.touch();
    // The resolution takes the conflicting change's place: later changes stay behind it.
    this.queue.replace(m, next);
    if (!next.record && !this.host.isOpen()) this.queue.persist(next);
    m.resolution = next.settled;
    this.changed();
    this.host.notify(m.key);
    this.host.pump();
    return next.settled;
  }

  private discard(m: Mutation): void {
    if (!m.openConflict) return;
    m.finish('rolled-back');
    this.queue.settleOut(m);
    this.changed();
    this.host.notify(m.key);
    this.host.pump();
  }
}
