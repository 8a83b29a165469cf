/**
 * Scale-out benchmark (`npm run bench:scale`): fan-out across 1, 2 and 3 server processes on one
 * Redis, our server (`redisUrl`: the Redis bus, presence in Redis) against Socket.IO 4 with
 * `@socket.io/redis-adapter` on the same Redis. Same N subscribers spread round-robin over the
 * processes, same payload, one publisher on the first process; servers take turns in one run.
 *
 * Processes: this one publishes (4 connections taking turns, see `Publisher`) and starts a private redis-server (test/services/redis.ts);
 * `scale-out-server.ts` runs each server process and reports its own CPU time over IPC (summed
 * over the processes of a case); `fanout-subscribers.ts` holds the N subscribers (lean RFC 6455
 * clients; Socket.IO's protocol spoken by hand for Socket.IO) and measures latency from a
 * `process.hrtime` stamp in each payload. Redis's own CPU is read from /proc. Loopback only.
 *
 * Per server kind, process count and N, on fresh processes and an empty Redis:
 *   warm-up   1,000 emits into a room of one (JIT), then 100 to the room one at a time
 *   paced     5,000 deliveries/s for 6 s: p50/p99 latency, CPU µs per delivery
 *   burst     K messages with 16 in flight (paced by acks): deliveries/s, CPU µs per delivery
 *
 * Flags: --n 300,1000   --processes 1,2,3   --rounds 1   --json
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { Redis } from 'ioredis';
import { WebSocket } from 'ws';
import { AckPacer, BURST_WINDOW } from './ack-pacer.js';
import { startRedis, type RedisInstance } from '../test/services/redis.js';
import type { FromScaleServer, ScaleKind } from './scale-out-server.js';
import type { FromSubscribers, ToSubscribers } from './fanout-subscribers.js';
import { ask, median } from './child-ipc.js';

const ROOM = 'bench:room';
const PAD = 'x'.repeat(64);
/** Publishing connections (see `Publisher`). */
const PUBLISHERS = 4;
const KINDS: ScaleKind[] = ['ours', 'socketio'];
const PACED_DELIVERIES_PER_SEC = 5_000;
const PACED_SECONDS = 6;
const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);
const burstCount = (n: number): number => Math.round(100_000 / n) + 100;
const pacedRate = (n: number): number => Math.round(PACED_DELIVERIES_PER_SEC / n);

function parseArgs(argv: string[]): {
  sizes: number[];
  processes: number[];
  rounds: number;
  json: boolean;
} {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i === -1 ? undefined : argv[i + 1];
  };
  return {
    sizes: (value('--n') ?? '300,1000').split(',').map(Number),
    processes: (value('--processes') ?? '1,2,3').split(',').map(Number),
    rounds: Number(value('--rounds') ?? 1),
    json: argv.includes('--json'),
  };
}

function child(file: string, args: string[]): ChildProcess {
  return fork(new URL(file, import.meta.url), args, {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** Resolves on the first text frame from `ws` that matches. */
function expect(ws: WebSocket, match: (text: string) => boolean): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer): void => {
      if (!match(data.toString())) return;
      ws.off('message', onMessage);
      resolve();
    };
    ws.on('message', onMessage);
  });
}

/** CPU time (user + system) of a process from /proc, in µs (clock ticks of 10 ms: coarse). */
function procCpuUs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of stat (utime, stime), counted from the state field (3rd).
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/**
 * The publishing connections, on the first process, taking turns message by message: our server
 * handles one connection's frames in order, and on Redis an emit is answered once the event came
 * back from Redis, so one connection publishes at most one event per Redis round trip (Socket.IO
 * acks before anything is delivered). Several connections let a burst measure the servers rather
 * than that round trip. They are members of the room too (as in bench/fanout.ts), so each message
 * is N + PUBLISHERS writes for both servers. Counts acks to keep a window of messages in flight.
 */
class Publisher extends AckPacer {
  private room = ROOM;

  private constructor(
    private readonly sockets: WebSocket[],
    private readonly kind: ScaleKind,
  ) {
    super();
    for (const ws of sockets) {
      ws.on('message', (data: Buffer) => {
        if (kind === 'socketio' && data.length === 1 && data[0] === 0x32) ws.send('3'); // ping
        const isAck =
          kind === 'socketio'
            ? data[0] === 0x34 && data[1] === 0x33 && data[2] !== 0x30 // `43<id>[…]`, not a join's `430`
            : data.indexOf('"type":"ack"') !== -1;
        if (!isAck) return;
        this.acknowledged();
      });
    }
  }

  static async connect(port: number, kind: ScaleKind): Promise<Publisher> {
    const url =
      kind === 'socketio'
        ? `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`
        : `ws://127.0.0.1:${port}/realtime`;
    const sockets: WebSocket[] = [];
    for (let i = 0; i < PUBLISHERS; i++) {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      // Socket.IO's open packet may arrive with the upgrade answer, before `open` resolves.
      const engineOpen = expect(ws, (text) => text.startsWith('0'));
      await once(ws, 'open');
      if (kind === 'socketio') {
        await engineOpen;
        ws.send('40');
        await expect(ws, (text) => text.startsWith('40'));
      } else {
        ws.send(
          JSON.stringify({
            type: 'hello',
            id: 'h',
            v: 1,
            clientId: `bench-publisher-${i}`,
            devUser: { id: `publisher-${i}`, name: `Publisher ${i}` },
          }),
        );
      }
      sockets.push(ws);
    }
    const publisher = new Publisher(sockets, kind);
    await publisher.join(ROOM);
    return publisher;
  }

  private async join(room: string): Promise<void> {
    for (const ws of this.sockets) {
      if (this.kind === 'socketio') {
        const joined = expect(ws, (text) => text.startsWith('430'));
        ws.send(`420${JSON.stringify(['join', room])}`);
        await joined;
      } else {
        const joined = expect(ws, (text) => text.includes('"type":"joined"'));
        ws.send(JSON.stringify({ type: 'join', id: `j-${room}`, room }));
        await joined;
      }
    }
  }

  protected sendOne(): void {
    const i = this.sent++;
    const payload = { t: nowUs(), pad: PAD };
    this.sockets[i % this.sockets.length]!.send(
      this.kind === 'socketio'
        ? `42${1000 + i}${JSON.stringify(['emit', this.room, payload])}`
        : JSON.stringify({ type: 'emit', id: `p${i}`, room: this.room, event: 'tick', payload }),
    );
  }

  /** Warms both servers' per-message path in a room where the publisher is alone. */
  async warmUp(count: number): Promise<void> {
    const warm = `${ROOM}:warm-up`;
    await this.join(warm);
    this.room = warm;
    await this.burst(count);
    this.room = ROOM;
  }

  close(): void {
    for (const ws of this.sockets) ws.terminate();
  }
}

interface CaseResult {
  kind: ScaleKind;
  processes: number;
  n: number;
  deliveriesPerSec: number;
  /** Sum over the server processes, burst phase. */
  cpuUsPerDelivery: number;
  pacedCpuUsPerDelivery: number;
  /** redis-server's CPU during the burst. */
  redisUsPerDelivery: number;
  p50: number;
  p99: number;
  load: number;
}

const cpuOf = (u: NodeJS.CpuUsage): number => u.user + u.system;

async function stopChild(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = once(proc, 'exit');
  proc.send({ type: 'stop' });
  const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

async function runCase(
  redis: RedisInstance,
  admin: Redis,
  kind: ScaleKind,
  processes: number,
  n: number,
): Promise<CaseResult> {
  await admin.flushall();
  const servers: ChildProcess[] = [];
  const ports: number[] = [];
  for (let i = 0; i < processes; i++) {
    const server = child('./scale-out-server.ts', [kind, redis.url]);
    servers.push(server);
    ports.push(
      (await ask<Extract<FromScaleServer, { type: 'ready' }>>(server, undefined, 'ready')).port,
    );
  }
  const urls = ports.map((port) =>
    kind === 'socketio' ? `ws://127.0.0.1:${port}` : `ws://127.0.0.1:${port}/realtime`,
  );
  const subscribers = child('./fanout-subscribers.ts', [
    urls.join(','),
    String(n),
    kind === 'socketio' ? 'socketio' : 'ours',
    ROOM,
    'lean',
  ]);
  let publisher: Publisher | undefined;
  try {
    await ask(subscribers, undefined, 'ready', 300_000);
    if (process.env.BENCH_DEBUG) console.log(`    ${kind} ×${processes} N=${n}: subscribers ready`);
    publisher = await Publisher.connect(ports[0]!, kind);
    const cpu = async (): Promise<number> => {
      const all = await Promise.all(
        servers.map((s) =>
          ask<Extract<FromScaleServer, { type: 'cpu' }>>(s, { type: 'cpu' }, 'cpu'),
        ),
      );
      return all.reduce((sum, reply) => sum + cpuOf(reply.usage), 0);
    };
    const reset = (): Promise<unknown> =>
      ask(subscribers, { type: 'reset' } satisfies ToSubscribers, 'reset');
    const waitAll = async (count: number): Promise<void> => {
      const waited = await ask<Extract<FromSubscribers, { type: 'waited' }>>(
        subscribers,
        { type: 'wait', count, timeoutMs: 60_000 } satisfies ToSubscribers,
        'waited',
        70_000,
      );
      if (!waited.reached) {
        throw new Error(`${kind} ×${processes} N=${n}: ${waited.count}/${count} delivered`);
      }
    };

    const step = (what: string): void => {
      if (process.env.BENCH_DEBUG) console.log(`    ${kind} ×${processes} N=${n}: ${what}`);
    };
    step('connected');
    await publisher.warmUp(1000);
    step('warm');
    await reset();
    await publisher.burst(100, 1);
    await waitAll(100 * n);
    step('one at a time');

    await reset();
    const cpu2 = await cpu();
    const sent = await publisher.paced(pacedRate(n), PACED_SECONDS);
    await waitAll(sent * n);
    step('paced');
    const cpu3 = await cpu();
    const stats = await ask<Extract<FromSubscribers, { type: 'stats' }>>(
      subscribers,
      { type: 'stats' } satisfies ToSubscribers,
      'stats',
    );

    const count = burstCount(n);
    await reset();
    const cpu0 = await cpu();
    const redis0 = procCpuUs(redis.pid!);
    const t0 = performance.now();
    await publisher.burst(count);
    await waitAll(count * n);
    const seconds = (performance.now() - t0) / 1000;
    const cpu1 = await cpu();
    const redis1 = procCpuUs(redis.pid!);
    return {
      kind,
      processes,
      n,
      deliveriesPerSec: (count * n) / seconds,
      cpuUsPerDelivery: (cpu1 - cpu0) / (count * n),
      pacedCpuUsPerDelivery: (cpu3 - cpu2) / (sent * n),
      redisUsPerDelivery: (redis1 - redis0) / (count * n),
      p50: stats.p50,
      p99: stats.p99,
      load: loadavg()[0]!,
    };
  } finally {
    publisher?.close();
    await Promise.all([subscribers, ...servers].map(stopChild));
  }
}

function combine(results: CaseResult[]): CaseResult {
  const first = results[0]!;
  const pick = (key: keyof CaseResult): number => median(results.map((r) => r[key] as number));
  return {
    ...first,
    deliveriesPerSec: pick('deliveriesPerSec'),
    cpuUsPerDelivery: pick('cpuUsPerDelivery'),
    pacedCpuUsPerDelivery: pick('pacedCpuUsPerDelivery'),
    redisUsPerDelivery: pick('redisUsPerDelivery'),
    p50: pick('p50'),
    p99: pick('p99'),
    load: pick('load'),
  };
}

const fmt = (value: number, digits = 2): string =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function table(rows: CaseResult[]): string {
  const lines = [
    '| N | processes | server | deliveries/s (burst) | server CPU µs/delivery, burst | paced | Redis CPU µs/delivery | p50 ms | p99 ms | Socket.IO ÷ ours: CPU burst / paced, deliveries/s, p99 |',
    '|---:|---:|---|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of rows) {
    const ours = rows.find((o) => o.kind === 'ours' && o.n === r.n && o.processes === r.processes);
    const ratio =
      r.kind === 'socketio' && ours
        ? `${fmt(r.cpuUsPerDelivery / ours.cpuUsPerDelivery)}× / ` +
          `${fmt(r.pacedCpuUsPerDelivery / ours.pacedCpuUsPerDelivery)}×, ` +
          `${fmt(r.deliveriesPerSec / ours.deliveriesPerSec)}×, ${fmt(r.p99 / ours.p99)}×`
        : '';
    lines.push(
      `| ${r.n} | ${r.processes} | ${r.kind} | ${fmt(r.deliveriesPerSec, 0)} | ` +
        `${fmt(r.cpuUsPerDelivery, 3)} | ${fmt(r.pacedCpuUsPerDelivery, 3)} | ` +
        `${fmt(r.redisUsPerDelivery, 3)} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${ratio} |`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}`;
  console.log(`scale-out benchmark — ${new Date().toISOString()}\n${machine}`);
  console.log(
    `load average at start: ${loadavg()
      .map((l) => fmt(l, 2))
      .join(' ')}`,
  );
  console.log(
    `burst: ${options.sizes.map((n) => `${burstCount(n)} msgs @N=${n}`).join(', ')}, ${BURST_WINDOW} in flight; ` +
      `paced: ${PACED_DELIVERIES_PER_SEC} deliveries/s for ${PACED_SECONDS} s; ` +
      `processes: ${options.processes.join(', ')}; rounds: ${options.rounds} (medians)\n`,
  );
  const redis = await startRedis();
  const admin = new Redis(redis.url);
  const rows: CaseResult[] = [];
  try {
    for (const n of options.sizes) {
      for (const processes of options.processes) {
        const perKind = new Map<ScaleKind, CaseResult[]>();
        for (let round = 0; round < options.rounds; round++) {
          // Alternate the order so neither server always runs on a cooler machine.
          const order = (round + processes) % 2 === 0 ? KINDS : [...KINDS].reverse();
          for (const kind of order) {
            const result = await runCase(redis, admin, kind, processes, n);
            perKind.set(kind, [...(perKind.get(kind) ?? []), result]);
            console.log(
              `  N=${n} ×${processes} ${kind.padEnd(8)} round ${round + 1}: ` +
                `${fmt(result.deliveriesPerSec, 0)} deliveries/s, ` +
                `${fmt(result.cpuUsPerDelivery, 3)} µs/delivery burst, ` +
                `${fmt(result.pacedCpuUsPerDelivery, 3)} paced, Redis ${fmt(result.redisUsPerDelivery, 3)}, ` +
                `p50 ${fmt(result.p50)} ms, p99 ${fmt(result.p99)} ms, load ${fmt(result.load, 1)}`,
            );
          }
        }
        for (const kind of KINDS) rows.push(combine(perKind.get(kind)!));
      }
    }
  } finally {
    admin.disconnect();
    await redis.dispose();
  }
  console.log('\n' + table(rows) + '\n');
  if (options.json) console.log(JSON.stringify({ machine, rows }, null, 2));
}

await main();
