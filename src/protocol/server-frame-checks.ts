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
  FIELD_NAME_PATTERN,
  ROOM_NAME_PATTERN,
  USER_ID_PATTERN,
} from './patterns.js';

/** Why a frame failed its check, with the path of the value at fault. */
export class FrameProblem extends Error {}

/** Checks a value at `path` and returns what the frame carries there. */
export type Check<T = unknown> = (value: unknown, path: string) => T;

export const fail = (path: string, expected: string): never => {
  throw new FrameProblem(`${expected} expected at ${path || 'the frame'}`);
};

/**
 * Length in Unicode code points, as zod measures strings: a user name of 128 emoji is 128 long,
 * not 256. A surrogate pair counts once, a lone surrogate once.
 */
function codePoints(s: string): number {
  let count = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    if ((s.charCodeAt(i) & 0xfc00) === 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      count -= 1;
      i += 1;
    }
  }
  return count;
}

/** A string `min` to `max` code points long, matching `pattern` when given. */
export const string =
  (min: number, max: number, pattern?: RegExp): Check<string> =>
  (v, path) => {
    if (typeof v !== 'string') return fail(path, 'a string');
    // A code point is one or two units: only a length in between needs counting.
    const length = v.length > max || v.length < 2 * min ? codePoints(v) : v.length;
    return length >= min && length <= max && (!pattern || pattern.test(v))
      ? v
      : fail(path, 'a valid string');
  };

/** A finite number from `min` to `max`; with `int`, a safe integer (as zod's `z.int()`). */
export const number =
  (min = -Infinity, int = false, max = Infinity): Check<number> =>
  (v, path) =>
    typeof v === 'number' &&
    Number.isFinite(v) &&
    v >= min &&
    v <= max &&
    (!int || Number.isSafeInteger(v))
      ? v
      : fail(path, int ? 'an integer' : 'a number');

export const oneOf =
  <T extends string>(values: readonly T[]): Check<T> =>
  (v, path) =>
    values.includes(v as T) ? (v as T) : fail(path, `one of ${values.join(', ')}`);

export const boolean: Check<boolean> = (v, path) =>
  typeof v === 'boolean' ? v : fail(path, 'a boolean');

/** Any JSON value: what `JSON.parse` returned is one, as long as it is there. */
const json: Check = (v, path) => (v === undefined ? fail(path, 'a JSON value') : v);

/** Marks a key that may be absent (or `undefined`). */
export const optional = <T>(check: Check<T>): Check<T | undefined> & { optional: true } =>
  Object.assign((v: unknown, path: string) => (v === undefined ? undefined : check(v, path)), {
    optional: true as const,
  });

type Shape = Record<string, Check & { optional?: true }>;

/**
 * An object with the keys of `shape`, copied without the others. A key given as `undefined` stays
 * (as zod keeps it); an absent key whose check returns `undefined` stays absent.
 */
export const object =
  <T>(shape: Shape): Check<T> =>
  (v, path) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(path, 'an object');
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(shape)) {
      const value = shape[key]!((v as Record<string, unknown>)[key], path ? `${path}.${key}` : key);
      if (value !== undefined || key in v) out[key] = value;
    }
    return out as T;
  };

/** An array of what `item` accepts, at most `max` long. */
export const array =
  <T>(item: Check<T>, max = Infinity): Check<T[]> =>
  (v, path) =>
    Array.isArray(v) && v.length <= max
      ? v.map((x, i) => item(x, `${path}.${i}`))
      : fail(path, 'an array');

/** An object of `value` per key that `key` accepts (a copy, as zod's records). */
const record =
  <T>(key: Check<string>, value: Check<T>): Check<Record<string, T>> =>
  (v, path) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(path, 'an object');
    const out: Record<string, T> = {};
    for (const k of Object.keys(v)) {
      out[key(k, `${path}.${k}`)] = value((v as Record<string, unknown>)[k], `${path}.${k}`);
    }
    return out;
  };

export const requestId = string(1, 64);
export const userId = string(1, 128, USER_ID_PATTERN);
export const roomName = string(1, 200, ROOM_NAME_PATTERN);
export const eventName = string(1, 64, EVENT_NAME_PATTERN);
const seq = number(0, true);
const count = number(0, true);
const millis = number(0);

export const userProfile = object({
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
    removed: optional((v, path): true => (v === true ? true : fail(path, 'true'))),
    errors: optional(record(string(1, 128, FIELD_NAME_PATTERN), string(1, 500))),
    retryAfterMs: optional(millis),
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
