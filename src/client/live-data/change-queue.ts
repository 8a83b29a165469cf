/**
 * The bookkeeping of live-data changes: the unsettled ones in the order they are sent, the last
 * few settled ones per entity (for `changes`), the outbox records of those waiting offline, and
 * what this client wrote itself (to tell a conflict with its own earlier change from a real one).
 */
import {
  fieldValue,
  type Entity,
  type EntityChange,
  type FieldConflict,
  type Fields,
} from '../../protocol/index.js';
import type { ChangeInfo } from './live-data-types.js';
import type { Mutation } from './mutation.js';
import type { Outbox } from './outbox.js';
import { sameJson } from '../../util/same-json.js';

type JsonValue = Fields[string];

/** Settled changes kept per entity for `changes`. */
const MAX_HISTORY = 20;

/** What this client wrote to an entity in this session: versions it made, values it set. */
interface OwnWrites {
  versions: Set<number>;
  values: Map<string, JsonValue>;
}

export class ChangeQueue {
  /** Unsettled changes and open conflicts, in the order they are sent. */
  readonly items: Mutation[] = [];
  private readonly history = new Map<string, Mutation[]>();
  private readonly own = new Map<string, OwnWrites>();
  private nextSerial = 0;

  constructor(
    private readonly outbox: Outbox,
    /** A change went to the outbox (the hub warns once when the outbox is not durable). */
    private readonly persisted: () => void,
  ) {}

  /** The serial the next change gets. */
  get serial(): number {
    return this.nextSerial;
  }

  takeSerial(): number {
    return this.nextSerial++;
  }

  /** Changes whose values show on top of the confirmed entity, in order. */
  overlay(key: string): Mutation[] {
    return this.items.filter((m) => m.key === key && m.overlays);
  }

  /** Recent and unsettled changes of an entity, oldest first. */
  changes(key: string): readonly ChangeInfo[] {
    const all = [...(this.history.get(key) ?? []), ...this.items.filter((m) => m.key === key)];
    return Object.freeze(all.sort((a, b) => a.serial - b.serial).map((m) => m.info()));
  }

  /** Open conflicts, of one entity or of all. */
  openConflicts(key?: string): Mutation[] {
    return this.items.filter((m) => m.openConflict && (key === undefined || m.key === key));
  }

  has(key: string): boolean {
    return this.items.some((m) => m.key === key);
  }

  push(m: Mutation): void {
    this.items.push(m);
  }

  /** Changes a previous page left in the outbox: first in line. */
  prepend(changes: Mutation[]): void {
    this.items.unshift(...changes);
  }

  /** `next` takes `m`'s place in line (a conflict resolved); `m` goes to the history. */
  replace(m: Mutation, next: Mutation): void {
    const index = this.items.indexOf(m);
    if (index >= 0) this.items.splice(index, 1, next);
    else this.items.push(next);
    if (m.record) {
      next.record = m.record;
      m.record = undefined;
      this.outbox.replace(next.record, {
        mutationId: next.mutationId,
        baseVersion: next.baseVersion,
        fields: next.fields,
        seen: next.seen,
      });
    }
    this.remember(m);
  }

  /** Out of the line and the outbox, into the entity's recent history. */
  settleOut(m: Mutation): void {
    const index = this.items.indexOf(m);
    if (index >= 0) this.items.splice(index, 1);
    if (m.record) {
      this.outbox.remove(m.record);
      m.record = undefined;
      m.touch();
    }
    this.remember(m);
  }

  /** Keep a change in the history only (it never entered the line: invalid fields). */
  remember(m: Mutation): void {
    let list = this.history.get(m.key);
    if (!list) this.history.set(m.key, (list = []));
    if (!list.includes(m)) list.push(m);
    if (list.length > MAX_HISTORY) list.shift();
  }

  /** Nobody shows the entity and nothing of it is waiting: forget what was kept for it. */
  forget(key: string): void {
    if (this.has(key)) return;
    this.history.delete(key);
    this.own.delete(key);
  }

  /** Keep a change in the outbox: the connection is not open, or dropped before the answer. */
  persist(m: Mutation): boolean {
    if (m.record || m.state !== 'pending') return false;
    m.record = this.outbox.add({
      mutationId: m.mutationId,
      entityType: m.entityType,
      entityId: m.entityId,
      baseVersion: m.baseVersion,
      fields: m.fields,
      seen: m.seen,
      createdAt: m.createdAt,
      userId: m.userId,
    });
    m.touch();
    this.persisted();
    return true;
  }

  /** The first pending change not waiting behind an open conflict of its entity. */
  nextToSend(user: string | undefined): Mutation | undefined {
    const blocked = new Set<string>();
    for (const m of this.items) {
      if (m.openConflict) blocked.add(m.key);
      if (m.state !== 'pending' || m.inFlight || blocked.has(m.key)) continue;
      // Someone else's offline edits on a shared computer wait for them.
      if (m.userId !== undefined && user !== undefined && m.userId !== user) continue;
      return m;
    }
    return undefined;
  }

  // ------------------------------------------------------------------------------------------
  // what this client wrote

  /** A change of ours was applied, making `entity` (unknown version when a duplicate). */
  acknowledged(m: Mutation, entity: Entity, duplicate: boolean): void {
    const own = this.ownFor(m.key);
    // What the server stored, which a CRM backend may have normalized (`+1 555-010-0123`).
    for (const [field, value] of Object.entries(m.fields)) {
      own.values.set(field, fieldValue(entity.fields, field) ?? value);
    }
    if (!duplicate) own.versions.add(entity.version);
  }

  /** An `entity.change` arrived; true when one of our changes made it. */
  observed(key: string, change: EntityChange): boolean {
    const id = change.mutationId;
    const mine =
      id !== undefined &&
      (this.items.some((m) => m.ids.has(id)) ||
        (this.history.get(key) ?? []).some((m) => m.ids.has(id)));
    if (mine) {
      this.ownFor(key).versions.add(change.entity.version);
    } else {
      const values = this.own.get(key)?.values;
      for (const field of change.changed) values?.delete(field);
    }
    return mine;
  }

  /** `base` moved up over every version right after it that this client made itself. */
  rebase(key: string, base: number): number {
    const versions = this.own.get(key)?.versions;
    if (versions) while (versions.has(base + 1)) base += 1;
    return base;
  }

  /** Every clashing field now holds what the user saw, or what this client wrote itself. */
  onlyStale(m: Mutation, conflicts: readonly FieldConflict[]): boolean {
    const own = this.own.get(m.key)?.values;
    return conflicts.every(
      (c) =>
        (Object.prototype.hasOwnProperty.call(m.seen, c.field) &&
          sameJson(m.seen[c.field], c.theirs)) ||
        (own?.has(c.field) === true && sameJson(own.get(c.field), c.theirs)),
    );
  }

  private ownFor(key: string): OwnWrites {
    let own = this.own.get(key);
    if (!own) this.own.set(key, (own = { versions: new Set(), values: new Map() }));
    return own;
  }
}
