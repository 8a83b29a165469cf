/**
 * Serialize and frame once, write many times.
 *
 * A broadcast to a room of N members must not cost N serializations nor N WebSocket framings.
 * `PreparedFrame` holds one unmasked RFC 6455 text frame (header + JSON) in a single Buffer;
 * every member's socket gets that same Buffer. Server-to-client frames are never masked, so
 * the bytes are identical for every recipient.
 */
import type { ServerFrame } from '../protocol/index.js';

const OPCODE_TEXT = 0x01;
const FIN = 0x80;

function headerLength(payloadBytes: number): number {
  if (payloadBytes < 126) return 2;
  if (payloadBytes < 65_536) return 4;
  return 10;
}

export class PreparedFrame {
  /** Header and payload of one WebSocket text frame. */
  readonly framed: Buffer;
  /** The JSON payload alone (a view into `framed`), for sockets that cannot take raw frames. */
  readonly payload: Buffer;

  private constructor(text: string) {
    const bytes = Buffer.byteLength(text);
    const offset = headerLength(bytes);
    const framed = Buffer.allocUnsafe(offset + bytes);
    framed[0] = FIN | OPCODE_TEXT;
    if (offset === 2) {
      framed[1] = bytes;
    } else if (offset === 4) {
      framed[1] = 126;
      framed.writeUInt16BE(bytes, 2);
    } else {
      framed[1] = 127;
      framed.writeUInt32BE(0, 2);
      framed.writeUInt32BE(bytes, 6);
    }
    framed.write(text, offset, 'utf8');
    this.framed = framed;
    this.payload = framed.subarray(offset);
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
