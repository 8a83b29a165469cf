/**
 * Persistence behind an interface. SQLite (`sqlite-storage.ts`) is the default; the methods are
 * asynchronous so a networked database fits the same shape.
 *
 * This foundation persists entities; the tables for entity history, activity and notifications
 * exist (see `migrations.ts`) and get their methods with the issues that use them.
 */

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
}

export interface Storage {
  /** Highest migration applied. */
  readonly schemaVersion: number;
  getEntity(type: string, id: string): Promise<StoredEntity | undefined>;
  /** Inserts or replaces an entity as given (no version check: the live-data issue adds that). */
  putEntity(entity: StoredEntity): Promise<void>;
  /** Cheap liveness probe for `/healthz`. */
  healthy(): boolean;
  close(): Promise<void>;
}
