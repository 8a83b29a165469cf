/**
 * Compression benchmark: bytes on the wire and server CPU per delivery, with and without
 * permessage-deflate, for a presence-heavy room and a feed-heavy room, in one run.
 *
 *   node --import tsx bench/compression.ts [--n 50] [--rounds 2] [--json]
 *
 * The server runs in a child process (`compression-server.ts`) and reports its own CPU time, so
 * the clients' work (inflating included) is not counted. Every client is a `ws` client offering
 * permessage-deflate and, once it is negotiated, compressing every frame it sends, as browsers
 * do; bytes are read from the subscribers' TCP sockets.
 *
 *   presence  N people in a room; 10 of them move from field to field, one change at a time
 *             (each a presence diff of one person, ~300 bytes), each waited for by all N
 *   feed      one publisher emits entity changes shaped like the kit's `entity.change` (~1.4 KB
 *             with a customer record), 16 in flight, to N subscribers
 *
 * Settings compared (ratios against `off`, measured in the same run, median of the rounds):
 *   off            no compression (the default)
 *   on ≥1024       compressed from 1024 payload bytes, each broadcast deflated once
 *   on ≥0          every frame compressed, each broadcast deflated once
 *   on ≥1024 ws    compressed by ws.send per connection (pre-framed writes off): the cost of
 *                  deflating once per member instead of once per broadcast
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { WebSocket } from 'ws';
import { PROTOCOL_VERSION } from '../src/protocol/index.js';
import type { FromServer, ServerSettings, ToServer } from './compression-server.js';
import { median } from './child-ipc.js';

const ROOM = 'customer:42';
const ACTORS = 10;
const WINDOW = 16;

interface Setting {
  name: string;
  server: ServerSettings;
}

const SETTINGS: Setting[] = [
  { name: 'off', server: { compression: { enabled: false }, preframedWrites: true } },
  {
    name: 'on ≥1024',
    server: { compression: { enabled: true, threshold: 1024 }, preframedWrites: true },
  },
  {
    name: 'on ≥0',
    server: { compression: { enabled: true, threshold: 0 }, preframedWrites: true },
  },
  {
    name: 'on ≥1024 ws',
    server: { compression: { enabled: true, threshold: 1024 }, preframedWrites: false },
  },
];

type Scenario = 'presence' | 'feed';

interface Result {
  scenario: Scenario;
  setting: string;
  deliveries: number;
  /** Uncompressed JSON bytes per delivery. */
  payloadBytes: number;
  /** Bytes read from the subscribers' sockets per delivery (headers included). */
  wireBytes: number;
  /** Server CPU (user + system) per delivery, µs. */
  cpuUs: number;
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

const N = arg('--n', 50);
const ROUNDS = arg('--rounds', 2);
const JSON_OUT = process.argv.includes('--json');

/** The child's next message of `type`. */
function reply(child: ChildProcess, type: FromServer['type']): Promise<FromServer> {
  return new Promise((resolve) => {
    const listen = (message: FromServer): void => {
      if (message.type !== type) return;
      child.off('message', listen);
      resolve(message);
    };
    child.on('message', listen);
  });
}

async function cpuOf(child: ChildProcess): Promise<number> {
  const answer = reply(child, 'cpu');
  child.send({ type: 'cpu' } satisfies ToServer);
  const usage = await answer;
  return usage.type === 'cpu' ? usage.usage.user + usage.usage.system : 0;
}

/** Resolves when `done()` holds, checking every turn; fails after `ms`. */
async function until(done: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`${what}: not done within ${ms} ms`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A subscriber: counts the frames it cares about and their uncompressed bytes. */
class Client {
  frames = 0;
  payloadBytes = 0;
  /** Presence: the field each person edits, as this client last heard. */
  readonly fields = new Map<string, string>();
  private replies = new Map<string, () => void>();

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as Record<string, unknown>;
      if (typeof frame.replyTo === 'string') {
        this.replies.get(frame.replyTo)?.();
        this.replies.delete(frame.replyTo);
      }
      if (frame.type === 'presence.diff' || frame.type === 'event') {
        this.frames++;
        this.payloadBytes += data.byteLength;
      }
      if (frame.type === 'presence.diff') {
        for (const person of frame.upsert as {
          user: { id: string };
          activity: { field?: string };
        }[]) {
          this.fields.set(person.user.id, person.activity.field ?? '');
        }
      }
    });
  }

  get bytesRead(): number {
    return (this.ws as unknown as { _socket: Socket })._socket.bytesRead;
  }

  static async connect(url: string, id: number): Promise<Client> {
    // Like a browser, which compresses every frame it sends once deflate is negotiated (the `ws`
    // client's default would leave frames under 1 KB alone).
    const ws = new WebSocket(url, { perMessageDeflate: { threshold: 0 } });
    await once(ws, 'open');
    const client = new Client(ws);
    await client.request({
      type: 'hello',
      v: PROTOCOL_VERSION,
      clientId: `device-${id}`,
      devUser: {
        id: `user-${id}`,
        name: `Person Number ${id}`,
        avatarUrl: `https://avatars.example.com/u/${id}.png`,
      },
    });
    await client.request({
      type: 'join',
      room: ROOM,
      presence: { status: 'online', activity: { kind: 'viewing' } },
    });
    return client;
  }

  private next = 0;
  request(frame: Record<string, unknown>): Promise<void> {
    const id = `r${++this.next}`;
    const answered = new Promise<void>((resolve) => this.replies.set(id, resolve));
    this.ws.send(JSON.stringify({ ...frame, id }));
    return answered;
  }

  send(frame: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(frame));
  }
}

/** An entity change as the kit broadcasts it: a customer record, one field changed. */
function entityChange(version: number): Record<string, unknown> {
  return {
    entity: {
      type: 'customer',
      id: '42',
      version,
      fields: {
        name: 'Northwind Traders',
        legalName: 'Northwind Traders Limited',
        stage: version % 2 ? 'qualified' : 'proposal',
        owner: 'Alice Martin',
        email: 'purchasing@northwind.example.com',
        phone: '+44 20 7946 0958',
        street: '12 Harbour Road',
        city: 'Bristol',
        postcode: 'BS1 5TY',
        country: 'United Kingdom',
        industry: 'Wholesale food and beverages',
        employees: 240,
        annualRevenue: 18_400_000,
        website: 'https://northwind.example.com',
        notes: `Renewal discussed on the call; they want the new pricing tiers before the board meets. Follow up ${version}.`,
        tags: ['key account', 'renewal', 'EMEA'],
        billingContact: 'Mara Jensen, Head of Procurement',
        paymentTerms: 'Net 45, invoiced quarterly in advance',
        nextStep: 'Send the revised proposal with the volume discount and the SLA appendix',
        lastContactedAt: 1_764_800_000_000 + version,
      },
      updatedAt: 1_764_900_000_000 + version,
    },
    changed: ['stage', 'notes'],
    previous: { stage: version % 2 ? 'proposal' : 'qualified', notes: 'Renewal discussed.' },
    mutationId: `m-${version}-6f1c2a9e`,
    by: { id: 'alice', name: 'Alice Martin', avatarUrl: 'https://avatars.example.com/u/a.png' },
    source: 'client',
  };
}

async function presencePhase(clients: Client[], from: number, steps: number): Promise<void> {
  for (let step = from; step < from + steps; step++) {
    const actor = clients[step % ACTORS]!;
    const id = `user-${step % ACTORS}`;
    const field = `field-${step}`;
    actor.send({
      type: 'presence',
      room: ROOM,
      state: { status: 'online', activity: { kind: 'editing', field } },
    });
    await until(() => clients.every((c) => c.fields.get(id) === field), `presence step ${step}`);
  }
}

async function feedPhase(
  publisher: Client,
  clients: Client[],
  from: number,
  count: number,
): Promise<void> {
  const target = clients.map((c) => c.frames + count);
  let inFlight: Promise<void>[] = [];
  for (let i = from; i < from + count; i++) {
    inFlight.push(
      publisher.request({
        type: 'emit',
        room: ROOM,
        event: 'record.changed',
        payload: entityChange(i),
      }),
    );
    if (inFlight.length >= WINDOW) {
      await inFlight.shift();
    }
  }
  await Promise.all(inFlight);
  inFlight = [];
  await until(() => clients.every((c, i) => c.frames >= target[i]!), 'feed delivered');
}

async function runCase(scenario: Scenario, setting: Setting): Promise<Result> {
  const child = fork(
    new URL('./compression-server.ts', import.meta.url),
    [JSON.stringify(setting.server)],
    { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const started = reply(child, 'ready');
  try {
    const ready = await started;
    if (ready.type !== 'ready') throw new Error('server did not start');
    const url = `ws://127.0.0.1:${ready.port}/`;
    const clients: Client[] = [];
    for (let i = 0; i < N; i++) clients.push(await Client.connect(url, i));
    const publisher = await Client.connect(url, N);
    const warm = scenario === 'presence' ? 100 : 300;
    const measured = scenario === 'presence' ? 600 : 1200;
    const run = (from: number, count: number) =>
      scenario === 'presence'
        ? presencePhase(clients, from, count)
        : feedPhase(publisher, clients, from, count);
    await run(0, warm);
    const sum = (f: (c: Client) => number) => clients.reduce((total, c) => total + f(c), 0);
    const before = {
      cpu: await cpuOf(child),
      bytes: sum((c) => c.bytesRead),
      frames: sum((c) => c.frames),
      payload: sum((c) => c.payloadBytes),
    };
    await run(warm, measured);
    const cpu = (await cpuOf(child)) - before.cpu;
    const deliveries = sum((c) => c.frames) - before.frames;
    for (const c of [...clients, publisher]) c.ws.terminate();
    return {
      scenario,
      setting: setting.name,
      deliveries,
      payloadBytes: (sum((c) => c.payloadBytes) - before.payload) / deliveries,
      wireBytes: (sum((c) => c.bytesRead) - before.bytes) / deliveries,
      cpuUs: cpu / deliveries,
    };
  } finally {
    child.send({ type: 'stop' } satisfies ToServer);
    await once(child, 'exit');
  }
}

async function main(): Promise<void> {
  const all: Result[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate the order per round, so a warming machine does not favour one setting.
    const order = round % 2 ? [...SETTINGS].reverse() : SETTINGS;
    for (const scenario of ['presence', 'feed'] as const) {
      for (const setting of order) all.push(await runCase(scenario, setting));
    }
  }
  const rows: Result[] = [];
  for (const scenario of ['presence', 'feed'] as const) {
    for (const setting of SETTINGS) {
      const runs = all.filter((r) => r.scenario === scenario && r.setting === setting.name);
      rows.push({
        scenario,
        setting: setting.name,
        deliveries: median(runs.map((r) => r.deliveries)),
        payloadBytes: median(runs.map((r) => r.payloadBytes)),
        wireBytes: median(runs.map((r) => r.wireBytes)),
        cpuUs: median(runs.map((r) => r.cpuUs)),
      });
    }
  }
  if (JSON_OUT) {
    process.stdout.write(`${JSON.stringify({ n: N, rounds: ROUNDS, rows }, null, 2)}\n`);
    return;
  }
  const lines = [
    `N = ${N} members, ${ROUNDS} round(s), medians; ratios against "off" in the same run`,
    '',
    '| room | setting | payload B/delivery | wire B/delivery | wire ratio | server CPU µs/delivery | CPU ratio |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    const base = rows.find((r) => r.scenario === row.scenario && r.setting === 'off')!;
    lines.push(
      `| ${row.scenario} | ${row.setting} | ${row.payloadBytes.toFixed(0)} | ${row.wireBytes.toFixed(0)} | ${(row.wireBytes / base.wireBytes).toFixed(2)} | ${row.cpuUs.toFixed(2)} | ${(row.cpuUs / base.cpuUs).toFixed(2)} |`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
