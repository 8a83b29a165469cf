/**
 * The server's sockets: one `node:http` server for the HTTP side (`/healthz`, `/metrics`, the API,
 * static files) and the WebSocket upgrade (origin check, the client's address behind trusted
 * proxies, failed-handshake throttle), a session per socket, the server's heartbeat, and the
 * goodbye to every client at shutdown. What the sessions talk to comes in composed
 * (`services.ts`).
 */
import { randomUUID } from 'node:crypto';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server as HttpServer,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type Server as WsServer } from 'ws';
import { every } from './clock.js';
import {
  addressKey,
  canonicalAddress,
  requestAddress,
  type TrustedProxies,
} from './client-address.js';
import { ConnectionCounts } from './connection-counts.js';
import type { HttpTimeouts } from './config.js';
import { createRequestHandler, type HttpRoutes } from './http.js';
import type { HttpApi } from './http-api.js';
import { Session, type SessionContext } from './session.js';
import { ServerSocket } from './server-socket.js';
import { StaticFiles } from './static-files.js';
import { CLOSE_CODES } from '../protocol/index.js';

export interface TransportOptions {
  readonly session: SessionContext;
  readonly api: HttpApi;
  /** `/healthz` and `/metrics` (the open connections are the transport's own to count). */
  readonly routes: (connections: () => number) => HttpRoutes;
  /**
   * Whether the process can serve a new socket. While it cannot (its Redis away), upgrades are
   * refused 503, so a load balancer that retries on 503 (nginx `proxy_next_upstream … http_503`)
   * hands the client to a process that can, and a client with none to go to shows
   * "reconnecting" and retries, rather than connect to a process that would refuse its every
   * join.
   */
  readonly ready: () => boolean;
  readonly http: HttpTimeouts;
  /** permessage-deflate for peers that offer it, from `threshold` payload bytes. */
  readonly compression: { readonly enabled: boolean; readonly threshold: number };
  /** Page origins allowed to open a WebSocket; empty: any. */
  readonly allowedOrigins: readonly string[];
  /** Proxies whose `X-Forwarded-For` names the client (see `client-address.ts`). */
  readonly trustProxy: TrustedProxies;
  readonly staticDirs: readonly string[] | undefined;
  /** What `bye` tells clients to wait before reconnecting at shutdown. */
  readonly shutdownReconnectMs: number;
  /** How long shutdown waits for clients to acknowledge the close before dropping them. */
  readonly shutdownTimeoutMs: number;
}

/**
 * Answers a refused upgrade and lets the socket go once the answer is written: ending only the
 * server's side would leave the descriptor held for as long as the client keeps its own open
 * (past Node's HTTP timeouts, which no longer apply once an upgrade began).
 */
function refuse(socket: Duplex, answer: string): void {
  socket.once('finish', () => socket.destroy());
  socket.end(answer);
}

export class Transport {
  readonly httpServer: HttpServer;
  private readonly sessions = new Set<Session>();
  private readonly closedWaiters = new Set<() => void>();
  private readonly wss: WsServer<typeof ServerSocket>;
  private readonly origins: ReadonlySet<string>;
  private readonly stopHeartbeat: () => void;
  /** Plain HTTP sockets open per peer address (see `limits.maxHttpSocketsPerAddress`). */
  private readonly httpSockets: ConnectionCounts;
  private closing = false;

  constructor(private readonly options: TransportOptions) {
    const { session, http, compression } = options;
    this.wss = new WebSocketServer({
      noServer: true,
      // Keeps whether each socket is open in a plain field the fan-out reads (server-socket.ts).
      WebSocket: ServerSocket,
      // Above the protocol limit, so an oversized frame reaches the session and is answered with
      // `frame_too_large` while the connection survives; far larger ones are cut off with 1009.
      // ws applies it to the inflated size, so a small compressed frame that inflates past it (a
      // zip bomb) is cut off as it inflates, with 1009.
      maxPayload: session.limits.maxFrameBytes * 4,
      perMessageDeflate: compression.enabled
        ? {
            // Without context takeover each message compresses alone, so a broadcast is deflated
            // once and the same bytes go to every member (see `PreparedFrame.deflated`).
            serverNoContextTakeover: true,
            threshold: compression.threshold,
          }
        : false,
      clientTracking: false,
    });
    const files = options.staticDirs?.length ? new StaticFiles(options.staticDirs) : undefined;
    // A connection that has not sent its request headers in time (idle new ones included), or a
    // whole request, is closed; so is an idle keep-alive connection. Node checks the first two
    // every `connectionsCheckingInterval`, so that follows the headers timeout.
    this.httpServer = createHttpServer(
      {
        headersTimeout: http.headersTimeoutMs,
        requestTimeout: http.requestTimeoutMs,
        connectionsCheckingInterval: Math.min(Math.max(50, http.headersTimeoutMs / 4), 30_000),
      },
      createRequestHandler(
        options.routes(() => this.sessions.size),
        files,
        session.log,
        options.api,
      ),
    );
    this.httpServer.keepAliveTimeout = http.keepAliveTimeoutMs;
    this.httpSockets = new ConnectionCounts(session.limits.maxHttpSocketsPerAddress);
    if (this.httpSockets.max > 0)
      this.httpServer.on('connection', (s: Socket) => this.connected(s));
    this.httpServer.on('clientError', (_err, socket) => socket.destroy());
    this.origins = new Set(options.allowedOrigins.map(normalizeOrigin));
    this.httpServer.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
    this.stopHeartbeat = every(session.clock, session.heartbeatMs, () => this.heartbeat());
  }

  /** Open WebSocket connections. */
  get connections(): number {
    return this.sessions.size;
  }

  get port(): number {
    const address = this.httpServer.address();
    return address && typeof address === 'object' ? address.port : 0;
  }

  listen(port: number, host: string | undefined): Promise<AddressInfo> {
    const { httpServer } = this;
    return new Promise<AddressInfo>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(port, host, () => {
        httpServer.off('error', reject);
        const address = httpServer.address() as AddressInfo;
        this.options.session.log.info('listening', { port: address.port, host: address.address });
        resolve(address);
      });
    });
  }

  /**
   * Tells the members of `room` to resume (its events were lost for this process): `bye`, then
   * close 1001, so the client reconnects and gets `gap`.
   */
  resumeRoom(room: string): void {
    for (const { connection } of this.sessions) {
      const membership = connection.memberships.get(room);
      // A join still in flight is answered after the interruption (the bus reads its position
      // once the room's recovery is over), so it has missed nothing.
      if (!membership || membership.queue !== null) continue;
      connection.send({ type: 'bye', reason: 'shutdown', reconnectMs: 1000 });
      connection.close(CLOSE_CODES.goingAway, 'room events interrupted: resume');
    }
  }

  /**
   * Refuses new sockets, says `bye` to every client, waits (bounded) for them to close, then
   * closes the HTTP server.
   */
  async close(): Promise<void> {
    this.closing = true;
    this.stopHeartbeat();
    const { sessions, options } = this;
    const allClosed = new Promise<void>((resolve) => {
      if (sessions.size === 0) resolve();
      else this.closedWaiters.add(resolve);
    });
    for (const { connection } of sessions) {
      connection.send({
        type: 'bye',
        reason: 'shutdown',
        reconnectMs: options.shutdownReconnectMs,
      });
      connection.close(CLOSE_CODES.goingAway, 'server shutting down');
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      allClosed,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, options.shutdownTimeoutMs);
      }),
    ]);
    clearTimeout(timer);
    for (const { connection } of sessions) connection.terminate();
    await new Promise<void>((resolve) => {
      this.httpServer.close(() => resolve());
      this.httpServer.closeAllConnections();
    });
  }

  /**
   * A new TCP socket counts against its peer's address until it closes or becomes a
   * WebSocket (whose sockets the handshake and per-user ceilings bound); past the ceiling it is
   * closed before anything is read. A trusted proxy is not counted: it is every client's peer.
   */
  private connected(socket: Socket): void {
    const remote = socket.remoteAddress ?? '';
    const peer = canonicalAddress(remote) ?? remote;
    if (this.options.trustProxy.trusts(peer)) return;
    const key = addressKey(peer);
    if (!this.httpSockets.take(key)) {
      const { metrics, log } = this.options.session;
      metrics.httpSocketsOverLimit++;
      log.warn('too many http sockets from one address', { address: peer });
      socket.destroy();
      return;
    }
    httpSocketCount.set(socket, { counts: this.httpSockets, key });
    socket.on('close', uncountHttpSocket);
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const { session: ctx } = this.options;
    // Still counted as a plain HTTP socket until it is a WebSocket: a refusal below ends only
    // the server's side, and a client that never ends its own would hold the socket uncounted.
    socket.on('error', destroySocket);
    if (this.closing) {
      socket.destroy();
      return;
    }
    if (!this.options.ready()) {
      ctx.metrics.handshakesUnavailable++;
      refuse(
        socket,
        'HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
      );
      return;
    }
    // Behind a trusted proxy, the client it names; else the TCP peer. Every limit per address
    // (the failed-handshake throttle, the handshake ceiling) and the logs use this one.
    const address = requestAddress(req, this.options.trustProxy);
    const origin = req.headers.origin;
    if (
      this.origins.size > 0 &&
      origin !== undefined &&
      !this.origins.has(normalizeOrigin(origin))
    ) {
      ctx.log.info('websocket origin refused', { origin: origin.slice(0, 200), address });
      refuse(socket, 'HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    // Node keeps what `remoteAddress` read (an object and the address string) on the socket for
    // its whole life; nothing reads it again, and every open connection would hold ~70 bytes.
    (req.socket as unknown as { _peername?: unknown })._peername = undefined;
    const allowed = ctx.authThrottle.allows(addressKey(address), ctx.clock.now());
    if (typeof allowed === 'boolean') {
      this.admit(allowed, req, socket, head, address);
      return;
    }
    // The shared count (Redis) was asked: the socket may have gone, or the server begun closing.
    void allowed.then((verdict) => {
      if (this.closing || socket.destroyed) socket.destroy();
      else this.admit(verdict, req, socket, head, address);
    });
  }

  /**
   * Completes or refuses a handshake. Nothing made here outlives the handshake but the session:
   * a closure the session kept that could reach the request would keep its headers, and the
   * buffers they came in, for as long as the socket is open.
   */
  private admit(
    allowed: boolean,
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    address: string,
  ): void {
    const { session: ctx } = this.options;
    if (!allowed) {
      ctx.metrics.handshakesThrottled++;
      ctx.log.info('handshake throttled', { address });
      refuse(
        socket,
        'HTTP/1.1 429 Too Many Requests\r\nRetry-After: 60\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
      );
      return;
    }
    // Checked here, counted by the session: `handleUpgrade` calls back at once, unless it refuses
    // the request itself, when no session (and no count) is made.
    if (ctx.handshakesOfAddress.full(addressKey(address))) {
      ctx.metrics.handshakesOverLimit++;
      ctx.log.info('too many handshakes from one address', { address });
      refuse(
        socket,
        'HTTP/1.1 429 Too Many Requests\r\nRetry-After: 5\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
      );
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      // A WebSocket now: the handshake and per-user ceilings bound it from here.
      uncountHttpSocket.call(socket);
      this.accept(ws, address);
    });
  }

  private accept(ws: ServerSocket, address: string): void {
    const { session: ctx } = this.options;
    ctx.metrics.connectionsOpened++;
    this.sessions.add(new Session(ctx, randomUUID(), ws, this.sessionClosed, address));
  }

  private readonly sessionClosed = (session: Session): void => this.closed(session);

  private closed(session: Session): void {
    this.sessions.delete(session);
    if (this.sessions.size === 0) for (const resolve of this.closedWaiters) resolve();
  }

  /** Pings every socket; one that did not answer the previous ping is dropped. */
  private heartbeat(): void {
    const { metrics, log } = this.options.session;
    for (const session of this.sessions) {
      const connection = session.connection;
      if (connection.state === 'closing') continue;
      if (!connection.alive) {
        metrics.heartbeatTimeouts++;
        log.info('heartbeat missed', { conn: connection.id, user: connection.user?.id });
        connection.terminate();
        continue;
      }
      connection.alive = false;
      connection.ws.ping();
    }
  }
}

/** Where each plain HTTP socket is counted, so one function for every socket can uncount it. */
const httpSocketCount = new WeakMap<object, { counts: ConnectionCounts; key: string }>();

/** The socket closed or became a WebSocket: it no longer counts against its address. */
function uncountHttpSocket(this: object): void {
  const counted = httpSocketCount.get(this);
  if (counted === undefined) return;
  httpSocketCount.delete(this);
  counted.counts.release(counted.key);
}

/** A socket's error ends it; one function for every socket, so no listener holds anything. */
function destroySocket(this: Duplex): void {
  this.destroy();
}

/** `https://CRM.example.com:443/` and `https://crm.example.com` are one origin. */
export function normalizeOrigin(origin: string): string {
  try {
    return new URL(origin).origin;
  } catch {
    return origin.trim().toLowerCase();
  }
}
