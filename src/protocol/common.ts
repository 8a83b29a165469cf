/**
 * Building blocks shared by every frame: identifiers, room names, people and limits.
 * zod/mini keeps the browser bundle small; the server uses the same schemas.
 */
import * as z from 'zod/mini';
import {
  AVATAR_URL_PATTERN,
  EVENT_NAME_PATTERN,
  ROOM_NAME_PATTERN,
  USER_ID_PATTERN,
} from './patterns.js';

export { ACCEPTS_PARTIAL_ACK, LIMITS, PRESENCE_LISTED, PROTOCOL_VERSION } from './constants.js';

/** Request ids correlate a request with its answer (`replyTo`). Chosen by the client. */
export const RequestId = z.string().check(z.minLength(1), z.maxLength(64));

/** A user id as the server knows it (the JWT `sub`): at most 128 characters, none of them control. */
export const UserId = z.string().check(z.minLength(1), z.maxLength(128), z.regex(USER_ID_PATTERN));

/**
 * Room names are `kind:id` or `kind:path`, e.g. `customer:42`, `page:/customers`: letters, digits
 * and `_ - . : / @ #` only. A user's own rooms (`user:<id>`, `activity:user:<id>`) take any user
 * id instead, so every subject the handshake accepts can be served. At most 200 characters.
 */
export const RoomName = z
  .string()
  .check(z.minLength(1), z.maxLength(200), z.regex(ROOM_NAME_PATTERN));
export type RoomName = z.infer<typeof RoomName>;

/** Event names of the generic broadcast, e.g. `cursor` or `typing`. */
export const EventName = z
  .string()
  .check(z.minLength(1), z.maxLength(64), z.regex(EVENT_NAME_PATTERN));

/**
 * Avatar URLs are rendered as `<img src>`; only `https:`, `http:` and `data:image/` are accepted.
 */
export const AvatarUrl = z.string().check(z.maxLength(2048), z.regex(AVATAR_URL_PATTERN));

/** Who someone is, as the server vouches for them. */
export const UserProfile = z.object({
  id: UserId,
  name: z.string().check(z.minLength(1), z.maxLength(128)),
  avatarUrl: z.optional(AvatarUrl),
});
export type UserProfile = z.infer<typeof UserProfile>;

/** Presence state of one person: `away` after idle time or a hidden tab. */
export const PresenceStatus = z.enum(['online', 'away', 'offline']);
export type PresenceStatus = z.infer<typeof PresenceStatus>;

/** What someone does in a room: looking at it, or editing one named field. */
export const Activity = z.union([
  z.object({ kind: z.literal('viewing') }),
  z.object({
    kind: z.literal('editing'),
    field: z.string().check(z.minLength(1), z.maxLength(128)),
  }),
]);
export type Activity = z.infer<typeof Activity>;

/**
 * One person in a room, aggregated over all their connections (tabs and devices).
 * `status` is the most present of their connections; `activity` the most recent editing one.
 */
export const Person = z.object({
  user: UserProfile,
  status: PresenceStatus,
  activity: Activity,
  /** Open connections (tabs) this person has in the room. */
  connections: z.number().check(z.int(), z.nonnegative()),
  /** Distinct devices (client ids) among those connections. */
  devices: z.number().check(z.int(), z.nonnegative()),
  /** Epoch milliseconds of the first connection in this presence. */
  since: z.number(),
  /** Epoch milliseconds of the last change of status or activity. */
  updatedAt: z.number(),
  /** In a call (`<crm-huddle>`) on this room from one of their connections; absent: not. */
  inCall: z.optional(z.boolean()),
});
export type Person = z.infer<typeof Person>;

/** What `Json` accepts: a string, a finite number, a boolean, null, an array or a plain object of those. */
export type JsonValue = z.core.util.JSONType;

/**
 * Whether `value` is JSON, walked with a stack (no recursion) and no copy. `z.json()` checked the
 * same as a union tried option by option at every value, allocating an issue for each option that
 * did not match: a 30 KB emit of 3,000 `[[[[1]]]]` took 13 ms to check, so one user's four
 * sockets at the frame rate held the event loop for a second at a time.
 */
function isJsonValue(value: unknown): boolean {
  if (!isJsonEntry(value)) return false;
  if (typeof value !== 'object' || value === null) return true;
  // A value handed over in process (not parsed from a frame) may hold itself, which no JSON text
  // can: a walk that did not look would never end. Looking costs each object a set's add and
  // delete, so only a value nested past what a frame may be (a cycle is nested without end) is
  // walked again, looking.
  return walk(value, CYCLE_CHECK_DEPTH) ?? walk(value, Infinity, new Set()) === true;
}

/** Nesting from which `Json` looks for a cycle: far past the depth a frame may have. */
const CYCLE_CHECK_DEPTH = 1024;

/**
 * Walks `root`'s members: true when all are JSON, false at the first that is not; undefined when
 * nested deeper than `maxDepth`. With `path` (the objects being walked, from `root` down), an
 * object among its own members is refused.
 */
function walk(root: object, maxDepth: number, path?: Set<object>): boolean | undefined {
  // Each object stays on the stack under its members; met again at the top, it is left.
  const stack: object[] = [root];
  const depths: number[] = [0];
  while (stack.length > 0) {
    const v = stack.pop()!;
    const depth = depths.pop()! + 1;
    if (depth < 0) {
      path?.delete(v);
      continue;
    }
    if (depth > maxDepth) return undefined;
    if (path) {
      path.add(v);
      stack.push(v);
      depths.push(-2);
    }
    let members: unknown[];
    if (Array.isArray(v)) {
      members = v;
    } else {
      const proto = Object.getPrototypeOf(v) as unknown;
      if (proto !== Object.prototype && proto !== null) return false;
      // A symbol can name no member of JSON text; z.json() refused one that was enumerable.
      for (const key of Object.getOwnPropertySymbols(v)) {
        if (Object.prototype.propertyIsEnumerable.call(v, key)) return false;
      }
      members = Object.values(v);
    }
    // Index by index, so an array's hole (undefined) is refused like any undefined.
    for (let i = 0; i < members.length; i++) {
      const item: unknown = members[i];
      if (!isJsonEntry(item)) return false;
      if (typeof item !== 'object' || item === null) continue;
      if (path?.has(item)) return false;
      stack.push(item);
      depths.push(depth);
    }
  }
  return true;
}

/** A JSON scalar, or an object still to be walked (its members are checked when it is). */
function isJsonEntry(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'object':
      return true;
    case 'number':
      return Number.isFinite(value);
    default:
      return false;
  }
}

/**
 * Any JSON value; used for free-form payloads. Its JSON Schema is written by
 * `scripts/write-schema.ts` (`JSON_VALUE_SCHEMA`), as `z.json()` would have it.
 */
export const Json = z.custom<JsonValue>(isJsonValue, 'expected a JSON value');
