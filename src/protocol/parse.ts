/** Parsing frames off the wire: size check, JSON, schema. Used by both ends. */
import * as z from 'zod/mini';
import { LIMITS } from './common.js';
import type { ErrorCode } from './frames.js';
import { ClientFrame, HelloFrame, ServerFrame } from './frames.js';
import { jsonShapeProblem } from './json-shape.js';

export type ParseResult<T> =
  | { ok: true; frame: T }
  | { ok: false; code: Extract<ErrorCode, 'bad_frame' | 'frame_too_large'>; message: string };

const encoder = /* @__PURE__ */ new TextEncoder();

function byteLength(text: string): number {
  // Cheap upper bound first: a UTF-16 unit is at most 3 UTF-8 bytes.
  if (text.length * 3 <= LIMITS.maxFrameBytes) return text.length;
  return encoder.encode(text).byteLength;
}

/**
 * Server frames wrap what clients and backends sent (a field value inside an entity inside a
 * change inside an event) a few levels deeper, so clients allow them twice the nesting.
 */
const SERVER_FRAME_DEPTH = LIMITS.maxJsonDepth * 2;

function parseWith<T>(
  schema: z.ZodMiniType<T>,
  text: string,
  maxBytes: number = LIMITS.maxFrameBytes,
  maxDepth: number = LIMITS.maxJsonDepth,
): ParseResult<T> {
  if (byteLength(text) > maxBytes) {
    return {
      ok: false,
      code: 'frame_too_large',
      message: `frame exceeds ${maxBytes} bytes`,
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: 'bad_frame', message: 'frame is not valid JSON' };
  }
  const problem = jsonShapeProblem(value, maxDepth);
  if (problem !== undefined) return { ok: false, code: 'bad_frame', message: problem };
  const result = z.safeParse(schema, value);
  if (!result.success) {
    return { ok: false, code: 'bad_frame', message: z.prettifyError(result.error) };
  }
  return { ok: true, frame: result.data };
}

/** Parse a frame a client sent. The server calls this on every message. */
export function parseClientFrame(text: string, maxBytes?: number): ParseResult<ClientFrame> {
  return parseWith(ClientFrame, text, maxBytes);
}

/** Parse a frame a server sent. The client calls this on every message. */
export function parseServerFrame(text: string, maxBytes?: number): ParseResult<ServerFrame> {
  return parseWith(ServerFrame, text, maxBytes, SERVER_FRAME_DEPTH);
}

/** Best effort: the request id of a frame that failed validation, so the error can answer it. */
export function requestIdOf(text: string): string | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && 'id' in value) {
      const id = (value as { id: unknown }).id;
      if (typeof id === 'string' && id.length > 0 && id.length <= 64) return id;
    }
  } catch {
    // not JSON: no id to answer
  }
  return undefined;
}

/** Words for the `hello` fields a person can get wrong, for `invalidHelloReason`. */
const HELLO_FIELDS: Readonly<Record<string, string>> = {
  'devUser.avatarUrl': 'avatar URL',
  'devUser.name': 'user name',
  'devUser.id': 'user id',
  devUser: 'development identity',
  token: 'token',
  clientId: 'client id',
  id: 'request id',
  v: 'protocol version',
};

/**
 * Why a frame typed `hello` fails validation, in a few words a person can act on ("invalid avatar
 * URL"); `undefined` when `text` is not a `hello` or is a valid one. Servers answer such a hello
 * with `bad_frame` carrying this message and close with 1008: the client would only send the same
 * hello again, so leaving it to the handshake timeout would hide the reason.
 */
export function invalidHelloReason(text: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object' || (value as { type?: unknown }).type !== 'hello') {
    return undefined;
  }
  const result = z.safeParse(HelloFrame, value);
  if (result.success) return undefined;
  const path = (result.error.issues[0]?.path ?? []).map(String).join('.');
  return `invalid ${HELLO_FIELDS[path] ?? (path || 'hello')}`;
}

/**
 * How many leading `items` serialize, as a JSON array, within `budget` UTF-8 bytes; 0 when the
 * first one alone does not. Servers cut history pages with it so that no answer exceeds a frame.
 */
export function fittingCount(items: readonly unknown[], budget: number): number {
  let used = 2;
  for (let i = 0; i < items.length; i++) {
    used += encoder.encode(JSON.stringify(items[i])).byteLength + (i > 0 ? 1 : 0);
    if (used > budget) return i;
  }
  return items.length;
}
