/**
 * An HTTP proxy in front of a test server that serves its HTML pages under another
 * Content-Security-Policy, as a CRM whose own server sets a stricter policy than the reference
 * server's would. `{hashes}` in the policy stands for the script hashes of the server's own policy
 * (the pages' inline modules). WebSocket upgrades pass through untouched.
 */
import { once } from 'node:events';
import { createServer, request } from 'node:http';
import { connect, type Socket } from 'node:net';

export interface PolicyProxy {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  close(): Promise<void>;
}

export async function startPolicyProxy(backendPort: number, policy: string): Promise<PolicyProxy> {
  const live = new Set<Socket>();
  const server = createServer((req, res) => {
    const upstream = request(
      {
        host: '127.0.0.1',
        port: backendPort,
        path: req.url,
        method: req.method,
        headers: req.headers,
      },
      (answer) => {
        const headers = { ...answer.headers };
        const own = headers['content-security-policy'];
        if (typeof own === 'string' && /text\/html/.test(headers['content-type'] ?? '')) {
          const hashes = own.match(/'sha256-[^']+'/g) ?? [];
          headers['content-security-policy'] = policy.replace('{hashes}', hashes.join(' '));
        }
        res.writeHead(answer.statusCode ?? 502, headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (socket: Socket) => {
    live.add(socket);
    socket.once('close', () => live.delete(socket));
  });
  server.on('upgrade', (req, client: Socket, head: Buffer) => {
    const upstream = connect(backendPort, '127.0.0.1', () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      }
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    live.add(upstream);
    const closeBoth = (): void => {
      client.destroy();
      upstream.destroy();
    };
    upstream.once('close', () => {
      live.delete(upstream);
      closeBoth();
    });
    upstream.on('error', closeBoth);
    client.on('error', closeBoth);
    client.once('close', closeBoth);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  return {
    origin: `http://127.0.0.1:${address.port}`,
    close: async () => {
      for (const socket of live) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}
