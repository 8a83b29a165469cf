/**
 * Live data on the server: reads, and writes from clients (`entity.update`) and backends (the HTTP
 * API) through one path. A write commits in storage first; only then is the change published once
 * to the entity's room as a sequenced `entity.change` event (through the bus, so resume covers
 * it). When the store flushes its commits on its own time (`Storage.entityWritesDurable`, SQLite),
 * the publish does not wait for the disk: the flush runs meanwhile, the change is handed to
 * `onChange` listeners, and it is answered only once it is durable, so an acknowledged save
 * survives a power loss. What must survive a crash exactly when the change does (its activity item) is
 * written by an `inTransaction` step, inside the change's own transaction; the step's live part
 * runs after the commit, before the flush.
 *
 * A change committed but never published (the process died between the two, Redis refused the
 * publish) must not leave the room's members silently stale: a failed publish is reported to the
 * bus (`Bus.eventLost`), which makes the members resume and get `gap`; a process that dies
 * between the two left a mark (`Bus.willPublish`) from which another one does the same; and a
 * retry of the change (same mutation id, answered `duplicate`) publishes it again while it is
 * still the entity's latest, since its first publish may never have happened. Members that have it already ignore
 * it: they have its version.
 *
 * ```ts
 * // In the change's transaction (synchronous); the returned function runs after the commit.
 * ctx.entities.inTransaction((change) => activity.appendInTransaction(activityOfChange(change)));
 * ctx.entities.onChange((change) => notify(change)); // after every accepted change
 * const outcome = await ctx.entities.update({ type: 'customer', id: '42', fields: { phone: '…' },
 *   baseVersion: 3, mutationId: 'm-1', by: user, source: 'client' });
 * ```
 */
import {
  entityRoom,
  type Entity,
  type EntityChange,
  type EntityDeleted,
  type FieldConflict,
  type Fields,
  type UserProfile,
} from '../../protocol/index.js';
import type { Bus } from '../bus.js';
import { every, retentionCutoff, type ServerClock } from '../clock.js';
import { InFlight } from '../in-flight.js';
import { errorFields, type Logger } from '../log.js';
import type { CapabilityMetrics, EntityWriteOutcome } from '../metrics.js';
import type { StoredEntity, Storage } from '../storage.js';
import { toEntity, toEntityChange, type EntityWriteResult } from './entity-store.js';
import { oversizedChange, planChange } from './merge.js';
import { fitChange, maxChangeBytes } from '../../domain/frame-fit.js';

/** An accepted change as listeners see it: the event payload plus when it was made. */
export type EntityChangeNotice = EntityChange & { at: number };

export type EntityChangeListener = (change: EntityChangeNotice) => void;

/**
 * Runs inside the transaction of every accepted change, after its history row: synchronous, on the
 * storage's database, so what it writes commits with the change or not at all (throwing rolls the
 * change back and the writer gets an error). It may return what to do after the commit (live
 * fan-out), which runs after the change is published and is never run for a rolled-back write.
 */
export type EntityTransactionStep = (change: EntityChangeNotice) => (() => void) | void;

export interface EntityUpdate {
  type: string;
  id: string;
  fields: Fields;
  /** Undefined: a backend write on top of the current version (never a conflict). */
  baseVersion?: number | undefined;
  mutationId?: string | undefined;
  /**
   * Fields the writer's field rules refuse: answered `refused` (nothing applied), unless the
   * mutation id was applied before, answered as the duplicate it is; a refused id stays refused
   * (see `EntityWrite`).
   */
  refusedFields?: readonly string[] | undefined;
  by?: UserProfile | undefined;
  source: 'client' | 'backend';
  /** Create the entity when missing (backends only; clients update existing entities). */
  create?: boolean | undefined;
  /** `fields` is the whole record: stored fields it leaves out are set to null. */
  replace?: boolean | undefined;
  /**
   * The CRM's backend has already stored this write (write-through): refusing it for its size
   * would tell the writer a kept save failed and leave the cache behind the CRM. It is applied
   * whatever its size, and its event is fitted to the frame limit (`fitChange`).
   */
  kept?: boolean | undefined;
}

export type EntityUpdateOutcome =
  | {
      kind: 'applied';
      entity: Entity;
      /** The mutation id had been applied before: this is the same answer again. */
      duplicate: boolean;
      created: boolean;
      /** The published change; undefined for a duplicate or an update that changed nothing. */
      change: EntityChangeNotice | undefined;
      /** When the change was handed to the room's members (`performance.now()`, ms), if it was. */
      publishedAt?: number | undefined;
      /**
       * UTF-8 bytes of the copy of `entity` stored as the answer to a retry of the mutation id
       * (`EntityWriteResult`); undefined for a duplicate or a write without a mutation id.
       */
      answerBytes?: number | undefined;
    }
  | { kind: 'conflict'; conflicts: FieldConflict[]; current: Entity }
  | { kind: 'not_found' }
  | { kind: 'too_large'; message: string }
  /**
   * `refusedFields` named a field and the mutation id was never applied, or the id was refused
   * before: nothing applied; `fields` are the refused ones.
   */
  | { kind: 'refused'; fields: readonly string[] };

export interface EntityServiceOptions {
  storage: Storage;
  bus: Bus;
  clock: ServerClock;
  log: Logger;
  /** Largest frame clients accept: a change whose event would not fit is refused. */
  maxFrameBytes: number;
  /**
   * Entity history (recorded changes and mutation answers) older than this many days is deleted;
   * 0 keeps it. Default 90. Conflicts on fields last changed before then come without their base
   * value, and a mutation retried after then is no longer recognized as a duplicate.
   */
  historyRetentionDays?: number | undefined;
  /** How often the retention sweep runs. Default one hour. */
  sweepMs?: number | undefined;
  /** Counts writes by outcome (the server's `/metrics`). */
  metrics?: CapabilityMetrics | undefined;
}

/**
 * How many re-announced changes a process remembers (about 60 bytes each): past that the oldest
 * could be announced again once more, which takes replaying as many other entities' changes.
 */
const ANNOUNCED_AGAIN_KEPT = 10_000;

export class EntityService {
  private readonly listeners = new Set<EntityChangeListener>();
  private readonly steps = new Set<EntityTransactionStep>();
  /** Per entity, the tail of its writes: publishes leave in version order whatever the store. */
  private readonly tails = new Map<string, Promise<unknown>>();
  /** Writes under way, publish and listeners included, so shutdown can wait for them. */
  private readonly running = new InFlight();
  /**
   * The changes this process announced again (`<room>@<version>`), oldest first, so each is
   * announced again once here (see `announceAgain`); at most `ANNOUNCED_AGAIN_KEPT`.
   */
  private readonly announcedAgain = new Set<string>();

  readonly historyRetentionDays: number;
  private readonly stopSweep: () => void;

  constructor(private readonly options: EntityServiceOptions) {
    this.historyRetentionDays = options.historyRetentionDays ?? 90;
    this.stopSweep =
      this.historyRetentionDays > 0 && options.storage.pruneEntityHistory
        ? every(options.clock, options.sweepMs ?? 3_600_000, () => void this.sweep())
        : () => {};
  }

  /** Applies the history retention now; resolves to how many rows of each kind went. */
  async sweep(): Promise<{ changes: number; mutations: number }> {
    const { storage, clock, log } = this.options;
    const none = { changes: 0, mutations: 0 };
    if (this.historyRetentionDays <= 0 || !storage.pruneEntityHistory) return none;
    try {
      const removed = await storage.pruneEntityHistory(
        retentionCutoff(clock.now(), this.historyRetentionDays),
      );
      if (removed.changes + removed.mutations > 0) {
        log.info('entity history retention', { ...removed, days: this.historyRetentionDays });
      }
      return removed;
    } catch (err) {
      log.error('entity history retention failed', errorFields(err));
      return none;
    }
  }

  close(): void {
    this.stopSweep();
  }

  /** Writes under way: from `update` until their change was published and listeners told. */
  get pending(): number {
    return this.running.size;
  }

  /**
   * Resolves once no write is under way (its commit, its publish and its `onChange` listeners
   * done), or after `timeoutMs`: shutdown waits for it before it closes the bus.
   */
  settled(timeoutMs: number): Promise<void> {
    return this.running.settled(timeoutMs);
  }

  async get(type: string, id: string): Promise<Entity | undefined> {
    const stored = await this.options.storage.getEntity(type, id);
    return stored && toEntity(stored);
  }

  async list(
    type: string,
    page: { limit: number; offset: number },
  ): Promise<{ items: Entity[]; total: number }> {
    const { items, total } = await this.options.storage.listEntities(type, page);
    return { items: items.map(toEntity), total };
  }

  /**
   * Called after every accepted change (from clients and backends), after it was committed and
   * published (possibly before its flush to disk is done). A listener that throws is logged and
   * does not affect the writer's answer.
   */
  onChange(listener: EntityChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Adds a step to the transaction of every accepted change (see `EntityTransactionStep`). */
  inTransaction(step: EntityTransactionStep): () => void {
    this.steps.add(step);
    return () => this.steps.delete(step);
  }

  /** The largest `entity.change` payload members can be sent: the frame limit, less the envelope. */
  get maxChangeBytes(): number {
    return maxChangeBytes(this.options.maxFrameBytes);
  }

  /**
   * The answer writing `fields` over `stored` would get for its size, without writing anything:
   * for a caller that commits elsewhere first (write-through asks the CRM's backend, which must
   * not apply a save the server will then refuse). Undefined when the change fits.
   */
  oversized(
    stored: StoredEntity,
    write: Pick<EntityUpdate, 'fields' | 'mutationId' | 'by' | 'source'>,
  ): Extract<EntityUpdateOutcome, { kind: 'too_large' }> | undefined {
    const planned = planChange(
      // Field versions do not reach the event, so they cannot change its size.
      { entity: stored, fieldVersions: {} },
      { ...write, type: stored.type, id: stored.id, at: this.options.clock.now() },
    );
    const tooLarge = planned && oversizedChange(planned, this.maxChangeBytes);
    return tooLarge && tooLargeOutcome(tooLarge);
  }

  /** Applies a write by the merge rules (see `merge.ts`), then publishes it. */
  update(input: EntityUpdate): Promise<EntityUpdateOutcome> {
    const run = this.inTurn(input.type, input.id, () => this.write(input));
    const metrics = this.options.metrics;
    if (metrics) {
      void run.then(
        // A refusal by the field rules is not a write (as before it reached the store).
        (outcome) => {
          if (outcome.kind !== 'refused') metrics.countEntityWrite(outcomeOf(outcome));
        },
        () => {},
      );
    }
    return run;
  }

  /**
   * Deletes an entity the CRM deleted, with its history (see `Storage.deleteEntity`), then tells
   * its room: a sequenced `entity.deleted` event, so members on every process, and a client that
   * resumes later, learn it. Resolves to false when there was no such entity (nothing published).
   * In turn with the entity's writes: a save queued before it lands first and is erased with it; one
   * queued after finds no entity (`not_found`), so a racing save cannot bring it back.
   */
  delete(type: string, id: string): Promise<boolean> {
    return this.inTurn(type, id, async () => {
      const room = entityRoom(type, id);
      // Marked before the commit like a write, so a process dying before the publish still
      // makes the members resume (they re-read and get `not_found`).
      const published = await this.options.bus.willPublish?.(room);
      try {
        if (!(await this.options.storage.deleteEntity(type, id))) return false;
        if (this.options.metrics) this.options.metrics.entitiesDeleted += 1;
        const payload: EntityDeleted = { type, id, at: this.options.clock.now() };
        try {
          await this.options.bus.publish(room, { event: 'entity.deleted', payload });
        } catch (err) {
          this.options.log.error('entity delete publish failed', { room, ...errorFields(err) });
          this.options.bus.eventLost?.(room);
        }
        return true;
      } finally {
        published?.();
      }
    });
  }

  /** Runs `job` after the entity's earlier writes and deletes: one at a time per entity. */
  private inTurn<T>(type: string, id: string, job: () => Promise<T>): Promise<T> {
    const key = entityRoom(type, id);
    const previous = this.tails.get(key) ?? Promise.resolve();
    const run = previous.then(job, job);
    this.tails.set(key, run);
    this.running.track(run);
    const forget = (): void => {
      if (this.tails.get(key) === run) this.tails.delete(key);
    };
    run.then(forget, forget);
    return run;
  }

  private async write(input: EntityUpdate): Promise<EntityUpdateOutcome> {
    // Marked before the commit: if this process dies between its commit and its publish, another
    // one makes the room's members resume (see `Bus.willPublish`). Cleared once published, or once
    // there is nothing to publish; a write that cannot be marked is not made.
    const published = await this.options.bus.willPublish?.(entityRoom(input.type, input.id));
    try {
      return await this.commitAndPublish(input);
    } finally {
      published?.();
    }
  }

  private async commitAndPublish(input: EntityUpdate): Promise<EntityUpdateOutcome> {
    const { storage, clock } = this.options;
    let afterCommit: (() => void)[] = [];
    const steps = [...this.steps];
    const result = await storage.writeEntity({
      ...input,
      at: clock.now(),
      maxChangeBytes: input.kept ? undefined : this.maxChangeBytes,
      inTransaction:
        steps.length === 0
          ? undefined
          : (stored, entity) => {
              afterCommit = [];
              const notice = { ...toEntityChange(stored, entity), at: stored.at };
              for (const step of steps) {
                const then = step(notice);
                if (then) afterCommit.push(then);
              }
            },
    });
    if (result.outcome !== 'applied' || !result.change) {
      // Nothing to publish; what the answer says (a duplicate's entity, a conflict's current
      // state) may come from a commit still being flushed.
      await storage.entityWritesDurable?.();
    }
    switch (result.outcome) {
      case 'not_found':
        return { kind: 'not_found' };
      case 'refused':
        return { kind: 'refused', fields: result.fields };
      case 'too_large':
        return tooLargeOutcome(result);
      case 'conflict':
        return { kind: 'conflict', conflicts: result.conflicts, current: toEntity(result.current) };
      case 'duplicate':
        await this.announceAgain(result.entity, input.mutationId, input.by?.id);
        return {
          kind: 'applied',
          entity: result.entity,
          duplicate: true,
          created: false,
          change: undefined,
        };
      case 'applied': {
        const entity = toEntity(result.entity);
        if (!result.change) {
          return {
            kind: 'applied',
            entity,
            duplicate: false,
            created: result.created,
            change: undefined,
            answerBytes: result.answerBytes,
          };
        }
        const change: EntityChangeNotice = {
          ...toEntityChange(result.change, result.entity),
          at: result.change.at,
        };
        // Fanned out while the disk flushes the commit: the other members need not wait for it.
        const durable = storage.entityWritesDurable?.();
        // Awaited below; a flush failing while the publish is under way is not unhandled.
        durable?.catch(() => {});
        await this.publish(change);
        const publishedAt = performance.now();
        for (const then of afterCommit) {
          try {
            then();
          } catch (err) {
            this.options.log.error('entity change step failed after commit', errorFields(err));
          }
        }
        // Listeners hear every committed change, even one whose flush then fails.
        this.notify(change);
        // The writer's answer only once it is on disk.
        await durable;
        return {
          kind: 'applied',
          entity,
          duplicate: false,
          created: result.created,
          change,
          publishedAt,
          answerBytes: result.answerBytes,
        };
      }
    }
  }

  private async publish(notice: EntityChangeNotice): Promise<void> {
    const { at: _at, ...whole } = notice;
    const room = entityRoom(notice.entity.type, notice.entity.id);
    // Only a write the CRM kept (`kept`) can be over the limit: the store refuses the others.
    const payload = fitChange(whole satisfies EntityChange, this.maxChangeBytes);
    if (!payload) {
      // No frame can carry this record: its members keep the version they have, and a read of
      // it is answered `payload_too_large`. The CRM holds it; an operator should know.
      this.options.log.error('entity too large to send to its room', {
        room,
        version: notice.entity.version,
        limit: this.maxChangeBytes,
      });
      return;
    }
    try {
      await this.options.bus.publish(room, {
        event: 'entity.change',
        payload,
        from: notice.by?.id,
      });
    } catch (err) {
      // The change is committed: the writer is told so. The members never get this event: the
      // bus makes them resume (they get `gap` and re-read the entity), and a retry of the change
      // publishes it again (see `announceAgain`).
      this.options.log.error('entity change publish failed', { room, ...errorFields(err) });
      this.options.bus.eventLost?.(room);
    }
  }

  /**
   * A retry of a committed change (its mutation id was applied, the writer had no answer): the
   * process that committed it may have died before publishing it, or its publish failed. While it
   * is still the entity's latest change it is published again, so the room's members get it; a
   * later change carried the whole entity, so one superseded needs nothing. Members that had it
   * ignore it (same version).
   *
   * Only for the change's own writer, and once per change on this process: every member sees a
   * change's mutation id, and the answer to a replay is a small frame while the event is the
   * whole entity (up to a frame), so replays from anyone, again and again, made a member's
   * every tiny frame a full-size event to everyone in the room and flushed its replay buffer.
   * A process that fails to publish it makes the room resume instead (`eventLost`).
   */
  private async announceAgain(
    answered: Entity,
    mutationId: string | undefined,
    writer: string | undefined,
  ): Promise<void> {
    if (mutationId === undefined) return;
    const once = `${entityRoom(answered.type, answered.id)}@${answered.version}`;
    if (this.announcedAgain.has(once)) return;
    const { storage, log } = this.options;
    try {
      const current = await storage.getEntity(answered.type, answered.id);
      if (!current || current.version !== answered.version) return;
      const [change] = await storage.entityChanges(
        answered.type,
        answered.id,
        answered.version - 1,
        1,
      );
      if (change?.version !== current.version || change.mutationId !== mutationId) return;
      if (change.by?.id !== writer) return;
      if (this.announcedAgain.has(once)) return; // another retry got here meanwhile
      this.announcedAgain.add(once);
      if (this.announcedAgain.size > ANNOUNCED_AGAIN_KEPT) {
        this.announcedAgain.delete(this.announcedAgain.values().next().value!);
      }
      await this.publish({ ...toEntityChange(change, current), at: change.at });
    } catch (err) {
      log.error('entity change not announced again', {
        entity: entityRoom(answered.type, answered.id),
        ...errorFields(err),
      });
    }
  }

  private notify(change: EntityChangeNotice): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (err) {
        this.options.log.error('entity change listener failed', errorFields(err));
      }
    }
  }
}

function tooLargeOutcome(
  result: Extract<EntityWriteResult, { outcome: 'too_large' }>,
): Extract<EntityUpdateOutcome, { kind: 'too_large' }> {
  return {
    kind: 'too_large',
    message: `the change would make an event of ${result.bytes} bytes; the limit is ${result.limit}`,
  };
}

function outcomeOf(outcome: Exclude<EntityUpdateOutcome, { kind: 'refused' }>): EntityWriteOutcome {
  if (outcome.kind !== 'applied') return outcome.kind;
  if (outcome.duplicate) return 'duplicate';
  return outcome.change ? 'applied' : 'unchanged';
}
