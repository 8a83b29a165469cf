/**
 * A TCP relay in front of the server that can stop forwarding without closing anything: the
 * half-open link a dropped Wi-Fi or a proxy that silently stopped forwarding leaves behind. The
 * browser's socket stays "open", no close comes, and nothing arrives in either direction.
 * Connections made after `stall()` are relayed as usual (the network is back for new ones).
 */
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';

export interface StallingProxy {
  readonly port: number;
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** Every WebSocket open now stops carrying bytes, both ways, and stays open. */
  stall(): void;
  close(): Promise<void>;
}

const UPGRADE = /\r\nupgrade:\s*websocket/i;

interface Link {
  client: Socket;
  upstream: Socket;
  websocket: boolean;
  stalled: boolean;
}

export async function startStallingProxy(backendPort: number): Promise<StallingProxy> {
  const links = new Set<Link>();
  const server = createServer((client) => {
    const upstream = connect(backendPort, '127.0.0.1');
    const link: Link = { client, upstream, websocket: false, stalled: false };
    client.once('data', (head: Buffer) => (link.websocket = UPGRADE.test(head.toString('latin1'))));
    links.add(link);
    const closeBoth = (): void => {
      links.delete(link);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on('error', closeBoth);
      socket.once('close', closeBoth);
    }
    // Bytes of a stalled link vanish, as on a dead network path; the sockets stay open.
    client.on('data', (bytes: Buffer) => void (link.stalled || upstream.write(bytes)));
    upstream.on('data', (bytes: Buffer) => void (link.stalled || client.write(bytes)));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  return {
    port: address.port,
    origin: `http://127.0.0.1:${address.port}`,
    stall: () => {
      for (const link of links) if (link.websocket) link.stalled = true;
    },
    close: async () => {
      for (const link of links) {
        link.client.destroy();
        link.upstream.destroy();
      }
      server.close();
      await once(server, 'close');
    },
  };
}
