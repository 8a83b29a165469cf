/**
 * Child process of the scale-out benchmark (bench/scale-out.ts): one server process of a
 * deployment on a shared Redis, reporting its own CPU time over IPC, so the servers' cost is
 * measured apart from the publisher and the subscribers (the benchmark sums it over processes).
 *
 *   ours      createServer() from src/server with `redisUrl`, as shipped (Redis bus and presence)
 *   socketio  Socket.IO 4 with `@socket.io/redis-adapter` on the same Redis (ioredis clients):
 *             a `join` event joins a room, an `emit` event broadcasts `tick` to it; both acked
 *
 * Args: kind, Redis URL.
 */
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server as SocketIoServer } from 'socket.io';
import { createServer } from '../src/server/server.js';

export type ScaleKind = 'ours' | 'socketio';

export type ToScaleServer = { type: 'cpu' } | { type: 'stop' };
export type FromScaleServer =
  { type: 'ready'; port: number } | { type: 'cpu'; usage: NodeJS.CpuUsage; rss: number };

async function startOurs(redisUrl: string): Promise<{ port: number; stop: () => Promise<void> }> {
  const server = createServer({
    auth: { devIdentities: true },
    quiet: true,
    redisUrl,
    // Socket.IO's pings are pushed out of the run the same way (pingInterval below).
    heartbeatMs: 600_000,
    // One publisher sends thousands of frames per second; the per-connection limit protects
    // against abuse, not against a benchmark.
    limits: { maxMessagesPerSecond: 1_000_000, maxRateViolations: 1_000_000 },
  });
  const { port } = await server.listen(0, '127.0.0.1');
  return { port, stop: () => server.close() };
}

async function startSocketIo(
  redisUrl: string,
): Promise<{ port: number; stop: () => Promise<void> }> {
  const http = createHttpServer();
  const pub = new Redis(redisUrl);
  const sub = pub.duplicate();
  const io = new SocketIoServer(http, {
    transports: ['websocket'],
    perMessageDeflate: false,
    pingInterval: 600_000,
    pingTimeout: 600_000,
    adapter: createAdapter(pub, sub),
  });
  io.on('connection', (socket) => {
    socket.on('join', (room: string, ack?: () => void) => {
      void socket.join(room);
      ack?.();
    });
    socket.on('emit', (room: string, payload: unknown, ack?: () => void) => {
      io.to(room).emit('tick', payload);
      ack?.();
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    port: (http.address() as AddressInfo).port,
    stop: async () => {
      await io.close();
      pub.disconnect();
      sub.disconnect();
    },
  };
}

const [kind = 'ours', redisUrl = ''] = process.argv.slice(2) as [ScaleKind, string];
const { port, stop } =
  kind === 'socketio' ? await startSocketIo(redisUrl) : await startOurs(redisUrl);
// Never outlive the benchmark.
process.on('disconnect', () => process.exit(0));
process.on('message', (message: ToScaleServer) => {
  if (message.type === 'cpu') {
    process.send!({
      type: 'cpu',
      usage: process.cpuUsage(),
      rss: process.memoryUsage().rss,
    } satisfies FromScaleServer);
  } else if (message.type === 'stop') {
    const timer = setTimeout(() => process.exit(0), 2000);
    void stop().finally(() => {
      clearTimeout(timer);
      process.exit(0);
    });
  }
});
process.send!({ type: 'ready', port } satisfies FromScaleServer);
