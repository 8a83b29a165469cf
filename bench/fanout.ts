/**
 * Fan-out benchmark (`npm run bench`): one publisher, a room of N subscribers, our server against
 * a bare `ws` server that frames once and writes the same Buffer to every socket.
 *
 * Processes: this one publishes; `fanout-server.ts` runs the server under test (its CPU time is
 * read with process.cpuUsage over IPC, so only the server is measured); `fanout-subscribers.ts`
 * holds the N subscriber connections and measures latency from a timestamp in each payload.
 * Loopback only; every phase is bounded in count and time.
 *
 * Per server and N:
 *   join      the room fills in a burst: N subscribers connect and join, 100 at a time; joins
 *             per second, join p50/p99 (TCP connect → `joined`), server CPU per join, and the
 *             server's memory per connection (RSS and heap after a full GC, before and after)
 *   warm-up   5,000 messages to a room of one (JIT), then 300 to the room one at a time
 *   paced     a fixed rate for 8 s (40,000 deliveries/s): p50/p99/max latency, and server CPU µs
 *             per delivery (one message per event-loop turn: no batching to gain from)
 *   burst     K messages with 16 in flight (paced by acks): deliveries/s and CPU µs per delivery
 * Efficiency = bare CPU per delivery / ours; the target is judged on the lower of burst and paced.
 *
 * Flags: --n 100,1000   --rounds 2   --variants (adds ours without batching / pre-framing)   --json
 *        --rt-latency (paced phase under SCHED_FIFO, for shared machines; needs CAP_SYS_NICE)
 *        --ws-subscribers (subscribers on the `ws` client instead of lean RFC 6455 clients)
 *        --join-only (the join phase and memory only)   --paced-rate 100000 (deliveries/s)
 *        --ts-server (the server child through the tsx loader instead of compiled as shipped)
 *        --probe-every 50 (every 50th subscriber times its events, the others are drained: see
 *        fanout-subscribers.ts; makes 100,000 deliveries/s affordable for the harness on 2 cores)
 */
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { AckPacer, BURST_WINDOW } from './ack-pacer.js';
import type { FromServer, ServerKind, ToServer } from './fanout-server.js';
import type { FromSubscribers, ToSubscribers } from './fanout-subscribers.js';
import { ask, median } from './child-ipc.js';

const ROOM = 'bench:room';
const PAD = 'x'.repeat(64);
const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);

interface Options {
  sizes: number[];
  rounds: number;
  kinds: ServerKind[];
  json: boolean;
  /** Run the paced phase's processes under SCHED_FIFO (needs CAP_SYS_NICE), see `realtime`. */
  rtLatency: boolean;
  /** Subscribers use the `ws` library's client instead of the lean one. */
  wsSubscribers: boolean;
  joinOnly: boolean;
  /** Deliveries per second of the paced phase. */
  pacedDeliveries: number;
  tsServer: boolean;
  /** Every k-th subscriber records latency, the others only count (lean clients; 1 = all). */
  probeEvery: number;
}

function parseArgs(argv: string[]): Options {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i === -1 ? undefined : argv[i + 1];
  };
  return {
    sizes: (value('--n') ?? '100,1000').split(',').map(Number),
    rounds: Number(value('--rounds') ?? 2),
    kinds: argv.includes('--variants')
      ? ['bare', 'ours', 'ours-unbatched', 'ours-wssend']
      : ['bare', 'ours'],
    json: argv.includes('--json'),
    rtLatency: argv.includes('--rt-latency'),
    wsSubscribers: argv.includes('--ws-subscribers'),
    joinOnly: argv.includes('--join-only'),
    pacedDeliveries: Number(value('--paced-rate') ?? 40_000),
    tsServer: argv.includes('--ts-server'),
    probeEvery: Number(value('--probe-every') ?? 1),
  };
}

/** Messages of the burst phase, sized to take a few seconds at most. */
const burstCount = (n: number): number => Math.round(400_000 / n) + 500;
/**
 * Paced phase: the same 40,000 deliveries/s whatever N, for 8 s. At N = 1000 that is 320
 * messages: p99 of fewer would be decided by a single slow message (one message is 1,000
 * deliveries, more than 1% of 60,000).
 */
const pacedRate = (n: number, deliveries = 40_000): number => Math.round(deliveries / n);
/** Subscribers connecting and joining at once in the join phase. */
const JOIN_IN_FLIGHT = 100;
const PACED_SECONDS = 8;

/** BENCH_PROFILE=join|paced|burst: a V8 CPU profile of that phase per server, in $TMPDIR/crm-bench-profiles. */
const PROFILE_PHASE = process.env.BENCH_PROFILE ?? '';
/**
 * BENCH_HEAP_SNAPSHOT=1: a V8 heap snapshot of each server once the room is full, in
 * $TMPDIR/crm-bench-profiles (compare two with bench/heap-diff.ts).
 */
const HEAP_SNAPSHOT = process.env.BENCH_HEAP_SNAPSHOT === '1';

function child(file: string | URL, args: string[], extra: string[] = [], tsx = true): ChildProcess {
  return fork(typeof file === 'string' ? new URL(file, import.meta.url) : file, args, {
    execArgv: [...(tsx ? ['--import', 'tsx'] : []), ...extra],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/**
 * The server child compiled as `npm run build:server` compiles the server (esbuild: bundled,
 * npm packages left as imports), into dist/bench/ so that those imports resolve from the
 * repository's node_modules.
 */
async function compiledServer(): Promise<URL> {
  const outdir = fileURLToPath(new URL('../dist/bench/', import.meta.url));
  await build({
    entryPoints: [fileURLToPath(new URL('./fanout-server.ts', import.meta.url))],
    outdir,
    outExtension: { '.js': '.mjs' },
    // Our server in a chunk of its own, imported by `ours` only.
    splitting: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  return new URL('../dist/bench/fanout-server.mjs', import.meta.url);
}
let serverEntry: URL | undefined;

/** `ask`, held to the messages the fan-out's children understand. */
const askChild: <T extends { type: string }>(
  proc: ChildProcess,
  message: ToServer | ToSubscribers | undefined,
  type: T['type'],
  timeoutMs?: number,
) => Promise<T> = ask;

/** The publishing connection; counts acks to keep a window of messages in flight. */
class Publisher extends AckPacer {
  private constructor(
    private readonly ws: WebSocket,
    private readonly bare: boolean,
  ) {
    super();
    ws.on('message', (data: Buffer) => {
      if (data.indexOf('"type":"ack"') === -1) return;
      this.acknowledged();
    });
  }

  static async connect(port: number, kind: ServerKind): Promise<Publisher> {
    const bare = kind === 'bare';
    const ws = new WebSocket(`ws://127.0.0.1:${port}/${bare ? 'pub' : 'realtime'}`, {
      perMessageDeflate: false,
    });
    await once(ws, 'open');
    if (!bare) {
      const joined = new Promise<void>((resolve) => {
        const onMessage = (data: Buffer): void => {
          if (data.indexOf('"type":"joined"') === -1) return;
          ws.off('message', onMessage);
          resolve();
        };
        ws.on('message', onMessage);
      });
      ws.send(
        JSON.stringify({
          type: 'hello',
          id: 'h',
          v: 1,
          clientId: 'bench-publisher',
          devUser: { id: 'publisher', name: 'Publisher' },
        }),
      );
      ws.send(JSON.stringify({ type: 'join', id: 'j', room: ROOM }));
      await joined;
    }
    return new Publisher(ws, bare);
  }

  /** Where `sendOne` publishes (ours only: the warm-up room while warming the JIT). */
  private room = ROOM;

  protected sendOne(): void {
    const i = this.sent++;
    const payload = { t: nowUs(), pad: PAD };
    // The bare server forwards bytes as they are: send it a frame shaped like our event frame,
    // so both servers write the same number of bytes per delivery.
    this.ws.send(
      this.bare
        ? JSON.stringify({
            type: 'event',
            room: ROOM,
            seq: i,
            event: 'tick',
            payload,
            from: 'publisher',
            at: Date.now(),
          })
        : JSON.stringify({ type: 'emit', id: `p${i}`, room: this.room, event: 'tick', payload }),
    );
  }

  /**
   * Gets our server's per-message path (parse, validate, authorize, sequence, serialize, ack)
   * optimized by the JIT before anything is measured, as it is in any server that has run for a
   * while: `count` emits into a room where the publisher is alone. A few hundred messages to the
   * big room are not enough to tier that code up, and more would take minutes at N = 1000. The
   * bare server has no per-message logic to warm.
   */
  async warmUp(count: number): Promise<void> {
    if (this.bare) return;
    const warm = `${ROOM}:warm-up`;
    const joined = new Promise<void>((resolve) => {
      const onMessage = (data: Buffer): void => {
        if (data.indexOf('"type":"joined"') === -1) return;
        this.ws.off('message', onMessage);
        resolve();
      };
      this.ws.on('message', onMessage);
    });
    this.ws.send(JSON.stringify({ type: 'join', id: 'warm', room: warm }));
    await joined;
    this.room = warm;
    await this.burst(count);
    this.room = ROOM;
    this.ws.send(JSON.stringify({ type: 'leave', id: 'unwarm', room: warm }));
  }

  close(): void {
    this.ws.terminate();
  }
}

interface CaseResult {
  kind: ServerKind;
  n: number;
  deliveriesPerSec: number;
  cpuUsPerDelivery: number;
  /** Of the subscribers' process during the burst: shows whether the receivers were the limit. */
  subscriberCpuUsPerDelivery: number;
  pacedCpuUsPerDelivery: number;
  /** Of the subscribers' process during the paced phase: the harness's share of the machine. */
  pacedSubscriberCpuUsPerDelivery: number;
  /** Deliveries per second the paced phase achieved (first send to last delivery). */
  pacedDeliveriesPerSec: number;
  p50: number;
  p99: number;
  max: number;
  serverRssMb: number;
  /** Join phase: subscribers joined per second, and join latency. */
  joinsPerSec: number;
  joinP50: number;
  joinP99: number;
  /** Server CPU per join (handshake, hello, join, presence). */
  joinCpuUs: number;
  /** Server memory after a full GC: before any subscriber, and per connection after the joins. */
  baseRssMb: number;
  rssKbPerConnection: number;
  heapKbPerConnection: number;
  /** Buffers and other memory outside the V8 heap, per connection. */
  externalKbPerConnection: number;
  /** The V8 heap as reserved (used or not), per connection. */
  heapTotalKbPerConnection: number;
  /** Of the RSS growth, the young generation's (a fixed cost, bounded; see fanout-server.ts). */
  newSpaceKbPerConnection: number;
  /** 1-minute load average when the case ended: other work on the machine skews everything. */
  load: number;
}

const cpuOf = (u: NodeJS.CpuUsage): number => u.user + u.system;

/**
 * BENCH_PERF=<prefix> (with BENCH_PERF_PHASE=paced|burst, default paced): `perf record` of the
 * server during that phase, to <prefix>-<kind>-<n>.data, with JS symbols (--perf-basic-prof).
 * Unlike V8's sampler, perf samples CPU time, so other work on the machine does not skew it.
 * Resolves to a function that stops the recording.
 */
async function perfRecord(
  server: ChildProcess,
  phase: string,
  kind: ServerKind,
  n: number,
): Promise<(() => Promise<void>) | undefined> {
  const prefix = process.env.BENCH_PERF;
  if (!prefix || (process.env.BENCH_PERF_PHASE ?? 'paced') !== phase) return undefined;
  const perf = spawn(
    'perf',
    ['record', '-F', '1999', '-g', '-p', String(server.pid), '-o', `${prefix}-${kind}-${n}.data`],
    {
      stdio: 'ignore',
    },
  );
  await new Promise((resolve) => setTimeout(resolve, 300)); // perf attaches
  return async () => {
    perf.kill('SIGINT');
    await once(perf, 'exit');
  };
}

/**
 * On a shared machine, latency measures the scheduler more than the server. `--rt-latency` puts
 * the three processes (publisher, server, subscribers; all threads) under SCHED_FIFO for the paced
 * phase only, a light load (40,000 deliveries/s), so other work cannot delay them. The CPU
 * figures are unaffected; both servers get the same treatment.
 */
function realtime(pids: number[], on: boolean): void {
  for (const pid of pids) {
    const result = spawnSync(
      'chrt',
      on ? ['-a', '-f', '-p', '10', String(pid)] : ['-a', '-o', '-p', '0', String(pid)],
    );
    if (on && result.status !== 0) throw new Error(`chrt failed: ${result.stderr.toString()}`);
  }
  if (on) realtimePids.push(...pids);
  else realtimePids.splice(0);
}

/** Processes currently under SCHED_FIFO; put back to normal however this process ends. */
const realtimePids: number[] = [];
const backToNormal = (): void => {
  if (realtimePids.length > 0) realtime([...realtimePids], false);
};
process.on('exit', backToNormal);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    backToNormal();
    process.exit(130);
  });
}

async function runCase(kind: ServerKind, n: number, options: Options): Promise<CaseResult> {
  const { rtLatency, wsSubscribers } = options;
  const extra = [
    '--expose-gc',
    ...(process.env.BENCH_PERF ? ['--perf-basic-prof'] : []),
    // BENCH_SERVER_FLAGS="--trace-gc --max-semi-space-size=64": V8 flags for the server child.
    ...(process.env.BENCH_SERVER_FLAGS ?? '').split(' ').filter(Boolean),
  ];
  const server = options.tsServer
    ? child('./fanout-server.ts', [kind], extra)
    : child((serverEntry ??= await compiledServer()), [kind], extra, false);
  const { port } = await askChild<Extract<FromServer, { type: 'ready' }>>(
    server,
    undefined,
    'ready',
  );
  const url = `ws://127.0.0.1:${port}/realtime`;
  const memory = (): Promise<Extract<FromServer, { type: 'cpu' }>> =>
    askChild<Extract<FromServer, { type: 'cpu' }>>(server, { type: 'cpu', gc: true }, 'cpu');
  const heapSnapshot = async (when: string): Promise<void> => {
    if (!HEAP_SNAPSHOT) return;
    const dir = join(tmpdir(), 'crm-bench-profiles');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${kind}-${n}-${when}-${Date.now()}.heapsnapshot`);
    await askChild(server, { type: 'snapshot', file }, 'profiled', 120_000);
    console.log(`  heap snapshot: ${file}`);
  };
  await heapSnapshot('before');
  const before = await memory();
  const joinProfile = join(
    tmpdir(),
    'crm-bench-profiles',
    `${kind}-${n}-join-${Date.now()}.cpuprofile`,
  );
  if (PROFILE_PHASE === 'join') {
    mkdirSync(join(tmpdir(), 'crm-bench-profiles'), { recursive: true });
    await askChild(server, { type: 'profile', action: 'start' }, 'profiled');
  }
  const subscribers = child('./fanout-subscribers.ts', [
    url,
    String(n),
    kind === 'bare' ? 'bare' : 'ours',
    ROOM,
    wsSubscribers ? 'ws' : 'lean',
    String(JOIN_IN_FLIGHT),
    String(options.probeEvery),
  ]);
  let publisher: Publisher | undefined;
  try {
    const { joins } = await askChild<Extract<FromSubscribers, { type: 'ready' }>>(
      subscribers,
      undefined,
      'ready',
      120_000,
    );
    if (PROFILE_PHASE === 'join') {
      await askChild(server, { type: 'profile', action: 'stop', file: joinProfile }, 'profiled');
    }
    const joined = await memory();
    await heapSnapshot('joined');
    const joinResult = {
      joinsPerSec: n / joins.seconds,
      joinP50: joins.p50,
      joinP99: joins.p99,
      joinCpuUs: (cpuOf(joined.usage) - cpuOf(before.usage)) / n,
      baseRssMb: before.rss / 2 ** 20,
      rssKbPerConnection: (joined.rss - before.rss) / 1024 / n,
      heapKbPerConnection: (joined.heapUsed - before.heapUsed) / 1024 / n,
      externalKbPerConnection: (joined.external - before.external) / 1024 / n,
      heapTotalKbPerConnection: (joined.heapTotal - before.heapTotal) / 1024 / n,
      newSpaceKbPerConnection: (joined.newSpace - before.newSpace) / 1024 / n,
    } satisfies Partial<CaseResult> & { joinsPerSec: number };
    if (options.joinOnly) {
      return {
        kind,
        n,
        deliveriesPerSec: NaN,
        cpuUsPerDelivery: NaN,
        subscriberCpuUsPerDelivery: NaN,
        pacedCpuUsPerDelivery: NaN,
        pacedSubscriberCpuUsPerDelivery: NaN,
        pacedDeliveriesPerSec: NaN,
        p50: NaN,
        p99: NaN,
        max: NaN,
        serverRssMb: joined.rss / 2 ** 20,
        ...joinResult,
        load: loadavg()[0]!,
      };
    }
    publisher = await Publisher.connect(port, kind);
    const cpu = async (): Promise<number> =>
      cpuOf(
        (await askChild<Extract<FromServer, { type: 'cpu' }>>(server, { type: 'cpu' }, 'cpu'))
          .usage,
      );
    const reset = async (): Promise<number> =>
      (
        await askChild<Extract<FromSubscribers, { type: 'reset' }>>(
          subscribers,
          { type: 'reset' },
          'reset',
        )
      ).cpu;
    const profile = async (phase: string, action: 'start' | 'stop'): Promise<void> => {
      if (PROFILE_PHASE !== phase) return;
      const dir = join(tmpdir(), 'crm-bench-profiles');
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `${kind}-${n}-${phase}-${Date.now()}.cpuprofile`);
      await askChild(server, { type: 'profile', action, file }, 'profiled');
    };
    const waitAll = async (count: number): Promise<number> => {
      const waited = await askChild<Extract<FromSubscribers, { type: 'waited' }>>(
        subscribers,
        { type: 'wait', count, timeoutMs: 60_000 },
        'waited',
        70_000,
      );
      if (!waited.reached) throw new Error(`${kind} N=${n}: ${waited.count}/${count} delivered`);
      return waited.cpu;
    };

    // Warm-up: the per-message path, then the fan-out path one message at a time.
    await publisher.warmUp(5000);
    await reset();
    await publisher.burst(300, 1);
    await waitAll(300 * n);

    // Paced, before the burst so that nothing the burst left behind (grown socket buffers,
    // pending writes) skews it: latency at a fixed delivery rate, and CPU per delivery.
    const pacedSubCpu0 = await reset();
    await profile('paced', 'start');
    const cpu2 = await cpu();
    const pacedPerf = await perfRecord(server, 'paced', kind, n);
    let watchdog: NodeJS.Timeout | undefined;
    if (rtLatency) {
      realtime([process.pid, server.pid!, subscribers.pid!], true);
      // However the phase goes, nothing stays real-time longer than the phase plus a margin.
      watchdog = setTimeout(backToNormal, (PACED_SECONDS + 10) * 1000);
    }
    const pacedStart = nowUs();
    const sent = await publisher
      .paced(pacedRate(n, options.pacedDeliveries), PACED_SECONDS)
      .finally(() => {
        clearTimeout(watchdog);
        backToNormal();
      });
    const pacedSubCpu1 = await waitAll(sent * n);
    await pacedPerf?.();
    const cpu3 = await cpu();
    await profile('paced', 'stop');
    const stats = await askChild<Extract<FromSubscribers, { type: 'stats' }>>(
      subscribers,
      { type: 'stats' },
      'stats',
    );
    // Delivered over the time from the first send to the last timed delivery (the last message
    // reaches the probes within its own fan-out; drained subscribers are read too seldom to
    // say when): below the rate asked for, the server (or the subscribers) fell behind and
    // latency measures a growing queue.
    const pacedDelivered = (sent * n) / ((stats.lastAt - pacedStart) / 1e6);

    // Burst: deliveries per second and CPU per delivery with messages in flight.
    const count = burstCount(n);
    const subCpu0 = await reset();
    await profile('burst', 'start');
    const burstPerf = await perfRecord(server, 'burst', kind, n);
    const cpu0 = await cpu();
    const t0 = performance.now();
    await publisher.burst(count);
    const subCpu1 = await waitAll(count * n);
    const seconds = (performance.now() - t0) / 1000;
    const cpu1 = await cpu();
    await burstPerf?.();
    await profile('burst', 'stop');
    const mem = await askChild<Extract<FromServer, { type: 'cpu' }>>(
      server,
      { type: 'cpu' },
      'cpu',
    );
    return {
      kind,
      n,
      deliveriesPerSec: (count * n) / seconds,
      cpuUsPerDelivery: (cpu1 - cpu0) / (count * n),
      subscriberCpuUsPerDelivery: (subCpu1 - subCpu0) / (count * n),
      pacedCpuUsPerDelivery: (cpu3 - cpu2) / (sent * n),
      pacedSubscriberCpuUsPerDelivery: (pacedSubCpu1 - pacedSubCpu0) / (sent * n),
      pacedDeliveriesPerSec: pacedDelivered,
      p50: stats.p50,
      p99: stats.p99,
      max: stats.max,
      serverRssMb: mem.rss / 2 ** 20,
      ...joinResult,
      load: loadavg()[0]!,
    };
  } finally {
    publisher?.close();
    for (const proc of [subscribers, server]) {
      if (proc.exitCode !== null || proc.signalCode !== null) continue;
      const exited = once(proc, 'exit');
      // A clean exit lets a profiled server write its profile; a kill is the fallback.
      proc.send({ type: 'stop' });
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
  }
}

function combine(results: CaseResult[]): CaseResult {
  const first = results[0]!;
  const pick = (key: keyof CaseResult): number => median(results.map((r) => r[key] as number));
  return {
    kind: first.kind,
    n: first.n,
    deliveriesPerSec: pick('deliveriesPerSec'),
    cpuUsPerDelivery: pick('cpuUsPerDelivery'),
    subscriberCpuUsPerDelivery: pick('subscriberCpuUsPerDelivery'),
    pacedCpuUsPerDelivery: pick('pacedCpuUsPerDelivery'),
    pacedSubscriberCpuUsPerDelivery: pick('pacedSubscriberCpuUsPerDelivery'),
    pacedDeliveriesPerSec: pick('pacedDeliveriesPerSec'),
    p50: pick('p50'),
    p99: pick('p99'),
    max: pick('max'),
    serverRssMb: pick('serverRssMb'),
    joinsPerSec: pick('joinsPerSec'),
    joinP50: pick('joinP50'),
    joinP99: pick('joinP99'),
    joinCpuUs: pick('joinCpuUs'),
    baseRssMb: pick('baseRssMb'),
    rssKbPerConnection: pick('rssKbPerConnection'),
    heapKbPerConnection: pick('heapKbPerConnection'),
    externalKbPerConnection: pick('externalKbPerConnection'),
    heapTotalKbPerConnection: pick('heapTotalKbPerConnection'),
    newSpaceKbPerConnection: pick('newSpaceKbPerConnection'),
    load: pick('load'),
  };
}

const fmt = (value: number, digits = 2): string =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function table(rows: CaseResult[]): string {
  const bare = new Map(rows.filter((r) => r.kind === 'bare').map((r) => [r.n, r]));
  const lines = [
    '| N | server | deliveries/s | CPU µs/delivery burst | efficiency burst | paced deliveries/s | CPU µs/delivery paced | efficiency paced | p50 ms | p99 ms | max ms |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    const base = bare.get(r.n);
    const burst = base ? base.cpuUsPerDelivery / r.cpuUsPerDelivery : NaN;
    const paced = base ? base.pacedCpuUsPerDelivery / r.pacedCpuUsPerDelivery : NaN;
    lines.push(
      `| ${r.n} | ${r.kind} | ${fmt(r.deliveriesPerSec, 0)} | ${fmt(r.cpuUsPerDelivery, 3)} | ` +
        `${fmt(burst)}× | ${fmt(r.pacedDeliveriesPerSec, 0)} | ${fmt(r.pacedCpuUsPerDelivery, 3)} | ${fmt(paced)}× | ` +
        `${fmt(r.p50)} | ${fmt(r.p99)} | ${fmt(r.max)} |`,
    );
  }
  return lines.join('\n');
}

function joinTable(rows: CaseResult[]): string {
  const bare = new Map(rows.filter((r) => r.kind === 'bare').map((r) => [r.n, r]));
  const lines = [
    '| N | server | joins/s | vs bare | join p50 ms | join p99 ms | p99 vs bare | CPU µs/join | RSS at start MB | RSS KB/connection | vs bare | heap KB/connection | vs bare | external KB/connection |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    const base = bare.get(r.n);
    lines.push(
      `| ${r.n} | ${r.kind} | ${fmt(r.joinsPerSec, 0)} | ${fmt(base ? r.joinsPerSec / base.joinsPerSec : NaN)}× | ` +
        `${fmt(r.joinP50)} | ${fmt(r.joinP99)} | ${fmt(base ? r.joinP99 / base.joinP99 : NaN)}× | ` +
        `${fmt(r.joinCpuUs, 0)} | ${fmt(r.baseRssMb, 1)} | ${fmt(r.rssKbPerConnection, 1)} | ` +
        `${fmt(base ? r.rssKbPerConnection / base.rssKbPerConnection : NaN)}× | ${fmt(r.heapKbPerConnection, 1)} | ` +
        `${fmt(base ? r.heapKbPerConnection / base.heapKbPerConnection : NaN)}× | ${fmt(r.externalKbPerConnection, 1)} |`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}`;
  console.log(`fan-out benchmark — ${new Date().toISOString()}\n${machine}`);
  if (loadavg()[0]! > cpus().length * 0.5) {
    console.log(
      `warning: load average ${fmt(loadavg()[0]!, 1)} on ${cpus().length} CPUs — other work will skew ` +
        'CPU and latency figures; run on a quiet machine for numbers worth recording.',
    );
  }
  console.log(
    `burst: ${options.sizes.map((n) => `${burstCount(n)} msgs @N=${n}`).join(', ')}, ${BURST_WINDOW} in flight; ` +
      `paced: ${options.sizes.map((n) => `${pacedRate(n, options.pacedDeliveries)} msg/s @N=${n}`).join(', ')} for ${PACED_SECONDS} s; ` +
      `rounds: ${options.rounds} (medians); subscribers: ${options.wsSubscribers ? 'ws' : 'lean'} clients` +
      `${options.probeEvery > 1 && !options.wsSubscribers ? `, every ${options.probeEvery}th a latency probe, the others drained` : ''}` +
      `${options.rtLatency ? '; paced phase under SCHED_FIFO' : ''}\n`,
  );
  const rows: CaseResult[] = [];
  for (const n of options.sizes) {
    const perKind = new Map<ServerKind, CaseResult[]>();
    for (let round = 0; round < options.rounds; round++) {
      // Alternate the order so neither server always runs on a cooler machine.
      const order = round % 2 === 0 ? options.kinds : [...options.kinds].reverse();
      for (const kind of order) {
        const result = await runCase(kind, n, options);
        perKind.set(kind, [...(perKind.get(kind) ?? []), result]);
        console.log(
          `  N=${n} ${kind.padEnd(14)} round ${round + 1}: join ${fmt(result.joinsPerSec, 0)}/s, ` +
            `p50 ${fmt(result.joinP50)} ms, p99 ${fmt(result.joinP99)} ms, ${fmt(result.joinCpuUs, 0)} µs CPU/join, ` +
            `${fmt(result.rssKbPerConnection, 1)} KB RSS/connection (from ${fmt(result.baseRssMb, 1)} MB; ` +
            `${fmt(result.newSpaceKbPerConnection, 1)} KB of it the young generation growing), ` +
            `${fmt(result.heapKbPerConnection, 1)} KB heap (${fmt(result.heapTotalKbPerConnection, 1)} KB reserved), ${fmt(result.externalKbPerConnection, 1)} KB external, load ${fmt(result.load, 1)}`,
        );
        if (options.joinOnly) continue;
        console.log(
          `  N=${n} ${kind.padEnd(14)} round ${round + 1}: ${fmt(result.deliveriesPerSec, 0)} deliveries/s, ` +
            `${fmt(result.cpuUsPerDelivery, 3)} µs/delivery (subscribers ${fmt(result.subscriberCpuUsPerDelivery, 3)}), ` +
            `paced ${fmt(result.pacedDeliveriesPerSec, 0)}/s at ${fmt(result.pacedCpuUsPerDelivery, 3)} µs/delivery ` +
            `(subscribers ${fmt(result.pacedSubscriberCpuUsPerDelivery, 3)}), ` +
            `p50 ${fmt(result.p50)} ms, p99 ${fmt(result.p99)} ms, load ${fmt(result.load, 1)}`,
        );
      }
    }
    for (const kind of options.kinds) rows.push(combine(perKind.get(kind)!));
  }
  console.log('\nJoin phase and memory:\n' + joinTable(rows) + '\n');
  if (options.joinOnly) {
    if (options.json) console.log(JSON.stringify({ machine, rows }, null, 2));
    return;
  }
  console.log('\n' + table(rows) + '\n');
  for (const n of options.sizes) {
    const bare = rows.find((r) => r.kind === 'bare' && r.n === n)!;
    const ours = rows.find((r) => r.kind === 'ours' && r.n === n)!;
    const burst = bare.cpuUsPerDelivery / ours.cpuUsPerDelivery;
    const paced = bare.pacedCpuUsPerDelivery / ours.pacedCpuUsPerDelivery;
    const throughput = ours.deliveriesPerSec / bare.deliveriesPerSec;
    // The target is judged on the lower of the two efficiencies.
    const met = Math.min(burst, paced) >= 0.85 && ours.p99 <= 15;
    const verdict = n === 1000 ? ` — target ≥0.85× and p99 ≤ 15 ms: ${met ? 'MET' : 'MISSED'}` : '';
    const rate = options.pacedDeliveries;
    const behind = [bare, ours].filter((r) => r.pacedDeliveriesPerSec < 0.95 * rate);
    console.log(
      `N=${n}, paced at ${fmt(rate, 0)} deliveries/s: ` +
        (behind.length === 0
          ? 'both sustained it'
          : `NOT sustained by ${behind.map((r) => `${r.kind} (${fmt(r.pacedDeliveriesPerSec, 0)}/s)`).join(', ')}: latency measures a queue`) +
        `; p50 ${fmt(ours.p50 / bare.p50)}×, p99 ${fmt(ours.p99 / bare.p99)}× the bare server's (tail target ≤ 1.3×)`,
    );
    console.log(
      `N=${n}: ours/bare efficiency ${fmt(burst)}× burst, ${fmt(paced)}× paced; ` +
        `throughput ${fmt(throughput)}×; p50 ${fmt(ours.p50 / bare.p50)}× and ` +
        `p99 ${fmt(ours.p99 / bare.p99)}× the bare server's ` +
        `(${fmt(ours.p99)} ms vs ${fmt(bare.p99)} ms)${verdict}`,
    );
  }
  if (options.json) console.log(JSON.stringify({ machine, rows }, null, 2));
}

await main();
