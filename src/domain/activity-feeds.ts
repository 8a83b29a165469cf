/**
 * Which feeds an activity item belongs to, and what an appended item holds. The reference server
 * (`src/server/activity/`) and the fake server (`src/testing/`) both use these rules, so the fake
 * cannot file an item in a feed the server would not.
 *
 * - An item is in the global feed, in its actor's feed and in its customer's feed.
 * - Its customer is the input's `customerId` when given, else the entity itself when the entity
 *   is a customer (a call or a meeting names its customer; `activityOfChange` does so).
 * - A filter passes an item when the item's kind is among `kinds` and its actor among `actors`;
 *   an empty or absent list passes every item.
 */
import type { ActivityFilter, ActivityInput, ActivityItem, FeedRef } from '../protocol/index.js';

/** An item as appended: the input's fields, its customer resolved, stamped `at`; no id yet. */
export type ActivityDraft = Omit<ActivityItem, 'id'>;

/** The item to append for an input, at `at`. */
export function activityDraft(input: ActivityInput, at: number): ActivityDraft {
  const item: ActivityDraft = { kind: input.kind, at };
  if (input.actor !== undefined) item.actor = input.actor;
  if (input.entity !== undefined) item.entity = input.entity;
  const customerId =
    input.customerId ?? (input.entity?.type === 'customer' ? input.entity.id : undefined);
  if (customerId !== undefined) item.customerId = customerId;
  if (input.changes !== undefined) item.changes = input.changes;
  if (input.summary !== undefined) item.summary = input.summary;
  return item;
}

/** The feeds an item belongs to: global, its actor's, its customer's. */
export function feedsOf(item: Pick<ActivityItem, 'actor' | 'customerId'>): FeedRef[] {
  const feeds: FeedRef[] = [{ kind: 'global' }];
  if (item.actor) feeds.push({ kind: 'user', userId: item.actor.id });
  if (item.customerId !== undefined) feeds.push({ kind: 'customer', entityId: item.customerId });
  return feeds;
}

/** Does an item belong to a feed? */
export function inFeed(item: Pick<ActivityItem, 'actor' | 'customerId'>, feed: FeedRef): boolean {
  switch (feed.kind) {
    case 'global':
      return true;
    case 'user':
      return item.actor?.id === feed.userId;
    case 'customer':
      return item.customerId === feed.entityId;
  }
}

/** Does an item pass a feed's filter (kinds and actors; empty lists mean all)? */
export function passesFilter(
  item: Pick<ActivityItem, 'kind' | 'actor'>,
  filter: ActivityFilter | undefined,
): boolean {
  if (filter?.kinds?.length && !filter.kinds.includes(item.kind)) return false;
  if (filter?.actors?.length && !(item.actor && filter.actors.includes(item.actor.id))) {
    return false;
  }
  return true;
}
