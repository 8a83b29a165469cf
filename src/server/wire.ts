/**
 * Serialize and frame once, write many times.
 *
 * A broadcast to a room of N members must not cost N serializations nor N WebSocket framings.
 * `PreparedFrame` holds one unmasked RFC 6455 text frame (header + JSON) in a single Buffer;
 * every member's socket gets that same Buffer. Server-to-client frames are never masked, so
 * the bytes are identical for every recipient.
 */
import { constants, deflateRawSync } from 'node:zlib';
import type { ServerFrame } from '../protocol/index.js';

const OPCODE_TEXT = 0x01;
const FIN = 0x80;
/** RFC 7692: the first frame of a compressed message has RSV1 set. */
const RSV1 = 0x40;
/** RFC 7692 §7.2.1: a sync-flushed message ends in these four bytes, which are not sent. */
const FLUSH_TAIL = 4;

function headerLength(payloadBytes: number): number {
  if (payloadBytes < 126) return 2;
  if (payloadBytes < 65_536) return 4;
  return 10;
}

/** Writes the header of an unmasked, final text frame of `bytes` payload bytes; returns its length. */
function writeHeader(target: Buffer, first: number, bytes: number): number {
  const offset = headerLength(bytes);
  target[0] = first;
  if (offset === 2) {
    target[1] = bytes;
  } else if (offset === 4) {
    target[1] = 126;
    target.writeUInt16BE(bytes, 2);
  } else {
    target[1] = 127;
    target.writeUInt32BE(0, 2);
    target.writeUInt32BE(bytes, 6);
  }
  return offset;
}

/**
 * The permessage-deflate form of one message, for a peer that agreed to
 * `server_no_context_takeover` with the full 32 KiB window: each message is then a deflate stream
 * of its own, so the compressed bytes are the same for every such peer and can be made once.
 */
export function deflateMessage(payload: Buffer): Buffer {
  const deflated = deflateRawSync(payload, { finishFlush: constants.Z_SYNC_FLUSH });
  return deflated.subarray(0, deflated.byteLength - FLUSH_TAIL);
}

export class PreparedFrame {
  /** Header and payload of one WebSocket text frame. */
  readonly framed: Buffer;
  /** The JSON payload alone (a view into `framed`), for sockets that cannot take raw frames. */
  readonly payload: Buffer;
  /** The compressed frame, made by the first recipient that negotiated compression. */
  private deflatedFrame: Buffer | undefined;

  private constructor(text: string) {
    const bytes = Buffer.byteLength(text);
    const framed = Buffer.allocUnsafe(headerLength(bytes) + bytes);
    const offset = writeHeader(framed, FIN | OPCODE_TEXT, bytes);
    framed.write(text, offset, 'utf8');
    this.framed = framed;
    this.payload = framed.subarray(offset);
  }

  /**
   * The same message as one compressed frame (RSV1 set), deflated on first use and kept: a room's
   * broadcast is compressed once however many members negotiated compression.
   */
  deflated(): Buffer {
    if (this.deflatedFrame !== undefined) return this.deflatedFrame;
    const body = deflateMessage(this.payload);
    const frame = Buffer.allocUnsafe(headerLength(body.byteLength) + body.byteLength);
    body.copy(frame, writeHeader(frame, FIN | RSV1 | OPCODE_TEXT, body.byteLength));
    this.deflatedFrame = frame;
    return frame;
  }

  /** Serialize a frame once. */
  static of(frame: ServerFrame): PreparedFrame {
    return new PreparedFrame(JSON.stringify(frame));
  }

  /** Wrap JSON text already serialized elsewhere (for example received from another process). */
  static fromJson(text: string): PreparedFrame {
    return new PreparedFrame(text);
  }

  get byteLength(): number {
    return this.framed.byteLength;
  }
}
