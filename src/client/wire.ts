/** Frames on and off the wire: serialization with the size limit, parsing with the schemas. */
import { parseServerFrame, type ClientFrame, type ServerFrame } from '../protocol/index.js';
import { RealtimeError } from './realtime-error.js';
import type { SocketFactory, SocketLike } from './types.js';

/** The default factory: the browser's `WebSocket` (its handler types are wider than `SocketLike`'s). */
export const browserSocketFactory: SocketFactory = (url) =>
  new WebSocket(url) as unknown as SocketLike;

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

/** Parse what the socket delivered; anything invalid is described, never thrown. */
export function decodeFrame(data: unknown): Decoded {
  if (typeof data !== 'string') {
    return { ok: false, kind: 'binary', message: 'binary frames are not part of the protocol' };
  }
  const result = parseServerFrame(data);
  if (result.ok) return result;
  return { ok: false, kind: `${result.code}:${claimedType(data)}`, message: result.message };
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
