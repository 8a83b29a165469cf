/**
 * Child process of the fan-out benchmark: runs one server under test and reports its own CPU
 * time over IPC, so the server's cost is measured apart from publisher and subscribers.
 *
 *   ours            createServer() from src/server, as shipped
 *   ours-unbatched  the same without per-turn write batching (one write per frame)
 *   ours-wssend     without batching or pre-framing (ws.send, i.e. framing, per member)
 *   bare         a bare `ws` server: frames each message once into one Buffer and writes it to
 *                every socket; no parsing, no validation, no sequence, no presence
 */
import { writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { Session } from 'node:inspector/promises';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { createServer } from '../src/server/server.js';

export type ServerKind = 'ours' | 'ours-unbatched' | 'ours-wssend' | 'bare';

export type ToServer =
  | { type: 'cpu' }
  | { type: 'stop' }
  /** Start or stop a V8 CPU profile (BENCH_PROFILE=1), written to `file` on stop. */
  | { type: 'profile'; action: 'start' | 'stop'; file?: string };
export type FromServer =
  | { type: 'ready'; port: number }
  | { type: 'cpu'; usage: NodeJS.CpuUsage; rss: number }
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
  wss.on('connection', (ws: WebSocket, req) => {
    const socket = (ws as unknown as { _socket: Socket })._socket;
    // The publisher is a member too, as in our server, so both write N + 1 frames per message.
    members.push(socket);
    ws.on('close', () => members.splice(members.indexOf(socket), 1));
    if (req.url !== '/pub') return;
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
    const reply: FromServer = {
      type: 'cpu',
      usage: process.cpuUsage(),
      rss: process.memoryUsage().rss,
    };
    process.send!(reply);
  } else if (message.type === 'stop') {
    process.exit(0);
  } else if (message.type === 'profile') {
    void profile(message.action, message.file);
  }
});
process.send!({ type: 'ready', port } satisfies FromServer);
