/**
 * A small TCP load balancer for the multi-process tests, as an operator would put in front of
 * several server processes with no sticky sessions: each WebSocket upgrade goes to the next
 * process in turn, plain HTTP to any live one, and a process that refuses connections (killed) is
 * skipped. It records which process every WebSocket went to, so a test can tell that people sit on
 * different processes and see where a reconnect landed.
 */
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';

export interface ProxiedSocket {
  /** Index into the backends of the process this WebSocket went to. */
  readonly backend: number;
  /** Whether the connection is still open. */
  readonly open: boolean;
}

export interface RoundRobinProxy {
  readonly port: number;
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** Every WebSocket upgrade so far, in order. */
  readonly sockets: readonly ProxiedSocket[];
  close(): Promise<void>;
}

const UPGRADE = /\r\nupgrade:\s*websocket/i;

export async function startRoundRobinProxy(
  backendPorts: readonly number[],
): Promise<RoundRobinProxy> {
  const sockets: { backend: number; open: boolean }[] = [];
  const live = new Set<Socket>();
  let next = 0;

  /** Connects to the first backend from `start` on that accepts, trying each once. */
  const connectFrom = (start: number): Promise<{ socket: Socket; backend: number }> =>
    new Promise((resolve, reject) => {
      const attempt = (tried: number): void => {
        if (tried === backendPorts.length) {
          reject(new Error('no backend accepts connections'));
          return;
        }
        const backend = (start + tried) % backendPorts.length;
        const socket = connect(backendPorts[backend]!, '127.0.0.1');
        socket.once('connect', () => {
          socket.removeAllListeners('error');
          resolve({ socket, backend });
        });
        socket.once('error', () => {
          socket.destroy();
          attempt(tried + 1);
        });
      };
      attempt(0);
    });

  const server = createServer((client) => {
    live.add(client);
    client.once('close', () => live.delete(client));
    client.on('error', () => client.destroy());
    client.once('data', (head: Buffer) => {
      client.pause();
      const upgrade = UPGRADE.test(head.toString('latin1'));
      const start = upgrade ? next++ % backendPorts.length : 0;
      connectFrom(start).then(
        ({ socket: upstream, backend }) => {
          live.add(upstream);
          const record = upgrade ? { backend, open: true } : undefined;
          if (record) sockets.push(record);
          const closeBoth = (): void => {
            if (record) record.open = false;
            client.destroy();
            upstream.destroy();
          };
          upstream.once('close', () => {
            live.delete(upstream);
            closeBoth();
          });
          client.once('close', closeBoth);
          upstream.on('error', closeBoth);
          client.on('error', closeBoth);
          upstream.write(head);
          client.pipe(upstream);
          upstream.pipe(client);
          client.resume();
        },
        () => client.destroy(),
      );
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  return {
    port: address.port,
    origin: `http://127.0.0.1:${address.port}`,
    sockets,
    close: async () => {
      for (const socket of live) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}
