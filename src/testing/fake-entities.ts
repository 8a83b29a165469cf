/**
 * Live data on the fake server: versioned entities with field-level optimistic concurrency, by
 * the same rules as the reference server, so a test or a story cannot pass on answers the real
 * server would never give.
 *
 * - `entity.get` answers `entity.snapshot`, or `not_found` / `forbidden`.
 * - `entity.update` with `baseVersion` B and fields F is applied when no field of F was changed
 *   by anyone after version B (changes to other fields merge): the version goes up by one, an
 *   `entity.change` event is published as a sequenced event of the room `<type>:<id>`, and the
 *   sender gets `entity.ack`. Otherwise it gets `entity.conflict`, one entry per field with the
 *   value at B (when known), the client's, the current one and who changed it when.
 * - A field set to the value it already has is no conflict and no change; an update that changes
 *   nothing is acknowledged without a new version or event.
 * - A mutation id seen twice is applied once: the second time gets the same `entity.ack` with
 *   `duplicate: true`, even when the user's field rules now refuse one of its fields. A refusal
 *   by field rules is remembered too: the id is refused again whatever the rules are by then.
 *   Conflicts are not remembered (nothing was applied).
 * - A `baseVersion` ahead of the entity (a client that saw state this server lost) conflicts on
 *   every field it would change, with no base value.
 * - Frame sizes, by the server's rules (`src/domain/frame-fit.ts`): a save whose event would
 *   exceed the frame limit is refused `payload_too_large`; a conflict too large goes without
 *   `base`, then is refused `payload_too_large`; values `backendStores` grew past the limit are
 *   kept and acknowledged (`partial` when the ack cannot carry them).
 * - `backendDown` (`FakeServer.setBackendDown`): saves that would reach the CRM backend are
 *   answered `backend_unavailable` (with `retryAfterMs` when set), as the server answers them.
 * - `remove` deletes an entity as a backend's `DELETE /api/entities/…` does: its mutation ids go
 *   with it, an `entity.deleted` event is published to its room, and later reads and saves get
 *   `not_found`.
 * - Entities survive `server.restart()`, as the reference server keeps them in SQLite; rooms and
 *   their sequence numbers do not, so clients re-read their snapshots after the restart.
 *
 * ```ts
 * server.entities.put({ type: 'customer', id: '42', fields: { name: 'Ada' } });
 * server.entities.remoteUpdate('customer', '42', { phone: '+44 20' }, { id: 'bob', name: 'Bob' });
 * server.entities.get('customer', '42')?.version; // 2
 * ```
 */
import {
  entityRoom,
  hasField,
  LIMITS,
  type Entity,
  type EntityChange,
  type EntityDeleted,
  type EntityGetFrame,
  type EntityUpdateFrame,
  type ErrorCode,
  type FieldErrors,
  type Fields,
  type ServerFrame,
  type UserProfile,
} from '../protocol/index.js';
import {
  changedFields,
  findConflicts,
  historyOfChanges,
  type HistoryReader,
  type RecordedChange,
} from '../domain/merge.js';
import { fieldRefusal } from '../domain/field-refusal.js';
import {
  fitAck,
  partialAckRefusal,
  fitChange,
  fitConflict,
  fitsFrame,
  jsonBytes,
  maxChangeBytes,
} from '../domain/frame-fit.js';

type AckFrame = Extract<ServerFrame, { type: 'entity.ack' }>;

/** One accepted change, as the reference server records it in its history. */
interface FakeChange extends RecordedChange {
  version: number;
  changed: string[];
}

interface Stored {
  entity: Entity;
  /** Field name → version of its last change; a put counts as a change of every field. */
  fieldVersions: Record<string, number>;
  /** Changes since the entity was put, oldest first (a put, like a seed, records none). */
  changes: FakeChange[];
}

/** What the fake entities need from the server they live in. */
export interface FakeEntitiesHost {
  now(): number;
  /** Publish a sequenced room event (recorded for resume, sent to members). */
  publish(room: string, event: string, payload: unknown, from?: string): unknown;
  /** The server's room rule: a user who may not join an entity's room may not touch it. */
  mayJoin(user: UserProfile, room: string): boolean;
}

export type EntityAccess = 'read' | 'write';

/** An entity to seed: version defaults to 1. */
export interface EntitySeed {
  type: string;
  id: string;
  fields: Fields;
  version?: number;
  updatedAt?: number;
  updatedBy?: UserProfile;
}

export interface RemoteUpdateOptions {
  /** Default `client` when `by` is given (another person's save), else `backend`. */
  source?: 'client' | 'backend';
  mutationId?: string;
}

const copy = <T>(value: T): T => (value === undefined ? value : JSON.parse(JSON.stringify(value)));

export class FakeEntities {
  /**
   * Refuse reads or writes per user and entity; a refusal is answered `forbidden`. Default: the
   * server's `authorize` option for the entity's room decides, and everything else is allowed.
   */
  authorize: ((user: UserProfile, entity: Entity, access: EntityAccess) => boolean) | undefined =
    undefined;

  /**
   * The CRM backend's rules, as a server with write-through (`CRM_ENTITY_BACKEND_URL`) applies
   * them: a message per refused field of an update (answered `entity.rejected`; nothing applied
   * or published), or nothing to accept it. Checked after the conflict rules, as the server does.
   */
  validate:
    ((fields: Fields, entity: Entity, user: UserProfile) => FieldErrors | undefined) | undefined =
    undefined;

  /**
   * What the CRM backend stores for an accepted save over what was sent, as a server with
   * write-through stores the `fields` of its backend's 2xx answer: a normalized phone, an appended
   * audit line. Called after `validate`; nothing (or `{}`) stores what was sent. Values grown past
   * the frame limit are kept and acknowledged as the server does: the event goes without
   * `previous`, an ack too large goes `partial`, and a snapshot too large is refused
   * `payload_too_large`.
   */
  backendStores:
    ((fields: Fields, entity: Entity, user: UserProfile) => Fields | undefined) | undefined =
    undefined;

  /**
   * The CRM backend down for writes (set through `FakeServer.setBackendDown`), as a server with
   * write-through meets it: an update that would reach the backend (past the field rules, replays
   * and conflicts, which the server settles from its cache) is answered `backend_unavailable` and
   * nothing is applied; with `retryAfterMs` when the backend said when it is back (`Retry-After`).
   * Reads are answered as usual: the server reads through only a record it never cached.
   */
  backendDown: { retryAfterMs?: number | undefined } | undefined = undefined;

  /**
   * Fields a user may read but not change, as a server's permissions (token claim or
   * authorization callback) make them: listed in the snapshot's `readOnly`, and an update that
   * changes one is refused `forbidden`, like the server does. Default: every field is writable.
   */
  readOnlyFields: ((user: UserProfile, entity: Entity) => readonly string[]) | undefined =
    undefined;

  /**
   * Fields of an entity type hidden from a user, as a server's permissions make them: left out of
   * every frame the user gets (records, changes, conflicts, activity items, notifications, who
   * is editing what), with the entity labels they may be the values of, by the rule the reference
   * server applies (`domain/field-redaction.ts`); an update that changes one is refused
   * `forbidden`. After changing the answer, `server.permissionsChanged(userId, [type])` tells
   * the user's open pages, as the server does. Default: nothing is hidden.
   */
  hiddenFields: ((user: UserProfile, entityType: string) => readonly string[]) | undefined =
    undefined;

  private readonly stored = new Map<string, Stored>();
  /** Applied mutations by `<type>:<id>|<mutationId>`, with the answer they got. */
  private readonly applied = new Map<string, Omit<AckFrame, 'replyTo' | 'duplicate'>>();
  /** Mutations refused by field rules, by the same key, with the fields refused. */
  private readonly refusals = new Map<string, string[]>();

  constructor(private readonly host: FakeEntitiesHost) {}

  /** Seed or replace an entity, silently (no event): use `remoteUpdate` for a visible change. */
  put(seed: EntitySeed): Entity {
    const version = seed.version ?? 1;
    const at = seed.updatedAt ?? this.host.now();
    const entity: Entity = {
      type: seed.type,
      id: seed.id,
      version,
      fields: copy(seed.fields),
      updatedAt: at,
    };
    if (seed.updatedBy) entity.updatedBy = seed.updatedBy;
    const fieldVersions: Record<string, number> = {};
    for (const field of Object.keys(entity.fields)) fieldVersions[field] = version;
    this.stored.set(entityRoom(seed.type, seed.id), { entity, fieldVersions, changes: [] });
    return copy(entity);
  }

  /** The current entity, or `undefined`. A copy: changing it changes nothing on the server. */
  get(type: string, id: string): Entity | undefined {
    return copy(this.stored.get(entityRoom(type, id))?.entity);
  }

  /** Every stored entity (copies). */
  all(): Entity[] {
    return [...this.stored.values()].map((s) => copy(s.entity));
  }

  /** Forget every entity and mutation id. */
  clear(): void {
    this.stored.clear();
    this.applied.clear();
    this.refusals.clear();
  }

  /**
   * The CRM deleted the entity (the HTTP API's `DELETE`): it is forgotten with its mutation ids
   * and `entity.deleted` is published to its room. False when there was no such entity.
   */
  remove(type: string, id: string): boolean {
    const room = entityRoom(type, id);
    if (!this.stored.delete(room)) return false;
    for (const ids of [this.applied, this.refusals]) {
      for (const key of ids.keys()) if (key.startsWith(`${room}|`)) ids.delete(key);
    }
    const deleted: EntityDeleted = { type, id, at: this.host.now() };
    this.host.publish(room, 'entity.deleted', deleted);
    return true;
  }

  /**
   * A change made elsewhere (another person, or a backend through the HTTP API): applied without
   * a version check, published as `entity.change` to the entity's room. Throws when the entity
   * does not exist.
   */
  remoteUpdate(
    type: string,
    id: string,
    fields: Fields,
    by?: UserProfile,
    options: RemoteUpdateOptions = {},
  ): EntityChange {
    const stored = this.stored.get(entityRoom(type, id));
    if (!stored) throw new Error(`fake server: no entity ${type}:${id} (put it first)`);
    const change = this.apply(stored, fields, by, options.mutationId, options.source);
    if (!change) throw new Error(`fake server: remoteUpdate of ${type}:${id} changes nothing`);
    return change;
  }

  /** Answer an `entity.get` or `entity.update` from `user`. */
  /** `acceptsPartial`: the connection's `hello` named `partial-ack`. */
  answer(
    user: UserProfile,
    frame: EntityGetFrame | EntityUpdateFrame,
    acceptsPartial = false,
  ): ServerFrame {
    const room = entityRoom(frame.entityType, frame.entityId);
    const stored = this.stored.get(room);
    const access: EntityAccess = frame.type === 'entity.get' ? 'read' : 'write';
    // A save asks `read` too, as the server does: its answers carry the entity.
    const denied = (asked: EntityAccess): boolean =>
      !!stored && this.authorize?.(user, stored.entity, asked) === false;
    if (
      !this.host.mayJoin(user, room) ||
      (access === 'write' && denied('read')) ||
      denied(access)
    ) {
      return this.error(frame.id, 'forbidden', `may not ${access} ${room}`);
    }
    if (!stored) return this.error(frame.id, 'not_found', `no entity ${room}`);
    const readOnly = [...(this.readOnlyFields?.(user, stored.entity) ?? [])].sort();
    if (frame.type === 'entity.get') {
      const entity = copy(stored.entity);
      const snapshot: ServerFrame =
        readOnly.length > 0
          ? { type: 'entity.snapshot', replyTo: frame.id, entity, readOnly }
          : { type: 'entity.snapshot', replyTo: frame.id, entity };
      if (fitsFrame(snapshot, LIMITS.maxFrameBytes)) return snapshot;
      return this.error(
        frame.id,
        'payload_too_large',
        `${room} is too large to send (over ${LIMITS.maxFrameBytes} bytes)`,
      );
    }
    const hidden = this.hiddenFields?.(user, frame.entityType) ?? [];
    const refused = [...new Set([...readOnly, ...hidden])].filter((field) =>
      hasField(frame.fields, field),
    );
    // As the server: a replay of a mutation applied before the rules changed (its ack was lost)
    // is answered as the duplicate it is; anything else they refuse is not applied, the refused
    // fields named in `errors`, and the id stays refused.
    const key = mutationKey(frame);
    const before = this.refusals.get(key);
    if (before || (refused.length > 0 && !this.applied.has(key))) {
      const fields = before ?? refused.sort();
      this.refusals.set(key, fields);
      const { message, errors } = fieldRefusal(room, fields);
      return { type: 'error', replyTo: frame.id, code: 'forbidden', message, room, errors };
    }
    return this.update(user, stored, frame, acceptsPartial);
  }

  private update(
    user: UserProfile,
    stored: Stored,
    frame: EntityUpdateFrame,
    acceptsPartial: boolean,
  ): ServerFrame {
    const key = mutationKey(frame);
    const seen = this.applied.get(key);
    if (seen) {
      const again: AckFrame = {
        ...copy(seen),
        type: 'entity.ack',
        replyTo: frame.id,
        duplicate: true,
      };
      return this.ack(again, acceptsPartial);
    }
    const conflicts = copy(
      findConflicts(stored, frame.fields, frame.baseVersion, historyOf(stored)),
    );
    const room = entityRoom(frame.entityType, frame.entityId);
    if (conflicts.length > 0) {
      const answer = fitConflict(
        {
          type: 'entity.conflict',
          replyTo: frame.id,
          mutationId: frame.mutationId,
          conflicts,
          current: copy(stored.entity),
        },
        LIMITS.maxFrameBytes,
      );
      if (answer) return answer;
      return this.error(
        frame.id,
        'payload_too_large',
        `${conflicts.map((c) => c.field).join(', ')} of ${room} changed meanwhile, and the conflict is too large to send (over ${LIMITS.maxFrameBytes} bytes): read ${room} again and redo the change`,
      );
    }
    // As the server: refused before the CRM backend hears of it.
    const planned = this.plan(stored, frame.fields, user, frame.mutationId, 'client');
    const limit = maxChangeBytes(LIMITS.maxFrameBytes);
    const bytes = planned ? jsonBytes(planned.change) : 0;
    if (bytes > limit) {
      return this.error(
        frame.id,
        'payload_too_large',
        `the change would make an event of ${bytes} bytes; the limit is ${limit}`,
      );
    }
    if (this.backendDown) {
      const down: ServerFrame = {
        type: 'error',
        replyTo: frame.id,
        code: 'backend_unavailable',
        message: 'the CRM did not answer; try again later',
        room,
      };
      if (this.backendDown.retryAfterMs !== undefined) {
        down.retryAfterMs = this.backendDown.retryAfterMs;
      }
      return down;
    }
    const errors = this.validate?.(copy(frame.fields), copy(stored.entity), user);
    if (errors && Object.keys(errors).length > 0) {
      return {
        type: 'entity.rejected',
        replyTo: frame.id,
        mutationId: frame.mutationId,
        errors: copy(errors),
      };
    }
    const kept = this.backendStores?.(copy(frame.fields), copy(stored.entity), user);
    this.apply(stored, { ...frame.fields, ...copy(kept) }, user, frame.mutationId, 'client');
    const answer = {
      type: 'entity.ack' as const,
      mutationId: frame.mutationId,
      entity: copy(stored.entity),
    };
    this.applied.set(key, answer);
    return this.ack({ ...copy(answer), replyTo: frame.id, duplicate: false }, acceptsPartial);
  }

  /**
   * As the server: an ack too large for its entity goes `partial` to a client that accepts it,
   * else it is refused `payload_too_large` (the save stays applied).
   */
  private ack(answer: AckFrame, acceptsPartial: boolean): ServerFrame {
    const fitted = fitAck(answer, LIMITS.maxFrameBytes, acceptsPartial);
    if (fitted) return fitted;
    const room = entityRoom(answer.entity.type, answer.entity.id);
    return this.error(
      answer.replyTo,
      'payload_too_large',
      partialAckRefusal(room, LIMITS.maxFrameBytes),
    );
  }

  /**
   * Apply fields as a new version and publish the change, fitted to the frame limit (the change
   * of a save the CRM backend grew); `undefined` when nothing changes.
   */
  private apply(
    stored: Stored,
    fields: Fields,
    by: UserProfile | undefined,
    mutationId: string | undefined,
    source: 'client' | 'backend' | undefined,
  ): EntityChange | undefined {
    const planned = this.plan(stored, fields, by, mutationId, source);
    if (!planned) return undefined;
    const { change, entity } = planned;
    const recorded: FakeChange = {
      version: entity.version,
      changed: change.changed,
      previous: copy(change.previous),
      at: entity.updatedAt,
    };
    if (by) recorded.by = by;
    stored.changes.push(recorded);
    for (const field of change.changed) stored.fieldVersions[field] = entity.version;
    stored.entity = entity;
    const event = fitChange(copy(change), maxChangeBytes(LIMITS.maxFrameBytes));
    // Larger than any frame: the members keep what they have, as on the server.
    if (event) {
      this.host.publish(entityRoom(entity.type, entity.id), 'entity.change', event, by?.id);
    }
    return copy(change);
  }

  /** The new version `fields` would make and its `entity.change`, without applying anything. */
  private plan(
    stored: Stored,
    fields: Fields,
    by: UserProfile | undefined,
    mutationId: string | undefined,
    source: 'client' | 'backend' | undefined,
  ): { entity: Entity; change: EntityChange } | undefined {
    const current = stored.entity;
    const changed = changedFields(current.fields, fields);
    if (changed.length === 0) return undefined;
    const at = this.host.now();
    const version = current.version + 1;
    const previous: Fields = {};
    const next: Fields = { ...current.fields };
    for (const field of changed) {
      if (hasField(current.fields, field)) previous[field] = current.fields[field]!;
      next[field] = copy(fields[field]!);
    }
    const entity: Entity = {
      type: current.type,
      id: current.id,
      version,
      fields: next,
      updatedAt: at,
    };
    if (by) entity.updatedBy = by;
    const change: EntityChange = {
      entity: copy(entity),
      changed,
      previous: copy(previous),
      source: source ?? (by ? 'client' : 'backend'),
    };
    if (mutationId !== undefined) change.mutationId = mutationId;
    if (by) change.by = by;
    return { entity, change };
  }

  private error(replyTo: string, code: ErrorCode, message: string): ServerFrame {
    return { type: 'error', replyTo, code, message };
  }
}

/** The merge rules' view of the fake's history: the same questions the server's tables answer. */
function historyOf(stored: Stored): HistoryReader {
  return historyOfChanges(stored.changes);
}

/** Where an applied mutation's answer is kept: its entity's room and its id. */
function mutationKey(frame: EntityUpdateFrame): string {
  return `${entityRoom(frame.entityType, frame.entityId)}|${frame.mutationId}`;
}
