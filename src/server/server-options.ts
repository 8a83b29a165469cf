/**
 * The options of `createServer`: what the server is made of (auth, storage, bus, capabilities)
 * and how its transport behaves (limits, timeouts, compression).
 */
import type { AuthorizeHook } from './authorize.js';
import type { Bus } from './bus.js';
import type { ServerClock } from './clock.js';
import type { AuthConfig, HttpTimeouts, ServerLimits } from './config.js';
import type { DebugFramesOptions } from './frame-debug.js';
import type { Logger, LogLevel } from './log.js';
import type { AuthorizeCallbackOptions } from './permissions/callback.js';
import type { ActivityRetention } from './activity/activity-service.js';
import type { NotificationOptions } from './notifications/setup.js';
import type { Storage } from './storage.js';
import type { ChangeFeedSettings } from './webhooks/setup.js';
import type { TurnOptions } from './turn-credentials.js';
import type { WebhookOptions } from './webhooks/webhook-worker.js';
import type { IceServer } from '../protocol/index.js';

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
  /**
   * How long `authorize` may take to settle a promise (default 5000 ms); past it the request is
   * refused for now, as if the hook threw `AuthorizationUnavailable`, and a warning is logged.
   */
  authorizeTimeoutMs?: number;
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
  /** To open a PostgreSQL connection or wait for a free one (default 10 s). */
  databaseConnectTimeoutMs?: number | undefined;
  /** One PostgreSQL statement's deadline (default 30 s). */
  databaseQueryTimeoutMs?: number | undefined;
  /** Keys accepted by the HTTP API (`Authorization: Bearer <key>`); none: the API answers 401. */
  apiKeys?: readonly string[];
  /**
   * Page origins allowed to open a WebSocket (`https://crm.example.com`); a browser's upgrade from
   * any other origin is answered 403. Empty (the default): any origin, as tokens, not cookies,
   * authenticate. Requests without an `Origin` header (servers, tools) are not browsers and pass.
   */
  allowedOrigins?: readonly string[];
  /**
   * Proxies whose `X-Forwarded-For` names the client (`CRM_TRUST_PROXY`): addresses, CIDR ranges
   * (`10.0.0.0/8`, `fd00::/8`), `loopback`, `linklocal`, `private`, as a list or one
   * comma-separated string. When the TCP peer is one of them, the header is read from the right
   * and its first untrusted address is the client's, for the handshake throttle, the handshake
   * ceiling and the logs (see `client-address.ts`). None (the default): the TCP peer is the client
   * and the header is ignored. A bad entry throws a `ConfigError` naming it.
   */
  trustProxy?: string | readonly string[] | undefined;
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
   * Hold broadcast writes so frames for one socket leave in one system call (default true; needs
   * pre-framed writes): a room's frames handled in one run of the event loop are joined into one
   * write per socket, and later frames in the same turn are corked until the turn ends.
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
  /**
   * A TURN server taking time-limited credentials made from a shared secret (`CRM_TURN_URLS`,
   * `CRM_TURN_SECRET`): each `call.config` gets credentials for its user, valid `ttlMs`, beside
   * `iceServers` (see `turn-credentials.ts`).
   */
  turn?: TurnOptions | undefined;
}

export interface CompressionOptions {
  enabled: boolean;
  /** Smallest payload, in bytes, that is sent compressed. Default 1024. */
  threshold?: number;
}
