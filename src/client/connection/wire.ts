/**
 * Frames on and off the wire: serialization with the size limit, parsing with checks. The frames
 * every page receives are checked without zod (`protocol/server-frame-checks.ts`); a capability
 * registers the checks of its own frames when it loads (`acceptServerFrames`), so a page parses
 * with only the schemas of the capabilities it shows. Any other type is dropped as unknown.
 */
import { LIMITS } from '../../protocol/constants.js';
import type { ClientFrame, ServerFrame } from '../../protocol/frames.js';
import { jsonShapeProblem } from '../../protocol/json-shape.js';
import { CORE_SERVER_FRAMES, type Check } from '../../protocol/server-frame-checks.js';
import { RealtimeError } from '../realtime-error.js';
import type { SocketFactory } from '../types.js';

/** The default factory: the browser's `WebSocket`. */
export const browserSocketFactory: SocketFactory = (url) => new WebSocket(url);

const encoder = /* @__PURE__ */ new TextEncoder();

/** Serialize a frame; throws `RealtimeError('frame_too_large')` over `maxBytes` (UTF-8). */
export function encodeFrame(frame: ClientFrame, maxBytes: number): string {
  const text = JSON.stringify(frame);
  // Cheap upper bound first: a UTF-16 unit is at most 3 UTF-8 bytes.
  if (text.length * 3 > maxBytes && encoder.encode(text).byteLength > maxBytes) {
    throw new RealtimeError('frame_too_large', `${frame.type} frame exceeds ${maxBytes} bytes`);
  }
  return text;
}

export type Decoded =
  | { ok: true; frame: ServerFrame }
  /** `kind` groups warnings: the error code and the frame's claimed type. */
  | { ok: false; kind: string; message: string };

/** Checks of the frame types the loaded capabilities receive, by `type`. */
const capabilityFrames = new Map<string, Check>();

/** A capability's frame types and their checks (`protocol/checks/`), added when it loads. */
export function acceptServerFrames(checks: Readonly<Record<string, Check>>): void {
  for (const [type, check] of Object.entries(checks)) capabilityFrames.set(type, check);
}

/**
 * Server frames wrap what clients and backends sent (a field value inside an entity inside a
 * change inside an event) a few levels deeper, so clients allow them twice the nesting.
 */
const SERVER_FRAME_DEPTH = LIMITS.maxJsonDepth * 2;

/** Parse what the socket delivered; anything invalid is described, never thrown. */
export function decodeFrame(data: unknown): Decoded {
  if (typeof data !== 'string') {
    return { ok: false, kind: 'binary', message: 'binary frames are not part of the protocol' };
  }
  const invalid = (code: string, message: string): Decoded => ({
    ok: false,
    kind: `${code}:${claimedType(data)}`,
    message,
  });
  if (
    data.length * 3 > LIMITS.maxFrameBytes &&
    encoder.encode(data).byteLength > LIMITS.maxFrameBytes
  ) {
    return invalid('frame_too_large', `frame exceeds ${LIMITS.maxFrameBytes} bytes`);
  }
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return invalid('bad_frame', 'frame is not valid JSON');
  }
  const problem = jsonShapeProblem(value, SERVER_FRAME_DEPTH);
  if (problem !== undefined) return invalid('bad_frame', problem);
  const type = (value as { type?: unknown } | null)?.type;
  const check =
    typeof type === 'string'
      ? ((Object.hasOwn(CORE_SERVER_FRAMES, type) ? CORE_SERVER_FRAMES[type] : undefined) ??
        capabilityFrames.get(type))
      : undefined;
  if (!check) return invalid('bad_frame', `unknown frame type ${JSON.stringify(type)}`);
  try {
    return { ok: true, frame: check(value, '') as ServerFrame };
  } catch (error) {
    return invalid('bad_frame', error instanceof Error ? error.message : String(error));
  }
}

/** The `type` a frame that failed validation claims to have. */
function claimedType(text: string): string {
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && 'type' in value) {
      return String((value as { type: unknown }).type).slice(0, 32);
    }
    return 'untyped';
  } catch {
    return 'not-json';
  }
}
