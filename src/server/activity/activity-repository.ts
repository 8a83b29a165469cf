/**
 * Where the activity log is kept: append-only items, read as feeds (global, an actor's, a
 * customer's), newest first, filtered by kinds and actors, paged by row number.
 *
 * Asynchronous like `Storage`, so a networked database fits the same shape.
 */
import type { ActivityFilter, ActivityItem, FeedRef } from '../../protocol/index.js';

/** An item to append: the log assigns `id`. */
export type NewActivity = Omit<ActivityItem, 'id'>;

export interface ActivityPage {
  /** Newest first. */
  items: ActivityItem[];
  /** Row number of the oldest item, when older matching ones exist. */
  next: number | undefined;
}

export interface ActivityRepository {
  /** Appends an item; resolves to it with its id. */
  append(item: NewActivity): Promise<ActivityItem>;
  /**
   * Appends an item synchronously, inside whatever transaction the caller has open on the same
   * database (an entity change's, so the two commit together). Only logs that can join such a
   * transaction have it.
   */
  appendNow?(item: NewActivity): ActivityItem;
  /** A feed's items older than row `before` (from the newest when undefined), newest first. */
  page(
    feed: FeedRef,
    filter: ActivityFilter | undefined,
    before: number | undefined,
    limit: number,
  ): Promise<ActivityPage>;
  /**
   * Retention: deletes items older than `cutoff` (when given) and all but the newest `keepRows`
   * (when given). Resolves to how many went.
   */
  prune(options: { cutoff?: number | undefined; keepRows?: number | undefined }): Promise<number>;
  /** Time of the newest item (0 when none), so new ones never sort before it. */
  newestTime(): Promise<number>;
  /** Items in the log. */
  count(): Promise<number>;
}
