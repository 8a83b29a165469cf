/**
 * Server configuration: defaults, environment variables and command-line flags.
 *
 * | flag              | env                 | default        |
 * |-------------------|---------------------|----------------|
 * | --port N          | PORT                | 8080           |
 * | --host H          | HOST                | (all; 127.0.0.1 with --dev) |
 * | --data-dir D      | DATA_DIR            | .data          |
 * | --dev             | CRM_DEV=1           | off            |
 * |                   | CRM_JWT_SECRET (>= 32 bytes) |       |
 * |                   | CRM_JWKS_URL (http/https) |          |
 * |                   | CRM_JWT_ISSUER      |                |
 * |                   | CRM_JWT_AUDIENCE    |                |
 * | --jwt-clock-tolerance S | CRM_JWT_CLOCK_TOLERANCE_S (0-300) | 30 |
 * |                   | CRM_REVOCATION_TTL_S | 86400         |
 * | --grace-ms N      | CRM_GRACE_MS        | 15000          |
 * | --heartbeat-ms N  | CRM_HEARTBEAT_MS    | 30000          |
 * | --static D        | CRM_STATIC (a:b)    | dist, demo     |
 * | --no-static       |                     | (serve none)   |
 * | --log-level L     | CRM_LOG_LEVEL       | info           |
 * | --debug-users a,b | CRM_DEBUG_USERS (a,b) | (none)       |
 * | --debug-rooms a,b | CRM_DEBUG_ROOMS (a,b) | (none)       |
 * | --compression on  | CRM_COMPRESSION (on/off) | off         |
 * | --compression-threshold N | CRM_COMPRESSION_THRESHOLD | 1024 |
 * | --quiet           |                     | off            |
 * |                   | CRM_API_KEYS (a,b)  | (API off)      |
 * |                   | CRM_ALLOWED_ORIGINS (a,b) | (any)    |
 * | --trust-proxy a,b | CRM_TRUST_PROXY (a,b) | (none)       |
 * | --seed-demo       |                     | on with --dev  |
 * | --no-seed         |                     |                |
 * |                   | CRM_NOTIFICATION_RETENTION_DAYS | 90 (0 keeps) |
 * |                   | CRM_ACTIVITY_RETENTION_DAYS     | 365 (0 keeps)|
 * |                   | CRM_ACTIVITY_MAX_ROWS           | 0 (no limit) |
 * |                   | CRM_ENTITY_HISTORY_RETENTION_DAYS | 90 (0 keeps) |
 * |                   | CRM_NOTIFY_WATCHERS (1/0)       | on with --dev|
 * |                   | CRM_METRICS_KEY (>= 16 chars)   | (open)       |
 * |                   | CRM_REPLAY_ROOM_BYTES           | 4 MiB        |
 * |                   | CRM_REPLAY_TOTAL_BYTES          | 64 MiB       |
 * |                   | CRM_WRITE_BYTES_PER_MINUTE      | 1 MiB        |
 * |                   | CRM_MAX_CONNECTIONS_PER_USER    | 100          |
 * |                   | CRM_MAX_HANDSHAKES_PER_ADDRESS  | 256          |
 * |                   | CRM_MAX_HTTP_SOCKETS_PER_ADDRESS| 1024         |
 * |                   | CRM_HTTP_HEADERS_TIMEOUT_MS     | 10000        |
 * |                   | CRM_HTTP_REQUEST_TIMEOUT_MS     | 30000        |
 * |                   | CRM_HTTP_KEEPALIVE_TIMEOUT_MS   | 5000         |
 * | --entity-backend-url U | CRM_ENTITY_BACKEND_URL | (off)    |
 * |                   | CRM_ENTITY_BACKEND_TIMEOUT_MS   | 5000         |
 * |                   | CRM_ENTITY_BACKEND_KEY (>= 16)  | (none)       |
 * | --webhook-url U   | CRM_WEBHOOK_URL     | (no webhooks)  |
 * |                   | CRM_WEBHOOK_SECRET (>= 16, env only) | |
 * |                   | CRM_WEBHOOK_MAX_ATTEMPTS        | 12           |
 * |                   | CRM_WEBHOOK_TIMEOUT_MS          | 10000        |
 * |                   | CRM_CHANGE_FEED_RETENTION_DAYS  | 30 (0 keeps) |
 * | --database-url U  | CRM_DATABASE_URL    | (SQLite in data dir) |
 * |                   | CRM_DATABASE_POOL_SIZE          | 10           |
 * |                   | CRM_DATABASE_CONNECT_TIMEOUT_MS | 10000        |
 * |                   | CRM_DATABASE_QUERY_TIMEOUT_MS   | 30000        |
 * | --redis-url U     | CRM_REDIS_URL       | (one process)  |
 * |                   | CRM_ICE_SERVERS (JSON array)    | (host only)  |
 * |                   | CRM_TURN_URLS (comma-separated) | (none)       |
 * |                   | CRM_TURN_SECRET (>= 16, env only) | (none)     |
 * |                   | CRM_TURN_TTL_MS                 | 86400000     |
 * |                   | CRM_PERMISSIONS_CLAIM           | crm          |
 * | --authorize-url U | CRM_AUTHORIZE_URL   | (no callback)  |
 * |                   | CRM_AUTHORIZE_KEY (>= 16)       | (none)       |
 * |                   | CRM_AUTHORIZE_TIMEOUT_MS        | 2000         |
 * |                   | CRM_AUTHORIZE_CACHE_MS          | 30000        |
 * |                   | CRM_AUTHORIZE_USER_IN_FLIGHT    | 8            |
 * |                   | CRM_AUTHORIZE_USER_BURST        | 100          |
 * |                   | CRM_AUTHORIZE_USER_PER_SECOND   | 20           |
 */
import { join } from 'node:path';
import * as z from 'zod/mini';
import { IceServer, LIMITS } from '../protocol/index.js';
import { DEFAULT_TURN_TTL_MS, turnOptionsProblem, type TurnOptions } from './turn-credentials.js';
import { DEFAULT_MAX_BUFFERED_BYTES } from '../domain/replay-budget.js';
import { TrustedProxies } from './client-address.js';
import { MAX_TIMER_MS } from './clock.js';
import { fetchedUrlProblem } from './fetched-url.js';
import type { LogLevel } from './log.js';
import type { AuthorizeCallbackOptions } from './permissions/callback.js';
import {
  DEFAULT_CALLBACK_BURST,
  DEFAULT_CALLBACK_MAX_IN_FLIGHT,
  DEFAULT_CALLBACK_PER_SECOND,
} from './permissions/callback-limit.js';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_QUERY_TIMEOUT_MS,
} from './postgres/postgres-storage.js';

export interface AuthConfig {
  /** HS256 shared secret for JWTs. */
  jwtSecret?: string;
  /** JWKS endpoint for asymmetric JWTs (RS256, ES256, EdDSA …). */
  jwksUrl?: string;
  /** The claim carrying permissions (`CRM_PERMISSIONS_CLAIM`, default `crm`; see `permissions/`). */
  permissionsClaim?: string;
  issuer?: string;
  audience?: string;
  /**
   * Seconds by which a token's `nbf` may lie ahead of this server's clock, and its `exp` behind
   * it, when a socket connects (`CRM_JWT_CLOCK_TOLERANCE_S`; default
   * `DEFAULT_JWT_CLOCK_TOLERANCE_S`): the token service's clock is never exactly this one's. An
   * open connection is still closed at `exp` itself.
   */
  clockToleranceS?: number;
  /**
   * How long, after a backend ends a user's sessions with their tokens revoked, tokens issued
   * before that are refused (`CRM_REVOCATION_TTL_S`; default `DEFAULT_REVOCATION_TTL_S`). Set it
   * to at least the longest lifetime of the tokens your issuer hands out: a revoked token still
   * valid after it would be let in again.
   */
  revocationTtlS?: number;
  /** Accept `devUser` from `hello` without a token. Never in production. */
  devIdentities: boolean;
}

export interface ServerLimits {
  maxFrameBytes: number;
  maxRoomsPerConnection: number;
  /** Token-bucket refill rate; the bucket holds one second's worth. */
  maxMessagesPerSecond: number;
  maxPresenceBytes: number;
  /** Events kept per room for resume. */
  replayEvents: number;
  /** How long events are kept for resume. */
  replayMillis: number;
  /** Framed bytes of events kept per room for resume; the oldest go first. */
  replayRoomBytes: number;
  /** Framed bytes of events kept for resume across all rooms; the oldest of any room go first. */
  replayTotalBytes: number;
  /**
   * Rooms nobody on this process is in, kept for a member's resume, at most (one process; on
   * Redis a room that never had an event expires on its own). Past it the longest idle are
   * forgotten early, and a member resuming one is answered `gap`. 0: no ceiling.
   */
  maxIdleRooms: number;
  /** Time a new socket has to complete `hello` → `welcome`. */
  handshakeTimeoutMs: number;
  /**
   * A socket whose unsent data exceeds this is dropped as a slow consumer. A join's replay may
   * use half of it (with what is already unsent); a larger replay is answered `gap` instead.
   */
  maxBufferedBytes: number;
  /**
   * Unsent data of all one user's sockets on this process together, beyond which the one of them
   * holding the most is dropped as a slow consumer (checked when a socket written to holds 64 KiB
   * or more). Without it a user may open `maxConnectionsPerUser` sockets and read none: each
   * stays under `maxBufferedBytes`, and together they held 800 MB of this process's memory within
   * seconds.
   */
  maxUserBufferedBytes: number;
  /** Frames dropped by the rate limiter, beyond which the connection is closed with 1008. */
  maxRateViolations: number;
  /** Failed handshakes one client address may have in a row before its upgrades get 429. */
  failedHandshakeBurst: number;
  /** Failed handshakes an address earns back per minute. */
  failedHandshakesPerMinute: number;
  /** Client addresses the handshake throttle remembers at most (least recently failed go first). */
  throttledAddresses: number;
  /**
   * Frame bytes of saves and notifications one user may have stored per minute (see
   * write-budget.ts); 0: no budget.
   */
  writeBytesPerMinute: number;
  /**
   * Sockets one client address may have that have not finished their handshake; more get 429 on
   * upgrade. Behind a proxy every client has the proxy's address unless it is trusted
   * (`trustProxy`). 0: no ceiling.
   */
  maxHandshakesPerAddress: number;
  /**
   * Plain HTTP sockets (not WebSockets, which leave this count on upgrade) one address may have
   * open at once; more are closed at once, before a byte is read. A trusted proxy is not counted
   * (its clients are, by the ceilings keyed by their address). 0: no ceiling.
   */
  maxHttpSocketsPerAddress: number;
  /** Sockets one user may have open to this process; more are refused after `hello`. 0: no ceiling. */
  maxConnectionsPerUser: number;
}

/** Timeouts of plain HTTP connections (WebSocket connections leave these behind on upgrade). */
export interface HttpTimeouts {
  /** Time a connection has to send a request's headers, idle new connections included. */
  headersTimeoutMs: number;
  /** Time a connection has to send a whole request, body included. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this long. */
  keepAliveTimeoutMs: number;
}

export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
};

export interface ServerConfig {
  port: number;
  host: string | undefined;
  dataDir: string;
  auth: AuthConfig;
  limits: ServerLimits;
  /** Delay before a person whose last connection dropped is removed from presence. */
  graceMs: number;
  /** Server ping interval; a socket that did not answer the previous ping is dropped. */
  heartbeatMs: number;
  /** Upper bound of the jittered reconnect delay announced in `bye` on shutdown. */
  shutdownReconnectMs: number;
  /** Directories served over HTTP at `/`, first match wins. */
  staticDirs: string[];
  /** `staticDirs` came from `--static` or `CRM_STATIC`, not the defaults. */
  staticDirsGiven: boolean;
  logLevel: LogLevel;
  quiet: boolean;
  /** Keys of the HTTP API (`Authorization: Bearer <key>`); empty: the API answers 401. */
  apiKeys: string[];
  /** Origins whose pages may open a WebSocket; empty allows any. */
  allowedOrigins: string[];
  /**
   * Proxies whose `X-Forwarded-For` names the client (`CRM_TRUST_PROXY`): addresses, CIDR ranges,
   * `loopback`, `linklocal`, `private`. Empty: the TCP peer is the client.
   */
  trustProxy: string[];
  /** Seed the demo's customers, calls and meetings into an empty store. */
  seedDemo: boolean;
  /** Notifications older than this many days are deleted; 0 keeps them. */
  notificationRetentionDays: number;
  /** Activity older than this many days is deleted; 0 keeps it by age. */
  activityRetentionDays: number;
  /** At most this many activity items are kept (the newest); 0 means no limit. */
  activityMaxRows: number;
  /** Entity change history and mutation answers older than this many days go; 0 keeps them. */
  entityHistoryRetentionDays: number;
  /** Notify the people looking at an entity when a client's change to it is accepted. */
  notifyWatchersOnChange: boolean;
  /** Bearer key `/metrics` requires; undefined leaves it open. */
  metricsKey: string | undefined;
  /**
   * Write-through to the CRM's backend (`CRM_ENTITY_BACKEND_URL`): clients' saves go to it first,
   * unknown entities are read from it. Undefined: the server's store is the only one.
   */
  entityBackend: EntityBackendConfig | undefined;
  /** Signed delivery of every accepted change (`CRM_WEBHOOK_URL`); undefined: no webhooks. */
  webhooks: WebhookConfig | undefined;
  /** Changes older than this many days leave the change log (`GET /api/changes`); 0 keeps them. */
  changeFeedRetentionDays: number;
  /**
   * PostgreSQL instead of the SQLite file (`CRM_DATABASE_URL`, `postgres://…`), for several
   * processes sharing one store; undefined keeps SQLite in `dataDir`.
   */
  databaseUrl: string | undefined;
  /** Connections each process keeps to PostgreSQL at most. */
  databasePoolSize: number;
  /**
   * How long opening a PostgreSQL connection or waiting for a free one may take; at start, how
   * long the database has to answer before the start fails.
   */
  databaseConnectTimeoutMs: number;
  /** How long one PostgreSQL statement may run before it is cancelled and its save fails. */
  databaseQueryTimeoutMs: number;
  http: HttpTimeouts;
  /** Redis shared by several processes (`redis://host:6379`); undefined: one process, in memory. */
  redisUrl: string | undefined;
  /** permessage-deflate, and the payload size in bytes from which frames are compressed. */
  compression: { enabled: boolean; threshold: number };
  /** Users and rooms whose frames are logged at level `debug` (tokens redacted). */
  debugFrames: { users: string[]; rooms: string[] };
  /** STUN/TURN servers handed to clients for calls (`CRM_ICE_SERVERS`); empty: host candidates only. */
  iceServers: IceServer[];
  /** A TURN server taking time-limited credentials (`CRM_TURN_URLS`, `CRM_TURN_SECRET`). */
  turn: TurnOptions | undefined;
  /** The authorization callback (`CRM_AUTHORIZE_URL`); undefined: the hook and claims decide. */
  authorizeCallback: AuthorizeCallbackOptions | undefined;
}

export const DEFAULT_LIMITS: ServerLimits = {
  maxFrameBytes: LIMITS.maxFrameBytes,
  maxRoomsPerConnection: LIMITS.maxRoomsPerConnection,
  maxMessagesPerSecond: LIMITS.maxMessagesPerSecond,
  maxPresenceBytes: LIMITS.maxPresenceBytes,
  replayEvents: LIMITS.replayEvents,
  replayMillis: LIMITS.replayMillis,
  replayRoomBytes: 4 * 1024 * 1024,
  replayTotalBytes: 64 * 1024 * 1024,
  // About 400 bytes each: 40 MB. A room stays idle for the replay window after its last member
  // left; one user joining and leaving distinct rooms on 100 sockets makes 2,200 a second.
  maxIdleRooms: 100_000,
  handshakeTimeoutMs: 10_000,
  maxBufferedBytes: DEFAULT_MAX_BUFFERED_BYTES,
  // Four send buffers: as many as the replay a user may be sent a minute.
  maxUserBufferedBytes: 4 * DEFAULT_MAX_BUFFERED_BYTES,
  maxRateViolations: 100,
  failedHandshakeBurst: 20,
  failedHandshakesPerMinute: 30,
  throttledAddresses: 10_000,
  // A megabyte a minute is a 17 KB note saved every second; storing it costs several times that.
  writeBytesPerMinute: 1024 * 1024,
  // A legitimate handshake is over within milliseconds, so even hundreds of clients behind one
  // proxy reconnecting after a restart rarely have more than a few in flight at once.
  maxHandshakesPerAddress: 256,
  // Each open socket is a file descriptor (often 20,000 to a process) and a few KB. Without it
  // one address holding 20,000 sockets that sent half a request line, each for the 10 s the
  // headers may take, left the process no descriptor to accept anyone else's. A browser opens
  // at most six to a host, and an office behind one address reconnecting at once stays far below.
  maxHttpSocketsPerAddress: 1024,
  // Tabs of one browser share a connection; this leaves room for many devices and service accounts.
  maxConnectionsPerUser: 100,
};

/**
 * Payloads below this many bytes go uncompressed even when compression is on: presence diffs and
 * acks (100-600 bytes) shrink little and would cost deflate time for each (bench/compression.ts).
 */
export const DEFAULT_COMPRESSION_THRESHOLD = 1024;

export const DEFAULT_CONFIG: ServerConfig = {
  port: 8080,
  host: undefined,
  dataDir: '.data',
  auth: { devIdentities: false },
  limits: DEFAULT_LIMITS,
  graceMs: 15_000,
  heartbeatMs: 30_000,
  shutdownReconnectMs: 5_000,
  staticDirs: ['demo', 'dist'],
  staticDirsGiven: false,
  logLevel: 'info',
  quiet: false,
  apiKeys: [],
  allowedOrigins: [],
  trustProxy: [],
  seedDemo: false,
  notificationRetentionDays: 90,
  activityRetentionDays: 365,
  activityMaxRows: 0,
  entityHistoryRetentionDays: 90,
  notifyWatchersOnChange: false,
  metricsKey: undefined,
  entityBackend: undefined,
  webhooks: undefined,
  changeFeedRetentionDays: 30,
  databaseUrl: undefined,
  databasePoolSize: 10,
  databaseConnectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
  databaseQueryTimeoutMs: DEFAULT_QUERY_TIMEOUT_MS,
  http: DEFAULT_HTTP_TIMEOUTS,
  redisUrl: undefined,
  compression: { enabled: false, threshold: DEFAULT_COMPRESSION_THRESHOLD },
  debugFrames: { users: [], rooms: [] },
  iceServers: [],
  turn: undefined,
  authorizeCallback: undefined,
};

/**
 * HS256 secrets shorter than this many bytes are refused: RFC 7518 §3.2 asks for a key at least
 * as long as the hash (32 bytes), and a short one can be brute-forced from any token it signed.
 */
export const MIN_JWT_SECRET_BYTES = 32;

/** Throws when an HS256 secret is too short to be safe; shared by `loadConfig` and `createServer`. */
export function checkJwtSecret(secret: string | undefined, name = 'CRM_JWT_SECRET'): void {
  if (secret === undefined) return;
  const bytes = Buffer.byteLength(secret, 'utf8');
  if (bytes < MIN_JWT_SECRET_BYTES) {
    throw new ConfigError(
      `${name} is ${bytes} bytes; it needs at least ${MIN_JWT_SECRET_BYTES} bytes (e.g. \`openssl rand -base64 48\`)`,
    );
  }
}

/**
 * Clock skew allowed on a token's `nbf` and `exp`. Hosts kept by NTP differ by milliseconds; a
 * token service with a drifting clock by seconds. A token service setting `nbf` to its own "now"
 * would otherwise have its fresh tokens refused by a server a moment behind it, and a client
 * refused twice in a row gives up ("sign-in refused"). 30 s covers real drift while an expired
 * token stays usable for at most that long, and only to connect.
 */
export const DEFAULT_JWT_CLOCK_TOLERANCE_S = 30;

/** A day: longer than the access tokens of the usual identity providers live (minutes to hours). */
export const DEFAULT_REVOCATION_TTL_S = 86_400;

/**
 * A larger allowance is refused: RFC 7519 speaks of "no more than a few minutes", and a value
 * meant as milliseconds (30000) would accept tokens expired for hours.
 */
export const MAX_JWT_CLOCK_TOLERANCE_S = 300;

/**
 * The proxies to trust (`CRM_TRUST_PROXY`, `createServer({ trustProxy })`), checked at start so a
 * typo fails the start naming the entry, instead of quietly trusting nothing (or too much).
 */
export function trustedProxies(
  entries: string | readonly string[] | undefined,
  name = 'CRM_TRUST_PROXY',
): TrustedProxies {
  if (entries === undefined) return TrustedProxies.none;
  try {
    return TrustedProxies.parse(typeof entries === 'string' ? entries.split(',') : entries);
  } catch (err) {
    throw new ConfigError(`${name}: ${(err as Error).message}`);
  }
}

/** API keys shorter than this are refused: they could be guessed. */
export const MIN_API_KEY_LENGTH = 16;

/** The SQLite file inside the data directory. */
export function databasePath(config: Pick<ServerConfig, 'dataDir'>): string {
  return join(config.dataDir, 'crm.sqlite');
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Write-through to the CRM's backend (see `entities/entity-backend.ts`). */
export interface EntityBackendConfig {
  /** Base URL: saves go to `POST <url>/entities/<type>/<id>`, reads to `GET` there. */
  url: string;
  /** Longest wait for one answer before the save is reported as not answered. */
  timeoutMs: number;
  /** Sent as `Authorization: Bearer <key>` with every call. */
  key?: string;
}

/**
 * `raw` as a URL when it parses and its scheme is one of `protocols` (e.g. `['http:', 'https:']`),
 * else undefined: each setting that takes a URL checks it at start with its own message.
 */
function urlOf(raw: string, protocols: readonly string[]): URL | undefined {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    return undefined;
  }
  return protocols.includes(parsed.protocol) ? parsed : undefined;
}

/**
 * An http(s) URL from its flag, or else from the environment variable `name`; undefined when
 * neither is set. Checked at start, so a typo fails the start, not the first request.
 */
function httpUrl(
  name: string,
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
): string | undefined {
  const url = flag ?? (env[name] || undefined);
  if (url === undefined) return undefined;
  const problem = fetchedUrlProblem(url);
  if (problem !== undefined) throw new ConfigError(`${name}: ${problem}`);
  return url;
}

/** `--entity-backend-url` / `CRM_ENTITY_BACKEND_URL` and its timeout and key, checked at start. */
function entityBackendConfig(
  flagUrl: string | undefined,
  env: NodeJS.ProcessEnv,
): EntityBackendConfig | undefined {
  const url = httpUrl('CRM_ENTITY_BACKEND_URL', flagUrl, env);
  if (url === undefined) return undefined;
  const config: EntityBackendConfig = {
    url,
    timeoutMs: integer(
      'CRM_ENTITY_BACKEND_TIMEOUT_MS',
      env.CRM_ENTITY_BACKEND_TIMEOUT_MS,
      5000,
      100,
    ),
  };
  const key = env.CRM_ENTITY_BACKEND_KEY || undefined;
  if (key !== undefined) {
    if (key.length < MIN_API_KEY_LENGTH) {
      throw new ConfigError(
        `CRM_ENTITY_BACKEND_KEY needs at least ${MIN_API_KEY_LENGTH} characters`,
      );
    }
    config.key = key;
  }
  return config;
}

/** A PostgreSQL URL, checked at start so a typo fails the start, not the first query. */
function databaseUrl(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (!urlOf(raw, ['postgres:', 'postgresql:'])) {
    throw new ConfigError('CRM_DATABASE_URL must be a postgres:// (or postgresql://) URL');
  }
  return raw;
}

/** Outbound change delivery (see `webhooks/webhook-worker.ts`). */
export interface WebhookConfig {
  url: string;
  /** HMAC-SHA256 key of `X-CRM-Signature`. */
  secret: string;
  /** Attempts before a delivery is dead (listed and retried through the API). */
  maxAttempts: number;
  /** An attempt not answered within this is a failure. */
  timeoutMs: number;
}

/**
 * `--webhook-url` / `CRM_WEBHOOK_URL` with `CRM_WEBHOOK_SECRET` (from the environment only, like
 * `CRM_JWT_SECRET`: a flag would show in `ps`), checked at start.
 */
function webhookConfig(
  flagUrl: string | undefined,
  env: NodeJS.ProcessEnv,
): WebhookConfig | undefined {
  const url = httpUrl('CRM_WEBHOOK_URL', flagUrl, env);
  if (url === undefined) return undefined;
  const secret = env.CRM_WEBHOOK_SECRET ?? '';
  if (secret.length < MIN_API_KEY_LENGTH) {
    throw new ConfigError(
      `CRM_WEBHOOK_SECRET (at least ${MIN_API_KEY_LENGTH} characters) is required with CRM_WEBHOOK_URL`,
    );
  }
  return {
    url,
    secret,
    maxAttempts: integer('CRM_WEBHOOK_MAX_ATTEMPTS', env.CRM_WEBHOOK_MAX_ATTEMPTS, 12, 1),
    // A timer longer than 2³¹−1 ms fires at once (Node warns and waits 1 ms), so a larger
    // timeout would fail every attempt as "no answer within …" before the receiver could answer.
    timeoutMs: integer(
      'CRM_WEBHOOK_TIMEOUT_MS',
      env.CRM_WEBHOOK_TIMEOUT_MS,
      10_000,
      100,
      MAX_TIMER_MS,
    ),
  };
}

function integer(
  name: string,
  raw: string | undefined,
  fallback: number,
  min = 0,
  // A duration (`…_MS`, `--…-ms`) is a timer somewhere, and Node fires a timer longer than 2³¹−1
  // ms at once: a timeout that long would fail every attempt, a period spin.
  max = /[-_]ms$/i.test(name) ? MAX_TIMER_MS : Number.MAX_SAFE_INTEGER,
): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw new ConfigError(`${name} must be an integer ${range}, got "${raw}"`);
  }
  return value;
}

function onOff(name: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw === '') return fallback;
  if (raw !== '1' && raw !== '0') throw new ConfigError(`${name} must be 1 or 0, got "${raw}"`);
  return raw === '1';
}

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/**
 * The command line's flags: name, the value it takes (empty for a switch) and what it does, as
 * `--help` prints them. Every flag `loadConfig` reads is here, and nothing else is accepted.
 */
export const FLAGS: readonly (readonly [name: string, value: string, meaning: string])[] = [
  ['--port', 'N', 'HTTP and WebSocket port (PORT; default 8080)'],
  ['--host', 'H', 'address to listen on (HOST; default all interfaces, 127.0.0.1 with --dev)'],
  ['--data-dir', 'D', 'directory of the SQLite file (DATA_DIR; default .data)'],
  ['--database-url', 'U', 'PostgreSQL shared by processes (CRM_DATABASE_URL)'],
  ['--redis-url', 'U', 'Redis shared by processes (CRM_REDIS_URL)'],
  ['--dev', '', 'development identities: any client may be any user; never in production'],
  ['--grace-ms', 'N', 'how long a dropped person stays in presence (CRM_GRACE_MS; 15000)'],
  ['--heartbeat-ms', 'N', 'server ping interval (CRM_HEARTBEAT_MS; 30000)'],
  ['--static', 'D', 'a directory served at / (repeat it; CRM_STATIC; default demo and dist)'],
  ['--no-static', '', 'serve no static files'],
  ['--log-level', 'L', 'debug, info, warn or error (CRM_LOG_LEVEL; info)'],
  ['--quiet', '', 'no logs'],
  ['--seed-demo', '', 'load the demo customers into an empty database (on with --dev)'],
  ['--no-seed', '', 'do not'],
  ['--entity-backend-url', 'U', 'the CRM backend saves go through first (CRM_ENTITY_BACKEND_URL)'],
  [
    '--jwt-clock-tolerance',
    'S',
    'clock skew allowed on nbf/exp, 0-300 s (CRM_JWT_CLOCK_TOLERANCE_S)',
  ],
  ['--authorize-url', 'U', 'ask the CRM backend about every action (CRM_AUTHORIZE_URL)'],
  ['--webhook-url', 'U', 'POST every accepted change there, signed (CRM_WEBHOOK_URL)'],
  [
    '--compression',
    'on|off',
    'permessage-deflate for clients that offer it (CRM_COMPRESSION; off)',
  ],
  ['--compression-threshold', 'N', 'smaller frames go uncompressed (CRM_COMPRESSION_THRESHOLD)'],
  ['--debug-users', 'a,b', "at --log-level debug, log these users' frames (CRM_DEBUG_USERS)"],
  ['--debug-rooms', 'a,b', 'the same for rooms (CRM_DEBUG_ROOMS)'],
  ['--trust-proxy', 'LIST', 'proxies whose X-Forwarded-For names the client (CRM_TRUST_PROXY)'],
];

/** What `--help` prints: the flags, and where the rest is described. */
export function usage(): string {
  const width = Math.max(...FLAGS.map(([name, value]) => `${name} ${value}`.trim().length));
  return [
    'usage: node src/server/main.js [flags]   (in a checkout: node --import tsx src/server/main.ts)',
    '',
    ...FLAGS.map(
      ([name, value, meaning]) => `  ${`${name} ${value}`.trim().padEnd(width)}  ${meaning}`,
    ),
    '',
    'Flags win over environment variables. Every CRM_* variable, with its default, is in the',
    'README ("The reference server"); deploying several processes: docs/deploy.md.',
    '',
  ].join('\n');
}

/** Reads flags (which win) and environment variables over the defaults. */
export function loadConfig(
  argv: readonly string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): ServerConfig {
  const flags = new Map<string, string[]>();
  const booleans = new Set(FLAGS.filter(([, value]) => value === '').map(([name]) => name));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (!name.startsWith('--')) throw new ConfigError(`unexpected argument "${arg}"`);
    // `--dev=false` or `--quiet=1` would otherwise be read as absent or present whatever the
    // value says: a switch takes no value, and one given is refused rather than guessed at.
    if (eq > 0 && booleans.has(name)) {
      throw new ConfigError(`${name} takes no value, got "${arg}"`);
    }
    let value: string;
    if (eq > 0) value = arg.slice(eq + 1);
    else if (booleans.has(name)) value = 'true';
    else {
      const next = argv[++i];
      if (next === undefined) throw new ConfigError(`${name} needs a value`);
      value = next;
    }
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  const known = new Set(FLAGS.map(([name]) => name));
  for (const name of flags.keys()) {
    if (!known.has(name)) throw new ConfigError(`unknown flag ${name}`);
  }
  const flag = (name: string): string | undefined => flags.get(name)?.at(-1);

  const logLevel = (flag('--log-level') ?? env.CRM_LOG_LEVEL ?? 'info') as LogLevel;
  if (!LEVELS.includes(logLevel)) throw new ConfigError(`unknown log level "${logLevel}"`);

  const compressionRaw = flag('--compression') ?? env.CRM_COMPRESSION ?? 'off';
  if (!['on', 'off', '1', '0'].includes(compressionRaw)) {
    throw new ConfigError(`compression must be on or off, got "${compressionRaw}"`);
  }
  const compression = {
    enabled: compressionRaw === 'on' || compressionRaw === '1',
    threshold: integer(
      'compression-threshold',
      flag('--compression-threshold') ?? env.CRM_COMPRESSION_THRESHOLD,
      DEFAULT_COMPRESSION_THRESHOLD,
    ),
  };
  const list = (raw: string | undefined): string[] =>
    (raw ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  const debugFrames = {
    users: list(flag('--debug-users') ?? env.CRM_DEBUG_USERS),
    rooms: list(flag('--debug-rooms') ?? env.CRM_DEBUG_ROOMS),
  };

  const staticFlag = flags.get('--static');
  // An empty folder resolves to the working directory: `--static ''` (or `--static "$DIR"` with
  // DIR unset) served the server's own files, its package.json and a data directory inside it.
  if (staticFlag?.includes('')) {
    throw new ConfigError(
      '--static needs a folder, got an empty one (it would serve the working directory); --no-static serves none',
    );
  }
  const noStatic = flag('--no-static') === 'true';
  if (noStatic && staticFlag) throw new ConfigError('--static and --no-static conflict');
  const staticDirs = noStatic
    ? []
    : (staticFlag ??
      (env.CRM_STATIC ? env.CRM_STATIC.split(':').filter(Boolean) : DEFAULT_CONFIG.staticDirs));

  const auth: AuthConfig = {
    // `CRM_DEV=true` or `yes` was read as off without a word: only 1 and 0 are accepted.
    devIdentities: flag('--dev') === 'true' || onOff('CRM_DEV', env.CRM_DEV, false),
  };
  if (env.CRM_JWT_SECRET) auth.jwtSecret = env.CRM_JWT_SECRET;
  checkJwtSecret(auth.jwtSecret);
  // Checked here, so a typo fails the start naming the setting, not the first token (or the
  // start with a bare "Invalid URL"). Plain http is accepted like every other URL setting.
  const jwksUrl = httpUrl('CRM_JWKS_URL', undefined, env);
  if (jwksUrl !== undefined) auth.jwksUrl = jwksUrl;
  auth.clockToleranceS = integer(
    'CRM_JWT_CLOCK_TOLERANCE_S (--jwt-clock-tolerance)',
    flag('--jwt-clock-tolerance') ?? env.CRM_JWT_CLOCK_TOLERANCE_S,
    DEFAULT_JWT_CLOCK_TOLERANCE_S,
    0,
    MAX_JWT_CLOCK_TOLERANCE_S,
  );
  auth.revocationTtlS = integer(
    'CRM_REVOCATION_TTL_S',
    env.CRM_REVOCATION_TTL_S,
    DEFAULT_REVOCATION_TTL_S,
    1,
    // A year: a longer one is most likely milliseconds by mistake.
    31_536_000,
  );
  if (env.CRM_JWT_ISSUER) auth.issuer = env.CRM_JWT_ISSUER;
  if (env.CRM_JWT_AUDIENCE) auth.audience = env.CRM_JWT_AUDIENCE;
  if (env.CRM_PERMISSIONS_CLAIM) auth.permissionsClaim = env.CRM_PERMISSIONS_CLAIM;
  if (!auth.devIdentities && !auth.jwtSecret && !auth.jwksUrl) {
    throw new ConfigError(
      'no way to authenticate: set CRM_JWT_SECRET or CRM_JWKS_URL, or pass --dev for development identities',
    );
  }

  const apiKeys = (env.CRM_API_KEYS ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  const short = apiKeys.find((k) => k.length < MIN_API_KEY_LENGTH);
  if (short !== undefined) {
    throw new ConfigError(`CRM_API_KEYS: each key needs at least ${MIN_API_KEY_LENGTH} characters`);
  }

  const entityBackend = entityBackendConfig(flag('--entity-backend-url'), env);
  const metricsKey = env.CRM_METRICS_KEY || undefined;
  if (metricsKey !== undefined && metricsKey.length < MIN_API_KEY_LENGTH) {
    throw new ConfigError(`CRM_METRICS_KEY needs at least ${MIN_API_KEY_LENGTH} characters`);
  }
  const http: HttpTimeouts = {
    headersTimeoutMs: integer(
      'CRM_HTTP_HEADERS_TIMEOUT_MS',
      env.CRM_HTTP_HEADERS_TIMEOUT_MS,
      DEFAULT_HTTP_TIMEOUTS.headersTimeoutMs,
      100,
    ),
    requestTimeoutMs: integer(
      'CRM_HTTP_REQUEST_TIMEOUT_MS',
      env.CRM_HTTP_REQUEST_TIMEOUT_MS,
      DEFAULT_HTTP_TIMEOUTS.requestTimeoutMs,
      100,
    ),
    keepAliveTimeoutMs: integer(
      'CRM_HTTP_KEEPALIVE_TIMEOUT_MS',
      env.CRM_HTTP_KEEPALIVE_TIMEOUT_MS,
      DEFAULT_HTTP_TIMEOUTS.keepAliveTimeoutMs,
      100,
    ),
  };
  if (http.requestTimeoutMs < http.headersTimeoutMs) {
    throw new ConfigError('CRM_HTTP_REQUEST_TIMEOUT_MS must be >= CRM_HTTP_HEADERS_TIMEOUT_MS');
  }

  const allowedOrigins = (env.CRM_ALLOWED_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean)
    .map((origin) => {
      let parsed: URL | undefined;
      try {
        parsed = new URL(origin);
      } catch {
        parsed = undefined;
      }
      const bare = parsed && parsed.pathname === '/' && !parsed.search && !parsed.hash;
      if (!parsed || !bare || parsed.origin === 'null') {
        throw new ConfigError(
          `CRM_ALLOWED_ORIGINS: ${JSON.stringify(origin)} is not an origin like https://crm.example.com`,
        );
      }
      return parsed.origin;
    });

  const trustProxy = list(flag('--trust-proxy') ?? env.CRM_TRUST_PROXY);
  trustedProxies(trustProxy, 'CRM_TRUST_PROXY (--trust-proxy)');

  const database = databaseUrl(flag('--database-url') ?? (env.CRM_DATABASE_URL || undefined));
  const redis = redisUrl(flag('--redis-url') ?? env.CRM_REDIS_URL);
  if (redis !== undefined && database === undefined) {
    // Processes sharing rooms through Redis must share their data too: with a SQLite file each,
    // a save through one would be missing from the others (an unset secret gives an empty URL).
    throw new ConfigError(
      'CRM_REDIS_URL is set but CRM_DATABASE_URL is not: processes that share Redis must share a PostgreSQL database too',
    );
  }
  return {
    // Checked here, so a port out of range stops the start as a setting (exit 2) before the
    // database is opened, not as a socket error once everything else has started.
    port: integer('port', flag('--port') ?? env.PORT, DEFAULT_CONFIG.port, 0, 65_535),
    // Development identities let anyone be anyone: such a server listens on loopback only,
    // unless an address is given.
    host: flag('--host') ?? (env.HOST || (auth.devIdentities ? '127.0.0.1' : undefined)),
    dataDir: flag('--data-dir') ?? (env.DATA_DIR || DEFAULT_CONFIG.dataDir),
    auth,
    limits: {
      ...DEFAULT_LIMITS,
      replayRoomBytes: integer(
        'CRM_REPLAY_ROOM_BYTES',
        env.CRM_REPLAY_ROOM_BYTES,
        DEFAULT_LIMITS.replayRoomBytes,
        LIMITS.maxFrameBytes,
      ),
      replayTotalBytes: integer(
        'CRM_REPLAY_TOTAL_BYTES',
        env.CRM_REPLAY_TOTAL_BYTES,
        DEFAULT_LIMITS.replayTotalBytes,
        LIMITS.maxFrameBytes,
      ),
      writeBytesPerMinute: writeBudgetSetting(env.CRM_WRITE_BYTES_PER_MINUTE),
      maxHandshakesPerAddress: integer(
        'CRM_MAX_HANDSHAKES_PER_ADDRESS',
        env.CRM_MAX_HANDSHAKES_PER_ADDRESS,
        DEFAULT_LIMITS.maxHandshakesPerAddress,
      ),
      maxHttpSocketsPerAddress: integer(
        'CRM_MAX_HTTP_SOCKETS_PER_ADDRESS',
        env.CRM_MAX_HTTP_SOCKETS_PER_ADDRESS,
        DEFAULT_LIMITS.maxHttpSocketsPerAddress,
      ),
      maxConnectionsPerUser: integer(
        'CRM_MAX_CONNECTIONS_PER_USER',
        env.CRM_MAX_CONNECTIONS_PER_USER,
        DEFAULT_LIMITS.maxConnectionsPerUser,
      ),
    },
    graceMs: integer('grace-ms', flag('--grace-ms') ?? env.CRM_GRACE_MS, DEFAULT_CONFIG.graceMs),
    heartbeatMs: integer(
      'heartbeat-ms',
      flag('--heartbeat-ms') ?? env.CRM_HEARTBEAT_MS,
      DEFAULT_CONFIG.heartbeatMs,
      100,
    ),
    shutdownReconnectMs: DEFAULT_CONFIG.shutdownReconnectMs,
    staticDirs,
    staticDirsGiven: staticFlag !== undefined || Boolean(env.CRM_STATIC),
    logLevel,
    quiet: flag('--quiet') === 'true',
    apiKeys,
    allowedOrigins,
    trustProxy,
    seedDemo:
      flag('--no-seed') !== 'true' && (flag('--seed-demo') === 'true' || auth.devIdentities),
    notificationRetentionDays: integer(
      'CRM_NOTIFICATION_RETENTION_DAYS',
      env.CRM_NOTIFICATION_RETENTION_DAYS,
      DEFAULT_CONFIG.notificationRetentionDays,
    ),
    activityRetentionDays: integer(
      'CRM_ACTIVITY_RETENTION_DAYS',
      env.CRM_ACTIVITY_RETENTION_DAYS,
      DEFAULT_CONFIG.activityRetentionDays,
    ),
    activityMaxRows: integer(
      'CRM_ACTIVITY_MAX_ROWS',
      env.CRM_ACTIVITY_MAX_ROWS,
      DEFAULT_CONFIG.activityMaxRows,
    ),
    entityHistoryRetentionDays: integer(
      'CRM_ENTITY_HISTORY_RETENTION_DAYS',
      env.CRM_ENTITY_HISTORY_RETENTION_DAYS,
      DEFAULT_CONFIG.entityHistoryRetentionDays,
    ),
    notifyWatchersOnChange: onOff(
      'CRM_NOTIFY_WATCHERS',
      env.CRM_NOTIFY_WATCHERS,
      auth.devIdentities,
    ),
    metricsKey,
    entityBackend,
    webhooks: webhookConfig(flag('--webhook-url'), env),
    changeFeedRetentionDays: integer(
      'CRM_CHANGE_FEED_RETENTION_DAYS',
      env.CRM_CHANGE_FEED_RETENTION_DAYS,
      DEFAULT_CONFIG.changeFeedRetentionDays,
    ),
    databaseUrl: database,
    databasePoolSize: integer(
      'CRM_DATABASE_POOL_SIZE',
      env.CRM_DATABASE_POOL_SIZE,
      DEFAULT_CONFIG.databasePoolSize,
      1,
    ),
    databaseConnectTimeoutMs: integer(
      'CRM_DATABASE_CONNECT_TIMEOUT_MS',
      env.CRM_DATABASE_CONNECT_TIMEOUT_MS,
      DEFAULT_CONFIG.databaseConnectTimeoutMs,
      100,
    ),
    databaseQueryTimeoutMs: integer(
      'CRM_DATABASE_QUERY_TIMEOUT_MS',
      env.CRM_DATABASE_QUERY_TIMEOUT_MS,
      DEFAULT_CONFIG.databaseQueryTimeoutMs,
      100,
    ),
    http,
    redisUrl: redis,
    compression,
    debugFrames,
    iceServers: iceServers(env.CRM_ICE_SERVERS),
    turn: turnConfig(env),
    authorizeCallback: authorizeCallbackConfig(flag('--authorize-url'), env),
  };
}

/**
 * `CRM_WRITE_BYTES_PER_MINUTE`: 0 turns the budget off; otherwise at least one frame's worth, so
 * a single save of the largest frame is never refused.
 */
function writeBudgetSetting(raw: string | undefined): number {
  const value = integer('CRM_WRITE_BYTES_PER_MINUTE', raw, DEFAULT_LIMITS.writeBytesPerMinute);
  if (value !== 0 && value < LIMITS.maxFrameBytes) {
    throw new ConfigError(
      `CRM_WRITE_BYTES_PER_MINUTE must be 0 (no budget) or at least ${LIMITS.maxFrameBytes} (one frame)`,
    );
  }
  return value;
}

/** `CRM_AUTHORIZE_URL` and its settings (see `permissions/callback.ts`). */
function authorizeCallbackConfig(
  flagUrl: string | undefined,
  env: Record<string, string | undefined>,
): AuthorizeCallbackOptions | undefined {
  const raw = httpUrl('CRM_AUTHORIZE_URL', flagUrl, env);
  if (raw === undefined) return undefined;
  const url = new URL(raw);
  const key = env.CRM_AUTHORIZE_KEY || undefined;
  if (key !== undefined && key.length < MIN_API_KEY_LENGTH) {
    throw new ConfigError(`CRM_AUTHORIZE_KEY needs at least ${MIN_API_KEY_LENGTH} characters`);
  }
  return {
    url: url.href,
    key,
    timeoutMs: integer('CRM_AUTHORIZE_TIMEOUT_MS', env.CRM_AUTHORIZE_TIMEOUT_MS, 2000, 1),
    cacheMs: integer('CRM_AUTHORIZE_CACHE_MS', env.CRM_AUTHORIZE_CACHE_MS, 30_000),
    // The per-user bound on questions that reach the backend (defaults and why: callback-limit.ts).
    maxInFlight: integer(
      'CRM_AUTHORIZE_USER_IN_FLIGHT',
      env.CRM_AUTHORIZE_USER_IN_FLIGHT,
      DEFAULT_CALLBACK_MAX_IN_FLIGHT,
      1,
    ),
    burst: integer(
      'CRM_AUTHORIZE_USER_BURST',
      env.CRM_AUTHORIZE_USER_BURST,
      DEFAULT_CALLBACK_BURST,
      1,
    ),
    perSecond: integer(
      'CRM_AUTHORIZE_USER_PER_SECOND',
      env.CRM_AUTHORIZE_USER_PER_SECOND,
      DEFAULT_CALLBACK_PER_SECOND,
      1,
    ),
  };
}

/**
 * `CRM_ICE_SERVERS`: a JSON array of `RTCIceServer`s, e.g.
 * `[{"urls":"stun:stun.example.com"},{"urls":"turn:turn.example.com","username":"u","credential":"p"}]`.
 * Checked at start, so a typo fails the start instead of every call.
 */
function iceServers(raw: string | undefined): IceServer[] {
  if (!raw) return [];
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ConfigError('CRM_ICE_SERVERS must be a JSON array of {urls, username?, credential?}');
  }
  const parsed = z.safeParse(z.array(IceServer).check(z.maxLength(16)), value);
  if (!parsed.success) {
    throw new ConfigError(`CRM_ICE_SERVERS: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

/**
 * `CRM_TURN_URLS` (comma-separated `turn:`/`turns:` URLs) with `CRM_TURN_SECRET` (from the
 * environment only: a flag would show in `ps`) and `CRM_TURN_TTL_MS`; checked at start.
 */
function turnConfig(env: NodeJS.ProcessEnv): TurnOptions | undefined {
  const raw = env.CRM_TURN_URLS ?? '';
  if (raw.trim() === '') return undefined;
  const turn: TurnOptions = {
    urls: raw
      .split(',')
      .map((url) => url.trim())
      .filter((url) => url !== ''),
    secret: env.CRM_TURN_SECRET ?? '',
    ttlMs: integer('CRM_TURN_TTL_MS', env.CRM_TURN_TTL_MS, DEFAULT_TURN_TTL_MS, 60_000),
  };
  const problem = turnOptionsProblem(turn, {
    urls: 'CRM_TURN_URLS',
    secret: 'CRM_TURN_SECRET',
    ttlMs: 'CRM_TURN_TTL_MS',
  });
  if (problem) throw new ConfigError(problem);
  return turn;
}

/** `CRM_REDIS_URL` / `--redis-url`: checked at start, so a typo fails the start, not every join. */
function redisUrl(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!urlOf(raw, ['redis:', 'rediss:'])?.host) {
    throw new ConfigError(`CRM_REDIS_URL must look like redis://host:6379, got "${raw}"`);
  }
  return raw;
}

/**
 * Every `CRM_*` environment variable the server reads (the README's table lists each one). A test
 * checks it against what this file reads.
 */
export const KNOWN_VARIABLES: readonly string[] = [
  ...['CRM_ACTIVITY_MAX_ROWS', 'CRM_ACTIVITY_RETENTION_DAYS', 'CRM_ALLOWED_ORIGINS'],
  ...['CRM_API_KEYS', 'CRM_AUTHORIZE_CACHE_MS', 'CRM_AUTHORIZE_KEY', 'CRM_AUTHORIZE_TIMEOUT_MS'],
  ...['CRM_AUTHORIZE_URL', 'CRM_AUTHORIZE_USER_BURST', 'CRM_AUTHORIZE_USER_IN_FLIGHT'],
  ...['CRM_AUTHORIZE_USER_PER_SECOND', 'CRM_CHANGE_FEED_RETENTION_DAYS', 'CRM_COMPRESSION'],
  ...['CRM_COMPRESSION_THRESHOLD', 'CRM_DATABASE_CONNECT_TIMEOUT_MS', 'CRM_DATABASE_POOL_SIZE'],
  ...['CRM_DATABASE_QUERY_TIMEOUT_MS', 'CRM_DATABASE_URL', 'CRM_DEBUG_ROOMS', 'CRM_DEBUG_USERS'],
  ...['CRM_DEV', 'CRM_ENTITY_BACKEND_KEY', 'CRM_ENTITY_BACKEND_TIMEOUT_MS'],
  ...['CRM_ENTITY_BACKEND_URL', 'CRM_ENTITY_HISTORY_RETENTION_DAYS', 'CRM_GRACE_MS'],
  ...['CRM_HEARTBEAT_MS', 'CRM_HTTP_HEADERS_TIMEOUT_MS', 'CRM_HTTP_KEEPALIVE_TIMEOUT_MS'],
  ...['CRM_HTTP_REQUEST_TIMEOUT_MS', 'CRM_ICE_SERVERS', 'CRM_JWKS_URL', 'CRM_JWT_AUDIENCE'],
  ...['CRM_JWT_CLOCK_TOLERANCE_S', 'CRM_JWT_ISSUER', 'CRM_JWT_SECRET', 'CRM_LOG_LEVEL'],
  ...['CRM_MAX_CONNECTIONS_PER_USER', 'CRM_MAX_HANDSHAKES_PER_ADDRESS', 'CRM_METRICS_KEY'],
  ...['CRM_MAX_HTTP_SOCKETS_PER_ADDRESS'],
  ...['CRM_NOTIFICATION_RETENTION_DAYS', 'CRM_NOTIFY_WATCHERS', 'CRM_PERMISSIONS_CLAIM'],
  ...['CRM_REDIS_URL', 'CRM_REPLAY_ROOM_BYTES', 'CRM_REPLAY_TOTAL_BYTES'],
  ...['CRM_REVOCATION_TTL_S', 'CRM_STATIC'],
  ...['CRM_TRUST_PROXY', 'CRM_TURN_SECRET', 'CRM_TURN_TTL_MS', 'CRM_TURN_URLS'],
  ...['CRM_WEBHOOK_MAX_ATTEMPTS', 'CRM_WEBHOOK_SECRET', 'CRM_WEBHOOK_TIMEOUT_MS'],
  ...['CRM_WEBHOOK_URL', 'CRM_WRITE_BYTES_PER_MINUTE'],
];

/** Settings that only mean something beside a URL, by the URL's variable. */
const SETTINGS_OF_URL: Record<string, readonly string[]> = {
  CRM_WEBHOOK_URL: ['CRM_WEBHOOK_SECRET', 'CRM_WEBHOOK_MAX_ATTEMPTS', 'CRM_WEBHOOK_TIMEOUT_MS'],
  CRM_ENTITY_BACKEND_URL: ['CRM_ENTITY_BACKEND_KEY', 'CRM_ENTITY_BACKEND_TIMEOUT_MS'],
  CRM_AUTHORIZE_URL: [
    'CRM_AUTHORIZE_KEY',
    'CRM_AUTHORIZE_TIMEOUT_MS',
    'CRM_AUTHORIZE_CACHE_MS',
    'CRM_AUTHORIZE_USER_IN_FLIGHT',
    'CRM_AUTHORIZE_USER_BURST',
    'CRM_AUTHORIZE_USER_PER_SECOND',
  ],
  CRM_TURN_URLS: ['CRM_TURN_SECRET', 'CRM_TURN_TTL_MS'],
};

/**
 * Variables set in `env` that nothing reads because the URL they go with is not set (by flag or
 * variable): `CRM_WEBHOOK_SECRET` without `CRM_WEBHOOK_URL` sends no webhook. Often the URL's name
 * is misspelt, or it was left out of one deployment's environment; the start warns, naming both.
 */
export function settingsWithoutTheirUrl(
  config: Pick<ServerConfig, 'webhooks' | 'entityBackend' | 'authorizeCallback' | 'turn'>,
  env: NodeJS.ProcessEnv = process.env,
): { variable: string; needs: string }[] {
  const given: Record<string, boolean> = {
    CRM_WEBHOOK_URL: config.webhooks !== undefined,
    CRM_ENTITY_BACKEND_URL: config.entityBackend !== undefined,
    CRM_AUTHORIZE_URL: config.authorizeCallback !== undefined,
    CRM_TURN_URLS: config.turn !== undefined,
  };
  return Object.entries(SETTINGS_OF_URL).flatMap(([url, settings]) =>
    given[url]
      ? []
      : settings
          .filter((name) => (env[name] ?? '') !== '')
          .map((variable) => ({ variable, needs: url })),
  );
}

/**
 * `CRM_*` variables set in `env` that the server does not read, each with the known name it most
 * likely stands for. A misspelled name (`CRM_WEBHOOKS_URL`, `CRM_API_KEY`,
 * `CRM_ENTITY_BACKEND_TIMEOUT`) would otherwise start the server without that setting and say
 * nothing; the start logs a warning instead (not an error: a CRM's own environment may carry
 * `CRM_*` variables of its own).
 */
export function unknownVariables(
  env: NodeJS.ProcessEnv = process.env,
): { name: string; didYouMean: string | undefined }[] {
  return Object.keys(env)
    .filter((name) => name.startsWith('CRM_') && !KNOWN_VARIABLES.includes(name))
    .sort()
    .map((name) => {
      let best: string | undefined;
      let bestDistance = Infinity;
      for (const known of KNOWN_VARIABLES) {
        const distance = editDistance(name, known);
        if (distance < bestDistance) [best, bestDistance] = [known, distance];
      }
      // A name with a few letters off, or a known one with its ending missing or added.
      const close =
        best !== undefined && (bestDistance <= 3 || best.startsWith(name) || name.startsWith(best));
      return { name, didYouMean: close ? best : undefined };
    });
}

/** Levenshtein distance (names are short: a row at a time is plenty). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        previous[j]! + 1,
        row[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = row;
  }
  return previous[b.length]!;
}
