/**
 * One logical connection over a succession of sockets: handshake (`hello`/`welcome`), heartbeat
 * with dead-socket detection, reconnect with jittered backoff, immediate retry when the network
 * comes back or the tab becomes visible, and an observable status. Rooms and presence are not its
 * business: the client re-establishes them whenever `onOpen` fires.
 */
import type { ClientFrame, ErrorCode, HelloFrame, ServerFrame } from '../../protocol/index.js';
import { CLOSE_CODES } from '../../protocol/errors.js';
import { ACCEPTS_PARTIAL_ACK, LIMITS, PROTOCOL_VERSION } from '../../protocol/constants.js';
import { Backoff } from './backoff.js';
import { Heartbeat } from './heartbeat.js';
import { decodeFrame, encodeFrame } from './wire.js';
import { RealtimeError } from '../realtime-error.js';
import type {
  ConnectionRefusal,
  ConnectionStatus,
  SocketLike,
  TransportEvents,
  TransportOptions,
} from '../types.js';
import { LOG_PREFIX } from '../../util/warn.js';

/** What a connection is made from and tells: the transport seam's (see `types.ts`). */
export type ConnectionOptions = TransportOptions;
export type ConnectionEvents = TransportEvents;

/** Where the connection is; `status` is the public projection of it. */
type Phase = 'idle' | 'connecting' | 'open' | 'waiting' | 'offline' | 'closed';

type TimerName = 'retry' | 'connect' | 'lostClose';

/**
 * Answers to `hello` that retrying cannot change: the same hello would be invalid again
 * (`bad_frame`, e.g. a development identity's `javascript:` avatar), the server will not let this
 * user in (`forbidden`), or it does not speak this protocol version. A refused token is not here:
 * it may just be stale, so it gets one more try with a fresh one (see `refused`).
 */
const FINAL_REFUSALS: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'bad_frame',
  'forbidden',
  'unsupported_version',
]);

/** Codes of a `RealtimeError` thrown by `getToken` that end retrying (see `attempt`). */
const TOKEN_SOURCE_REFUSALS: ReadonlySet<string> = new Set<ErrorCode>([
  'invalid_token',
  'forbidden',
]);

/** The error handler a dropped socket keeps (see `teardown`). */
const ignore = (): void => {};

const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

export class Connection {
  private phase: Phase = 'idle';
  private current: ConnectionStatus = { state: 'closed', reason: 'not connected yet' };
  private socket: SocketLike | null = null;
  /** Incremented whenever a socket is abandoned, so its late callbacks are ignored. */
  private generation = 0;
  private readonly backoff: Backoff;
  private readonly timers = new Map<TimerName, unknown>();
  /** True after `close()`: nothing reconnects until `connect()` is called again. */
  private stopped = false;
  private lastError: string | undefined;
  /** Handshakes refused with `invalid_token` since the last welcome or `retryNow`. */
  private tokenRefusals = 0;
  private maxFrameBytes: number = LIMITS.maxFrameBytes;
  private readonly warned = new Set<string>();
  private unsubscribeEnvironment: (() => void) | undefined;
  private readonly heartbeat: Heartbeat;
  /** When the current socket's `hello` went out: the handshake is its first round trip. */
  private helloAt = 0;

  constructor(
    private readonly options: ConnectionOptions,
    private readonly events: ConnectionEvents,
  ) {
    this.backoff = new Backoff({
      base: options.reconnectInterval,
      cap: options.maxReconnectInterval,
      random: options.random,
    });
    this.heartbeat = new Heartbeat({
      clock: options.clock,
      interval: options.heartbeatInterval,
      timeout: options.heartbeatTimeout,
      probeTimeout: options.probeTimeout,
      ping: () => this.sendRaw({ type: 'ping', t: this.options.clock.now() }),
      dead: (reason) => this.fail(reason),
    });
  }

  get status(): ConnectionStatus {
    return this.current;
  }

  get isOpen(): boolean {
    return this.phase === 'open';
  }

  /** Start connecting (no-op when already connecting or open). Also revives a closed connection. */
  connect(): void {
    if (this.phase === 'connecting' || this.phase === 'open') return;
    this.stopped = false;
    this.tokenRefusals = 0;
    this.listenToEnvironment();
    if (this.phase !== 'waiting' && this.phase !== 'offline') this.backoff.reset();
    void this.attempt();
  }

  /** Skip the wait: try now when reconnecting, offline, or after attempts ran out. */
  retryNow(): void {
    if (this.stopped) return;
    this.tokenRefusals = 0; // the page may have fixed the sign-in: a refused token gets its retry
    if (this.phase === 'idle') {
      this.connect();
    } else if (this.phase === 'waiting' || this.phase === 'offline') {
      void this.attempt();
    } else if (this.phase === 'closed') {
      this.backoff.reset();
      this.listenToEnvironment();
      void this.attempt();
    }
  }

  /** Close for good: status `closed`, no more retries. */
  close(reason = 'closed by client'): void {
    this.stopped = true;
    this.teardown(reason, CLOSE_CODES.normal);
    this.clear('retry');
    this.unsubscribeEnvironment?.();
    this.unsubscribeEnvironment = undefined;
    this.setPhase('closed', { state: 'closed', reason });
  }

  /**
   * Send a frame on the open socket. Throws `RealtimeError('not_connected')` when not open and
   * `RealtimeError('frame_too_large')` when over the server's advertised limit.
   */
  send(frame: ClientFrame): void {
    if (this.phase !== 'open' || !this.socket) {
      throw new RealtimeError('not_connected', `cannot send ${frame.type}: not connected`);
    }
    const text = encodeFrame(frame, this.maxFrameBytes);
    this.options.frameLog?.out(text);
    this.socket.send(text);
    // A request (a save above all) on a link that died unnoticed would wait for its timeout: the
    // link is probed now, so a dead one is given up in seconds and the request sent again on the
    // next socket (see `Heartbeat.expectAnswer`).
    if ('id' in frame && frame.id !== undefined) this.heartbeat.expectAnswer();
  }

  // -------------------------------------------------------------------------------------------
  // attempts

  private async attempt(): Promise<void> {
    this.clear('retry');
    if (this.socket) this.teardown('replaced by a new attempt', CLOSE_CODES.normal);
    if (!this.options.environment.isOnline()) {
      this.setPhase('offline', { state: 'offline' });
      return;
    }
    const generation = ++this.generation;
    this.setPhase('connecting', { state: 'connecting', attempt: this.backoff.attempt + 1 });
    this.set('connect', this.options.connectTimeout, () => this.fail('connect timeout'));

    let token: string | undefined;
    try {
      token = (await this.options.getToken?.()) ?? undefined;
    } catch (error) {
      if (generation !== this.generation) return;
      // A token source that knows the user has no session says so with a RealtimeError
      // (`invalid_token`, `forbidden`): retrying cannot help, so it ends like a refused hello.
      // Anything else (a network error) is one failed attempt, retried with backoff.
      if (error instanceof RealtimeError && TOKEN_SOURCE_REFUSALS.has(error.code)) {
        this.giveUp({ code: error.code as ErrorCode, message: error.message });
      } else {
        this.fail(`getToken failed: ${describe(error)}`);
      }
      return;
    }
    if (generation !== this.generation || this.stopped) return;

    let socket: SocketLike;
    try {
      socket = this.options.socketFactory(this.options.url);
    } catch (error) {
      this.fail(`cannot open socket: ${describe(error)}`);
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (generation !== this.generation) return;
      this.helloAt = this.options.clock.now();
      const hello: HelloFrame = {
        type: 'hello',
        id: `hello-${generation}`,
        v: PROTOCOL_VERSION,
        clientId: this.options.clientId,
        // The live data reads an ack `partial` (applied, too large to carry the entity) by reading
        // the entity again; a server sends it only to a client that says so.
        accepts: [ACCEPTS_PARTIAL_ACK],
      };
      if (token !== undefined) hello.token = token;
      if (this.options.devUser) hello.devUser = this.options.devUser;
      const text = JSON.stringify(hello);
      this.options.frameLog?.opened();
      this.options.frameLog?.out(text);
      socket.send(text);
    };
    socket.onmessage = (event) => {
      if (generation === this.generation) this.receive(event.data);
    };
    socket.onerror = () => {
      if (generation !== this.generation) return;
      this.lastError = 'socket error';
      // A socket that could not connect is already closed when its `error` fires, and its `close`
      // should follow. Chromium never fires that `close` for a socket the page's
      // Content-Security-Policy blocks (`connect-src` without the server), which left the page
      // "connecting" until the connect timeout (20 s) on every attempt. Such a socket fails on
      // the next task unless its `close` came first.
      if (socket.readyState === CLOSED) {
        this.set('lostClose', 0, () => {
          if (generation === this.generation) this.fail('closed (1006)');
        });
      }
    };
    socket.onclose = (event) => {
      if (generation !== this.generation) return;
      const policy = event.code === CLOSE_CODES.policyViolation;
      this.fail(
        policy
          ? `refused by server (${event.code}${event.reason ? `: ${event.reason}` : ''})`
          : `closed (${event.code}${event.reason ? `: ${event.reason}` : ''})`,
      );
    };
  }

  /** The current socket failed or closed: drop it and schedule the next try. */
  private fail(reason: string, delay?: number): void {
    this.lastError = reason;
    this.teardown(reason, CLOSE_CODES.timeout);
    this.scheduleRetry(delay);
  }

  private scheduleRetry(delayOverride?: number): void {
    if (this.stopped) return;
    let delay: number;
    if (delayOverride !== undefined) {
      delay = delayOverride;
    } else {
      if (this.backoff.attempt >= this.options.maxReconnectAttempts) {
        // Attempts ran out: offline, not closed. Nothing more is tried on a timer, but "Retry
        // now" and the network coming back (`online`) start a fresh round of attempts.
        const status: ConnectionStatus = { state: 'offline', gaveUpAfter: this.backoff.attempt };
        if (this.lastError !== undefined) status.lastError = this.lastError;
        this.backoff.reset();
        this.setPhase('offline', status);
        return;
      }
      delay = this.backoff.next(this.options.clock.now());
    }
    if (!this.options.environment.isOnline()) {
      this.setPhase('offline', { state: 'offline' });
      return;
    }
    const status: ConnectionStatus = {
      state: 'reconnecting',
      attempt: this.backoff.attempt,
      nextRetryAt: this.options.clock.now() + delay,
    };
    if (this.lastError !== undefined) status.lastError = this.lastError;
    this.setPhase('waiting', status);
    this.set('retry', delay, () => void this.attempt());
  }

  /** Abandon the current socket (if any); tells the client when an open connection went down. */
  private teardown(reason: string, code: number): void {
    const socket = this.socket;
    const wasOpen = this.phase === 'open';
    this.socket = null;
    this.generation += 1;
    this.clear('connect');
    this.clear('lostClose');
    this.heartbeat.stop();
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = null;
      // Node's `ws` reports closing a socket that is still connecting as an `error` event, which
      // it throws when nothing listens: the process would crash. A browser just closes it.
      socket.onerror = ignore;
      if (socket.readyState < CLOSING) {
        try {
          socket.close(code, reason.slice(0, 100));
        } catch {
          // A reason past the 123 bytes (UTF-8) of a close frame throws and would leave the
          // socket open (a server's refusal in Japanese): 41 UTF-16 units never pass them.
          try {
            socket.close(code, reason.slice(0, 41));
          } catch {
            // already closing
          }
        }
      }
    }
    if (wasOpen) this.events.onDown(reason);
  }

  // -------------------------------------------------------------------------------------------
  // frames

  private receive(data: unknown): void {
    this.heartbeat.alive(); // any traffic proves the socket is alive
    this.options.frameLog?.in(data);
    const decoded = (this.options.decode ?? decodeFrame)(data);
    if (!decoded.ok) {
      const { kind, message } = decoded;
      return this.warnOnce(kind, `dropped an invalid frame (${kind}): ${message}`);
    }
    const frame = decoded.frame;
    if (frame.type === 'ping') {
      this.sendRaw({ type: 'pong', ...(frame.t !== undefined ? { t: frame.t } : {}) });
    } else if (frame.type === 'pong' && frame.t !== undefined) {
      this.heartbeat.roundTrip(this.options.clock.now() - frame.t); // `t` is our ping's time
    }
    if (this.phase !== 'open') return this.handshake(frame);
    if (frame.type === 'bye') {
      // Graceful shutdown: come back after a jittered delay within the announced window, and if
      // the server is not back yet, retry only after that window (see `Backoff.afterBye`), so a
      // restart causes no storm.
      const delay = this.backoff.afterBye(frame.reconnectMs, this.options.clock.now());
      this.lastError = `server said bye (${frame.reason})`;
      this.teardown(this.lastError, CLOSE_CODES.normal);
      return this.scheduleRetry(delay);
    }
    this.events.onFrame(frame, data as string);
  }

  private handshake(frame: ServerFrame): void {
    if (frame.type === 'welcome') {
      this.clear('connect');
      this.backoff.reset();
      this.lastError = undefined;
      this.tokenRefusals = 0;
      this.maxFrameBytes = frame.limits.maxFrameBytes;
      this.setPhase('open', { state: 'open', since: this.options.clock.now() });
      this.heartbeat.start(this.options.clock.now() - this.helloAt);
      this.events.onOpen(frame);
    } else if (frame.type === 'error') {
      this.lastError = `${frame.code}: ${frame.message}`;
      this.refused({ code: frame.code, message: frame.message });
    } else if (frame.type === 'bye') {
      const delay = this.backoff.afterBye(frame.reconnectMs, this.options.clock.now());
      this.fail(`server said bye (${frame.reason})`, delay);
    }
  }

  /**
   * The server answered `hello` with an error. A final refusal (see `FINAL_REFUSALS`), or a token
   * refused twice in a row, ends in `closed` with the refusal, so the page can say why instead of
   * retrying for ever; `retryNow()` tries again once the cause is fixed. A first refused token is
   * left to the server's 1008 close: the next attempt calls `getToken` for a fresh one (it may
   * have expired while the tab slept). Other errors (`not_authenticated` after a slow hello,
   * `internal`) fail the attempt as usual when the socket closes.
   */
  private refused(refusal: ConnectionRefusal): void {
    if (refusal.code === 'invalid_token') {
      this.tokenRefusals += 1;
      if (this.tokenRefusals < 2) return;
    } else if (!FINAL_REFUSALS.has(refusal.code)) {
      return;
    }
    this.giveUp(refusal);
  }

  /** Stop retrying: status `closed` with the refusal, until `retryNow()` or `connect()`. */
  private giveUp(refusal: ConnectionRefusal): void {
    const reason = `sign-in refused (${refusal.code}: ${refusal.message})`;
    this.lastError = reason;
    this.teardown(reason, CLOSE_CODES.normal);
    this.clear('retry');
    this.unsubscribeEnvironment?.();
    this.unsubscribeEnvironment = undefined;
    this.setPhase('closed', { state: 'closed', reason, refusal });
  }

  private sendRaw(frame: ClientFrame): void {
    if (this.socket?.readyState !== OPEN) return;
    const text = JSON.stringify(frame);
    this.options.frameLog?.out(text);
    this.socket.send(text);
  }

  // ---------------------------------------------------------------------------------------------
  // environment

  private listenToEnvironment(): void {
    if (this.unsubscribeEnvironment) return;
    const env = this.options.environment;
    const offOnline = env.onOnlineChange((online) => {
      if (this.stopped) return;
      if (online) {
        if (this.phase === 'offline' || this.phase === 'waiting') void this.attempt();
      } else if (this.phase !== 'offline' && this.phase !== 'closed' && this.phase !== 'idle') {
        // The browser's `offline` is reliable (unlike `online`): the socket is gone even when no
        // close has arrived, and waiting for the heartbeat would show "Connected" and accept
        // saves for another 10 s. Give it up now, so requests in flight fail, the outbox takes
        // new saves and every widget says "Offline"; `online` brings the next attempt at once.
        this.clear('retry');
        this.teardown('the browser went offline', CLOSE_CODES.normal);
        this.setPhase('offline', { state: 'offline' });
      }
    });
    const offVisible = env.onVisibilityChange((visible) => {
      if (this.stopped || !visible) return;
      if (this.phase === 'waiting') void this.attempt();
      else if (this.phase === 'open') this.heartbeat.check(); // after a sleep the socket may be dead
    });
    this.unsubscribeEnvironment = () => {
      offOnline();
      offVisible();
    };
  }

  // -------------------------------------------------------------------------------------------
  // helpers

  private setPhase(phase: Phase, status: ConnectionStatus): void {
    this.phase = phase;
    this.current = status;
    this.events.onStatus(status);
  }

  private set(name: TimerName, ms: number, fn: () => void): void {
    this.clear(name);
    const handle = this.options.clock.setTimeout(() => {
      this.timers.delete(name);
      fn();
    }, ms);
    this.timers.set(name, handle);
  }

  private clear(name: TimerName): void {
    if (!this.timers.has(name)) return;
    this.options.clock.clearTimeout(this.timers.get(name));
    this.timers.delete(name);
  }

  private warnOnce(kind: string, message: string): void {
    if (this.warned.has(kind)) return;
    this.warned.add(kind);
    this.options.logger.warn(`${LOG_PREFIX} ${message}`);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
