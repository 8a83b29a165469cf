/**
 * Child process of the fan-out benchmark: N subscriber connections that count events and record
 * each one's latency from the publisher's timestamp (process.hrtime is CLOCK_MONOTONIC, shared by
 * all processes of the machine).
 *
 * By default the subscribers are lean RFC 6455 clients (handshake through node:http's upgrade,
 * frames parsed by hand, several per read): the load generator shares the machine with the server
 * it measures and should cost less than it. `ws` selects the `ws` library's client instead.
 *
 * Probes and drains (`probeEvery` k > 1, lean clients only): every k-th subscriber is a probe that
 * parses its frames and records latency; the others, once joined, are drained: their reading is
 * taken from the event loop and a sweep (every DRAIN_MS) reads whatever each holds with one
 * `readSync` and counts its events by frame headers. A thousand sockets each woken per frame cost
 * the subscriber process about a core at 100,000 deliveries/s, as much as the server under
 * test, on a machine of two; a sweep reads ~25 frames per call and wakes nobody. The server
 * writes to a drained socket exactly as to any other (its kernel buffer has room for seconds of
 * frames), so what it does is unchanged; latency is the probes', which sit at every k-th place
 * of the room.
 *
 * `url` may list several servers, comma-separated (processes of one deployment): subscriber i
 * connects to the (i mod count)-th. Mode `socketio` speaks Socket.IO v4 over its WebSocket
 * transport (Engine.IO open, namespace connect, a `join` event with an ack), for
 * bench/scale-out.ts; its events are `42["tick",{…}]`.
 */
import { randomBytes } from 'node:crypto';
import { readSync } from 'node:fs';
import { request } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocket } from 'ws';

export type ToSubscribers =
  | { type: 'reset' }
  | { type: 'wait'; count: number; timeoutMs: number }
  | { type: 'stats' }
  | { type: 'stop' };
/** The join phase: every subscriber connected and joined, `inFlight` at a time. */
export interface JoinStats {
  seconds: number;
  p50: number;
  p99: number;
  max: number;
}
export type FromSubscribers =
  | { type: 'ready'; joins: JoinStats }
  | { type: 'reset'; cpu: number }
  | { type: 'waited'; count: number; reached: boolean; cpu: number }
  | {
      type: 'stats';
      count: number;
      p50: number;
      p99: number;
      max: number;
      /** When the last timed event arrived (µs, process.hrtime, the clock every process shares). */
      lastAt: number;
    };

const [
  url = '',
  countArg = '0',
  mode = 'ours',
  room = 'bench:room',
  client = 'lean',
  inFlightArg = '100',
  probeEveryArg = '1',
] = process.argv.slice(2);
const probeEvery = Math.max(1, Number(probeEveryArg));
const n = Number(countArg);
const urls = url.split(',');
const socketIo = mode === 'socketio';
const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);
const cpuNow = (): number => {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
};

const EVENT = Buffer.from(socketIo ? '42["tick"' : '"type":"event"');
const STAMP = Buffer.from('"t":');

let received = 0;
let samples = new Float64Array(1 << 20);
let sampleCount = 0;
let lastAt = 0;
let waiting: { count: number; timer: NodeJS.Timeout } | undefined;

/** Counts one delivered event; completes a `wait` that it fulfils. */
function count(): void {
  received++;
  if (waiting && received >= waiting.count) {
    clearTimeout(waiting.timer);
    waiting = undefined;
    reportReached();
  }
}

/** Tells the driver the count it waits for is reached, with the CPU used so far. */
function reportReached(): void {
  process.send!({
    type: 'waited',
    count: received,
    reached: true,
    cpu: cpuNow(),
  } satisfies FromSubscribers);
}

/** A drained subscriber's frame: counted if it is an event, never timed. */
function tally(data: Buffer): void {
  if (data.indexOf(EVENT) !== -1) count();
}

function record(data: Buffer): void {
  if (data.indexOf(EVENT) === -1) return;
  const at = data.indexOf(STAMP);
  if (at === -1) return;
  let end = at + STAMP.length;
  while (end < data.length && data[end] !== 0x2c && data[end] !== 0x7d) end++;
  const sent = Number(data.toString('latin1', at + STAMP.length, end));
  if (sampleCount === samples.length) {
    const bigger = new Float64Array(samples.length * 2);
    bigger.set(samples);
    samples = bigger;
  }
  lastAt = nowUs();
  samples[sampleCount++] = lastAt - sent;
  count();
}

/** The frames a subscriber sends after connecting: a join (bare), hello and join (ours). */
function greeting(i: number): string[] {
  if (socketIo) return []; // Socket.IO joins after its own handshake (socketIoStep)
  if (mode === 'bare') return [JSON.stringify({ type: 'join', room })];
  return [
    JSON.stringify({
      type: 'hello',
      id: 'h',
      v: 1,
      clientId: `bench-device-${i}`,
      devUser: { id: `sub-${i}`, name: `Subscriber ${i}` },
    }),
    JSON.stringify({ type: 'join', id: 'j', room }),
  ];
}

const JOINED = Buffer.from('"type":"joined"');

/**
 * Socket.IO's handshake, one step per text frame received before the join is acknowledged:
 * Engine.IO `0{…}` (open) → send `40` (connect to `/`); `40{…}` → send the join with ack id 1;
 * `431[…]` is its ack. Returns the frame to send, or 'joined'.
 */
function socketIoStep(payload: Buffer): string | 'joined' | undefined {
  const text = payload.toString('latin1', 0, Math.min(payload.length, 3));
  if (text.startsWith('0')) return '40';
  if (text.startsWith('40')) return `421${JSON.stringify(['join', room])}`;
  if (text.startsWith('431')) return 'joined';
  return undefined;
}

/** Resolves once joined; then every message goes to `record`. */
function connectWs(i: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(target(i), { perMessageDeflate: false, skipUTF8Validation: true });
    ws.on('error', reject);
    ws.on('open', () => {
      let joined = false;
      ws.on('message', (data: Buffer) => {
        if (socketIo && data.length === 1 && data[0] === 0x32) return ws.send('3'); // ping
        if (joined) return record(data);
        if (socketIo) {
          const step = socketIoStep(data);
          if (step === 'joined') {
            joined = true;
            resolve();
          } else if (step !== undefined) ws.send(step);
          return;
        }
        if (data.indexOf(JOINED) !== -1) {
          joined = true;
          resolve();
        }
      });
      for (const text of greeting(i)) ws.send(text);
    });
  });
}

/** A client frame: masked as RFC 6455 requires, with an all-zero key (so the bytes stay as is). */
function clientFrame(opcode: number, payload: Buffer): Buffer {
  const length = payload.byteLength;
  const extended = length < 126 ? 0 : length < 65_536 ? 2 : 8;
  const header = Buffer.alloc(2 + extended + 4);
  header[0] = 0x80 | opcode;
  if (extended === 0) header[1] = 0x80 | length;
  else if (extended === 2) {
    header[1] = 0x80 | 126;
    header.writeUInt16BE(length, 2);
  } else {
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([header, payload]);
}

/** The server subscriber i connects to. */
function target(i: number): string {
  const base = urls[i % urls.length]!;
  return socketIo ? `${base}/socket.io/?EIO=4&transport=websocket` : base;
}

/**
 * How often drained sockets are read: seldom while events flow (each read costs a system call
 * and a TCP window update, whatever it holds), often while the benchmark waits for the last
 * delivery, so that its time is known within DRAIN_WAITING_MS.
 */
const DRAIN_MS = 250;
const DRAIN_WAITING_MS = 5;
/** Drained sockets: each one's read, called by the sweep. */
const drains: Array<() => void> = [];
const sweepBuffer = Buffer.allocUnsafe(1 << 18);
/** A socket read from its descriptor is idle when its read would block (cheap without a stack). */
Error.stackTraceLimit = 0;

/**
 * Takes a joined socket's reading away from the event loop (Node would start it again whenever
 * its stream asks for more, so that ask does nothing) and hands its descriptor to the sweep.
 */
function drain(socket: Socket, onData: (chunk: Buffer) => void): void {
  const handle = (
    socket as unknown as { _handle: { fd: number; reading: boolean; readStop(): number } }
  )._handle;
  (socket as unknown as { _read: () => void })._read = () => {};
  handle.reading = false;
  handle.readStop();
  const fd = handle.fd;
  drains.push(() => {
    for (;;) {
      let length: number;
      try {
        length = readSync(fd, sweepBuffer, 0, sweepBuffer.length, null);
      } catch {
        return; // EAGAIN: nothing more to read
      }
      if (length === 0) return;
      onData(sweepBuffer.subarray(0, length));
      if (length < sweepBuffer.length) return;
    }
  });
}
let lastSweep = 0;
setInterval(() => {
  const now = performance.now();
  if (!waiting && now - lastSweep < DRAIN_MS) return;
  lastSweep = now;
  for (let i = 0; i < drains.length; i++) drains[i]!();
}, DRAIN_WAITING_MS).unref();

function connectLean(i: number): Promise<void> {
  const drained = probeEvery > 1 && i % probeEvery !== 0;
  const onEvent = drained ? tally : record;
  const to = new URL(target(i));
  return new Promise((resolve, reject) => {
    const req = request({
      host: to.hostname,
      port: to.port,
      path: to.pathname + to.search,
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': randomBytes(16).toString('base64'),
      },
    });
    req.on('error', reject);
    req.on('upgrade', (_res, socket: Socket, head: Buffer) => {
      socket.setNoDelay(true);
      let joined = false;
      let draining = false;
      let pending: Buffer | undefined;
      const onData = (chunk: Buffer): void => {
        let data = pending ? Buffer.concat([pending, chunk]) : chunk;
        pending = undefined;
        let at = 0;
        while (data.length - at >= 2) {
          const opcode = data[at]! & 0x0f;
          let length = data[at + 1]! & 0x7f;
          let offset = at + 2;
          if (length === 126) {
            if (data.length - at < 4) break;
            length = data.readUInt16BE(at + 2);
            offset = at + 4;
          } else if (length === 127) {
            if (data.length - at < 10) break;
            length = data.readUInt32BE(at + 6);
            offset = at + 10;
          }
          if (data.length < offset + length) break;
          const payload = data.subarray(offset, offset + length);
          at = offset + length;
          if (opcode === 0x1) {
            if (socketIo && payload.length === 1 && payload[0] === 0x32) {
              // Engine.IO ping: answer pong, or the server drops the socket.
              socket.write(clientFrame(0x1, Buffer.from('3')));
            } else if (joined) onEvent(payload);
            else if (socketIo) {
              const step = socketIoStep(payload);
              if (step === 'joined') {
                joined = true;
                resolve();
              } else if (step !== undefined) socket.write(clientFrame(0x1, Buffer.from(step)));
            } else if (payload.indexOf(JOINED) !== -1) {
              joined = true;
              resolve();
            }
          } else if (opcode === 0x9) {
            socket.write(clientFrame(0xa, Buffer.from(payload)));
          }
        }
        if (at < data.length) pending = Buffer.from(data.subarray(at));
        data = Buffer.alloc(0);
        if (joined && drained && !draining) {
          draining = true;
          drain(socket, onData);
        }
      };
      socket.on('data', onData);
      socket.on('error', () => {});
      if (head.length > 0) onData(head);
      for (const text of greeting(i)) socket.write(clientFrame(0x1, Buffer.from(text)));
    });
    req.end();
  });
}

const connectOne = client === 'ws' ? connectWs : connectLean;

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/**
 * The join phase: the room fills in a burst, `inFlight` subscribers connecting and joining at a
 * time (each one that is in starts the next); a join's latency runs from the TCP connect to its
 * `joined`.
 */
async function joinAll(inFlight: number): Promise<JoinStats> {
  const latencies = new Float64Array(n);
  let next = 0;
  const t0 = nowUs();
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      const start = nowUs();
      await connectOne(i);
      latencies[i] = nowUs() - start;
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, n) }, worker));
  const seconds = (nowUs() - t0) / 1e6;
  const sorted = latencies.sort();
  return {
    seconds,
    p50: percentile(sorted, 0.5) / 1000,
    p99: percentile(sorted, 0.99) / 1000,
    max: (sorted[sorted.length - 1] ?? NaN) / 1000,
  };
}

const joins = await joinAll(Number(inFlightArg));

// Never outlive the benchmark (a child left behind, perhaps still real-time, would hog a CPU).
process.on('disconnect', () => process.exit(0));
process.on('message', (message: ToSubscribers) => {
  switch (message.type) {
    case 'reset':
      received = 0;
      sampleCount = 0;
      process.send!({ type: 'reset', cpu: cpuNow() } satisfies FromSubscribers);
      break;
    case 'wait':
      if (received >= message.count) {
        reportReached();
        break;
      }
      waiting = {
        count: message.count,
        timer: setTimeout(() => {
          waiting = undefined;
          process.send!({
            type: 'waited',
            count: received,
            reached: false,
            cpu: cpuNow(),
          } satisfies FromSubscribers);
        }, message.timeoutMs),
      };
      break;
    case 'stats': {
      const sorted = samples.slice(0, sampleCount).sort();
      process.send!({
        type: 'stats',
        count: received,
        p50: percentile(sorted, 0.5) / 1000,
        p99: percentile(sorted, 0.99) / 1000,
        max: (sorted[sorted.length - 1] ?? NaN) / 1000,
        lastAt,
      } satisfies FromSubscribers);
      break;
    }
    case 'stop':
      process.exit(0);
  }
});
process.send!({ type: 'ready', joins } satisfies FromSubscribers);
