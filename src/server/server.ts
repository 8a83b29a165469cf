/**
 * `createServer(options)`: the reference server on `ws` over `node:http`.
 *
 * ```ts
 * const server = createServer({ auth: { devIdentities: true }, quiet: true });
 * const { port } = await server.listen(0);
 * // ws://localhost:<port>/ … then
 * await server.close(); // bye + close 1001 to every client
 * ```
 */
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import * as z from 'zod/mini';
import { Authenticator } from './auth.js';
import { chunkBySize, ENVELOPE_BYTES } from './chunk.js';
import { AuthThrottle } from './auth-throttle.js';
import { defaultAuthorize, type AuthorizeHook } from './authorize.js';
import { AuthorizeCallback, type AuthorizeCallbackOptions } from './permissions/callback.js';
import type { Bus } from './bus.js';
import { every, systemClock, type ServerClock } from './clock.js';
import {
  DEFAULT_COMPRESSION_THRESHOLD,
  DEFAULT_CONFIG,
  DEFAULT_HTTP_TIMEOUTS,
  DEFAULT_LIMITS,
  checkJwtSecret,
  type HttpTimeouts,
  type AuthConfig,
  type ServerLimits,
} from './config.js';
import type { ServerContext } from './context.js';
import { FrameDebug, type DebugFramesOptions } from './frame-debug.js';
import { createRequestHandler } from './http.js';
import { HttpApi } from './http-api.js';
import { EntityService } from './entities/entity-service.js';
import { registerEntityRoutes } from './entities/entity-routes.js';
import { EntityBackend } from './entities/entity-backend.js';
import { WriteThrough } from './entities/write-through.js';
import { registerActivityRoutes } from './activity/activity-routes.js';
import { createChangeDelivery, type ChangeFeedSettings } from './webhooks/setup.js';
import type { WebhookOptions } from './webhooks/webhook-worker.js';
import type { ActivityRetention, ActivityService } from './activity/activity-service.js';
import { registerNotificationRoutes } from './notifications/notification-routes.js';
import type { NotificationService } from './notifications/notification-service.js';
import { createHistoryServices, type NotificationOptions } from './notifications/setup.js';
import { LocalBus } from './local-bus.js';
import { createLogger, type Logger, type LogLevel } from './log.js';
import { renderMetrics, ServerMetrics } from './metrics.js';
import { PresenceRegistry, type Presence, type PresenceDiff } from './presence.js';
import { RedisFailures } from './redis/redis-auth-throttle.js';
import { RedisBus } from './redis/redis-bus.js';
import { RedisPresence } from './redis/redis-presence.js';
import { RoomRegistry } from './rooms.js';
import { Session } from './session.js';
import { StaticFiles } from './static-files.js';
import { WriteBatch } from './write-batch.js';
import type { Storage } from './storage.js';
import { SqliteStorage } from './sqlite-storage.js';
import { PostgresStorage } from './postgres/postgres-storage.js';
import { CLOSE_CODES, type IceServer, type Person } from '../protocol/index.js';

// zod/mini ships without messages, so a bad frame would only say "Invalid input". The server is
// never bundled for browsers, so it can afford English messages that name what was expected: a
// backend team reading an error frame should learn which field was wrong and why.
z.config(z.locales.en());

export interface CreateServerOptions {
  /** Token verification and development identities. At least one way in is required. */
  auth: Partial<AuthConfig>;
  limits?: Partial<ServerLimits>;
  graceMs?: number;
  heartbeatMs?: number;
  shutdownReconnectMs?: number;
  /** How long `close()` waits for clients to acknowledge the close before dropping them. */
  shutdownTimeoutMs?: number;
  /** Directories served at `/`, first match wins (e.g. `['demo', 'dist']`). */
  staticDirs?: readonly string[];
  authorize?: AuthorizeHook;
  clock?: ServerClock;
  logger?: Logger;
  logLevel?: LogLevel;
  quiet?: boolean;
  /**
   * Asks the CRM's backend about every action, after `authorize` (`CRM_AUTHORIZE_URL`); answers
   * are cached and may carry field rules. See `permissions/callback.ts`.
   */
  authorizeCallback?: AuthorizeCallbackOptions;
  /** Closed by `close()`. Default: an in-memory SQLite database (nothing survives a restart). */
  storage?: Storage;
  /**
   * PostgreSQL instead (`postgres://…`): the server opens a `PostgresStorage` on it, migrated at
   * start, and closes it. Not with `storage`.
   */
  databaseUrl?: string | undefined;
  /** Connections to PostgreSQL this process keeps at most (default 10). */
  databasePoolSize?: number | undefined;
  /** Keys accepted by the HTTP API (`Authorization: Bearer <key>`); none: the API answers 401. */
  apiKeys?: readonly string[];
  /**
   * Page origins allowed to open a WebSocket (`https://crm.example.com`); a browser's upgrade from
   * any other origin is answered 403. Empty (the default): any origin, as tokens, not cookies,
   * authenticate. Requests without an `Origin` header (servers, tools) are not browsers and pass.
   */
  allowedOrigins?: readonly string[];
  /** Notification retention and the watcher rule (see `notifications/setup.ts`). */
  notifications?: NotificationOptions;
  /** Activity retention: age in days and/or rows (see `activity/activity-service.ts`). */
  activity?: ActivityRetention;
  /** Entity history retention (see `entities/entity-service.ts`). */
  entities?: { historyRetentionDays?: number | undefined; sweepMs?: number | undefined };
  /**
   * Write-through to the CRM's backend (`CRM_ENTITY_BACKEND_URL`): a client's save is applied only
   * once the backend accepted it, and an entity the server has never seen is read from it (see
   * `entities/write-through.ts`). None: the server's store is the only one.
   */
  entityBackend?: { url: string; timeoutMs?: number | undefined; key?: string | undefined };
  /**
   * Signed, durable delivery of every accepted change to a URL (`CRM_WEBHOOK_URL`,
   * `CRM_WEBHOOK_SECRET`; see `webhooks/webhook-worker.ts`). None: no webhooks.
   */
  webhooks?: WebhookOptions | undefined;
  /** Retention of the change log behind `GET /api/changes` (see `webhooks/change-feed.ts`). */
  changeFeed?: ChangeFeedSettings | undefined;
  /** Default: a `LocalBus` for this process (or a `RedisBus` with `redisUrl`). */
  bus?: Bus;
  /**
   * Redis for what processes share (`CRM_REDIS_URL`): room sequences, replay windows, fan-out,
   * presence. Several processes with the same URL serve the same rooms; see docs/deploy.md.
   */
  redisUrl?: string | undefined;
  /** How often a process renews its alive key in Redis and looks for dead ones. Default 5000. */
  redisHeartbeatMs?: number;
  /** Bearer key `/metrics` requires (`CRM_METRICS_KEY`); none: `/metrics` is open. */
  metricsKey?: string | undefined;
  /** Timeouts of plain HTTP connections, so idle and half-sent ones do not pile up. */
  http?: Partial<HttpTimeouts>;
  /**
   * Write broadcasts as one pre-framed buffer straight to each TCP socket (default true). Off,
   * each member's frame goes through `ws.send` (per-recipient framing); kept for the benchmark.
   */
  preframedWrites?: boolean;
  /**
   * Hold broadcast writes until the end of the event-loop turn so frames for one socket leave in
   * one system call (default true; needs pre-framed writes).
   */
  batchWrites?: boolean;
  /**
   * permessage-deflate (`CRM_COMPRESSION`): off by default. On, clients that offer it (every
   * browser, ws) get frames of `threshold` payload bytes or more compressed, each broadcast
   * deflated once for all its recipients. See the README's "Compression" for when it pays.
   */
  compression?: CompressionOptions;
  /** Frames in and out of chosen users and rooms, logged at level `debug` (see `frame-debug.ts`). */
  debugFrames?: DebugFramesOptions;
  /** STUN/TURN servers handed to clients for calls (`CRM_ICE_SERVERS`); none: host candidates only. */
  iceServers?: readonly IceServer[];
}

export interface CompressionOptions {
  enabled: boolean;
  /** Smallest payload, in bytes, that is sent compressed. Default 1024. */
  threshold?: number;
}

export interface ServerStats {
  connections: number;
  rooms: number;
  presenceRooms: number;
}

export interface RealtimeServer {
  /** Starts listening; port 0 picks a free port. */
  listen(port?: number, host?: string): Promise<AddressInfo>;
  /** Graceful shutdown: `bye` and close 1001 to every client, then storage and bus. */
  close(): Promise<void>;
  /** The bound port (0 before `listen`). */
  readonly port: number;
  readonly metrics: ServerMetrics;
  readonly httpServer: HttpServer;
  /** The JSON API under `/api/`: add routes with `api.route(method, pattern, handler)`. */
  readonly api: HttpApi;
  /** Live data: read and write entities as a backend would, and `onChange`. */
  readonly entities: EntityService;
  /** Notifications as a backend would send them, history and read state. */
  readonly notifications: NotificationService;
  /** The activity log: append as a backend would, feeds, retention sweep. */
  readonly activity: ActivityService;
  stats(): ServerStats;
}

export function createServer(options: CreateServerOptions): RealtimeServer {
  const auth: AuthConfig = { devIdentities: false, ...options.auth };
  if (!auth.devIdentities && !auth.jwtSecret && !auth.jwksUrl) {
    throw new Error('createServer: configure auth.jwtSecret, auth.jwksUrl or auth.devIdentities');
  }
  checkJwtSecret(auth.jwtSecret, 'auth.jwtSecret');
  const limits: ServerLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const compression = {
    enabled: options.compression?.enabled ?? false,
    threshold: options.compression?.threshold ?? DEFAULT_COMPRESSION_THRESHOLD,
  };
  const clock = options.clock ?? systemClock;
  const log =
    options.logger ?? createLogger({ quiet: options.quiet ?? false, level: options.logLevel });
  const metrics = new ServerMetrics();
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_CONFIG.heartbeatMs;
  const startedAt = Date.now();
  const redisBus =
    options.redisUrl !== undefined && options.bus === undefined
      ? new RedisBus({
          url: options.redisUrl,
          clock,
          log,
          replayEvents: limits.replayEvents,
          replayMillis: limits.replayMillis,
          maxFrameBytes: limits.maxFrameBytes,
          replayRoomBytes: limits.replayRoomBytes,
          replayTotalBytes: limits.replayTotalBytes,
          // Events this process's members missed can no longer be replayed: they resume (and
          // get `gap`, so they re-sync) rather than carry on with a silent hole.
          onInterrupted: (room) => {
            for (const { connection } of sessions) {
              if (!connection.memberships.has(room)) continue;
              connection.send({ type: 'bye', reason: 'shutdown', reconnectMs: 1000 });
              connection.close(CLOSE_CODES.goingAway, 'room events interrupted: resume');
            }
          },
        })
      : undefined;
  const bus =
    options.bus ??
    redisBus ??
    new LocalBus({
      clock,
      replayEvents: limits.replayEvents,
      replayMillis: limits.replayMillis,
      maxFrameBytes: limits.maxFrameBytes,
      replayRoomBytes: limits.replayRoomBytes,
      replayTotalBytes: limits.replayTotalBytes,
    });
  const onPresenceDiff = (room: string, diff: PresenceDiff): void => {
    // A reconnect storm can coalesce more people than one frame may carry.
    const budget = limits.maxFrameBytes - ENVELOPE_BYTES;
    // A large room's count rides on every part; a diff of the count alone is one empty part.
    const total = diff.total === undefined ? {} : { total: diff.total };
    const parts = [
      ...chunkBySize(diff.upsert, budget).map((upsert) => ({ upsert, remove: [] as string[] })),
      ...chunkBySize(diff.remove, budget).map((remove) => ({ upsert: [] as Person[], remove })),
    ]
      .filter((part) => part.upsert.length > 0 || part.remove.length > 0)
      .map((part) => ({ ...part, ...total }));
    if (parts.length === 0) parts.push({ upsert: [], remove: [], ...total });
    for (const part of parts) {
      // With Redis every process computes each person from the shared state and tells its own
      // members; one process tells everyone through the bus.
      if (redisBus) {
        redisBus.deliverLocal(room, { type: 'presence.diff', room, ...part });
        continue;
      }
      bus
        .broadcast(room, { type: 'presence.diff', room, ...part })
        .catch((err: unknown) =>
          log.error('presence broadcast failed', { room, err: String(err) }),
        );
    }
  };
  const graceMs = options.graceMs ?? DEFAULT_CONFIG.graceMs;
  const presence: Presence = redisBus
    ? new RedisPresence({
        bus: redisBus,
        clock,
        log,
        graceMs,
        onDiff: onPresenceDiff,
        heartbeatMs: options.redisHeartbeatMs,
      })
    : new PresenceRegistry({ clock, graceMs, onDiff: onPresenceDiff });
  if (options.storage && options.databaseUrl) {
    throw new Error('createServer: pass storage or databaseUrl, not both');
  }
  const storage: Storage =
    options.storage ??
    (options.databaseUrl
      ? new PostgresStorage({ url: options.databaseUrl, poolSize: options.databasePoolSize })
      : new SqliteStorage(':memory:'));
  const entities = new EntityService({
    storage,
    bus,
    clock,
    log,
    maxFrameBytes: limits.maxFrameBytes,
    ...options.entities,
    metrics,
  });
  const writeThrough = options.entityBackend
    ? new WriteThrough({
        entities,
        storage,
        clock,
        log,
        backend: new EntityBackend(options.entityBackend),
      })
    : undefined;
  const history = createHistoryServices({
    storage,
    bus,
    presence,
    clock,
    log,
    notifications: options.notifications,
    activity: options.activity,
    metrics,
  });
  history.follow(entities);
  const changes = createChangeDelivery({
    storage,
    clock,
    log,
    metrics,
    webhooks: options.webhooks,
    changeFeed: options.changeFeed,
  });
  const ctx: ServerContext = {
    limits,
    heartbeatMs,
    preframedWrites: options.preframedWrites ?? true,
    writeBatch: options.batchWrites === false ? undefined : new WriteBatch(),
    compressionThreshold: compression.threshold,
    frameDebug: FrameDebug.create(log, options.debugFrames),
    clock,
    log,
    metrics,
    auth: new Authenticator(auth, clock),
    authThrottle: new AuthThrottle(
      {
        burst: limits.failedHandshakeBurst,
        perMinute: limits.failedHandshakesPerMinute,
        maxAddresses: limits.throttledAddresses,
      },
      // With several processes an address's allowance is the deployment's, not each process's.
      redisBus
        ? new RedisFailures(
            redisBus.link,
            redisBus.keyNames,
            { burst: limits.failedHandshakeBurst, perMinute: limits.failedHandshakesPerMinute },
            log,
          )
        : undefined,
    ),
    authorize: options.authorize ?? defaultAuthorize,
    authorizeCallback: options.authorizeCallback
      ? new AuthorizeCallback(options.authorizeCallback, clock, log)
      : undefined,
    bus,
    rooms: new RoomRegistry(bus, metrics, limits.replayEvents),
    presence,
    storage,
    entities,
    writeThrough,
    notifications: history.notifications,
    activity: history.activity,
    iceServers: options.iceServers ?? [],
  };
  if (auth.devIdentities) {
    log.warn('development identities are ON: anyone can claim any user. Never use in production.');
  }

  const sessions = new Set<Session>();
  const closedWaiters = new Set<() => void>();
  const onClosed = (session: Session): void => {
    sessions.delete(session);
    if (sessions.size === 0) for (const resolve of closedWaiters) resolve();
  };

  const wss = new WebSocketServer({
    noServer: true,
    // Above the protocol limit, so an oversized frame reaches the session and is answered with
    // `frame_too_large` while the connection survives; far larger ones are cut off with 1009.
    // ws applies it to the inflated size, so a small compressed frame that inflates past it (a
    // zip bomb) is cut off as it inflates, with 1009.
    maxPayload: limits.maxFrameBytes * 4,
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
  let closing: Promise<void> | undefined;

  // Public: up or down only. Counts and uptime are in `/metrics`, which can require a key.
  const health = () => ({
    ok: closing === undefined && storage.healthy() && (redisBus?.available ?? true),
  });
  const api = new HttpApi({ keys: options.apiKeys ?? [], log });
  registerEntityRoutes(api, entities);
  registerNotificationRoutes(api, history.notifications);
  registerActivityRoutes(api, history.activity);
  changes.register(api);
  // A connection that has not sent its request headers in time (idle new ones included), or a
  // whole request, is closed; so is an idle keep-alive connection. Node checks the first two every
  // `connectionsCheckingInterval`, so that follows the headers timeout.
  const httpLimits = { ...DEFAULT_HTTP_TIMEOUTS, ...options.http };
  const httpServer = createHttpServer(
    {
      headersTimeout: httpLimits.headersTimeoutMs,
      requestTimeout: httpLimits.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(Math.max(50, httpLimits.headersTimeoutMs / 4), 30_000),
    },
    createRequestHandler(
      {
        health,
        metrics: () =>
          renderMetrics(metrics, {
            connections: sessions.size,
            rooms: ctx.rooms.size,
            presenceRooms: presence.roomCount,
            uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
            webhooks: changes.gauges(),
          }),
        metricsKey: options.metricsKey,
        unavailable: () => (redisBus && !redisBus.available ? 'Redis is unavailable' : undefined),
      },
      files,
      log,
      api,
    ),
  );
  httpServer.keepAliveTimeout = httpLimits.keepAliveTimeoutMs;
  httpServer.on('clientError', (_err, socket) => socket.destroy());
  const origins = new Set((options.allowedOrigins ?? []).map(normalizeOrigin));
  httpServer.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    if (closing) {
      socket.destroy();
      return;
    }
    const origin = req.headers.origin;
    if (origins.size > 0 && origin !== undefined && !origins.has(normalizeOrigin(origin))) {
      log.info('websocket origin refused', { origin: origin.slice(0, 200) });
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const address = req.socket.remoteAddress ?? '';
    const admit = (allowed: boolean): void => {
      if (!allowed) {
        metrics.handshakesThrottled++;
        log.info('handshake throttled', { address });
        socket.end(
          'HTTP/1.1 429 Too Many Requests\r\nRetry-After: 60\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
        );
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
        metrics.connectionsOpened++;
        sessions.add(new Session(ctx, randomUUID(), ws, onClosed, address));
      });
    };
    const allowed = ctx.authThrottle.allows(address, clock.now());
    if (typeof allowed === 'boolean') {
      admit(allowed);
      return;
    }
    // The shared count (Redis) was asked: the socket may have gone, or the server begun closing.
    void allowed.then((verdict) => {
      if (closing || socket.destroyed) socket.destroy();
      else admit(verdict);
    });
  });

  const stopHeartbeat = every(clock, heartbeatMs, () => {
    for (const session of sessions) {
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
  });

  const shutdown = async (): Promise<void> => {
    stopHeartbeat();
    const reconnectMs = options.shutdownReconnectMs ?? DEFAULT_CONFIG.shutdownReconnectMs;
    const allClosed = new Promise<void>((resolve) => {
      if (sessions.size === 0) resolve();
      else closedWaiters.add(resolve);
    });
    for (const { connection } of sessions) {
      connection.send({ type: 'bye', reason: 'shutdown', reconnectMs });
      connection.close(CLOSE_CODES.goingAway, 'server shutting down');
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      allClosed,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, options.shutdownTimeoutMs ?? 3000);
      }),
    ]);
    clearTimeout(timer);
    for (const { connection } of sessions) connection.terminate();
    await new Promise<void>((resolve) => {
      httpServer.close(() => resolve());
      httpServer.closeAllConnections();
    });
    await presence.close();
    entities.close();
    // No write comes after the HTTP server closed; in-flight deliveries are resent on next start.
    await changes.close();
    await history.close();
    await bus.close();
    await storage.close();
    log.info('stopped', {});
  };

  return {
    get port() {
      const address = httpServer.address();
      return address && typeof address === 'object' ? address.port : 0;
    },
    metrics,
    httpServer,
    api,
    entities,
    notifications: history.notifications,
    activity: history.activity,
    stats: () => ({
      connections: sessions.size,
      rooms: ctx.rooms.size,
      presenceRooms: presence.roomCount,
    }),
    async listen(port = 0, host?: string) {
      // No client before the store can serve it (PostgreSQL migrating at start) and the
      // activity log can join an entity write.
      await storage.ready;
      await history.activity.opened();
      // With Redis: connected before the first client (bounded by the connect timeout), so the
      // first requests do not find it unavailable; a process whose Redis is down starts anyway.
      await redisBus?.connected();
      return new Promise<AddressInfo>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          httpServer.off('error', reject);
          const address = httpServer.address() as AddressInfo;
          log.info('listening', { port: address.port, host: address.address });
          resolve(address);
        });
      });
    },
    close() {
      closing ??= shutdown();
      return closing;
    },
  };
}

/** `https://CRM.example.com:443/` and `https://crm.example.com` are one origin. */
export function normalizeOrigin(origin: string): string {
  try {
    return new URL(origin).origin;
  } catch {
    return origin.trim().toLowerCase();
  }
}
