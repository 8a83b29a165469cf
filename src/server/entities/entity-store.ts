/**
 * The shapes the entity methods of `Storage` take and give: one write (an update from a client, or
 * a backend's change), its outcome, and the history rows that make conflicts explainable.
 */
import type {
  Entity,
  EntityChange,
  FieldConflict,
  Fields,
  UserProfile,
} from '../../protocol/index.js';

/** A CRM record as the live-data capability sees it. */
export interface StoredEntity {
  type: string;
  id: string;
  /** Increases by one with every accepted change. */
  version: number;
  fields: Record<string, unknown>;
  /** Epoch milliseconds. */
  updatedAt: number;
  /** User id of the last writer, if a user wrote it. */
  updatedBy: string | null;
  /** The last writer's profile, when known (live-data writes record it). */
  updatedByProfile?: UserProfile;
}

/** An entity with the version at which each of its fields last changed. */
export interface StoredEntityState {
  entity: StoredEntity;
  /** Field name → version of its last change. A field missing here counts as version 0. */
  fieldVersions: Record<string, number>;
}

/** One accepted change, as recorded in `entity_changes`. */
export interface StoredChange {
  type: string;
  id: string;
  /** The version this change produced. */
  version: number;
  /** Field names whose value changed. */
  changed: string[];
  /** Their values before (a field absent before is absent here). */
  previous: Fields;
  /** Their values after. */
  next: Fields;
  by?: UserProfile;
  at: number;
  mutationId?: string;
  source: 'client' | 'backend';
}

export interface EntityWrite {
  type: string;
  id: string;
  fields: Fields;
  /**
   * The version the writer based its change on: fields changed after it conflict. Undefined for
   * a backend's last-writer-wins write, which never conflicts.
   */
  baseVersion?: number | undefined;
  /** Applied once: a repeated id is answered with the entity it got the first time. */
  mutationId?: string | undefined;
  /**
   * Fields of this write its writer may not change (their field rules): the write is `refused`,
   * nothing applied, unless its mutation id was applied before, which is answered as the
   * `duplicate` it is. The rules may have changed since it was applied (its ack was lost); the
   * value is stored, and telling the writer otherwise would have them redo a kept save. Checked
   * after the duplicate check, in the write's own transaction (under the entity's lock), not by
   * a lookup before it: a first apply of the same id that is under way commits before this check
   * reads the mutation answers, so the replay is never refused while its value is being stored.
   *
   * The refusal is the mutation id's answer from then on, stored as an applied write's is (see
   * `refusalAnswer`): a first apply of the same id arriving after it (the original frame, held
   * by the authorization hook or on another process while its replay was refused, under the
   * rules of the connection it came on) is refused too, never applied after the writer was told
   * "not saved" and sent the rest as a new change. A mutation id stays one content, one answer.
   */
  refusedFields?: readonly string[] | undefined;
  by?: UserProfile | undefined;
  source: 'client' | 'backend';
  at: number;
  /** Create the entity (version 1) when it does not exist; otherwise `not_found`. */
  create?: boolean | undefined;
  /** `fields` is the whole record: stored fields it leaves out are set to null. */
  replace?: boolean | undefined;
  /** Refuse a change whose `entity.change` payload would serialize to more bytes. */
  maxChangeBytes?: number | undefined;
  /**
   * Runs inside the write's transaction once a new version and its history row are in, for what
   * must commit with the change or not at all (its activity item). Synchronous, on the same
   * database; when it throws, the whole write rolls back and the promise rejects.
   */
  inTransaction?: ((change: StoredChange, entity: StoredEntity) => void) | undefined;
}

export type EntityWriteResult =
  | {
      outcome: 'applied';
      entity: StoredEntity;
      /** Undefined when no field changed (no new version). */
      change: StoredChange | undefined;
      created: boolean;
      /**
       * UTF-8 bytes of the answer to a retry of its mutation id this write stored (the entity as
       * JSON, `toEntity`), measured on the text written, so what it cost can be charged without
       * serializing the entity again; undefined when it stored none (no mutation id).
       */
      answerBytes?: number | undefined;
    }
  /** The mutation id was applied before; `entity` is what that write answered. */
  | { outcome: 'duplicate'; entity: Entity }
  /**
   * `refusedFields` named a field and the mutation id was never applied, or the id was refused
   * before: nothing applied; `fields` are the refused ones (those of the first refusal).
   */
  | { outcome: 'refused'; fields: readonly string[] }
  | { outcome: 'conflict'; conflicts: FieldConflict[]; current: StoredEntity }
  | { outcome: 'not_found' }
  | { outcome: 'too_large'; bytes: number; limit: number };

/**
 * A replacing write (`replace`) over the stored state: stored fields it leaves out become null
 * (fields are never deleted). Shared by every store so the rule has one home.
 */
export function withClearedFields(write: EntityWrite, state: StoredEntityState): EntityWrite {
  const fields: Fields = {};
  for (const field of Object.keys(state.entity.fields)) fields[field] = null;
  return { ...write, fields: Object.assign(fields, write.fields) };
}

/** The protocol's view of a stored entity. */
export function toEntity(stored: StoredEntity): Entity {
  const entity: Entity = {
    type: stored.type,
    id: stored.id,
    version: stored.version,
    fields: stored.fields as Fields,
    updatedAt: stored.updatedAt,
  };
  if (stored.updatedByProfile) entity.updatedBy = stored.updatedByProfile;
  else if (stored.updatedBy) entity.updatedBy = { id: stored.updatedBy, name: stored.updatedBy };
  return entity;
}

/** The `entity.change` event payload of a recorded change. */
export function toEntityChange(change: StoredChange, entity: StoredEntity): EntityChange {
  const payload: EntityChange = {
    entity: toEntity(entity),
    changed: change.changed,
    previous: change.previous,
    source: change.source,
  };
  if (change.mutationId !== undefined) payload.mutationId = change.mutationId;
  if (change.by) payload.by = change.by;
  return payload;
}
