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
 *   `duplicate: true`. Conflicts and refusals are not remembered (nothing was applied).
 * - A `baseVersion` ahead of the entity (a client that saw state this server lost) conflicts on
 *   every field it would change, with no base value.
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
  type HistoryReader,
  type RecordedChange,
} from '../domain/merge.js';

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
   * Fields a user may read but not change, as a server's permissions (token claim or
   * authorization callback) make them: listed in the snapshot's `readOnly`, and an update that
   * changes one is refused `forbidden`, like the server does. Default: every field is writable.
   */
  readOnlyFields: ((user: UserProfile, entity: Entity) => readonly string[]) | undefined =
    undefined;

  private readonly stored = new Map<string, Stored>();
  /** Applied mutations by `<type>:<id>|<mutationId>`, with the answer they got. */
  private readonly applied = new Map<string, Omit<AckFrame, 'replyTo' | 'duplicate'>>();

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
  }

  /**
   * The CRM deleted the entity (the HTTP API's `DELETE`): it is forgotten with its mutation ids
   * and `entity.deleted` is published to its room. False when there was no such entity.
   */
  remove(type: string, id: string): boolean {
    const room = entityRoom(type, id);
    if (!this.stored.delete(room)) return false;
    for (const key of this.applied.keys()) if (key.startsWith(`${room}|`)) this.applied.delete(key);
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
  answer(user: UserProfile, frame: EntityGetFrame | EntityUpdateFrame): ServerFrame {
    const room = entityRoom(frame.entityType, frame.entityId);
    const stored = this.stored.get(room);
    const access: EntityAccess = frame.type === 'entity.get' ? 'read' : 'write';
    if (
      !this.host.mayJoin(user, room) ||
      (stored && this.authorize?.(user, stored.entity, access) === false)
    ) {
      return this.error(frame.id, 'forbidden', `may not ${access} ${room}`);
    }
    if (!stored) return this.error(frame.id, 'not_found', `no entity ${room}`);
    const readOnly = [...(this.readOnlyFields?.(user, stored.entity) ?? [])].sort();
    if (frame.type === 'entity.get') {
      const entity = copy(stored.entity);
      return readOnly.length > 0
        ? { type: 'entity.snapshot', replyTo: frame.id, entity, readOnly }
        : { type: 'entity.snapshot', replyTo: frame.id, entity };
    }
    const refused = readOnly.filter((field) => hasField(frame.fields, field));
    if (refused.length > 0) {
      return this.error(
        frame.id,
        'forbidden',
        `not allowed to change ${refused.join(', ')} of ${room}: read-only for you`,
      );
    }
    return this.update(user, stored, frame);
  }

  private update(user: UserProfile, stored: Stored, frame: EntityUpdateFrame): ServerFrame {
    const key = `${entityRoom(frame.entityType, frame.entityId)}|${frame.mutationId}`;
    const seen = this.applied.get(key);
    if (seen) return { ...copy(seen), type: 'entity.ack', replyTo: frame.id, duplicate: true };
    const conflicts = copy(
      findConflicts(stored, frame.fields, frame.baseVersion, historyOf(stored)),
    );
    if (conflicts.length > 0) {
      return {
        type: 'entity.conflict',
        replyTo: frame.id,
        mutationId: frame.mutationId,
        conflicts,
        current: copy(stored.entity),
      };
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
    this.apply(stored, frame.fields, user, frame.mutationId, 'client');
    const answer = {
      type: 'entity.ack' as const,
      mutationId: frame.mutationId,
      entity: copy(stored.entity),
    };
    this.applied.set(key, answer);
    return { ...copy(answer), replyTo: frame.id, duplicate: false };
  }

  /** Apply fields as a new version and publish the change; `undefined` when nothing changes. */
  private apply(
    stored: Stored,
    fields: Fields,
    by: UserProfile | undefined,
    mutationId: string | undefined,
    source: 'client' | 'backend' | undefined,
  ): EntityChange | undefined {
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
      stored.fieldVersions[field] = version;
    }
    const recorded: FakeChange = { version, changed, previous: copy(previous), at };
    if (by) recorded.by = by;
    stored.changes.push(recorded);
    const entity: Entity = {
      type: current.type,
      id: current.id,
      version,
      fields: next,
      updatedAt: at,
    };
    if (by) entity.updatedBy = by;
    stored.entity = entity;
    const change: EntityChange = {
      entity: copy(entity),
      changed,
      previous: copy(previous),
      source: source ?? (by ? 'client' : 'backend'),
    };
    if (mutationId !== undefined) change.mutationId = mutationId;
    if (by) change.by = by;
    this.host.publish(entityRoom(current.type, current.id), 'entity.change', change, by?.id);
    return copy(change);
  }

  private error(replyTo: string, code: ErrorCode, message: string): ServerFrame {
    return { type: 'error', replyTo, code, message };
  }
}

/** The merge rules' view of the fake's history: the same questions the server's tables answer. */
function historyOf(stored: Stored): HistoryReader {
  return {
    firstChangeAfter: (version, field) =>
      stored.changes.find((c) => c.version > version && c.changed.includes(field)),
    changeAt: (version) => stored.changes.find((c) => c.version === version),
  };
}
