/**
 * What an outbox store is: the shape of a waiting change as stored, and the storage interface the
 * outbox, `IndexedDbOutboxStore` and the client options share. Types only, importing nothing of the
 * client, so the store implementations and the options need not import the outbox itself.
 */
import type { Fields } from '../../protocol/index.js';

/** One waiting change, as stored. */
export interface OutboxEntry {
  /** The store's auto-increment key: replay order. */
  seq: number;
  mutationId: string;
  entityType: string;
  entityId: string;
  /** The version the change was based on; `undefined` when the entity had not been loaded. */
  baseVersion: number | undefined;
  fields: Fields;
  /** The values the user saw for these fields when making the change (tells stale from real conflicts). */
  seen?: Fields;
  /**
   * Values of the same save the server's field rules refused (read-only for the user since the
   * edit): not sent again, kept so the page opened after a reload or a closed tab still shows
   * them as not saved, with the user's values, until the rest of the save is answered. Absent in
   * entries stored before it existed, and where nothing was refused.
   */
  refused?: Fields;
  createdAt: number;
  /** Who made it: a change is only replayed for the same user. */
  userId: string | undefined;
  /**
   * The page that holds it (see `OutboxOwner` in `outbox.ts`): once that page is gone, a page whose
   * connection opens sends it. Absent where there are no Web Locks.
   */
  owner?: string;
}

export type NewOutboxEntry = Omit<OutboxEntry, 'seq'>;

/** Where outbox entries live. Operations are called one at a time, in order. */
export interface OutboxStore {
  /** Survives a closed tab. */
  readonly persistent: boolean;
  /** Every entry, in `seq` order. */
  load(): Promise<OutboxEntry[]>;
  /** Append; resolves with the new `seq` once stored. */
  add(entry: NewOutboxEntry): Promise<number>;
  /** Replace the entry with the same `seq`. */
  put(entry: OutboxEntry): Promise<void>;
  delete(seq: number): Promise<void>;
  /** Release resources (a database connection); later operations reopen. */
  close?(): void;
  /**
   * Calls `listener` when the store lost what it held while open (its database was deleted: the
   * user cleared the site's data). The outbox then writes again the entries it holds.
   */
  onLost?(listener: () => void): void;
}
