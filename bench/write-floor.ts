/**
 * The floor under the fan-out benchmark's latency (`npm run bench:floor`): no WebSocket, no
 * server, only what any Node fan-out must do. This process accepts N loopback TCP connections and
 * writes the same 128-byte Buffer (a timestamp in front) to each, 40,000 deliveries/s as in the
 * fan-out's paced phase; a child process reads them and takes the latency from the timestamp.
 *
 * It prints how long one pass of N `socket.write` calls takes and the delivery latency. If the
 * machine cannot deliver a plain Buffer to N sockets within a latency, no server written in Node
 * can deliver an event within it either: compare with the `bare` and `ours` rows of `npm run bench`.
 *
 * `--json-records` makes each record a small event frame's JSON (as the fan-out's subscribers
 * receive) and has the reader find the event and parse its time stamp as they do, which shows
 * what the receiving side's own work adds.
 *
 * Flags: --n 1000   --seconds 8   --json-records
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { cpus, loadavg } from 'node:os';
import { createConnection, createServer, type Socket } from 'node:net';

const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

function percentile(sorted: ArrayLike<number>, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

type FromReader =
  { type: 'ready' } | { type: 'stats'; p50: number; p99: number; count: number; cpuUs: number };

const EVENT = Buffer.from('"type":"event"');
const STAMP = Buffer.from('"t":');

/** A record's send time in µs: binary, or the `"t":` of an event frame's JSON. */
function stampOf(record: Buffer, json: boolean): number | undefined {
  if (!json) return Number(record.readBigUInt64BE(0));
  if (record.indexOf(EVENT) === -1) return undefined;
  const at = record.indexOf(STAMP);
  if (at === -1) return undefined;
  let end = at + STAMP.length;
  while (end < record.length && record[end] !== 0x2c && record[end] !== 0x7d) end++;
  return Number(record.toString('latin1', at + STAMP.length, end));
}

async function reader(port: number, n: number, json: boolean): Promise<void> {
  const samples: number[] = [];
  let open = 0;
  let cpuSince = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.on('connect', () => {
      if (++open === n) process.send!({ type: 'ready' } satisfies FromReader);
    });
    // Writes of 128 bytes may arrive together, or split: one sample per whole 128-byte record.
    let pending: Buffer | undefined;
    socket.on('data', (chunk: Buffer) => {
      const data = pending ? Buffer.concat([pending, chunk]) : chunk;
      let at = 0;
      for (; at + 128 <= data.length; at += 128) {
        const sent = stampOf(data.subarray(at, at + 128), json);
        if (sent !== undefined) samples.push(nowUs() - sent);
      }
      pending = at < data.length ? Buffer.from(data.subarray(at)) : undefined;
    });
  }
  // Each request answers the samples since the last one.
  process.on('message', () => {
    const sorted = Float64Array.from(samples).sort();
    samples.length = 0;
    const cpu = process.cpuUsage(cpuSince);
    cpuSince = process.cpuUsage();
    process.send!({
      type: 'stats',
      p50: percentile(sorted, 0.5) / 1000,
      p99: percentile(sorted, 0.99) / 1000,
      count: sorted.length,
      cpuUs: cpu.user + cpu.system,
    } satisfies FromReader);
  });
  process.on('disconnect', () => process.exit(0));
}

async function main(): Promise<void> {
  const n = flag('--n', 1000);
  const json = process.argv.includes('--json-records');
  const seconds = flag('--seconds', 8);
  const rate = Math.round(40_000 / n);
  const members: Socket[] = [];
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    members.push(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  const child = fork(
    new URL(import.meta.url),
    ['--reader', String(port), String(n), String(json)],
    {
      execArgv: ['--import', 'tsx'],
    },
  );
  const next = async (): Promise<FromReader> => (await once(child, 'message'))[0] as FromReader;
  await next();
  while (members.length < n) await new Promise((resolve) => setTimeout(resolve, 10));

  const loops: number[] = [];
  const buffer = Buffer.alloc(128);
  const send = (): void => {
    if (json) {
      buffer.fill(0x20);
      const frame = `{"type":"event","room":"bench:room","seq":1,"event":"m","payload":{"t":${nowUs()}}}`;
      buffer.write(frame, 0, 'latin1');
    } else {
      buffer.writeBigUInt64BE(BigInt(nowUs()), 0);
    }
    const start = performance.now();
    for (let i = 0; i < members.length; i++) members[i]!.write(buffer);
    loops.push(performance.now() - start);
  };
  // Warm-up, then the paced phase: `rate` passes per second for `seconds`.
  for (let i = 0; i < 50; i++) {
    send();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  child.send('stats');
  await next();
  loops.length = 0;
  const started = performance.now();
  for (let k = 0; k < rate * seconds; k++) {
    const due = started + (k * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    send();
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  child.send('stats');
  const stats = (await next()) as Extract<FromReader, { type: 'stats' }>;
  const sortedLoops = [...loops].sort((a, b) => a - b);
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  console.log(
    `write floor — ${new Date().toISOString()}, ${cpu} × ${cpus().length}, Node ${process.version}`,
  );
  console.log(
    `N=${n}${json ? ', JSON records' : ''}, ${rate} passes/s for ${seconds} s, load ${loadavg()[0]!.toFixed(1)}: ` +
      `one pass of ${n} writes p50 ${percentile(sortedLoops, 0.5).toFixed(2)} ms, ` +
      `p99 ${percentile(sortedLoops, 0.99).toFixed(2)} ms (${(
        (percentile(sortedLoops, 0.5) * 1000) /
        n
      ).toFixed(2)} µs per write); ` +
      `delivery p50 ${stats.p50.toFixed(2)} ms, p99 ${stats.p99.toFixed(2)} ms over ${stats.count} deliveries; ` +
      `reader CPU ${(stats.cpuUs / stats.count).toFixed(2)} µs per delivery`,
  );
  child.disconnect();
  for (const socket of members) socket.destroy();
  server.close();
}

if (process.argv[2] === '--reader') {
  await reader(Number(process.argv[3]), Number(process.argv[4]), process.argv[5] === 'true');
} else {
  await main();
}
