/**
 * Options for a browser `RealtimeClient` talking to the reference server over real `ws` sockets
 * in Node: no DOM environment, a fast reconnect, and store batching on a timer instead of
 * animation frames.
 */
import { WebSocket } from 'ws';
import { RealtimeClient, type RealtimeClientOptions } from '../../../src/client/index.js';
import {
  createServer,
  type CreateServerOptions,
  type RealtimeServer,
} from '../../../src/server/server.js';
import { ManualEnvironment } from '../../../src/testing/index.js';
import { listenPort } from '../../services/free-port.js';

export function realClientOptions(
  url: string,
  options: Partial<RealtimeClientOptions> = {},
): RealtimeClientOptions {
  return {
    url,
    socketFactory: (u) => new WebSocket(u),
    environment: new ManualEnvironment(),
    reconnectInterval: 50,
    scheduleFrame: (cb) => void setTimeout(cb, 0),
    ...options,
  };
}

/**
 * A reference server on loopback for one suite and the real clients its tests open: `start()` in
 * `before`, `stop()` in `after` closes the clients, then the server.
 */
export class RealServerSuite {
  private running: RealtimeServer | undefined;
  private wsUrl = '';
  private readonly clients: RealtimeClient[] = [];

  constructor(private readonly options: CreateServerOptions) {}

  get server(): RealtimeServer {
    if (!this.running) throw new Error('RealServerSuite: start() the server first');
    return this.running;
  }

  /** `ws://127.0.0.1:<port>/realtime`. */
  get url(): string {
    return this.wsUrl;
  }

  async start(): Promise<void> {
    this.running = createServer(this.options);
    const { port } = await this.running.listen(await listenPort(), '127.0.0.1');
    this.wsUrl = `ws://127.0.0.1:${port}/realtime`;
  }

  /** A client of the development user `id` (named `ID`), closed by `stop()`. */
  client(
    id: string,
    clientId = `${id}-device`,
    options: Partial<RealtimeClientOptions> = {},
  ): RealtimeClient {
    const c = new RealtimeClient(
      realClientOptions(this.wsUrl, {
        devUser: { id, name: id.toUpperCase() },
        clientId,
        ...options,
      }),
    );
    this.clients.push(c);
    return c;
  }

  async stop(): Promise<void> {
    this.clients.forEach((c) => c.close());
    await this.running?.close();
  }
}

/** Waits in real time (polling every 5 ms, 3 s at most) until `check` holds. */
export async function waitFor(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
