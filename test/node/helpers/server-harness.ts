/**
 * An in-process server on port 0 with a manual clock, quiet logs and development identities,
 * plus shortcuts to connect test clients to it.
 */
import type { UserProfile } from '../../../src/protocol/index.js';
import {
  createServer,
  type CreateServerOptions,
  type RealtimeServer,
} from '../../../src/server/server.js';
import { ManualClock } from './server-clock.js';
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

export async function startHarness(options: Partial<CreateServerOptions> = {}): Promise<Harness> {
  const clock = new ManualClock();
  const server = createServer({
    auth: { devIdentities: true },
    quiet: true,
    clock,
    graceMs: 15_000,
    // The manual clock jumps; a heartbeat inside a jump would drop clients that had no chance to
    // answer. Heartbeat tests set their own interval.
    heartbeatMs: 3_600_000,
    shutdownTimeoutMs: 500,
    ...options,
  });
  const { port } = await server.listen(0, '127.0.0.1');
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
    },
  };
}
