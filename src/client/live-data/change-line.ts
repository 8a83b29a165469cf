/**
 * Where live-data changes sit: the line of unsettled ones in the order they were made (across
 * entities; sent in that order per entity, see `nextToSend`), their outbox entries (parked while
 * they wait to be sent), and the last settled ones per entity (for `changes`). Passive: only
 * `Changes`, the owner of a change's life, and its parts (see change-life.ts) move changes here;
 * they keep a change's outbox entry in step with its place.
 */
import { hasField, type Fields } from '../../protocol/index.js';
import { Change, readOnlyRefusal } from './change.js';
import type { ChangeInfo } from './live-data-types.js';
import type { Outbox, OutboxRecord } from './outbox.js';

/** Settled changes kept per entity for `changes`. */
const MAX_HISTORY = 20;

export class ChangeLine {
  /** Unsettled changes and open conflicts, in the order they were made. */
  readonly items: Change[] = [];
  private readonly history = new Map<string, Change[]>();
  private nextSerial = 0;

  constructor(private readonly outbox: Outbox) {}

  /** The serial the next change gets. */
  get serial(): number {
    return this.nextSerial;
  }

  takeSerial(): number {
    return this.nextSerial++;
  }

  /** Changes whose values show on top of the confirmed entity, in order. */
  overlay(key: string): Change[] {
    return this.items.filter((m) => m.key === key && m.overlays);
  }

  /** Recent and unsettled changes of an entity that pass `shown`, oldest first. */
  changes(key: string, shown: (m: Change) => boolean = () => true): readonly ChangeInfo[] {
    const all = [...(this.history.get(key) ?? []), ...this.items.filter((m) => m.key === key)];
    return Object.freeze(
      all
        .filter(shown)
        .sort((a, b) => a.serial - b.serial)
        .map((m) => m.info()),
    );
  }

  /** Open conflicts, of one entity or of all. */
  openConflicts(key?: string): Change[] {
    return this.items.filter((m) => m.openConflict && (key === undefined || m.key === key));
  }

  /** The entity's change, in line or recent, that was sent with `mutationId`. */
  sent(key: string, mutationId: string): Change | undefined {
    return (
      this.items.find((m) => m.ids.has(mutationId)) ??
      (this.history.get(key) ?? []).find((m) => m.ids.has(mutationId))
    );
  }

  /**
   * The change to send next: the first pending change of `user` not waiting behind an open
   * conflict of its entity, nor of an entity in `skip` (of those made on the open connection
   * only, without `queuedToo`). One entity's changes go in the order they were made. One that
   * failed for now (`retry` says `'wait'` while its wait is not over, `'after'` once it is) goes
   * after the other entities' changes, so records that keep failing do not go ahead of the rest,
   * and they take turns among themselves (the one tried longest ago first). While its wait is not
   * over it holds its entity, and goes only when the user saved that entity again since its last
   * try (their save is the cue to try now, once), not on every save of another. Someone else's
   * offline edits on a shared computer wait for them; a change whose maker is not known yet (or
   * never will be) is sent as no one.
   */
  nextToSend(
    user: string | undefined,
    queuedToo: boolean,
    skip: ReadonlySet<string>,
    retry: (m: Change) => 'wait' | 'after' | undefined,
  ): Change | undefined {
    if (user === undefined) return undefined;
    const blocked = new Set(skip);
    /** Per entity, its change whose wait is not over. */
    const waiting = new Map<string, Change>();
    let tried: Change | undefined;
    let savedAgain: Change | undefined;
    for (const m of this.items) {
      if (m.openConflict) blocked.add(m.key);
      if (m.state !== 'pending' || m.inFlight) continue;
      // A change of an entity held by its waiting one, saved since that one's last try ended:
      // that one may go now (once per such save, not again on every later drain).
      const held = waiting.get(m.key);
      if (held && m.serial >= (held.serialAfterTry ?? -Infinity)) savedAgain ??= held;
      if (blocked.has(m.key)) continue;
      if (m.userId !== user || m.record?.provisional) continue;
      if (!queuedToo && m.queued) {
        // One waiting in the outbox (refused for now, or made offline) until it is read: its
        // entity's later changes wait behind it, in order.
        blocked.add(m.key);
        continue;
      }
      const after = retry(m);
      if (after === undefined) return m;
      blocked.add(m.key);
      if (after === 'wait') waiting.set(m.key, m);
      // Of those, the one tried longest ago: records that keep failing take turns.
      else if (!tried || (m.lastTry ?? 0) < (tried.lastTry ?? 0)) tried = m;
    }
    return tried ?? savedAgain;
  }

  push(m: Change): void {
    this.items.push(m);
  }

  /**
   * Entries a previous page, or one now closed, left in the outbox: in line by when they were
   * made, ahead of every later change not sent yet, so one user's changes go in the order they
   * were made, whichever tab made them.
   */
  adopt(records: OutboxRecord[]): Change[] {
    const adopted = records.map((record, i) => {
      const entry = record.entry;
      const key = `${entry.entityType}:${entry.entityId}`;
      const made = { key, createdAt: entry.createdAt, userId: entry.userId };
      const refused = this.stillRefused(made, entry.refused, records.slice(i + 1));
      if (refused !== entry.refused) this.outbox.replace(record, { refused });
      const m = new Change({
        mutationId: entry.mutationId,
        entityType: entry.entityType,
        entityId: entry.entityId,
        fields: entry.fields,
        baseVersion: entry.baseVersion,
        seen: entry.seen ?? {},
        createdAt: entry.createdAt,
        userId: entry.userId,
        serial: i - records.length,
        // Narrowed by an earlier page: its refused values and the server's refusal of them, as
        // that page held them, so this page says them as that one did.
        refused,
        error: refused && readOnlyRefusal(key, Object.keys(refused)),
      });
      m.recorded(record);
      return m;
    });
    for (const m of [...adopted].sort((a, b) => a.createdAt - b.createdAt)) {
      const later = this.items.findIndex(
        (o) => o.state === 'pending' && !o.inFlight && o.createdAt > m.createdAt,
      );
      this.items.splice(later < 0 ? this.items.length : later, 0, m);
    }
    return adopted;
  }

  /**
   * Of the `refused` values of a change (`made`: of `key`, at `createdAt`, by `userId`), those
   * still the user's last word: not those of a field a later change of theirs to the entity sets
   * (saved once the field was theirs again, or while the refused save was on its way; here or in
   * another tab). Said, the older value would go back into the field over the newer one, as the
   * user's unsaved edit, and their next save would send it. `later`: entries adopted with it,
   * stored after it; `self`: the change itself, when in line.
   */
  stillRefused(
    made: { key: string; createdAt: number; userId: string | undefined },
    refused: Fields | undefined,
    later: readonly OutboxRecord[] = [],
    self?: Change,
  ): Fields | undefined {
    if (!refused) return undefined;
    const { key, createdAt, userId } = made;
    const sets = [
      ...later
        .map((r) => r.entry)
        .filter((e) => `${e.entityType}:${e.entityId}` === key && e.userId === userId)
        .map((e) => e.fields),
      ...[...(this.history.get(key) ?? []), ...this.items]
        .filter(
          (m) => m !== self && m.key === key && m.userId === userId && m.createdAt >= createdAt,
        )
        .map((m) => m.fields),
    ];
    const kept: Fields = {};
    for (const [field, value] of Object.entries(refused)) {
      if (!sets.some((fields) => hasField(fields, field))) kept[field] = value;
    }
    const count = Object.keys(kept).length;
    if (count === Object.keys(refused).length) return refused;
    return count > 0 ? kept : undefined;
  }

  /**
   * A new change into the outbox; `parked` when it cannot be sent now, `provisional` when the
   * page does not know yet who is signed in.
   */
  record(m: Change, parked: boolean, provisional = false): void {
    m.recorded(
      this.outbox.add(
        {
          mutationId: m.mutationId,
          entityType: m.entityType,
          entityId: m.entityId,
          baseVersion: m.baseVersion,
          fields: m.fields,
          seen: m.seen,
          createdAt: m.createdAt,
          userId: m.userId,
        },
        parked,
        provisional,
      ),
    );
  }

  /** A pending change waits in the outbox to be sent, unless it already does; true when it went. */
  park(m: Change): boolean {
    if (m.state !== 'pending' || m.queued) return false;
    if (m.record) {
      this.outbox.park(m.record);
      m.recorded(m.record);
    } else {
      this.record(m, true);
    }
    return true;
  }

  /** The change's id, base version, fields or refused values changed: its outbox entry too. */
  stored(
    m: Change,
    patch: {
      mutationId?: string;
      baseVersion?: number | undefined;
      fields?: Fields;
      refused?: Fields | undefined;
    },
  ): void {
    if (m.record) this.outbox.replace(m.record, patch);
  }

  /**
   * The change's id and fields changed as the user types (an open conflict amended): its outbox
   * entry too, written to the store once the typing pauses (or the page is hidden, or goes).
   */
  amended(m: Change, patch: { mutationId: string; fields: Fields }): void {
    if (m.record) this.outbox.amend(m.record, patch);
  }

  /**
   * Changes whose maker nobody knows: a page closed before it learned who was signed in left
   * them, so they wait for the page to claim or discard them (`Outbox.claimUnattributed`).
   */
  unattributed(): Change[] {
    return this.items.filter(
      (m) =>
        m.state === 'pending' &&
        m.userId === undefined &&
        m.record !== undefined &&
        !m.record.provisional,
    );
  }

  /** Changes this page made before it knew who is signed in belong to `user`, who now is. */
  attribute(user: string): void {
    for (const m of this.items) {
      if (!m.record?.provisional) continue;
      m.userId = user;
      this.outbox.attribute(m.record, user);
    }
  }

  /** `next` takes `m`'s place in line (a conflict resolved), its outbox entry too. */
  replace(m: Change, next: Change): void {
    const index = this.items.indexOf(m);
    if (index >= 0) this.items.splice(index, 1, next);
    else this.items.push(next);
    const record = m.record;
    if (record) {
      m.recorded(undefined);
      next.recorded(record);
      this.outbox.replace(record, {
        mutationId: next.mutationId,
        baseVersion: next.baseVersion,
        fields: next.fields,
        seen: next.seen,
      });
    }
    this.remember(m);
  }

  /** The changes of `records`, let go to another client, leave the line; returns their entities. */
  drop(records: readonly OutboxRecord[]): Set<string> {
    const keys = new Set<string>();
    for (const m of [...this.items]) {
      if (!m.record || !records.includes(m.record)) continue;
      this.items.splice(this.items.indexOf(m), 1);
      m.recorded(undefined);
      keys.add(m.key);
    }
    return keys;
  }

  /** Out of the line and the outbox, into the entity's recent history. */
  settleOut(m: Change): void {
    const index = this.items.indexOf(m);
    if (index >= 0) this.items.splice(index, 1);
    if (m.record) {
      this.outbox.remove(m.record);
      m.recorded(undefined);
    }
    this.remember(m);
  }

  /** Keep a settled change in its entity's recent history. */
  remember(m: Change): void {
    let list = this.history.get(m.key);
    if (!list) this.history.set(m.key, (list = []));
    if (!list.includes(m)) list.push(m);
    if (list.length > MAX_HISTORY) list.shift();
  }

  /** Nobody shows the entity: forget its history unless a change of it still waits. */
  forget(key: string): boolean {
    if (this.items.some((m) => m.key === key)) return false;
    this.history.delete(key);
    return true;
  }
}
