/**
 * The browser client's checks of the frames every page receives (handshake, rooms, room events,
 * presence, errors, heartbeat), without zod: the schemas in `frames.ts` and `common.ts` stay the
 * definition (the server and the fake parse with them), and these few lines accept and return
 * exactly what they do, so `RealtimeClient` alone does not load a schema library (about 10 KB of
 * gzip). test/node/protocol/server-frame-checks.test.ts holds the two to agreement on a corpus.
 * Frames of the other capabilities (entities, notifications, activity) are parsed with their zod
 * schemas, which load with the capability.
 *
 * A check returns a copy holding only the known keys (as zod's objects do) or throws a
 * `FrameProblem` naming the path that failed.
 */
import { ERROR_CODES } from './errors.js';
import {
  AVATAR_URL_PATTERN,
  EVENT_NAME_PATTERN,
  ROOM_NAME_PATTERN,
  USER_ID_PATTERN,
} from './patterns.js';

/** Why a frame failed its check, with the path of the value at fault. */
export class FrameProblem extends Error {}

/** Checks a value at `path` and returns what the frame carries there. */
export type Check<T = unknown> = (value: unknown, path: string) => T;

const fail = (path: string, expected: string): never => {
  throw new FrameProblem(`${expected} expected at ${path || 'the frame'}`);
};

export const string =
  (min: number, max: number, pattern?: RegExp): Check<string> =>
  (v, path) =>
    typeof v === 'string' && v.length >= min && v.length <= max && (!pattern || pattern.test(v))
      ? v
      : fail(path, 'a valid string');

const number =
  (min = -Infinity, int = false): Check<number> =>
  (v, path) =>
    typeof v === 'number' && Number.isFinite(v) && v >= min && (!int || Number.isInteger(v))
      ? v
      : fail(path, int ? 'an integer' : 'a number');

const oneOf =
  <T extends string>(values: readonly T[]): Check<T> =>
  (v, path) =>
    values.includes(v as T) ? (v as T) : fail(path, `one of ${values.join(', ')}`);

const boolean: Check<boolean> = (v, path) => (typeof v === 'boolean' ? v : fail(path, 'a boolean'));

/** Any JSON value: what `JSON.parse` returned is one, as long as it is there. */
const json: Check = (v, path) => (v === undefined ? fail(path, 'a JSON value') : v);

/** Marks a key that may be absent (or `undefined`). */
const optional = <T>(check: Check<T>): Check<T | undefined> & { optional: true } =>
  Object.assign((v: unknown, path: string) => (v === undefined ? undefined : check(v, path)), {
    optional: true as const,
  });

type Shape = Record<string, Check & { optional?: true }>;

const object =
  <T>(shape: Shape): Check<T> =>
  (v, path) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(path, 'an object');
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(shape)) {
      const value = shape[key]!((v as Record<string, unknown>)[key], path ? `${path}.${key}` : key);
      if (value !== undefined) out[key] = value;
    }
    return out as T;
  };

const array =
  <T>(item: Check<T>): Check<T[]> =>
  (v, path) =>
    Array.isArray(v) ? v.map((x, i) => item(x, `${path}.${i}`)) : fail(path, 'an array');

export const requestId = string(1, 64);
export const userId = string(1, 128, USER_ID_PATTERN);
export const roomName = string(1, 200, ROOM_NAME_PATTERN);
export const eventName = string(1, 64, EVENT_NAME_PATTERN);
const seq = number(0, true);
const count = number(0, true);
const millis = number(0);

const userProfile = object({
  id: userId,
  name: string(1, 128),
  avatarUrl: optional(string(0, 2048, AVATAR_URL_PATTERN)),
});

const activity: Check = (v, path) =>
  (v as { kind?: unknown } | null)?.kind === 'editing'
    ? object({ kind: json, field: string(1, 128) })(v, path)
    : object({ kind: oneOf(['viewing']) })(v, path);

const person = object({
  user: userProfile,
  status: oneOf(['online', 'away', 'offline']),
  activity,
  connections: count,
  devices: count,
  since: number(),
  updatedAt: number(),
  inCall: optional(boolean),
});

const ping = object({ type: json, t: optional(millis) });

/** The frame types every page receives, by `type`. */
export const CORE_SERVER_FRAMES: Readonly<Record<string, Check>> = {
  welcome: object({
    type: json,
    replyTo: requestId,
    v: number(-Infinity, true),
    connectionId: string(0, Infinity),
    user: userProfile,
    heartbeatMs: millis,
    limits: object({
      maxFrameBytes: number(),
      maxRoomsPerConnection: number(),
      maxMessagesPerSecond: number(),
      maxPresenceBytes: number(),
    }),
  }),
  joined: object({
    type: json,
    replyTo: requestId,
    room: roomName,
    seq,
    resume: oneOf(['none', 'replayed', 'gap']),
    missed: count,
    people: array(person),
    total: optional(count),
  }),
  left: object({ type: json, replyTo: requestId, room: roomName }),
  ack: object({ type: json, replyTo: requestId, seq: optional(seq) }),
  event: object({
    type: json,
    room: roomName,
    seq,
    event: eventName,
    payload: json,
    from: optional(userId),
    at: millis,
  }),
  'presence.diff': object({
    type: json,
    room: roomName,
    upsert: array(person),
    remove: array(userId),
    total: optional(count),
  }),
  error: object({
    type: json,
    replyTo: optional(requestId),
    code: oneOf(ERROR_CODES),
    message: string(0, Infinity),
    room: optional(roomName),
  }),
  bye: object({
    type: json,
    reason: oneOf(['shutdown', 'replaced', 'policy']),
    reconnectMs: millis,
  }),
  ping,
  pong: ping,
};

/** Whether `value` passes `check` (for names checked before they are sent). */
export function passes(check: Check, value: unknown): boolean {
  try {
    check(value, '');
    return true;
  } catch {
    return false;
  }
}
