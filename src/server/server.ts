/**
 * `createServer(options)`: the reference server on `ws` over `node:http`.
 *
 * ```ts
 * const server = createServer({ auth: { devIdentities: true }, quiet: true });
 * const { port } = await server.listen(0);
 * // ws://localhost:<port>/ … then
 * await server.close(); // bye + close 1001 to every client
 * ```
 *
 * Two parts: what the server is made of (`services.ts`: store, bus, presence, capabilities, the
 * frame handlers) and how it is reached (`transport.ts`: HTTP, the WebSocket upgrade, sessions,
 * heartbeat). This file joins them and owns the order of start and shutdown.
 */
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as z from 'zod/mini';
import {
  DEFAULT_CONFIG,
  DEFAULT_COMPRESSION_THRESHOLD,
  DEFAULT_HTTP_TIMEOUTS,
  trustedProxies,
} from './config.js';
import type { HttpApi } from './http-api.js';
import { renderMetrics, type ServerMetrics } from './metrics.js';
import type { CreateServerOptions } from './server-options.js';
import { composeServices } from './services.js';
import { Transport } from './transport.js';
import type { ActivityService } from './activity/activity-service.js';
import type { EntityService } from './entities/entity-service.js';
import type { NotificationService } from './notifications/notification-service.js';

export type { CompressionOptions, CreateServerOptions } from './server-options.js';
export { normalizeOrigin } from './transport.js';

// zod/mini ships without messages, so a bad frame would only say "Invalid input". The server is
// never bundled for browsers, so it can afford English messages that name what was expected: a
// backend team reading an error frame should learn which field was wrong and why.
z.config(z.locales.en());

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
  // Before anything is opened: a bad entry throws without leaving a store or a bus behind.
  const trustProxy = trustedProxies(options.trustProxy, 'trustProxy');
  const services = composeServices(options, {
    // Lost room events are reported by the Redis bus once connected, which is after the
    // transport below exists; the sockets they concern are the transport's.
    onRoomInterrupted: (room) => transport.resumeRoom(room),
  });
  const { log, metrics } = services;
  if (services.auth.devIdentities) {
    log.warn('development identities are ON: anyone can claim any user. Never use in production.');
  }
  const startedAt = Date.now();
  let closing: Promise<void> | undefined;
  /** What `/healthz` answers and `/metrics` reports as `crm_ready`. */
  const ready = (): boolean => closing === undefined && services.healthy();
  const transport = new Transport({
    session: services.session,
    api: services.api,
    // A socket is of no use while Redis is away or refuses writes: every join would be refused.
    // A database away is not a reason: presence and room events go on, saves wait in outboxes.
    ready: () => services.dependencies().redis !== false,
    routes: (connections) => ({
      // Public: up or down only. Counts and uptime are in `/metrics`, which can require a key.
      health: () => ({ ok: ready() }),
      metrics: () =>
        renderMetrics(metrics, {
          connections: connections(),
          uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
          ...services.gauges(),
          dependencies: services.dependencies(),
          ready: ready(),
        }),
      metricsKey: options.metricsKey,
      unavailable: services.unavailable,
    }),
    http: { ...DEFAULT_HTTP_TIMEOUTS, ...options.http },
    compression: {
      enabled: options.compression?.enabled ?? false,
      threshold: options.compression?.threshold ?? DEFAULT_COMPRESSION_THRESHOLD,
    },
    allowedOrigins: options.allowedOrigins ?? [],
    trustProxy,
    staticDirs: options.staticDirs,
    shutdownReconnectMs: options.shutdownReconnectMs ?? DEFAULT_CONFIG.shutdownReconnectMs,
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? 3000,
  });

  const shutdown = async (): Promise<void> => {
    await transport.close();
    await services.close();
    log.info('stopped', {});
  };

  return {
    get port() {
      return transport.port;
    },
    metrics,
    httpServer: transport.httpServer,
    api: services.api,
    entities: services.entities,
    notifications: services.notifications,
    activity: services.activity,
    stats: () => {
      const { rooms, presenceRooms } = services.gauges();
      return { connections: transport.connections, rooms, presenceRooms };
    },
    async listen(port = 0, host?: string) {
      await services.ready();
      return transport.listen(port, host);
    },
    close() {
      closing ??= shutdown();
      return closing;
    },
  };
}
