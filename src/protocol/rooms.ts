/**
 * The names of the rooms the capabilities join, without zod: the browser client's stores name
 * their rooms with these, and an app's bundler must not bundle the schemas for that (the npm build
 * keeps one module per source module, so a helper in a schema module brings the schemas along).
 * `activity.ts`, `entities.ts` and `notifications.ts` re-export them.
 */

/**
 * A feed, as `activity.ts`'s `FeedRef` schema describes it; written out here so that this module
 * imports nothing (the schema module re-exports `feedRoom`, and importing its type back would make
 * a cycle).
 */
export type FeedRoomRef =
  { kind: 'global' } | { kind: 'user'; userId: string } | { kind: 'customer'; entityId: string };

/** The room of an entity. */
export function entityRoom(type: string, id: string): string {
  return `${type}:${id}`;
}

/** The personal room every connection of a user may join for its notifications. */
export function userRoom(userId: string): string {
  return `user:${userId}`;
}

/** The room that carries a feed's live tail. */
export function feedRoom(feed: FeedRoomRef): string {
  switch (feed.kind) {
    case 'global':
      return 'activity:global';
    case 'user':
      return `activity:user:${feed.userId}`;
    case 'customer':
      return `activity:customer:${feed.entityId}`;
  }
}
