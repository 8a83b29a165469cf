/**
 * Several in-process servers on one private Redis, as several processes of one deployment would
 * run: same `redisUrl`, different ports, one shared manual clock (grace periods advance together).
 */
import type { UserProfile } from '../../../../src/protocol/index.js';
import {
  createServer,
  type CreateServerOptions,
  type RealtimeServer,
} from '../../../../src/server/server.js';
import { startRedis, type RedisInstance } from '../../../services/redis.js';
import { listenPort } from '../../../services/free-port.js';
import { ManualClock } from '../../../../src/testing/manual-clock.js';
import { TestClient } from '../../helpers/server-client.js';
import { SqliteStorage } from '../../../../src/server/sqlite-storage.js';

export interface Node {
  server: RealtimeServer;
  url: string;
  connect(user: UserProfile, clientId?: string): Promise<TestClient>;
}

export interface Cluster {
  redis: RedisInstance;
  clock: ManualClock;
  nodes: Node[];
  clients: TestClient[];
  /** Starts one more process on the cluster's Redis. */
  add(options?: Partial<CreateServerOptions>): Promise<Node>;
  close(): Promise<void>;
}

export async function startCluster(
  count: number,
  options: Partial<CreateServerOptions> = {},
): Promise<Cluster> {
  const redis = await startRedis();
  const clock = new ManualClock();
  const clients: TestClient[] = [];
  const nodes: Node[] = [];
  const add = async (extra: Partial<CreateServerOptions> = {}): Promise<Node> => {
    const server = createServer({
      auth: { devIdentities: true },
      quiet: true,
      clock,
      graceMs: 15_000,
      heartbeatMs: 3_600_000,
      shutdownTimeoutMs: 500,
      redisUrl: redis.url,
      ...options,
      ...extra,
    });
    const { port } = await server.listen(await listenPort(), '127.0.0.1');
    const url = `ws://127.0.0.1:${port}/realtime`;
    const node: Node = {
      server,
      url,
      connect: async (user, clientId) => {
        const client = await TestClient.connect(url, { user, clientId });
        clients.push(client);
        return client;
      },
    };
    nodes.push(node);
    return node;
  };
  for (let i = 0; i < count; i++) await add();
  return {
    redis,
    clock,
    nodes,
    clients,
    add,
    close: async () => {
      for (const c of clients) c.ws.terminate();
      await Promise.all(nodes.map((n) => n.server.close()));
      await redis.dispose();
    },
  };
}

/** One in-memory store for every process of a cluster, holding customer 42 (status "new") at version 1. */
export async function sharedStorage(): Promise<SqliteStorage> {
  const storage = new SqliteStorage(':memory:');
  await storage.putEntity({
    type: 'customer',
    id: '42',
    version: 1,
    fields: { status: 'new' },
    updatedAt: 1,
    updatedBy: null,
  });
  return storage;
}
