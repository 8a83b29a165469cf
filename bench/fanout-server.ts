/**
 * Child process of the fan-out benchmark: runs one server under test and reports its own CPU
 * time over IPC, so the server's cost is measured apart from publisher and subscribers.
 *
 *   ours            createServer() from src/server, as shipped
 *   ours-unbatched  the same without per-turn write batching (one write per frame)
 *   ours-wssend     without batching or pre-framing (ws.send, i.e. framing, per member)
 *   bare         a bare `ws` server: frames each message once into one Buffer and writes it to
 *                every socket; no parsing, no validation, no sequence, no presence; a member's
 *                first frame (its join) is answered with a fixed `joined`, so that a join is a
 *                round trip for both servers
 *
 * The benchmark runs this file compiled as the production server is (esbuild, bundled, npm
 * packages external; `npm run build:server`), not through the TypeScript loader, whose ~50 MB
 * would count as the server's memory; `--ts-server` runs it through tsx instead.
 */
import { writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { Session } from 'node:inspector/promises';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export type ServerKind = 'ours' | 'ours-unbatched' | 'ours-wssend' | 'bare';

export type ToServer =
  /** CPU time and memory; with `gc`, after a full collection (the child runs with --expose-gc). */
  | { type: 'cpu'; gc?: boolean }
  | { type: 'stop' }
  /** Start or stop a V8 CPU profile (BENCH_PROFILE=1), written to `file` on stop. */
  | { type: 'profile'; action: 'start' | 'stop'; file?: string }
  /** A V8 heap snapshot to `file` (BENCH_HEAP_SNAPSHOT=1), after a full collection. */
  | { type: 'snapshot'; file: string };
export type FromServer =
  | { type: 'ready'; port: number }
  | {
      type: 'cpu';
      usage: NodeJS.CpuUsage;
      rss: number;
      heapUsed: number;
      /** What V8 holds for its heap, used or not (counted in RSS). */
      heapTotal: number;
      /**
       * Of that, the young generation: it grows (up to twice --max-semi-space-size) while a
       * server allocates fast, once, so it is a server's fixed cost rather than any connection's.
       */
      newSpace: number;
      /** Memory of Buffers and other objects held outside the V8 heap. */
      external: number;
    }
  | { type: 'profiled' };

/** One unmasked text frame: header and payload in a single Buffer. */
function frameOnce(payload: Buffer): Buffer {
  const length = payload.byteLength;
  const offset = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const out = Buffer.allocUnsafe(offset + length);
  out[0] = 0x81;
  if (offset === 2) out[1] = length;
  else if (offset === 4) {
    out[1] = 126;
    out.writeUInt16BE(length, 2);
  } else {
    out[1] = 127;
    out.writeUInt32BE(0, 2);
    out.writeUInt32BE(length, 6);
  }
  payload.copy(out, offset);
  return out;
}

async function startBare(): Promise<number> {
  const http = createHttpServer();
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
  const members: Socket[] = [];
  const ack = Buffer.from('{"type":"ack"}');
  const joined = '{"type":"joined"}';
  wss.on('connection', (ws: WebSocket, req) => {
    const socket = (ws as unknown as { _socket: Socket })._socket;
    // The publisher is a member too, as in our server, so both write N + 1 frames per message.
    members.push(socket);
    ws.on('close', () => members.splice(members.indexOf(socket), 1));
    if (req.url !== '/pub') {
      ws.once('message', () => ws.send(joined));
      return;
    }
    ws.on('message', (data: Buffer) => {
      const framed = frameOnce(data);
      for (let i = 0; i < members.length; i++) members[i]!.write(framed);
      ws.send(ack);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return (http.address() as AddressInfo).port;
}

async function startOurs(kind: ServerKind): Promise<number> {
  // Loaded only here, so the bare server's memory holds none of our server's modules.
  const { createServer } = await import('../src/server/server.js');
  const server = createServer({
    auth: { devIdentities: true },
    quiet: true,
    preframedWrites: kind !== 'ours-wssend',
    // The bare server pings nobody; a heartbeat landing in a measured phase would add a
    // thousand pings and pongs to ours alone.
    heartbeatMs: 600_000,
    batchWrites: kind === 'ours',
    // One publisher sends thousands of frames per second; the per-connection limit protects
    // against abuse, not against a benchmark.
    limits: { maxMessagesPerSecond: 1_000_000, maxRateViolations: 1_000_000 },
  });
  const { port } = await server.listen(0, '127.0.0.1');
  return port;
}

let inspector: Session | undefined;
async function profile(action: 'start' | 'stop', file?: string): Promise<void> {
  if (action === 'start') {
    inspector = new Session();
    inspector.connect();
    await inspector.post('Profiler.enable');
    await inspector.post('Profiler.setSamplingInterval', { interval: 100 });
    await inspector.post('Profiler.start');
  } else if (inspector) {
    const { profile: result } = await inspector.post('Profiler.stop');
    if (file) writeFileSync(file, JSON.stringify(result));
    inspector.disconnect();
    inspector = undefined;
  }
  process.send!({ type: 'profiled' } satisfies FromServer);
}

const kind = process.argv[2] as ServerKind;
const port = kind === 'bare' ? await startBare() : await startOurs(kind);
// Never outlive the benchmark (a child left behind, perhaps still real-time, would hog a CPU).
process.on('disconnect', () => process.exit(0));
process.on('message', (message: ToServer) => {
  if (message.type === 'cpu') {
    if (message.gc) (globalThis as { gc?: () => void }).gc?.();
    const memory = process.memoryUsage();
    const reply: FromServer = {
      type: 'cpu',
      usage: process.cpuUsage(),
      rss: memory.rss,
      heapUsed: memory.heapUsed,
      heapTotal: memory.heapTotal,
      newSpace:
        getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.physical_space_size ??
        0,
      external: memory.external,
    };
    process.send!(reply);
  } else if (message.type === 'stop') {
    process.exit(0);
  } else if (message.type === 'profile') {
    void profile(message.action, message.file);
  } else if (message.type === 'snapshot') {
    (globalThis as { gc?: () => void }).gc?.();
    writeHeapSnapshot(message.file);
    process.send!({ type: 'profiled' } satisfies FromServer);
  }
});
process.send!({ type: 'ready', port } satisfies FromServer);
