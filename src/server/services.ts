/**
 * What a server is made of, apart from its sockets: the store, the bus and presence (local, or
 * shared through Redis and PostgreSQL), the capabilities' services and HTTP routes, and the one
 * table of frame handlers every session dispatches to. `transport.ts` carries it over WebSocket
 * and HTTP; `server.ts` joins the two.
 */
import { Authenticator } from './auth.js';
import { AuthThrottle } from './auth-throttle.js';
import { boundedHook, DEFAULT_AUTHORIZE_HOOK_TIMEOUT_MS, defaultAuthorize } from './authorize.js';
import { InFlight } from './in-flight.js';
import type { Bus } from './bus.js';
import { chunkBySize, ENVELOPE_BYTES } from './chunk.js';
import { systemClock } from './clock.js';
import {
  DEFAULT_COMPRESSION_THRESHOLD,
  DEFAULT_CONFIG,
  DEFAULT_LIMITS,
  DEFAULT_REVOCATION_TTL_S,
  checkJwtSecret,
  type AuthConfig,
  type ServerLimits,
} from './config.js';
import type { Connection } from './connection.js';
import { fetchedUrl, plainHttpRisk, type FetchedUrlSetting } from './fetched-url.js';
import { FrameDebug } from './frame-debug.js';
import { callFrames, connectionFrames, type FrameHandlers } from './frame-handlers.js';
import { HttpApi } from './http-api.js';
import { createLogger, shownUrl, type Logger } from './log.js';
import { ServerMetrics, type DependencyStates, type MetricGauges } from './metrics.js';
import { AuthorizeCallback } from './permissions/callback.js';
import { PresenceRegistry, type Presence, type PresenceDiff } from './presence.js';
import { RedisFailures } from './redis/redis-auth-throttle.js';
import { RedisBus } from './redis/redis-bus.js';
import { RedisPresence } from './redis/redis-presence.js';
import { RoomHandlers } from './room-handlers.js';
import { RoomRegistry } from './rooms.js';
import type { CreateServerOptions } from './server-options.js';
import type { SessionContext } from './session.js';
import { LocalBus } from './local-bus.js';
import { SqliteStorage } from './sqlite-storage.js';
import type { Storage } from './storage.js';
import { WriteBatch } from './write-batch.js';
import { LocalRevocations } from './revocations.js';
import { RedisRevocations } from './redis/redis-revocations.js';
import { UserControl } from './user-control.js';
import { registerUserRoutes } from './user-routes.js';
import { ConnectionCounts } from './connection-counts.js';
import { WriteBudget } from '../util/write-budget.js';
import { USER_SOCKETS_WORTH, UserTokenBuckets } from './rate-limit.js';
import { PostgresStorage } from './postgres/postgres-storage.js';
import { activityFrames } from './activity/activity-frames.js';
import type { ActivityService } from './activity/activity-service.js';
import { registerActivityRoutes } from './activity/activity-routes.js';
import { EntityBackend } from './entities/entity-backend.js';
import { EntityHandlers } from './entities/entity-handlers.js';
import { registerEntityRoutes } from './entities/entity-routes.js';
import { EntityService } from './entities/entity-service.js';
import { WriteThrough } from './entities/write-through.js';
import { notificationFrames } from './notifications/notification-frames.js';
import type { NotificationService } from './notifications/notification-service.js';
import { registerNotificationRoutes } from './notifications/notification-routes.js';
import { createHistoryServices } from './notifications/setup.js';
import { UnreadCounts } from './notifications/unread-counts.js';
import { turnOptionsProblem } from './turn-credentials.js';
import { createChangeDelivery } from './webhooks/setup.js';
import { LIMITS, type Person } from '../protocol/index.js';

export interface ServerServices {
  readonly auth: AuthConfig;
  readonly limits: ServerLimits;
  readonly log: Logger;
  readonly metrics: ServerMetrics;
  /** Set when processes share rooms through Redis (`redisUrl`). */
  readonly redisBus: RedisBus | undefined;
  /**
   * Why writes cannot be announced to the other processes right now (Redis is away); undefined
   * when they can. Socket saves and notifications, and HTTP API writes, are refused meanwhile.
   */
  readonly unavailable: () => string | undefined;
  readonly storage: Storage;
  readonly entities: EntityService;
  readonly notifications: NotificationService;
  readonly activity: ActivityService;
  /** The JSON API under `/api/` with every capability's routes. */
  readonly api: HttpApi;
  /** What each socket's session needs, the frame handlers of every capability included. */
  readonly session: SessionContext;
  /** The gauges this process reports besides its connections and uptime. */
  gauges(): Omit<MetricGauges, 'connections' | 'uptimeSeconds' | 'dependencies' | 'ready'>;
  /**
   * Whether each dependency can serve now: the database, and Redis when one is configured
   * (reachable and taking this process's writes). `/metrics` reports each one.
   */
  dependencies(): DependencyStates;
  /** Whether the store and shared services can serve: every dependency is up. */
  healthy(): boolean;
  /** Resolves once the store is migrated, the activity log open and Redis (if any) connected. */
  ready(): Promise<void>;
  /**
   * Waits (up to the shutdown timeout) for requests and writes under way and what they set off,
   * then closes the capabilities, the store, presence and the bus, in that order.
   */
  close(): Promise<void>;
}

export interface ServiceHooks {
  /**
   * Events of `room` were lost for this process's members (Redis failed over): they must resume.
   * The transport owns the sockets, so it answers.
   */
  onRoomInterrupted(room: string): void;
}

export function composeServices(options: CreateServerOptions, hooks: ServiceHooks): ServerServices {
  const auth: AuthConfig = { devIdentities: false, ...options.auth };
  if (!auth.devIdentities && !auth.jwtSecret && !auth.jwksUrl) {
    throw new Error('createServer: configure auth.jwtSecret, auth.jwksUrl or auth.devIdentities');
  }
  checkJwtSecret(auth.jwtSecret, 'auth.jwtSecret');
  const turnProblem = options.turn && turnOptionsProblem(options.turn);
  if (turnProblem) throw new Error(`createServer: ${turnProblem}`);
  if (options.storage && options.databaseUrl) {
    throw new Error('createServer: pass storage or databaseUrl, not both');
  }
  const limits: ServerLimits = { ...DEFAULT_LIMITS, ...options.limits };
  // The kit's clients drop any frame over the protocol's limit, whatever `welcome` says: a server
  // sending larger ones would leave large records unreadable and their saves unanswered.
  if (
    !Number.isInteger(limits.maxFrameBytes) ||
    limits.maxFrameBytes < 1024 ||
    limits.maxFrameBytes > LIMITS.maxFrameBytes
  ) {
    throw new Error(
      `createServer: limits.maxFrameBytes must be an integer from 1024 to ${LIMITS.maxFrameBytes} (the largest frame the kit's clients read)`,
    );
  }
  const clock = options.clock ?? systemClock;
  const log =
    options.logger ?? createLogger({ quiet: options.quiet ?? false, level: options.logLevel });
  const fetched: [FetchedUrlSetting, string | undefined][] = [
    ['auth.jwksUrl', auth.jwksUrl],
    ['entityBackend.url', options.entityBackend?.url],
    ['authorizeCallback.url', options.authorizeCallback?.url],
    ['webhooks.url', options.webhooks?.url],
  ];
  for (const [setting, url] of fetched) {
    if (url === undefined) continue;
    fetchedUrl(`createServer: ${setting}`, url);
    const plain = plainHttpRisk(setting, url);
    if (plain) log.warn('plain http to another machine', { setting, ...plain, url: shownUrl(url) });
  }
  const metrics = new ServerMetrics();
  const replay = {
    replayEvents: limits.replayEvents,
    replayMillis: limits.replayMillis,
    maxFrameBytes: limits.maxFrameBytes,
    replayRoomBytes: limits.replayRoomBytes,
  };
  const redisBus =
    options.redisUrl !== undefined && options.bus === undefined
      ? new RedisBus({
          url: options.redisUrl,
          clock,
          log,
          ...replay,
          replayTotalBytes: limits.replayTotalBytes,
          // Events this process's members missed can no longer be replayed: they resume (and
          // get `gap`, so they re-sync) rather than carry on with a silent hole.
          onInterrupted: (room) => hooks.onRoomInterrupted(room),
        })
      : undefined;
  const bus: Bus =
    options.bus ??
    redisBus ??
    new LocalBus({
      clock,
      ...replay,
      replayTotalBytes: limits.replayTotalBytes,
      maxIdleRooms: limits.maxIdleRooms,
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
  const storage: Storage =
    options.storage ??
    (options.databaseUrl
      ? new PostgresStorage({
          url: options.databaseUrl,
          poolSize: options.databasePoolSize,
          connectTimeoutMs: options.databaseConnectTimeoutMs,
          queryTimeoutMs: options.databaseQueryTimeoutMs,
          log,
        })
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
        backend: new EntityBackend({ ...options.entityBackend, now: () => clock.now() }),
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

  const inFlight = new InFlight();
  const api = new HttpApi({
    keys: options.apiKeys ?? [],
    log,
    inFlight,
    unavailable: () => (storage.healthy() ? undefined : 'the database is unavailable'),
  });
  registerEntityRoutes(api, entities, writeThrough);
  registerNotificationRoutes(api, history.notifications);
  registerActivityRoutes(api, history.activity);
  changes.register(api);

  const authorize =
    options.authorize && options.authorize !== defaultAuthorize
      ? boundedHook(
          options.authorize,
          options.authorizeTimeoutMs ?? DEFAULT_AUTHORIZE_HOOK_TIMEOUT_MS,
          clock,
          (request) =>
            log.warn('authorize hook did not answer in time: refused for now, clients retry', {
              room: request.room,
              action: request.action,
              timeoutMs: options.authorizeTimeoutMs ?? DEFAULT_AUTHORIZE_HOOK_TIMEOUT_MS,
            }),
        )
      : defaultAuthorize;
  const rooms = new RoomRegistry(bus, metrics, limits.replayEvents, options.batchWrites !== false);
  // With Redis away a save or a notification would be stored and never reach anyone live:
  // clients are told to retry instead, as the HTTP API answers 503.
  const unavailable = (): string | undefined =>
    redisBus && !redisBus.available ? 'the realtime service is unavailable' : undefined;
  const writeBudget = new WriteBudget(limits.writeBytesPerMinute);
  // Four sockets' worth, as for the replay and unsent data a user may have: more sockets do
  // not buy more of the event loop.
  const userRate = USER_SOCKETS_WORTH * limits.maxMessagesPerSecond;
  const userFrames = new UserTokenBuckets(userRate, userRate);
  const unreadCounts = new UnreadCounts(history.notifications, log);
  const notifying = notificationFrames({
    limits,
    log,
    metrics,
    authorize,
    presence,
    notifications: history.notifications,
    unreadCounts,
    // The user's connections are on every process: `users` knows them (made below).
    readStateChanged: (userId, ids, readUpTo) => users.notificationsRead(userId, ids, readUpTo),
    unavailable,
    writeBudget,
    clock,
  });
  const roomHandlers = new RoomHandlers({
    limits,
    clock,
    log,
    metrics,
    authorize,
    bus,
    rooms,
    presence,
    emitNotification: notifying.emitNotification,
  });
  const authorizeCallback = options.authorizeCallback
    ? new AuthorizeCallback(options.authorizeCallback, clock, log, () => {
        metrics.authorizeCallbackLimited++;
      })
    : undefined;
  const users = new UserControl({
    clock,
    log,
    metrics,
    // One process keeps them in its database, over restarts. Several read them from Redis and
    // write them to the database too, which fills Redis again when Redis lost them.
    revocations: redisBus
      ? new RedisRevocations(redisBus.link, redisBus.keyNames, storage.revocations)
      : (storage.revocations ?? new LocalRevocations()),
    revocationTtlMs: (auth.revocationTtlS ?? DEFAULT_REVOCATION_TTL_S) * 1000,
    authorizeCallback,
    recheckRooms: (connection) => roomHandlers.recheck(connection),
    redisBus,
    readState: (userId, connections, ids, readUpTo) =>
      unreadCounts.readState(userId, connections, ids, readUpTo),
  });
  registerUserRoutes(api, users);
  const frames: FrameHandlers = {
    ...connectionFrames,
    ...roomHandlers.frames(),
    ...new EntityHandlers({
      log,
      metrics,
      authorize,
      entities,
      writeThrough,
      unavailable,
      maxFrameBytes: limits.maxFrameBytes,
      writeBudget,
      clock,
    }).frames(),
    'notification.list': notifying['notification.list'],
    'notification.read': notifying['notification.read'],
    ...activityFrames({ limits, log, metrics, authorize, activity: history.activity }),
    ...callFrames(options.iceServers ?? [], options.turn, clock),
  };
  const session: SessionContext = {
    inFlight,
    limits,
    heartbeatMs: options.heartbeatMs ?? DEFAULT_CONFIG.heartbeatMs,
    preframedWrites: options.preframedWrites ?? true,
    writeBatch: options.batchWrites === false ? undefined : new WriteBatch(),
    compressionThreshold: options.compression?.threshold ?? DEFAULT_COMPRESSION_THRESHOLD,
    frameDebug: FrameDebug.create(log, options.debugFrames),
    clock,
    log,
    metrics,
    auth: new Authenticator(auth, clock),
    writeBudget,
    userFrames,
    handshakesOfAddress: new ConnectionCounts(limits.maxHandshakesPerAddress),
    connectionsOfUser: new ConnectionCounts(limits.maxConnectionsPerUser),
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
    authorize,
    authorizeCallback,
    users,
    frames,
    leaveAll: (connection: Connection) => roomHandlers.dropAll(connection),
    onSlowConsumer: (c: Connection) =>
      log.warn('slow consumer dropped', { conn: c.id, user: c.user?.id }),
  };

  const dependencies = (): DependencyStates => ({
    database: storage.healthy(),
    // Connected is not enough: a Redis that refuses writes (OOM, READONLY) fails every join.
    ...(redisBus && {
      redis: redisBus.available && (!(presence instanceof RedisPresence) || presence.writable),
    }),
  });

  return {
    auth,
    limits,
    log,
    metrics,
    redisBus,
    unavailable,
    storage,
    entities,
    notifications: history.notifications,
    activity: history.activity,
    api,
    session,
    gauges: () => ({
      rooms: rooms.size,
      presenceRooms: presence.roomCount,
      webhooks: changes.gauges(),
    }),
    dependencies,
    healthy: () => Object.values(dependencies()).every((up) => up !== false),
    async ready() {
      // No client before the store can serve it (PostgreSQL migrating at start) and the
      // activity log can join an entity write.
      await storage.ready;
      await history.activity.opened();
      // With Redis: connected before the first client (bounded by the connect timeout), so the
      // first requests do not find it unavailable; a process whose Redis is down starts anyway.
      await redisBus?.connected();
    },
    async close() {
      const timeoutMs = options.shutdownTimeoutMs ?? 3000;
      const deadline = Date.now() + timeoutMs;
      const left = (): number => Math.max(0, deadline - Date.now());
      // What a save sets off (its notifications, its activity item live) is under way after it.
      const followUps = (ms: number): Promise<unknown> =>
        Promise.all([history.notifications.settled(ms), history.activity.settled(ms)]);
      // Requests under way finish first, then every write (a request's, write-through's) with what
      // it sets off, within one timeout: a save committed now is also published.
      if (inFlight.size > 0 || entities.pending > 0) {
        log.info('shutdown: waiting for requests under way', {
          requests: inFlight.size,
          writes: entities.pending,
        });
      }
      await inFlight.settled(left());
      await entities.settled(left());
      await followUps(left());
      entities.close();
      // No write comes after the HTTP server closed; in-flight deliveries are resent on next start.
      await changes.close();
      // A write still in its transaction past the timeout ends when the store closes (PostgreSQL
      // waits for the connection it holds). Presence and the bus close after it, so a change
      // committed then is still published and its watchers notified; neither needs the store.
      const late = entities.pending;
      if (late > 0) log.warn('shutdown: writes still under way at the timeout', { writes: late });
      await storage.close();
      if (late > 0) {
        await entities.settled(timeoutMs);
        await followUps(timeoutMs);
      }
      await presence.close();
      await history.close();
      await bus.close();
    },
  };
}
