/**
 * Server soak (`npm run bench:soak`): does anything in the reference server grow with the rooms,
 * users, connections and records it has ever seen, rather than with what is live now?
 *
 * Each round, `--clients` real `ws` clients, each a user never seen before, connect (development
 * identities), join the page's presence room (kept alive all along by one anchor client per
 * process) and a record room of their own with presence, save the record, send themselves a
 * notification, and go: half leave the record room first, half just close (so presence goes
 * through its grace period). With the authorization callback on (a loopback HTTP server that
 * allows everything), every hello and join asks it. Then the bench waits for the state to
 * settle: every churned socket closed, the grace period and the replay window passed (an injected
 * clock advanced past both), the process back to the anchors' rooms. It forces a garbage
 * collection twice and samples `heapUsed` and the sizes it can read (rooms, presence rooms, the
 * bus's rooms; with Redis, the channels subscribed and the keys stored).
 *
 * Flat means: every sample after the warm-up (the first quarter of the rounds) lies within ±10 %
 * of their mean. Also printed: the heap's slope over those samples, in bytes per churned client,
 * which shows a leak of a few hundred bytes per user long before ±10 % would.
 *
 * Runs on SQLite (one process, in memory), then, with `--redis`, two processes on one private
 * redis-server (test/services/redis.ts: temp dir, loopback, free port), clients split between them.
 *
 * Flags: --rounds 20  --clients 200  --redis  --no-sqlite  --json
 * Needs `--expose-gc` (the npm script passes it). With `BENCH_HEAP_SNAPSHOT=1` it writes a heap
 * snapshot after the warm-up and after the last round, for `bench/heap-diff.ts <first> <last>
 * <clients churned between them>`.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { Redis } from 'ioredis';
import { createServer, type RealtimeServer } from '../src/server/server.js';
import { LocalBus } from '../src/server/local-bus.js';
import { DEFAULT_LIMITS } from '../src/server/config.js';
import { ManualClock } from '../src/testing/manual-clock.js';
import {
  PROTOCOL_VERSION,
  type ClientFrame,
  type ServerFrame,
  type UserProfile,
} from '../src/protocol/index.js';
import { nextId, TestClient, until } from '../test/node/helpers/server-client.js';
import { startRedis, type RedisInstance } from '../test/services/redis.js';

const GRACE_MS = 15_000;
const PAGE_ROOM = 'page:/customers';
/** Within this much of the mean, after the warm-up, the heap counts as flat. */
const TOLERANCE = 0.1;
/** Clients connecting at once. */
const CONCURRENCY = 50;
/** How long the state may take to settle after a round before the bench gives up on it. */
const SETTLE_MS = 30_000;

interface Options {
  rounds: number;
  clients: number;
  sqlite: boolean;
  redis: boolean;
  json: boolean;
}

function parseArgs(argv: string[]): Options {
  const value = (name: string, fallback: number): number => {
    const i = argv.indexOf(name);
    const n = i === -1 ? NaN : Number(argv[i + 1]);
    return Number.isInteger(n) && n > 0 ? n : fallback;
  };
  return {
    rounds: Math.max(4, value('--rounds', 20)),
    clients: value('--clients', 200),
    sqlite: !argv.includes('--no-sqlite'),
    redis: argv.includes('--redis'),
    json: argv.includes('--json'),
  };
}

interface Sample {
  round: number;
  heapUsed: number;
  /** Sizes the bench can read, by name. */
  sizes: Record<string, number>;
}

interface Run {
  name: string;
  samples: Sample[];
  flat: boolean;
  spread: number;
  bytesPerClient: number;
  replies: Record<string, number>;
}

interface Node {
  server: RealtimeServer;
  url: string;
  anchor: TestClient;
  bus?: LocalBus;
}

/** The CRM's permission service: allows everything, as quickly as loopback allows. */
async function startAuthorizeService(): Promise<{ url: string; server: HttpServer }> {
  const server = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"allow":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/authorize`, server };
}

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('run with --expose-gc (npm run bench:soak does)');
  collect();
  collect();
}

/** How long a reply may take: the box is shared, and a slow reply is not what is measured. */
const REPLY_MS = 30_000;

async function request(
  client: TestClient,
  frame: ClientFrame & { id: string },
): Promise<ServerFrame> {
  client.send(frame);
  return client.upcoming((f) => 'replyTo' in f && f.replyTo === frame.id, REPLY_MS);
}

async function connect(url: string, user: UserProfile): Promise<TestClient> {
  const client = await TestClient.open(url);
  const id = nextId('hello');
  const reply = await request(client, {
    type: 'hello',
    id,
    v: PROTOCOL_VERSION,
    clientId: `device-${user.id}`,
    devUser: user,
  });
  if (reply.type !== 'welcome') throw new Error(`handshake refused: ${JSON.stringify(reply)}`);
  return client;
}

async function join(client: TestClient, room: string): Promise<void> {
  const presence = { status: 'online', activity: { kind: 'viewing' } } as const;
  const reply = await request(client, { type: 'join', id: nextId('join'), room, presence });
  if (reply.type !== 'joined') throw new Error(`join refused: ${JSON.stringify(reply)}`);
}

/** One churned client's life: connect, join, save, notify, leave or not, close. */
async function churn(
  node: Node,
  round: number,
  index: number,
  replies: Record<string, number>,
): Promise<void> {
  const userId = `soak-${round}-${index}`;
  const record = String(round * 100_000 + index);
  // The CRM's record, as its backend would create it; the client then saves on top of it.
  await node.server.entities.update({
    type: 'customer',
    id: record,
    fields: { name: `Customer ${record}` },
    source: 'backend',
    create: true,
  });
  const client = await connect(node.url, { id: userId, name: `Soak ${round}.${index}` });
  const count = (frame: { type: string; code?: string }): void => {
    const key = frame.type === 'error' ? `error:${frame.code}` : frame.type;
    replies[key] = (replies[key] ?? 0) + 1;
  };
  try {
    await join(client, PAGE_ROOM);
    const room = `customer:${record}`;
    await join(client, room);
    client.send({
      type: 'presence',
      room,
      state: { status: 'online', activity: { kind: 'editing', field: 'name' } },
    });
    count(
      await request(client, {
        type: 'entity.update',
        id: nextId('save'),
        mutationId: `m-${userId}`,
        entityType: 'customer',
        entityId: record,
        baseVersion: 1,
        fields: { name: `Customer ${record} (saved)` },
      }),
    );
    count(
      await request(client, {
        type: 'emit',
        id: nextId('notify'),
        room,
        event: 'notification',
        payload: { target: { user: userId }, title: `Saved ${record}` },
      }),
    );
    if (index % 2 === 0) count(await request(client, { type: 'leave', id: nextId('leave'), room }));
  } finally {
    client.close();
    await client.waitClosed(REPLY_MS);
  }
}

async function inBatches(count: number, run: (index: number) => Promise<void>): Promise<void> {
  for (let start = 0; start < count; start += CONCURRENCY) {
    const batch: Promise<void>[] = [];
    for (let i = start; i < Math.min(count, start + CONCURRENCY); i++) batch.push(run(i));
    await Promise.all(batch);
  }
}

/** The rounds before this one are the warm-up. */
function warmUp(rounds: number): number {
  return Math.ceil(rounds / 4) + 1;
}

function summarize(name: string, samples: Sample[], clients: number, replies: Run['replies']): Run {
  const after = samples.slice(warmUp(samples.length) - 1);
  const mean = after.reduce((sum, s) => sum + s.heapUsed, 0) / after.length;
  const spread = Math.max(...after.map((s) => Math.abs(s.heapUsed - mean) / mean));
  // Least squares over the samples after the warm-up: heap bytes per round, per client.
  const xs = after.map((s) => s.round);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  let num = 0;
  let den = 0;
  for (const s of after) {
    num += (s.round - mx) * (s.heapUsed - mean);
    den += (s.round - mx) ** 2;
  }
  const bytesPerClient = den === 0 ? 0 : num / den / clients;
  return { name, samples, flat: spread <= TOLERANCE, spread, bytesPerClient, replies };
}

async function soak(
  name: string,
  options: Options,
  nodes: Node[],
  clock: ManualClock,
  sizes: () => Promise<Record<string, number>>,
  settled: () => boolean,
): Promise<Run> {
  const samples: Sample[] = [];
  const replies: Record<string, number> = {};
  for (let round = 1; round <= options.rounds; round++) {
    await inBatches(options.clients, (i) => churn(nodes[i % nodes.length]!, round, i, replies));
    await until(
      () => nodes.every((n) => n.server.stats().connections === 1),
      SETTLE_MS,
      'churned sockets closed',
      10,
    );
    // Past the grace period and two replay windows (the in-memory bus forgets idle rooms on a
    // sweep every window), in steps, so every timer runs at its time.
    const span = GRACE_MS + 2 * DEFAULT_LIMITS.replayMillis + 1000;
    for (let t = 0; t < span; t += 5000) await clock.advance(5000);
    await until(settled, SETTLE_MS, 'rooms back to the anchors', 10);
    // The anchors' test clients keep every frame they got (the page's presence diffs): the
    // bench's memory, not the server's.
    for (const node of nodes) node.anchor.frames.length = 0;
    gc();
    if (
      process.env.BENCH_HEAP_SNAPSHOT &&
      (round === warmUp(options.rounds) || round === options.rounds)
    ) {
      console.log(
        `wrote ${writeHeapSnapshot(joinPath(tmpdir(), `soak-${name}-round-${round}.heapsnapshot`))}`,
      );
    }
    const sample: Sample = {
      round,
      heapUsed: process.memoryUsage().heapUsed,
      sizes: await sizes(),
    };
    samples.push(sample);
    if (!options.json) {
      const parts = Object.entries(sample.sizes).map(([k, v]) => `${k} ${v}`);
      console.log(
        `${name} round ${String(round).padStart(2)}: heap ${(sample.heapUsed / 1048576).toFixed(2)} MB, ${parts.join(', ')}`,
      );
    }
  }
  return summarize(name, samples, options.clients, replies);
}

async function startNode(
  clock: ManualClock,
  authorizeUrl: string,
  extra: { redisUrl?: string; bus?: LocalBus },
): Promise<Node> {
  const server = createServer({
    auth: { devIdentities: true },
    quiet: true,
    clock,
    graceMs: GRACE_MS,
    heartbeatMs: 3_600_000,
    redisHeartbeatMs: 3_600_000,
    shutdownTimeoutMs: 500,
    // The permission service is on loopback; only a busy box makes it slow.
    authorizeCallback: { url: authorizeUrl, timeoutMs: REPLY_MS },
    // Every churned client is a new user from one loopback address: no throttle may refuse them.
    limits: { maxConnectionsPerUser: 0, maxHandshakesPerAddress: 0 },
    ...extra,
  });
  const { port } = await server.listen(0, '127.0.0.1');
  const url = `ws://127.0.0.1:${port}/realtime`;
  const anchor = await connect(url, { id: `anchor-${port}`, name: 'Anchor' });
  await join(anchor, PAGE_ROOM);
  return { server, url, anchor, ...(extra.bus ? { bus: extra.bus } : {}) };
}

async function runSqlite(options: Options, authorizeUrl: string): Promise<Run> {
  const clock = new ManualClock(Date.now());
  const bus = new LocalBus({
    clock,
    replayEvents: DEFAULT_LIMITS.replayEvents,
    replayMillis: DEFAULT_LIMITS.replayMillis,
    maxFrameBytes: DEFAULT_LIMITS.maxFrameBytes,
    replayRoomBytes: DEFAULT_LIMITS.replayRoomBytes,
    replayTotalBytes: DEFAULT_LIMITS.replayTotalBytes,
  });
  const node = await startNode(clock, authorizeUrl, { bus });
  try {
    return await soak(
      'sqlite',
      options,
      [node],
      clock,
      () => {
        const stats = node.server.stats();
        return Promise.resolve({
          rooms: stats.rooms,
          presenceRooms: stats.presenceRooms,
          busRooms: bus.roomCount,
        });
      },
      () => {
        const stats = node.server.stats();
        return stats.rooms === 1 && stats.presenceRooms === 1 && bus.roomCount <= 1;
      },
    );
  } finally {
    node.anchor.ws.terminate();
    await node.server.close();
  }
}

async function runRedis(options: Options, authorizeUrl: string): Promise<Run> {
  const redis: RedisInstance = await startRedis();
  const clock = new ManualClock(Date.now());
  const nodes: Node[] = [];
  const probe = new Redis(redis.url, { lazyConnect: false });
  try {
    for (let i = 0; i < 2; i++)
      nodes.push(await startNode(clock, authorizeUrl, { redisUrl: redis.url }));
    const channels = async (): Promise<number> =>
      ((await probe.call('PUBSUB', 'CHANNELS', 'crm:*')) as string[]).length;
    let subscribed = 0;
    return await soak(
      'redis',
      options,
      nodes,
      clock,
      async () => {
        const out: Record<string, number> = {};
        nodes.forEach((n, i) => {
          const stats = n.server.stats();
          out[`rooms${i}`] = stats.rooms;
          out[`presenceRooms${i}`] = stats.presenceRooms;
        });
        out.channels = await channels();
        out.redisKeys = await probe.dbsize();
        out.keysWithoutTtl = await keysWithoutTtl(probe);
        return out;
      },
      () => {
        // Read the channels asynchronously; the next check sees the answer.
        void channels().then((n) => (subscribed = n));
        return (
          subscribed === 1 &&
          nodes.every((n) => n.server.stats().rooms === 1 && n.server.stats().presenceRooms === 1)
        );
      },
    );
  } finally {
    for (const n of nodes) n.anchor.ws.terminate();
    await Promise.all(nodes.map((n) => n.server.close()));
    probe.disconnect();
    await redis.dispose();
  }
}

/** Keys that stay until deleted: each one a room or a person that is gone would be a leak. */
async function keysWithoutTtl(redis: Redis): Promise<number> {
  let count = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    if (keys.length === 0) continue;
    const pipeline = redis.pipeline();
    for (const key of keys) pipeline.pttl(key);
    for (const [, ttl] of (await pipeline.exec()) ?? []) if (ttl === -1) count++;
  } while (cursor !== '0');
  return count;
}

function report(run: Run): string {
  const mb = (n: number) => (n / 1048576).toFixed(2);
  const after = run.samples.slice(warmUp(run.samples.length) - 1);
  const first = after[0]!;
  const last = after.at(-1)!;
  return [
    `${run.name}: heap after warm-up ${mb(first.heapUsed)} → ${mb(last.heapUsed)} MB, ` +
      `spread ±${(run.spread * 100).toFixed(1)} % (${run.flat ? 'FLAT' : 'NOT flat'}), ` +
      `slope ${Math.round(run.bytesPerClient)} B per churned client`,
    `  last sizes: ${JSON.stringify(last.sizes)}`,
    `  replies: ${JSON.stringify(run.replies)}`,
  ].join('\n');
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  gc();
  const authorize = await startAuthorizeService();
  const runs: Run[] = [];
  try {
    if (options.sqlite) runs.push(await runSqlite(options, authorize.url));
    if (options.redis) runs.push(await runRedis(options, authorize.url));
  } finally {
    authorize.server.close();
  }
  if (options.json) {
    console.log(JSON.stringify(runs, null, 2));
    return;
  }
  console.log(
    `\n${options.rounds} rounds × ${options.clients} clients, Node ${process.version}, ` +
      `${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)}`,
  );
  for (const run of runs) console.log(report(run));
  if (runs.some((r) => !r.flat)) process.exitCode = 1;
}

await main();
