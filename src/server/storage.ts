/**
 * Persistence behind an interface. SQLite (`sqlite-storage.ts`) is the default; the methods are
 * asynchronous so a networked database fits the same shape.
 *
 * This foundation persists entities; the tables for entity history, activity and notifications
 * exist (see `migrations.ts`) and get their methods with the issues that use them.
 */
import type { ActivityRepository } from './activity/activity-repository.js';
import type {
  EntityWrite,
  EntityWriteResult,
  StoredChange,
  StoredEntity,
} from './entities/entity-store.js';
import type { NotificationRepository } from './notifications/notification-repository.js';
import type { RevocationStore } from './revocations.js';
import type { ChangeLogRepository } from './webhooks/change-log.js';

export type { StoredEntity } from './entities/entity-store.js';

export interface Storage {
  /**
   * Users whose sessions a backend ended (`revocations.ts`), kept across restarts; absent in a
   * store without them (the server keeps them in memory then).
   */
  readonly revocations?: RevocationStore;
  /** Highest migration applied. */
  readonly schemaVersion: number;
  /**
   * The newest migration this build carries. Below `schemaVersion` when a newer release migrated
   * the database (a rollback, or old processes during a rolling upgrade).
   */
  readonly knownSchemaVersion: number;
  getEntity(type: string, id: string): Promise<StoredEntity | undefined>;
  /**
   * Inserts or replaces an entity as given, silently (no version check, no history): every field
   * counts as changed at the entity's version. For seeding; live changes go through `writeEntity`.
   */
  putEntity(entity: StoredEntity): Promise<void>;
  /** Entities of one type ordered by id, one page, and how many there are in all. */
  listEntities(
    type: string,
    page: { limit: number; offset: number },
  ): Promise<{ items: StoredEntity[]; total: number }>;
  /** Entities of every type. */
  countEntities(): Promise<number>;
  /**
   * Applies one write atomically (see `entities/merge.ts` for the rules): a known mutation id is
   * answered as before, a conflict changes nothing, otherwise a new version, its history row and
   * the mutation's answer commit together before the promise resolves. Committed means visible
   * to every later read; durable (on disk, surviving a power loss) only once
   * `entityWritesDurable` resolves, when the store has it.
   */
  writeEntity(write: EntityWrite): Promise<EntityWriteResult>;
  /**
   * Resolves once every `writeEntity` that has resolved so far is on disk; rejects when the flush
   * failed. For a store whose commits flush on their own time (SQLite: the WAL's fsync runs off the
   * event loop, shared by the saves made meanwhile), so a change can be fanned out before its
   * flush while the writer's answer waits for it. Absent: `writeEntity` resolves only once durable.
   */
  entityWritesDurable?(): Promise<void>;
  /**
   * The fields a mutation id of the entity was refused for (its writer's field rules; see
   * `EntityWrite.refusedFields`), or undefined when it never was: a write that another store
   * hears of first (write-through's CRM backend) asks before.
   */
  mutationRefusal(
    type: string,
    id: string,
    mutationId: string,
  ): Promise<readonly string[] | undefined>;
  /** Recorded changes of one entity after `sinceVersion`, oldest first, at most `limit`. */
  entityChanges(
    type: string,
    id: string,
    sinceVersion?: number,
    limit?: number,
  ): Promise<StoredChange[]>;
  /**
   * Retention of entity history: deletes recorded changes and mutation answers from before
   * `cutoff` (epoch ms); resolves to how many of each went. Entities themselves stay.
   */
  pruneEntityHistory?(cutoff: number): Promise<{ changes: number; mutations: number }>;
  /**
   * Deletes an entity and every stored copy of its field values, in one transaction: its row, its
   * change history, its mutation answers and its `entity.change` rows in the change log (pending
   * webhook deliveries of it included). Activity items and notifications about it stay (see
   * docs/protocol.md, "Deleting a record"). Resolves to whether the entity existed; committed and
   * durable when it resolves. A write of it waiting meanwhile then finds no entity (`not_found`),
   * unless it creates one (a backend's `PUT`), which starts a fresh record at version 1.
   */
  deleteEntity(type: string, id: string): Promise<boolean>;
  /** Notifications and each recipient's read state, when this store keeps them. */
  readonly notifications?: NotificationRepository;
  /** The activity log, when this store keeps it. */
  readonly activity?: ActivityRepository;
  /**
   * Every accepted change in commit order, written in each change's own transaction, with its
   * webhook delivery state (see `webhooks/change-log.ts`); when this store keeps it.
   */
  readonly changes?: ChangeLogRepository;
  /**
   * Resolves once the store can serve (a networked database: connected and migrated); rejects
   * when it cannot. Absent: ready when constructed. The server listens only after it.
   */
  readonly ready?: Promise<void>;
  /** Cheap liveness probe for `/healthz`. */
  healthy(): boolean;
  close(): Promise<void>;
}
