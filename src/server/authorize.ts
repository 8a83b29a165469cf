/**
 * The authorization hook: may this user join this room or emit into it, and read or write this
 * entity? A refusal is answered with `forbidden` and nothing of the room reaches the client.
 *
 * Which calls an action takes (all must say yes; the first no stops):
 *
 * | action                         | hook calls                                      |
 * |--------------------------------|-------------------------------------------------|
 * | join a room                    | `join` (+ `read` when the room names an entity) |
 * | emit into a room               | `emit`                                          |
 * | `entity.get`                   | `join` and `read` of the entity's room          |
 * | `entity.update`                | `join`, `read` and `write` of the entity's room |
 * | `emit(…, 'notification', …)`   | `notify` of the target's room (`user:<id>` …)   |
 * | join an entity's feed          | `join` of the feed (`activity:customer:42`),    |
 * |                                | then `join` and `read` of the entity's room     |
 * | `activity.list`                | as joining the feed's room (`activity:<feed>`)  |
 * | an activity item or a          | `join` and `read` of the entity's room, once    |
 * | notification about an entity,  | per connection and entity (only with a hook of  |
 * | in a room naming no entity     | the server's own or a callback)                 |
 *
 * A room "names an entity" when it has the shape `<type>:<id>` of an entity room (`customer:42`),
 * and the request then carries `entity: { type, id }`. So a hook that refuses `read` of an entity
 * also keeps its live changes away, its activity feed, and its items in the global feed, a
 * user's feed and notifications; and a hook written before entities existed (one that only looks
 * at `join`) still guards the entities of the rooms it refuses.
 */
import * as z from 'zod/mini';
import {
  EntityId,
  EntityType,
  entityRoom,
  feedRoom,
  type ErrorCode,
  type UserProfile,
} from '../protocol/index.js';

export interface AuthorizeRequest {
  user: UserProfile;
  room: string;
  /**
   * `join` and `emit` are about the room; `read` and `write` about the entity it names; `notify`
   * about sending a notification to the room (a user target asks about `user:<id>`).
   */
  action: 'join' | 'emit' | 'read' | 'write' | 'notify';
  /** The entity, for `read` and `write`, and for a `join` of a room named like an entity. */
  entity?: { type: string; id: string };
  /**
   * For `notify` of a user target (`user:<id>`) by a connection: whether that user is present
   * (presence, leave grace included) in a room the sender's connection has joined.
   */
  sharesRoom?: boolean;
  /**
   * On the questions of a `join` with `watch` (a list row following a record's people), and on
   * the `emit`s of a connection that only watches the room: it hears the room as a member does
   * but is not shown there. A hook that lets users follow records they may not be seen on answers
   * `join` differently for it (a switch to a member join asks again without it), and may refuse
   * a watcher's emits, which would otherwise come from someone nobody sees in the room.
   */
  watch?: true;
}

export type AuthorizeHook = (request: AuthorizeRequest) => boolean | Promise<boolean>;

/**
 * Thrown (or rejected) by a hook that cannot decide now, because what it asks (the CRM's backend)
 * did not answer. The request is refused for now with `backend_unavailable`, which clients retry,
 * not `forbidden`, which they take as final: a backend's outage must not make users drop their
 * edits as if they were not allowed. The authorization callback throws it when it fails.
 */
export class AuthorizationUnavailable extends Error {
  override name = 'AuthorizationUnavailable';
  /**
   * When what the hook asks takes questions again, in ms, when it said so (the `Retry-After` of
   * the callback's 503 or 429): the refusal names it (`retryAfterMs`), so the client waits that
   * long rather than guessing. Undefined when it is not known.
   */
  retryAfterMs?: number | undefined;
}

/**
 * Not asked because the user asked too much (the authorization callback's per-user bound): the
 * request is refused for now with `rate_limited`, which clients retry, after `retryAfterMs` when
 * the bound says when it takes a question again (its token bucket), else with backoff. An
 * `AuthorizationUnavailable`, so everything that takes a hook that cannot decide now as "not now"
 * (a join joined again later, a save kept, an item not sent but asked about again) does so here.
 */
export class AuthorizationRateLimited extends AuthorizationUnavailable {
  override name = 'AuthorizationRateLimited';
}

/** How long the server's own hook may take to answer before it counts as unavailable. */
export const DEFAULT_AUTHORIZE_HOOK_TIMEOUT_MS = 5000;

/**
 * The server's own hook with a deadline: a promise not settled within `timeoutMs` rejects with
 * `AuthorizationUnavailable` (answered `backend_unavailable`, which clients retry). While a hook
 * decides, the connection's later frames wait behind it; one that never settles (a database query
 * without a timeout) would otherwise hold the connection's saves, joins and presence for as long
 * as the socket lives, with pings still answered, so the client never gives up on it either.
 * Answers given at once (`true`, `false`) pass untouched.
 */
export function boundedHook(
  hook: AuthorizeHook,
  timeoutMs: number,
  clock: {
    setTimeout(fn: () => void, ms: number): unknown;
    clearTimeout(handle: unknown): void;
  },
  onTimeout?: (request: AuthorizeRequest) => void,
): AuthorizeHook {
  return (request) => {
    const verdict = hook(request);
    if (typeof verdict === 'boolean') return verdict;
    return new Promise<boolean>((resolve, reject) => {
      const timer = clock.setTimeout(() => {
        onTimeout?.(request);
        reject(
          new AuthorizationUnavailable(`the authorize hook did not answer within ${timeoutMs} ms`),
        );
      }, timeoutMs);
      Promise.resolve(verdict).then(
        (ok) => {
          clock.clearTimeout(timer);
          resolve(ok);
        },
        (err: unknown) => {
          clock.clearTimeout(timer);
          reject(err);
        },
      );
    });
  };
}

interface RefusalExtra {
  replyTo?: string | undefined;
  room?: string | undefined;
  retryAfterMs?: number;
}

/**
 * Answers a request the hook did not allow. `failure` is what the hook threw or rejected with
 * (undefined for a plain no): `AuthorizationRateLimited` is answered `rate_limited`, another
 * `AuthorizationUnavailable` `backend_unavailable`, both with its `retryAfterMs` when known;
 * anything else, like a no, `forbidden` with `message`.
 */
export function sendRefusal(
  connection: {
    sendError(code: ErrorCode, message: string, extra?: RefusalExtra): void;
  },
  failure: unknown,
  message: string,
  extra: RefusalExtra,
): void {
  if (failure instanceof AuthorizationUnavailable) {
    const limited = failure instanceof AuthorizationRateLimited;
    connection.sendError(
      limited ? 'rate_limited' : 'backend_unavailable',
      `could not check permissions: ${failure.message}; retry${limited ? ' later' : ''}`,
      failure.retryAfterMs === undefined ? extra : { ...extra, retryAfterMs: failure.retryAfterMs },
    );
    return;
  }
  connection.sendError('forbidden', message, extra);
}

/**
 * Everything is allowed except the private `user:<id>` rooms of other users. Notifications: a
 * user may notify themselves and the people who share a room with them right now (someone looking
 * at the same customer, say); notifying anyone else takes a hook that knows the team (a CRM's own
 * directory). Rooms and entities are notified only from inside them (the notification handler
 * checks that). Backends with an API key are trusted and not asked.
 */
export const defaultAuthorize: AuthorizeHook = ({ user, room, action, sharesRoom }) => {
  if (action === 'notify') {
    if (!room.startsWith('user:')) return true;
    return room === `user:${user.id}` || sharesRoom === true;
  }
  if (room.startsWith('user:')) return room === `user:${user.id}`;
  return true;
};

/** The entity a room stands for, when its name has the shape `<type>:<id>`. */
export function entityOfRoom(room: string): { type: string; id: string } | undefined {
  const colon = room.indexOf(':');
  if (colon <= 0) return undefined;
  const type = room.slice(0, colon);
  const id = room.slice(colon + 1);
  if (!z.safeParse(EntityType, type).success || !z.safeParse(EntityId, id).success)
    return undefined;
  return { type, id };
}

/** What the room of a customer's feed starts with (`activity:customer:`). */
const CUSTOMER_FEED = feedRoom({ kind: 'customer', entityId: '' });

/** The entity whose activity feed the room is (`activity:customer:42`), if it is one. */
export function entityOfFeedRoom(room: string): { type: string; id: string } | undefined {
  if (!room.startsWith(CUSTOMER_FEED)) return undefined;
  const id = room.slice(CUSTOMER_FEED.length);
  return z.safeParse(EntityId, id).success ? { type: 'customer', id } : undefined;
}

/**
 * Asks the hook everything `action` on `room` needs (see the table above); each question of a
 * `join` with `watch`, or an `emit` of a watcher, says so. Synchronous when the hook is; a hook
 * that throws or rejects propagates to the caller, which refuses.
 */
export function authorizeAction(
  hook: AuthorizeHook,
  user: UserProfile,
  action: AuthorizeRequest['action'],
  room: string,
  watch?: boolean,
): boolean | Promise<boolean> {
  // The hot path (every emit) asks one question and needs no entity: skip parsing the room name.
  if (action === 'emit') {
    return allOf(hook, [watch ? { user, room, action, watch: true } : { user, room, action }], 0);
  }
  const entity = entityOfRoom(room);
  const ask = (a: AuthorizeRequest['action']): AuthorizeRequest =>
    entity && a !== 'emit' ? { user, room, action: a, entity } : { user, room, action: a };
  let requests: AuthorizeRequest[];
  if (action === 'join') {
    requests = entity ? [ask('join'), ask('read')] : [ask('join')];
    // Whoever may watch an entity's feed sees its changes: it takes reading the entity.
    const fed = entity ? undefined : entityOfFeedRoom(room);
    if (fed) {
      const of = entityRoom(fed.type, fed.id);
      requests.push(
        { user, room: of, action: 'join', entity: fed },
        { user, room: of, action: 'read', entity: fed },
      );
    }
    if (watch) requests = requests.map((request) => ({ ...request, watch: true }));
  } else if (action === 'write' && entity) {
    // A save's answers (its ack, a conflict's current values) carry the entity: writing it takes
    // reading it, or a hook allowing `write` alone would show the record to a user refused `read`.
    requests = [ask('join'), ask('read'), ask('write')];
  } else {
    requests = [ask('join'), ask(action)];
  }
  return allOf(hook, requests, 0);
}

function allOf(
  hook: AuthorizeHook,
  requests: readonly AuthorizeRequest[],
  from: number,
): boolean | Promise<boolean> {
  for (let i = from; i < requests.length; i++) {
    const verdict = hook(requests[i]!);
    if (verdict === true) continue;
    if (verdict === false) return false;
    return Promise.resolve(verdict).then((ok) =>
      ok === true ? allOf(hook, requests, i + 1) : false,
    );
  }
  return true;
}
