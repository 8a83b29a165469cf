/**
 * An in-process server on port 0 with a manual clock, quiet logs and development identities,
 * plus shortcuts to connect test clients to it.
 */
import { after } from 'node:test';
import type { UserProfile } from '../../../src/protocol/index.js';
import {
  createServer,
  type CreateServerOptions,
  type RealtimeServer,
} from '../../../src/server/server.js';
import { startRedis, type RedisInstance } from '../../services/redis.js';
import { startPostgres, type PostgresInstance } from '../../services/postgres.js';
import { listenPort } from '../../services/free-port.js';
import { ManualClock } from '../../../src/testing/manual-clock.js';
import { TestClient } from './server-client.js';

export interface Harness {
  server: RealtimeServer;
  clock: ManualClock;
  url: string;
  clients: TestClient[];
  /** Connects and says hello as a development identity. */
  connect(user: UserProfile, clientId?: string): Promise<TestClient>;
  /** Opens a socket without hello. */
  open(): Promise<TestClient>;
  close(): Promise<void>;
}

export const alice: UserProfile = { id: 'alice', name: 'Alice Martin' };
export const bob: UserProfile = { id: 'bob', name: 'Bob Chen' };
export const carol: UserProfile = { id: 'carol', name: 'Carol Diaz' };

/**
 * `CRM_TEST_DATABASE=postgres` stores every harness server in PostgreSQL (`databaseUrl`): one
 * private PostgreSQL per test file, started on first use and stopped after the file, and a fresh
 * empty database per harness, so the server tests prove the PostgreSQL store too (see
 * test/node/server/postgres/server-suites-on-postgres.test.ts). A test that passes its own
 * storage keeps it.
 */
const onPostgres = process.env.CRM_TEST_DATABASE === 'postgres';
let postgres: Promise<PostgresInstance> | undefined;
let databases = 0;
if (onPostgres) {
  after(async () => {
    await (await postgres)?.dispose();
  });
}

async function privateDatabase(): Promise<string> {
  postgres ??= startPostgres();
  return (await postgres).createDatabase(`harness_${++databases}`);
}

/**
 * `CRM_TEST_REDIS=1` runs every harness server on its own private redis-server (`redisUrl`), so
 * the protocol's server tests prove the Redis bus and presence too (see
 * test/node/server/redis/protocol-on-redis.test.ts). A test that passes its own bus keeps it.
 */
const onRedis = process.env.CRM_TEST_REDIS === '1';

export async function startHarness(options: Partial<CreateServerOptions> = {}): Promise<Harness> {
  const clock = new ManualClock();
  const databaseUrl =
    onPostgres && options.storage === undefined && options.databaseUrl === undefined
      ? await privateDatabase()
      : undefined;
  const redis: RedisInstance | undefined =
    onRedis && options.bus === undefined && options.redisUrl === undefined
      ? await startRedis()
      : undefined;
  const server = createServer({
    auth: { devIdentities: true },
    quiet: true,
    clock,
    graceMs: 15_000,
    // The manual clock jumps; a heartbeat inside a jump would drop clients that had no chance to
    // answer. Heartbeat tests set their own interval.
    heartbeatMs: 3_600_000,
    shutdownTimeoutMs: 500,
    ...(databaseUrl ? { databaseUrl } : {}),
    ...(redis ? { redisUrl: redis.url } : {}),
    ...options,
  });
  const { port } = await server.listen(await listenPort(), '127.0.0.1');
  const url = `ws://127.0.0.1:${port}/realtime`;
  const clients: TestClient[] = [];
  const track = (client: TestClient): TestClient => {
    clients.push(client);
    return client;
  };
  return {
    server,
    clock,
    url,
    clients,
    connect: async (user, clientId) => track(await TestClient.connect(url, { user, clientId })),
    open: async () => track(await TestClient.open(url)),
    close: async () => {
      for (const c of clients) c.ws.terminate();
      await server.close();
      await redis?.dispose();
    },
  };
}
