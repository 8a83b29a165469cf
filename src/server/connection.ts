/**
 * One client socket: identity once authenticated, its room memberships, its rate limit, and the
 * two ways of writing to it (a single frame, or a prepared broadcast frame).
 */
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { ErrorCode, FieldErrors, ServerFrame, UserProfile } from '../protocol/index.js';
import type { FrameDebug } from './frame-debug.js';
import type { ServerMetrics } from './metrics.js';
import { TokenBucket } from './rate-limit.js';
import type { ConnectionPermissions } from './permissions/permissions.js';
import {
  entitiesOfPrepared,
  entitiesToRead,
  redactFrame,
  redactPrepared,
} from './permissions/redact.js';
import { catchUp, type FrameRun, type Recipient } from './fan-out.js';
import { MembershipList } from './rooms.js';
import type { ServerSocket } from './server-socket.js';
import { PreparedFrame } from './wire.js';
import type { Holdable, WriteBatch } from './write-batch.js';

export type ConnectionState = 'handshake' | 'authenticating' | 'open' | 'closing';

export interface ConnectionLimits {
  maxMessagesPerSecond: number;
  maxBufferedBytes: number;
  /** Unsent bytes of all the user's sockets together beyond which this one is dropped. */
  maxUserBufferedBytes?: number | undefined;
  preframedWrites: boolean;
  /**
   * Payload bytes from which a frame goes compressed when the peer negotiated permessage-deflate
   * (smaller ones are sent as they are: deflate would cost more CPU than it saves bytes).
   */
  compressionThreshold?: number | undefined;
}

interface WsInternals {
  _socket?: Socket | null;
  _extensions?: Record<string, { params?: Record<string, unknown> } | undefined>;
}

/**
 * True when pre-framed bytes may bypass ws's Sender: no extension, or permessage-deflate without
 * context takeover and with the full window, where one compressed message suits every peer.
 */
function sharedFramesFit(ws: WebSocket): { fit: boolean; deflate: boolean } {
  if (ws.extensions === '') return { fit: true, deflate: false };
  const params = (ws as unknown as WsInternals)._extensions?.['permessage-deflate']?.params;
  const fit =
    ws.extensions === 'permessage-deflate' &&
    params?.server_no_context_takeover === true &&
    (params.server_max_window_bits === undefined || params.server_max_window_bits === 15);
  return { fit, deflate: fit };
}

/**
 * Unsent bytes from which a write asks what the user's other sockets hold too: the sum costs a
 * look at each of them, so only sockets that are behind pay it, and a user's sockets each under
 * it (100 of them, the default ceiling) hold at most 6.4 MiB past the user's limit.
 */
const USER_CHECK_FROM = 64 * 1024;

export class Connection implements Recipient, Holdable {
  state: ConnectionState = 'handshake';
  // Every field is set in the constructor, `undefined` included: a field first set later (at
  // `hello`) would give connections different shapes over their life, and the fan-out's calls
  // into them would meet more than one.
  user: UserProfile | undefined = undefined;
  clientId = '';
  /** Its `hello` named `partial-ack`: an ack too large for its entity may go `partial`. */
  acceptsPartialAck = false;
  readonly memberships = new MembershipList();
  /** Set when a frame or pong arrives; cleared by each server ping. */
  alive = true;
  /**
   * When the frame being dispatched arrived (`performance.now()`, ms): a handler reads it before
   * its first `await` to time its work from the frame's arrival, any wait behind earlier frames
   * included.
   */
  frameArrivedAt = 0;
  /**
   * UTF-8 bytes of the write being dispatched (a save, a notification) as it arrived, which the
   * session took from the user's write budget: a handler charging what the write stored beyond
   * its frame reads it before its first `await`, as it does `frameArrivedAt`.
   */
  frameBytes = 0;
  /**
   * What the token's claim and the authorization callback allow this user (set at `hello`);
   * undefined when neither applies. Every frame sent is redacted by its `visibility`.
   */
  permissions: ConnectionPermissions | undefined = undefined;
  /**
   * Counts the times the user's permissions were said to have changed: a join whose answer was
   * asked before the latest one asks again (see `RoomHandlers.recheck`).
   */
  permissionsEpoch = 0;
  private readonly bucket: TokenBucket;
  /** Unsent bytes beyond which the peer is dropped as a slow consumer. */
  private readonly maxBufferedBytes: number;
  /** Unsent bytes of the user's sockets together beyond which this one is dropped. */
  private readonly maxUserBufferedBytes: number;
  /** The TCP socket when ws lets us write pre-framed bytes to it (see `sharedFramesFit`). */
  private readonly raw: Socket | undefined;
  /** Payload bytes from which raw writes go compressed; Infinity when not negotiated. */
  private readonly deflateFrom: number;
  /** Corked until the batch releases it at the end of this event-loop turn. */
  private held = false;
  /** The batch turn of the last broadcast write. */
  private lastTurn = -1;
  /**
   * Frames held, in order, while the authorization hook decides whether this user may read an
   * entity the first of them is about (an async hook); undefined when nothing waits.
   */
  private waiting: (ServerFrame | PreparedFrame)[] | undefined = undefined;
  private waitingBytes = 0;

  constructor(
    readonly id: string,
    readonly ws: ServerSocket,
    // Only what writes check is kept: a copy of the limits per connection would be kept by
    // every one of thousands of idle connections.
    limits: ConnectionLimits,
    private readonly metrics: ServerMetrics,
    now: number,
    /** Called when the send buffer overflows and the socket is dropped. */
    private readonly onSlowConsumer: (connection: Connection) => void,
    /** Coalesces a turn's broadcast writes per socket; undefined writes at once. */
    private readonly batch: WriteBatch | undefined,
    /** Logs this connection's frames when its user or a room is watched (`frame-debug.ts`). */
    private readonly debug: FrameDebug | undefined = undefined,
    /** The open sockets of each user, to find the one holding the most of what a user has unsent. */
    private readonly userSockets:
      { heaviestOver(userId: string, max: number): Connection | undefined } | undefined = undefined,
  ) {
    this.bucket = new TokenBucket(limits.maxMessagesPerSecond, limits.maxMessagesPerSecond, now);
    this.maxBufferedBytes = limits.maxBufferedBytes;
    this.maxUserBufferedBytes = limits.maxUserBufferedBytes ?? Infinity;
    const socket = (ws as unknown as WsInternals)._socket;
    // Pre-framed writes bypass ws's Sender; that is only sound when the bytes are the same for
    // every peer: no extension, or deflate without context takeover (compressed once per frame).
    // Any other negotiation falls back to ws.send, which compresses per connection.
    const shared = sharedFramesFit(ws);
    this.raw = limits.preframedWrites && shared.fit && socket ? socket : undefined;
    this.deflateFrom =
      this.raw !== undefined && shared.deflate ? (limits.compressionThreshold ?? 0) : Infinity;
  }

  /**
   * Frames may be written. `ws.open` alone decides: `state` becomes `closing` only once ws has
   * left OPEN (our `close` and `terminate` close ws, a session ends when ws is closed).
   */
  get isOpen(): boolean {
    return this.ws.open;
  }

  /** Counts a frame against the rate limit; false when it must be dropped. */
  admit(now: number): boolean {
    return this.bucket.take(now);
  }

  /**
   * Serializes and sends one frame to this connection only. `json`, when the caller has it
   * already (it serialized the frame to measure it), must be `JSON.stringify(frame)`: it is sent
   * as it is unless this user's redaction changes the frame, so the frame is serialized once.
   */
  send(frame: ServerFrame, json?: string): void {
    if (!this.isOpen) return;
    catchUp(this); // room frames sent before this one go first
    if (this.permissions) {
      if (this.mustWait(frame)) return;
      const visible = redactFrame(frame, this.permissions.visibility);
      if (visible === undefined) return;
      if (visible !== frame) json = undefined; // the caller's text still has the hidden fields
      frame = visible;
    }
    this.metrics.framesOut++;
    if (this.raw !== undefined && this.deflateFrom !== Infinity) {
      // ws's Sender deflates asynchronously and would let a later raw write overtake this frame;
      // with compression negotiated every data frame takes the raw path, in order.
      const prepared = json === undefined ? PreparedFrame.of(frame) : PreparedFrame.fromJson(json);
      const bytes = this.bytesOf(prepared);
      this.debug?.outboundPrepared(this, prepared, bytes.byteLength);
      this.raw.write(bytes);
      this.checkUnsent(this.raw.writableLength);
      return;
    }
    const text = json ?? JSON.stringify(frame);
    this.debug?.outbound(this, text, frame);
    this.ws.send(text);
    this.checkBackpressure();
  }

  /**
   * True when the frame must wait: frames are already waiting, or the hook has not yet said
   * whether this user may read an entity the frame is about. Later frames wait behind it, so the
   * client gets them in the order they were sent.
   */
  private mustWait(frame: ServerFrame | PreparedFrame): boolean {
    if (this.waiting === undefined) {
      const reads = this.permissions?.visibility.reads;
      if (!reads) return false;
      const entities =
        frame instanceof PreparedFrame ? entitiesOfPrepared(frame) : entitiesToRead(frame);
      if (entities.length === 0) return false;
      const decided = reads.decide(entities);
      if (decided === undefined) return false;
      this.waiting = [];
      void decided.then(this.sendWaiting);
    }
    this.waiting.push(frame);
    this.waitingBytes +=
      frame instanceof PreparedFrame
        ? frame.payload.byteLength
        : Buffer.byteLength(JSON.stringify(frame));
    if (this.waitingBytes > this.maxBufferedBytes) this.dropSlowConsumer();
    return true;
  }

  /** Sends what waited for the hook, in order; it may wait again for the next entity. */
  private readonly sendWaiting = (): void => {
    const frames = this.waiting ?? [];
    this.waiting = undefined;
    this.waitingBytes = 0;
    for (let i = 0; i < frames.length; i++) {
      const frame = frames[i]!;
      // A broadcast was counted as delivered when it was held.
      if (frame instanceof PreparedFrame) this.writePrepared(frame);
      else this.send(frame);
      if (this.waiting !== undefined) {
        for (let j = i + 1; j < frames.length; j++) this.mustWait(frames[j]!);
        return;
      }
    }
  };

  /** The bytes of a prepared frame for this peer: compressed when negotiated and large enough. */
  private bytesOf(frame: PreparedFrame): Buffer {
    return frame.payload.byteLength >= this.deflateFrom ? frame.deflated() : frame.framed;
  }

  sendError(
    code: ErrorCode,
    message: string,
    extra: {
      replyTo?: string | undefined;
      room?: string | undefined;
      removed?: true;
      errors?: FieldErrors;
      retryAfterMs?: number;
    } = {},
  ): void {
    this.metrics.countError(code);
    const frame: ServerFrame = { type: 'error', code, message };
    if (extra.replyTo !== undefined) frame.replyTo = extra.replyTo;
    if (extra.room !== undefined) frame.room = extra.room;
    if (extra.removed) frame.removed = true;
    if (extra.errors) frame.errors = extra.errors;
    if (extra.retryAfterMs !== undefined) frame.retryAfterMs = extra.retryAfterMs;
    this.send(frame);
  }

  /**
   * Bytes written to this socket and not yet handed to the network; none once the socket is
   * destroyed (terminated): it sends nothing more, and what it held goes with it.
   */
  get unsentBytes(): number {
    if (this.raw !== undefined) return this.raw.destroyed ? 0 : this.raw.writableLength;
    return (this.ws as unknown as WsInternals)._socket?.destroyed ? 0 : this.ws.bufferedAmount;
  }

  /** Writes a frame prepared once for many recipients. */
  writePrepared(frame: PreparedFrame): boolean {
    // One boolean kept by the socket (server-socket.ts): no call into ws per delivery.
    if (!this.ws.open) return false;
    catchUp(this); // room frames sent before this one go first
    if (this.permissions) {
      if (this.mustWait(frame)) return true;
      const reads = this.permissions.visibility.reads;
      if (reads) {
        for (const { type, id } of entitiesOfPrepared(frame)) {
          if (!reads.allows(type, id)) return true;
        }
      }
      // Redacted once per set of rules and frame (cached), not once per member.
      const visible = redactPrepared(frame, this.permissions.visibility);
      if (visible === undefined) return true;
      frame = visible;
    }
    const raw = this.raw;
    if (raw !== undefined) {
      const bytes = this.bytesOf(frame);
      this.debug?.outboundPrepared(this, frame, bytes.byteLength);
      this.writeRaw(raw, bytes);
    } else {
      this.debug?.outboundPrepared(this, frame, frame.framed.byteLength);
      this.ws.send(frame.payload, { binary: false });
      this.checkBackpressure();
    }
    return true;
  }

  /**
   * Writes several frames prepared once for many recipients: their joined bytes in one write
   * when they are the same for this peer as for every other, else frame by frame.
   */
  writeRun(run: FrameRun): number {
    if (!this.ws.open) return 0;
    const raw = this.raw;
    if (
      raw === undefined ||
      this.permissions !== undefined ||
      this.debug !== undefined ||
      this.deflateFrom !== Infinity
    ) {
      let delivered = 0;
      for (const frame of run.frames) if (this.writePrepared(frame)) delivered++;
      return delivered;
    }
    this.writeRaw(raw, run.framed);
    return run.frames.length;
  }

  /** Writes pre-framed bytes to the TCP socket, corking it from the turn's second write on. */
  private writeRaw(raw: Socket, bytes: Buffer): void {
    const batch = this.batch;
    if (batch !== undefined) {
      if (this.lastTurn !== batch.turn) {
        this.lastTurn = batch.turn;
        batch.touch();
      } else if (!this.held) {
        raw.cork();
        this.held = true;
        batch.hold(this);
      }
    }
    raw.write(bytes);
    this.checkUnsent(raw.writableLength);
  }

  release(): void {
    this.held = false;
    if (this.raw !== undefined && !this.raw.destroyed) this.raw.uncork();
  }

  /** Closes with a code after the frames already queued. */
  close(code: number, reason: string): void {
    if (!this.ws.open) return;
    catchUp(this); // room frames sent before the close frame go first
    this.state = 'closing';
    this.ws.close(code, reason.slice(0, 120));
  }

  terminate(): void {
    this.state = 'closing';
    this.ws.terminate();
  }

  private checkBackpressure(): void {
    this.checkUnsent(this.ws.bufferedAmount);
  }

  /**
   * Drops this socket as a slow consumer when it holds more unsent bytes than a socket may; and,
   * when its user's sockets together hold more than a user may, the one of them holding the most:
   * each socket of a user who reads none stays under its own limit, and the user's many together
   * do not. The heaviest goes, not the one written to now: that may be a healthy tab a replay
   * put briefly behind, while another of the user's sockets has read nothing for minutes.
   */
  private checkUnsent(unsent: number): void {
    if (unsent > this.maxBufferedBytes) {
      this.dropSlowConsumer();
      return;
    }
    const { user, userSockets } = this;
    if (unsent < USER_CHECK_FROM || user === undefined || userSockets === undefined) return;
    for (
      let heaviest = userSockets.heaviestOver(user.id, this.maxUserBufferedBytes);
      heaviest !== undefined;
      heaviest = userSockets.heaviestOver(user.id, this.maxUserBufferedBytes)
    ) {
      // One closing (its close frame waiting behind what it holds, for up to ws's close timeout)
      // still holds it all: it is let go now.
      if (heaviest.state === 'closing') heaviest.terminate();
      else heaviest.dropSlowConsumer();
    }
  }

  dropSlowConsumer(): void {
    if (this.state === 'closing') return;
    this.metrics.slowConsumers++;
    this.terminate();
    this.onSlowConsumer(this);
  }
}
