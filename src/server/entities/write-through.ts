/**
 * Write-through to the CRM's backend (`CRM_ENTITY_BACKEND_URL`): the backend's database stays the
 * source of truth, the server's store is its cache.
 *
 * A client's save, one at a time per entity:
 * 0. a save the user's field rules refuse goes no further than the store, which answers a replay
 *    of a mutation it applied as the duplicate it is (the rules changed after) and refuses the
 *    rest: the backend never hears of either; nor of a mutation id refused so before (its first
 *    apply, come after its refused replay), refused again. With several processes the first apply
 *    may reach the backend before its replay is refused on another: the backend keeps it, the id
 *    stays refused, and the cache reads the record from the backend again (see step 4);
 * 1. an entity the server has never seen is first read from the backend (read-through);
 * 2. a replay of a mutation the server already applied is answered from the store, as always;
 * 3. the merge rules run on the cache first: a field someone changed since the user's version is
 *    a conflict at once, without asking the backend, and a change whose event would exceed the
 *    frame limit is `too_large`: the backend must never apply a save the server then refuses;
 * 4. the backend gets the save (`Idempotency-Key: <mutationId>`). Accepted: what it returned
 *    (say, a normalized phone) over what was sent is stored and broadcast, and the client is
 *    acknowledged with it, whatever its size: the CRM kept it (an event too large goes without
 *    `previous`, an ack too large goes `partial`, see `src/domain/frame-fit.ts`). Refused: `rejected` with its messages; nothing is stored or broadcast.
 *    Conflict: its current values (read again from the backend when its 409 did not carry them)
 *    are stored and broadcast (everyone sees the truth), and the client gets the usual
 *    `entity.conflict`. No answer in time: `unavailable`; nothing is stored, and the client's
 *    retry carries the same key.
 *
 * Saves of one entity wait for each other (the backend's answer included, bounded by its
 * timeout), so the check of step 3 still holds when the answer comes. That holds within one
 * process; with several, the backend's own check (it gets `base`, the values the user saw) is
 * what keeps two saves apart.
 *
 * ```ts
 * const writeThrough = new WriteThrough({ entities, storage, clock, log, backend: new EntityBackend({ url }) });
 * const outcome = await writeThrough.update({ type: 'customer', id: '42', fields: { phone: '5550100' },
 *   baseVersion: 3, mutationId: 'm-1', by: user });
 * ```
 */
import {
  fieldValue,
  type Entity,
  type FieldConflict,
  type FieldErrors,
  type Fields,
  type UserProfile,
} from '../../protocol/index.js';
import type { ServerClock } from '../clock.js';
import type { Logger } from '../log.js';
import type { StoredEntity, Storage } from '../storage.js';
import { sameJson } from '../../util/same-json.js';
import type { BackendUnavailable, EntityBackend } from './entity-backend.js';
import type { EntityService, EntityUpdateOutcome } from './entity-service.js';
import { toEntity, type StoredChange } from './entity-store.js';
import { findConflicts, historyOfChanges } from './merge.js';

/** A client's save, as `entity.update` gives it. */
export interface ClientUpdate {
  type: string;
  id: string;
  fields: Fields;
  baseVersion: number;
  mutationId: string;
  by: UserProfile;
  /** Fields the user's field rules refuse (see `EntityUpdate.refusedFields`). */
  refusedFields?: readonly string[] | undefined;
}

export type WriteThroughOutcome =
  | EntityUpdateOutcome
  | { kind: 'rejected'; errors: FieldErrors; message: string | undefined }
  | { kind: 'forbidden' }
  | { kind: 'unavailable'; reason: string; retryAfterMs?: number | undefined };

export type WriteThroughRead =
  | { kind: 'found'; entity: Entity }
  | { kind: 'not_found' }
  | { kind: 'unavailable'; reason: string; retryAfterMs?: number | undefined };

export interface WriteThroughOptions {
  entities: EntityService;
  storage: Storage;
  backend: EntityBackend;
  clock: ServerClock;
  log: Logger;
}

/** Why the backend may not have a record the server holds, for the log. */
const MISSING_RECORD_HINT =
  'deleted in the CRM without DELETE /api/entities/<type>/<id> (which tells the pages), or CRM_ENTITY_BACKEND_URL names the wrong path';

/** History rows read to check a save against the cache; a base further back is not checked. */
const HISTORY_LIMIT = 1000;

export class WriteThrough {
  /** Per entity, the tail of its saves and loads. */
  private readonly tails = new Map<string, Promise<unknown>>();
  /** Per entity, its first read from the backend while it is under way. */
  private readonly loading = new Map<string, Promise<unknown>>();

  constructor(private readonly options: WriteThroughOptions) {}

  /** The entity from the cache, else from the backend (then cached). */
  async get(type: string, id: string): Promise<WriteThroughRead> {
    const cached = await this.options.entities.get(type, id);
    if (cached) return { kind: 'found', entity: cached };
    return this.serialize(`${type}:${id}`, () => this.load(type, id));
  }

  /**
   * Resolves once no first read of the entity from the backend is under way. The HTTP API's
   * writes of an entity wait for it: the backend publishes a change it made after its `GET`
   * answered with the values from before, and the change must land on the record that read
   * stores, not be refused as unknown (`PATCH`, `DELETE`) or overwritten by the older read (`PUT`).
   * Only the read is waited for, never a save, whose backend call may itself be waiting on the
   * backend's publish.
   */
  async afterFirstRead(type: string, id: string): Promise<void> {
    const reading = this.loading.get(`${type}:${id}`);
    if (!reading) return;
    this.options.log.debug('a write through the API waits for the record’s first read', {
      room: `${type}:${id}`,
    });
    await reading.catch(() => undefined);
  }

  /** A client's save (see the module comment for the steps). */
  update(input: ClientUpdate): Promise<WriteThroughOutcome> {
    return this.serialize(`${input.type}:${input.id}`, () => this.save(input));
  }

  private async save(input: ClientUpdate): Promise<WriteThroughOutcome> {
    const { entities, storage, backend, log } = this.options;
    const { type, id, fields, baseVersion, mutationId, by, refusedFields } = input;
    if (refusedFields?.length) {
      // Never the backend's to decide: the store answers, a replay of a save it applied as the
      // duplicate it is (the user's rules changed after it was kept), anything else refused.
      return entities.update({ ...input, source: 'client' });
    }
    // Refused before: a replay of it, on a connection with the newer rules, was refused while
    // this frame waited (for the authorization hook, or on another process). It stays refused,
    // and the backend, which would keep it, never hears of it.
    const refusal = await storage.mutationRefusal(type, id, mutationId);
    if (refusal) return { kind: 'refused', fields: refusal };
    let stored = await storage.getEntity(type, id);
    if (!stored) {
      const loaded = await this.load(type, id);
      if (loaded.kind !== 'found') return loaded;
      stored = await storage.getEntity(type, id);
      if (!stored) return { kind: 'not_found' };
    }
    const history = await storage.entityChanges(type, id, baseVersion, HISTORY_LIMIT);
    if (history.some((change) => change.mutationId === mutationId)) {
      // Applied before (its ack was lost): the store answers it as the duplicate it is.
      return entities.update({ type, id, fields, baseVersion, mutationId, by, source: 'client' });
    }
    const conflicts = this.conflictsInCache(stored, history, fields, baseVersion);
    if (conflicts.length > 0) return { kind: 'conflict', conflicts, current: toEntity(stored) };
    // Before the backend hears of it: a save it applied and the server then refused for its size
    // would leave the two apart, and the user told the save failed.
    const tooLarge = entities.oversized(stored, { fields, mutationId, by, source: 'client' });
    if (tooLarge) return tooLarge;

    const base = baseValues(stored, history, fields, baseVersion);
    const answer = await backend.write({
      type,
      id,
      fields,
      base,
      baseVersion,
      mutationId,
      user: by,
    });
    const room = `${type}:${id}`;
    switch (answer.kind) {
      case 'accepted': {
        // Checked against the version the backend was asked about. A change to one of these
        // fields that reached the cache while the backend decided (the backend's own write
        // through the HTTP API, a save on another process) leaves only the backend knowing
        // which of the two it holds last: storing this answer over it would show everyone a
        // value the CRM may have overwritten already. The record is read again instead.
        const written = await entities.update({
          type,
          id,
          fields: { ...fields, ...answer.fields },
          baseVersion: stored.version,
          mutationId,
          by,
          source: 'client',
          // What was sent fit; the backend's own values may not (it grew them). It stored them:
          // the writer is acknowledged, and the cache and the room follow the CRM.
          kept: true,
        });
        if (written.kind === 'conflict') return this.settleFromBackend(input, written.conflicts);
        if (written.kind === 'refused') {
          // Its replay was refused while the backend decided (on another process, under the
          // user's newer rules), and the id keeps that answer; but the CRM kept the save. The
          // cache reads the record again, so nobody is shown values the CRM no longer holds.
          await this.settleFromBackend(
            input,
            written.fields,
            'a save the backend kept was refused meanwhile (its replay); reading the record again',
          );
        }
        return written;
      }
      case 'rejected':
        log.info('entity backend refused a save', { room, fields: Object.keys(answer.errors) });
        return answer;
      case 'conflict': {
        let current = answer.current;
        if (current === undefined) {
          // A 409 that does not say what the backend holds: read it (read-through's GET). Sending
          // the save again would not help: the backend repeats its first answer to a key.
          log.warn('entity backend answered a conflict without current values', {
            room,
            op: 'write',
            reason: '409 without a usable current; reading the record again',
          });
          const read = await backend.read(type, id);
          if (read.kind === 'unavailable') return this.unavailable(room, 'read', read);
          if (read.kind === 'not_found') return read;
          current = read.fields;
        }
        return this.backendConflict(input, stored, base, current, answer.changedBy);
      }
      case 'not_found':
        // The server holds this record and the backend says it has none: deleted in the CRM
        // without `DELETE /api/entities/…`, or the URL names the wrong path, and then every save
        // is refused as if its record were gone. An operator should know which.
        log.warn('entity backend has no record the server holds: save refused as not_found', {
          room,
          op: 'write',
          reason: MISSING_RECORD_HINT,
        });
        return answer;
      case 'forbidden':
        return answer;
      case 'unavailable':
        return this.unavailable(room, 'write', answer);
    }
  }

  /**
   * Logs why the backend gave no usable answer; the client keeps the save and retries. A refused
   * key is an error an operator must fix (`CRM_ENTITY_BACKEND_KEY`); the rest is a warning.
   */
  private unavailable(
    room: string,
    op: 'read' | 'write',
    answer: BackendUnavailable,
  ): BackendUnavailable {
    const fields = { room, op, reason: answer.reason };
    if (answer.misconfigured) {
      this.options.log.error(
        'entity backend refused the server key (CRM_ENTITY_BACKEND_KEY)',
        fields,
      );
    } else {
      this.options.log.warn('entity backend unavailable', fields);
    }
    return answer;
  }

  /**
   * The backend accepted a save while another change of the same fields reached the cache: what
   * the backend holds now is the truth, so it is read (read-through's GET) and stored as the
   * backend's change, and the writer is acknowledged with it. Unreadable: `unavailable`, and the
   * writer's retry (same key, the backend's first answer) ends here again. Also after a save the
   * backend accepted whose id was refused meanwhile (`raced`: the refused fields; `why`, the log's
   * line): the writer's answer stays the refusal.
   */
  private async settleFromBackend(
    input: ClientUpdate,
    raced: readonly FieldConflict[] | readonly string[],
    why = 'entity changed while the backend decided a save; reading it again',
  ): Promise<WriteThroughOutcome> {
    const { entities, backend, log } = this.options;
    const { type, id } = input;
    const room = `${type}:${id}`;
    log.info(why, {
      room,
      fields: raced.map((c) => (typeof c === 'string' ? c : c.field)),
    });
    const read = await backend.read(type, id);
    if (read.kind === 'unavailable') return this.unavailable(room, 'read', read);
    if (read.kind === 'not_found') return read;
    return entities.update({ type, id, fields: read.fields, source: 'backend', kept: true });
  }

  /** The merge rules over the cache, with the history since the user's version. */
  private conflictsInCache(
    stored: StoredEntity,
    history: readonly StoredChange[],
    fields: Fields,
    baseVersion: number,
  ): FieldConflict[] {
    const fieldVersions: Record<string, number> = {};
    for (const change of history) {
      for (const field of change.changed) fieldVersions[field] = change.version;
    }
    return findConflicts(
      { entity: stored, fieldVersions },
      fields,
      baseVersion,
      historyOfChanges(history),
    );
  }

  /**
   * The backend holds other values than the user saw: they become the server's (broadcast as the
   * backend's change), and the user gets the usual conflict to decide on.
   */
  private async backendConflict(
    input: ClientUpdate,
    stored: StoredEntity,
    base: Fields,
    theirs: Fields,
    changedBy: UserProfile | undefined,
  ): Promise<WriteThroughOutcome> {
    const { type, id, fields } = input;
    let current = toEntity(stored);
    if (Object.keys(theirs).length > 0) {
      const written = await this.options.entities.update({
        type,
        id,
        fields: theirs,
        by: changedBy,
        source: 'backend',
        kept: true,
      });
      if (written.kind === 'applied') current = written.entity;
    }
    const clash = (field: string) => {
      const mine = fields[field]!;
      const conflict: FieldConflict = { field, mine };
      if (Object.prototype.hasOwnProperty.call(base, field)) conflict.base = base[field]!;
      const value = fieldValue(current.fields, field);
      if (value !== undefined) conflict.theirs = value;
      if (changedBy) conflict.changedBy = changedBy;
      conflict.changedAt = current.updatedAt;
      return conflict;
    };
    const differing = Object.keys(fields).filter(
      (field) => !sameJson(fieldValue(current.fields, field), fields[field]),
    );
    // A conflict the backend reports is one, even when its values happen to equal the user's.
    const named = differing.length > 0 ? differing : Object.keys(fields);
    return { kind: 'conflict', conflicts: named.map(clash), current };
  }

  /** Read-through, inside the entity's queue: cache what the backend has. */
  private async load(type: string, id: string): Promise<WriteThroughRead> {
    const again = await this.options.storage.getEntity(type, id);
    if (again) return { kind: 'found', entity: toEntity(again) };
    const key = `${type}:${id}`;
    const reading = this.readAndCache(type, id);
    this.loading.set(key, reading);
    try {
      return await reading;
    } finally {
      if (this.loading.get(key) === reading) this.loading.delete(key);
    }
  }

  private async readAndCache(type: string, id: string): Promise<WriteThroughRead> {
    const { storage, backend, clock } = this.options;
    const answer = await backend.read(type, id);
    if (answer.kind === 'not_found') {
      if (answer.page) {
        this.options.log.warn('entity backend answered 404 with a page, not JSON: not_found', {
          room: `${type}:${id}`,
          op: 'read',
          reason:
            'if every record is not found, check that CRM_ENTITY_BACKEND_URL names the path under which the backend serves /entities/<type>/<id>',
        });
      }
      return { kind: 'not_found' };
    }
    if (answer.kind === 'unavailable') return this.unavailable(`${type}:${id}`, 'read', answer);
    const entity: StoredEntity = {
      type,
      id,
      version: 1,
      fields: answer.fields,
      updatedAt: clock.now(),
      updatedBy: null,
    };
    // Stored silently, like a seed: loading a record is not a change anyone made.
    await storage.putEntity(entity);
    return { kind: 'found', entity: toEntity(entity) };
  }

  private serialize<T>(key: string, job: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const run = previous.then(job, job);
    this.tails.set(key, run);
    const forget = (): void => {
      if (this.tails.get(key) === run) this.tails.delete(key);
    };
    run.then(forget, forget);
    return run;
  }
}

/** The written fields' values at the user's version: what a backend compares against. */
function baseValues(
  stored: StoredEntity,
  history: readonly StoredChange[],
  fields: Fields,
  baseVersion: number,
): Fields {
  const base: Fields = {};
  for (const field of Object.keys(fields)) {
    const first = history.find((c) => c.version > baseVersion && c.changed.includes(field));
    const value = first
      ? (fieldValue(first.previous, field) as Fields[string] | undefined)
      : (fieldValue(stored.fields, field) as Fields[string] | undefined);
    if (value !== undefined) base[field] = value;
  }
  return base;
}
