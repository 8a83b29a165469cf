/**
 * The life of one socket: handshake, then every frame in order through limits, parsing and the
 * server's frame handlers, then cleanup. Nothing a client sends can throw out of here.
 */
import type { RawData, WebSocket } from 'ws';
import {
  CLOSE_CODES,
  PROTOCOL_VERSION,
  invalidHelloReason,
  parseClientFrame,
  requestIdOf,
  type HelloFrame,
} from '../protocol/index.js';
import type { Authenticator } from './auth.js';
import type { AuthThrottle } from './auth-throttle.js';
import { addressKey } from './client-address.js';
import { defaultAuthorize, type AuthorizeHook } from './authorize.js';
import type { ServerClock } from './clock.js';
import type { ServerLimits } from './config.js';
import { Connection } from './connection.js';
import type { ConnectionCounts } from './connection-counts.js';
import type { FrameDebug } from './frame-debug.js';
import { dispatchFrame, type FrameHandlers } from './frame-handlers.js';
import type { InFlight } from './in-flight.js';
import { errorFields, type Logger } from './log.js';
import type { ServerMetrics } from './metrics.js';
import type { AuthorizeCallback } from './permissions/callback.js';
import { connectionPermissions } from './permissions/permissions.js';
import { TokenBucket, type UserTokenBuckets } from './rate-limit.js';
import type { ServerSocket } from './server-socket.js';
import type { UserControl } from './user-control.js';
import type { WriteBatch } from './write-batch.js';
import { WriteBudget } from '../util/write-budget.js';
import { acceptsPartialAck } from '../domain/frame-fit.js';

/** What a session needs of the server: how to write, how to let a client in, whom to hand frames. */
export interface SessionContext {
  readonly limits: ServerLimits;
  readonly heartbeatMs: number;
  /** Broadcasts bypass ws's per-message framing (see `Connection.writePrepared`). */
  readonly preframedWrites: boolean;
  /** Coalesces broadcast writes per socket and event-loop turn; undefined when disabled. */
  readonly writeBatch: WriteBatch | undefined;
  /** Payload bytes from which frames go compressed to peers that negotiated permessage-deflate. */
  readonly compressionThreshold: number;
  /** Logs frames of watched users and rooms; undefined when none is watched (the usual case). */
  readonly frameDebug: FrameDebug | undefined;
  readonly clock: ServerClock;
  readonly log: Logger;
  readonly metrics: ServerMetrics;
  readonly auth: Authenticator;
  /** Failed handshakes per client address; a session reports its failures here. */
  readonly authThrottle: AuthThrottle;
  /** Bytes each user may have stored per minute (saves and notifications). */
  readonly writeBudget: WriteBudget;
  /**
   * Frames each user's sockets on this process may send together, per second: without it a
   * user's 100 sockets could send 5,000 a second, each read of the activity log among them.
   */
  readonly userFrames: UserTokenBuckets;
  /** Sockets per client address that have not finished their handshake (counted by the transport). */
  readonly handshakesOfAddress: ConnectionCounts;
  /** Sockets per user past their handshake. */
  readonly connectionsOfUser: ConnectionCounts;
  readonly authorize: AuthorizeHook;
  /** The authorization callback (`CRM_AUTHORIZE_URL`), asked after the hook; see `permissions/`. */
  readonly authorizeCallback: AuthorizeCallback | undefined;
  /** Open connections by user, for a backend ending them or re-checking their rooms. */
  readonly users: UserControl;
  /** Every frame after the handshake goes to its handler here. */
  readonly frames: FrameHandlers;
  /** Handlers still running, awaited by shutdown before the storage and bus close. */
  readonly inFlight: InFlight;
  /** Leaves every room of a closed connection (presence removal waits for the grace period). */
  readonly leaveAll: (connection: Connection) => void;
  /** Told when a connection is dropped because its send buffer overflowed. */
  readonly onSlowConsumer: (connection: Connection) => void;
}

/** The longest delay `setTimeout` takes (about 24.8 days); longer ones fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function rawToBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/**
 * Every socket's listeners are the four functions below, which find their session here: four
 * closures per socket (and the scope they keep) would cost each of thousands of idle connections
 * a few hundred bytes.
 */
const sessionOf = new WeakMap<WebSocket, Session>();

function onSocketMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  sessionOf.get(this)?.received(data, isBinary);
}

function onSocketPong(this: WebSocket): void {
  const session = sessionOf.get(this);
  if (session) session.connection.alive = true;
}

function onSocketError(this: WebSocket, err: Error): void {
  sessionOf.get(this)?.socketError(err);
}

function onSocketClose(this: WebSocket, code: number): void {
  sessionOf.get(this)?.socketClosed(code);
}

export class Session {
  readonly connection: Connection;
  private handshakeTimer: unknown;
  /** This socket's failed handshake has been counted against its address (once at most). */
  private handshakeCounted = false;
  /** This socket counts among its address's handshakes in flight (until `welcome` or its close). */
  private inHandshake = true;
  /** The user this socket counts for among the user's open sockets, once past `welcome`. */
  private countedUser: string | undefined;
  /** Closes the connection when its token expires (see `watchExpiry`). */
  private expiryTimer: unknown;
  private busy = false;
  /** Frames waiting while an earlier one's handler runs; made when the first one waits. */
  /** Frames waiting for an earlier one's handler, with when each arrived (`performance.now()`). */
  private backlog: [text: string, arrived: number][] | undefined;
  /**
   * Drops beyond the message rate; when it runs dry the client is abusive. Made at the first
   * drop: a bucket starts full and stays full until taken from, so one made then is the same as
   * one made at connect, and the thousands of connections that never exceed the rate hold none.
   */
  private violations: TokenBucket | undefined;
  /** What the per-address limits count this socket under (its address, an IPv6 one's /64). */
  private readonly addressKey: string;

  constructor(
    private readonly ctx: SessionContext,
    id: string,
    ws: ServerSocket,
    private readonly onClosed: (session: Session, code: number) => void,
    /** The client's address, for the failed-handshake throttle. */
    private readonly address = '',
  ) {
    const now = ctx.clock.now();
    this.connection = new Connection(
      id,
      ws,
      {
        ...ctx.limits,
        preframedWrites: ctx.preframedWrites,
        compressionThreshold: ctx.compressionThreshold,
      },
      ctx.metrics,
      now,
      ctx.onSlowConsumer,
      ctx.writeBatch,
      ctx.frameDebug,
      ctx.users,
    );
    this.addressKey = addressKey(address);
    ctx.handshakesOfAddress.add(this.addressKey);
    this.handshakeTimer = ctx.clock.setTimeout(() => {
      this.handshakeTimer = undefined;
      if (this.connection.state === 'open') return;
      this.handshakeFailed(false);
      this.connection.sendError('not_authenticated', 'no hello within the handshake timeout');
      this.connection.close(CLOSE_CODES.policyViolation, 'handshake timeout');
    }, ctx.limits.handshakeTimeoutMs);

    sessionOf.set(ws, this);
    ws.on('message', onSocketMessage);
    ws.on('pong', onSocketPong);
    ws.on('error', onSocketError);
    ws.on('close', onSocketClose);
  }

  /** A frame arrived (from `onSocketMessage`). */
  received(data: RawData, isBinary: boolean): void {
    try {
      this.onMessage(data, isBinary);
    } catch (err) {
      this.failed(err);
    }
  }

  /** The socket closed (from `onSocketClose`). */
  socketClosed(code: number): void {
    try {
      this.onClose(code);
    } catch (err) {
      this.failed(err);
    }
  }

  /** The socket failed (from `onSocketError`); its close follows. */
  socketError(err: Error): void {
    this.ctx.log.debug('socket error', { conn: this.connection.id, ...errorFields(err) });
  }

  /**
   * A handshake that did not end in `welcome` counts against the client's address (see
   * auth-throttle.ts); `refused` ones (a hello the server turned down) also count as auth failures.
   */
  private handshakeFailed(refused: boolean): void {
    this.handshakeCounted = true;
    if (refused) this.ctx.metrics.authFailures++;
    this.ctx.authThrottle.failed(this.addressKey, this.ctx.clock.now());
  }

  private failed(err: unknown): void {
    this.ctx.metrics.handlerFailures++;
    this.ctx.log.error('frame handler failed', { conn: this.connection.id, ...errorFields(err) });
    this.connection.sendError('internal', 'the server failed to handle a frame');
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    const arrived = performance.now();
    const { ctx, connection } = this;
    const bytes = rawToBuffer(data);
    ctx.metrics.framesIn++;
    ctx.metrics.bytesIn += bytes.byteLength;
    connection.alive = true;
    if (connection.state === 'closing') return;

    const now = ctx.clock.now();
    const overRate = !connection.admit(now)
      ? `more than ${ctx.limits.maxMessagesPerSecond} frames per second; frame dropped`
      : connection.user !== undefined && !ctx.userFrames.take(connection.user.id, now)
        ? `more than ${ctx.userFrames.ratePerSecond} frames per second from this user's connections; frame dropped`
        : undefined;
    if (overRate !== undefined) {
      const abuse = ctx.limits.maxRateViolations;
      this.violations ??= new TokenBucket(abuse / 10, abuse, now);
      if (!this.violations.take(now)) {
        connection.sendError('rate_limited', 'too many frames: closing');
        connection.close(CLOSE_CODES.policyViolation, 'rate limit abuse');
        ctx.log.warn('rate limit abuse', { conn: connection.id, user: connection.user?.id });
        return;
      }
      // A dropped request is answered, so the client retries it instead of waiting out its
      // timeout. Parsing is bounded: a frame over the size limit is not, and about a hundred
      // drops in a row close the connection.
      const replyTo =
        isBinary || bytes.byteLength > ctx.limits.maxFrameBytes
          ? undefined
          : requestIdOf(bytes.toString('utf8'));
      connection.sendError('rate_limited', overRate, { replyTo });
      return;
    }
    if (bytes.byteLength > ctx.limits.maxFrameBytes) {
      connection.sendError('frame_too_large', `frame exceeds ${ctx.limits.maxFrameBytes} bytes`);
      return;
    }
    if (isBinary) {
      connection.sendError('bad_frame', 'binary frames are not part of the protocol');
      return;
    }
    const text = bytes.toString('utf8');
    if (this.busy && connection.state === 'open' && isPing(text)) {
      // A heartbeat is answered at once, not behind a save waiting for the CRM's backend (which
      // may take its whole timeout): the client takes an unanswered ping for a dead connection
      // and would drop the socket that the save's answer is about to come back on.
      this.run(text, arrived, false);
      return;
    }
    if (this.busy) {
      // Frames wait while an earlier one's handler runs (token check, an async hook). The rate
      // limit already bounds arrivals; this bounds a client that outpaces a slow handler.
      const backlog = (this.backlog ??= []);
      if (backlog.length >= Math.max(64, 2 * ctx.limits.maxMessagesPerSecond)) {
        connection.sendError('rate_limited', 'too many frames waiting: closing');
        connection.close(CLOSE_CODES.policyViolation, 'backlog overflow');
        return;
      }
      backlog.push([text, arrived]);
      return;
    }
    this.run(text, arrived);
  }

  /**
   * Handles frames one at a time, in arrival order, even when a handler is asynchronous
   * (`inOrder`); a ping, answered synchronously, goes past them.
   */
  private run(text: string, arrived: number, inOrder = true): void {
    let pending: Promise<void> | void;
    try {
      pending = this.handle(text, arrived);
    } catch (err) {
      this.failed(err);
      pending = undefined;
    }
    if (!pending || !inOrder) return;
    this.ctx.inFlight.track(pending);
    this.busy = true;
    pending
      .catch((err: unknown) => this.failed(err))
      .finally(() => {
        this.busy = false;
        const backlog = this.backlog;
        while (!this.busy && backlog?.length && this.connection.state !== 'closing') {
          this.run(...backlog.shift()!);
        }
        // Drained: an idle connection keeps no array.
        if (this.backlog?.length === 0) this.backlog = undefined;
      });
  }

  private handle(text: string, arrived: number): Promise<void> | void {
    const { connection, ctx } = this;
    const parsed = parseClientFrame(text, ctx.limits.maxFrameBytes);
    // A hello is logged once its user is known (see `hello`), so watching a user shows it.
    if (!parsed.ok || parsed.frame.type !== 'hello') ctx.frameDebug?.inbound(connection, text);
    if (!parsed.ok) {
      const invalidHello = connection.state === 'handshake' ? invalidHelloReason(text) : undefined;
      if (invalidHello !== undefined) {
        // The client would send the same hello again (a development identity with a
        // javascript: avatar, say): refuse it now, saying which field, rather than let the
        // handshake timeout close the socket without a reason.
        this.handshakeFailed(true);
        ctx.log.info('handshake refused', {
          conn: connection.id,
          address: this.address,
          reason: invalidHello,
        });
        connection.sendError('bad_frame', invalidHello, { replyTo: requestIdOf(text) });
        connection.close(CLOSE_CODES.policyViolation, 'invalid hello');
        return;
      }
      connection.sendError(parsed.code, parsed.message, { replyTo: requestIdOf(text) });
      return;
    }
    const frame = parsed.frame;
    if (connection.state === 'handshake') {
      if (frame.type !== 'hello') {
        this.handshakeFailed(false);
        connection.sendError('not_authenticated', 'the first frame must be hello', {
          replyTo: 'id' in frame ? frame.id : undefined,
        });
        connection.close(CLOSE_CODES.policyViolation, 'not authenticated');
        return;
      }
      return this.hello(frame);
    }
    if (WriteBudget.pays(frame)) {
      const bytes = Buffer.byteLength(text);
      const overBudget = ctx.writeBudget.refusal(connection.user!.id, bytes, ctx.clock.now());
      if (overBudget !== undefined) {
        connection.sendError('rate_limited', overBudget.message, {
          replyTo: 'id' in frame ? frame.id : undefined,
          retryAfterMs: overBudget.retryAfterMs,
        });
        return;
      }
      connection.frameBytes = bytes;
    }
    connection.frameArrivedAt = arrived;
    return dispatchFrame(ctx.frames, connection, frame);
  }

  private async hello(hello: HelloFrame): Promise<void> {
    const { connection, ctx } = this;
    if (hello.v !== PROTOCOL_VERSION) {
      this.handshakeFailed(true);
      connection.sendError(
        'unsupported_version',
        `protocol version ${hello.v} is not supported; this server speaks ${PROTOCOL_VERSION}`,
        { replyTo: hello.id },
      );
      connection.close(CLOSE_CODES.protocolError, 'unsupported version');
      return;
    }
    connection.state = 'authenticating';
    connection.clientId = hello.clientId;
    connection.acceptsPartialAck = acceptsPartialAck(hello.accepts);
    const result = await ctx.auth.authenticate({ token: hello.token, devUser: hello.devUser });
    if (connection.state !== 'authenticating') return; // closed while verifying
    if (!result.ok && result.unavailable) {
      // The token was not found wanting: its keys could not be had. Answered as an outage the
      // client retries with backoff (an `invalid_token` would make it give up after two tries,
      // signing every user out for good), and not held against the client's address: a
      // provider's outage must not throttle a whole office behind one NAT. The operator is told.
      this.handshakeCounted = true;
      ctx.log.warn('token keys unavailable: handshake refused for now', {
        conn: connection.id,
        reason: result.reason,
      });
      connection.sendError(
        'backend_unavailable',
        "could not check the token now: the identity provider's keys could not be fetched; retry",
        { replyTo: hello.id },
      );
      connection.close(CLOSE_CODES.tryAgainLater, 'token keys unavailable');
      return;
    }
    if (!result.ok) {
      this.handshakeFailed(true);
      ctx.log.info('handshake refused', {
        conn: connection.id,
        address: this.address,
        reason: result.reason,
      });
      connection.sendError('invalid_token', result.reason, { replyTo: hello.id });
      connection.close(CLOSE_CODES.policyViolation, 'invalid token');
      return;
    }
    // A backend ended this user's sessions and revoked the tokens issued until then.
    let revoked: string | undefined;
    try {
      const refusal = ctx.users.refusal(result);
      revoked = typeof refusal === 'object' ? await refusal : refusal;
    } catch (err) {
      if (connection.state !== 'authenticating') return;
      this.handshakeCounted = true;
      ctx.log.warn('revocations unavailable: handshake refused for now', {
        conn: connection.id,
        ...errorFields(err),
      });
      connection.sendError(
        'backend_unavailable',
        'could not check whether the session was revoked; retry',
        { replyTo: hello.id },
      );
      connection.close(CLOSE_CODES.tryAgainLater, 'revocations unavailable');
      return;
    }
    if (connection.state !== 'authenticating') return; // closed while checking
    if (revoked !== undefined) {
      this.handshakeFailed(true);
      ctx.metrics.revokedTokensRefused++;
      ctx.log.info('handshake refused', {
        conn: connection.id,
        address: this.address,
        user: result.user.id,
        reason: revoked,
      });
      connection.sendError('invalid_token', revoked, { replyTo: hello.id });
      connection.close(CLOSE_CODES.policyViolation, 'token revoked');
      return;
    }
    this.clearHandshakeTimer();
    this.handshakeOver();
    if (!ctx.connectionsOfUser.take(result.user.id)) {
      // Not a failed handshake: the token is good, and the client retries with backoff, by when
      // one of the user's other sockets may have closed.
      ctx.metrics.userConnectionsOverLimit++;
      ctx.log.warn('too many connections for one user', {
        conn: connection.id,
        user: result.user.id,
        max: ctx.connectionsOfUser.max,
      });
      connection.sendError(
        'rate_limited',
        `more than ${ctx.connectionsOfUser.max} connections for this user: retry later`,
        { replyTo: hello.id },
      );
      connection.close(CLOSE_CODES.tryAgainLater, 'too many connections for this user');
      return;
    }
    this.countedUser = result.user.id;
    connection.user = result.user;
    connection.state = 'open';
    ctx.users.add(connection);
    // A new hello (a refreshed token, say) drops the callback's cached answers for this user, so
    // a revoked permission does not outlive the token that carried it.
    ctx.authorizeCallback?.revokeUser(result.user.id);
    connection.permissions = connectionPermissions(
      ctx.authorize,
      result.permissions,
      ctx.authorizeCallback,
      {
        user: result.user,
        customHook: ctx.authorize !== defaultAuthorize,
        onError: (room, err) =>
          ctx.log.error('authorize hook failed', { room, action: 'read', ...errorFields(err) }),
      },
    );
    ctx.frameDebug?.inbound(connection, JSON.stringify(hello), hello);
    if (result.expiresAt !== undefined) this.watchExpiry(result.expiresAt);
    const { limits } = ctx;
    connection.send({
      type: 'welcome',
      replyTo: hello.id,
      v: PROTOCOL_VERSION,
      connectionId: connection.id,
      user: result.user,
      heartbeatMs: ctx.heartbeatMs,
      limits: {
        maxFrameBytes: limits.maxFrameBytes,
        maxRoomsPerConnection: limits.maxRoomsPerConnection,
        maxMessagesPerSecond: limits.maxMessagesPerSecond,
        maxPresenceBytes: limits.maxPresenceBytes,
      },
    });
    ctx.log.info('connected', {
      conn: connection.id,
      user: result.user.id,
      address: this.address,
      client: hello.clientId,
      via: result.via,
    });
  }

  /**
   * A token is checked on connect; a connection outliving its token is closed with 1008 when it
   * expires, so the client gets a fresh token from `getToken` and resumes. (A revoked user's
   * socket does not stay open for days.) Timers longer than Node allows are chained.
   */
  private watchExpiry(expiresAt: number): void {
    const { ctx, connection } = this;
    const wait = expiresAt - ctx.clock.now();
    if (wait > MAX_TIMER_MS) {
      this.expiryTimer = ctx.clock.setTimeout(() => this.watchExpiry(expiresAt), MAX_TIMER_MS);
      return;
    }
    this.expiryTimer = ctx.clock.setTimeout(
      () => {
        this.expiryTimer = undefined;
        if (connection.state !== 'open') return;
        ctx.log.info('token expired', { conn: connection.id, user: connection.user?.id });
        connection.sendError('invalid_token', 'token expired: reconnect with a fresh token');
        connection.close(CLOSE_CODES.policyViolation, 'token expired');
      },
      Math.max(0, wait),
    );
  }

  /** The socket no longer counts among its address's handshakes in flight. */
  private handshakeOver(): void {
    if (!this.inHandshake) return;
    this.inHandshake = false;
    this.ctx.handshakesOfAddress.release(this.addressKey);
  }

  private clearHandshakeTimer(): void {
    if (this.handshakeTimer === undefined) return;
    this.ctx.clock.clearTimeout(this.handshakeTimer);
    this.handshakeTimer = undefined;
  }

  private onClose(code: number): void {
    this.clearHandshakeTimer();
    // A socket its client closes before `welcome` counts as a failed handshake too: otherwise
    // sockets that never say hello, each closed just before the handshake timeout, would hold
    // server resources round after round without ever meeting the throttle.
    const state = this.connection.state;
    if ((state === 'handshake' || state === 'authenticating') && !this.handshakeCounted) {
      this.handshakeFailed(false);
    }
    this.handshakeOver();
    if (this.countedUser !== undefined) {
      this.ctx.connectionsOfUser.release(this.countedUser);
      this.ctx.users.remove(this.connection);
    }
    this.countedUser = undefined;
    if (this.expiryTimer !== undefined) this.ctx.clock.clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    this.connection.state = 'closing';
    this.backlog = undefined;
    this.ctx.leaveAll(this.connection);
    this.ctx.metrics.countClose(code);
    this.ctx.log.info('disconnected', {
      conn: this.connection.id,
      user: this.connection.user?.id,
      code,
    });
    this.onClosed(this, code);
  }
}

/**
 * A `ping` frame (the handler still validates it). Told by parsing, not by the text's start: JSON
 * keeps the last of duplicate keys, so `{"type":"ping","type":"leave"}` is a `leave`, which must not
 * get past the frames waiting before it. Short frames only, so the parse stays cheap.
 */
function isPing(text: string): boolean {
  if (text.length > 64) return false;
  try {
    return (JSON.parse(text) as { type?: unknown } | null)?.type === 'ping';
  } catch {
    return false;
  }
}
