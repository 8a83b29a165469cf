/**
 * What a client's save costs the server as the size of its record grows, this tree against a
 * baseline tree, side by side in one process: `node --import tsx bench/save-serialize.ts
 * --baseline <dir>`, where `<dir>` holds the baseline's sources (for example
 * `git archive <commit> | tar -x -C /tmp/base` with `node_modules` linked into it).
 *
 * Each tree runs its own in-process reference server (its `createServer`, SQLite in memory
 * unless `--durable`, a write budget that charges every save and never refuses one); one `ws`
 * client saves one small field into a record of each size, one save at a time. A save's time is
 * the server's own, from the frame's arrival to its answer (the `crm-realtime:entity.save`
 * diagnostics channel): store, publish, ack, budget. The two trees take turns in blocks, in
 * alternating order, so drift on a shared machine falls on both.
 *
 * A second table times the changed work alone, per save, with each tree's `frame-fit.ts`: the
 * baseline measured the ack (`fitAck`), serialized it again to send it, and serialized the entity
 * and the update frame to charge the budget; this tree measures the ack once (`fitAckJson`) and
 * sends that text, and takes the UTF-8 length of the mutation answer the store wrote.
 *
 * Flags: --baseline <dir> (required)   --saves 400 (per block)   --blocks 6   --durable
 *   --parts-only: the second table alone
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { WebSocket } from 'ws';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
}

const baseline = flag('--baseline');
if (!baseline) {
  console.error('usage: node --import tsx bench/save-serialize.ts --baseline <dir>');
  process.exit(2);
}
const SAVES = Number(flag('--saves') ?? 400);
const BLOCKS = Number(flag('--blocks') ?? 6);
const DURABLE = process.argv.includes('--durable');
const ROOT = resolve(import.meta.dirname, '..');

/** The records' notes; the table gives each record's size as JSON (UTF-8 bytes). */
const RECORDS: { name: string; notes: string }[] = [
  { name: 'ASCII', notes: 'n'.repeat(800) },
  { name: 'ASCII', notes: 'n'.repeat(20_000) },
  { name: 'ASCII', notes: 'n'.repeat(60_000) },
  { name: 'euro signs', notes: '€'.repeat(20_000) },
];
/** UTF-8 bytes of the entity in the last ack received. */
let recordBytes = 0;

interface Server {
  listen(port: number, host: string): Promise<{ port: number }>;
  close(): Promise<void>;
  entities: { update(input: Record<string, unknown>): Promise<{ kind: string }> };
}
interface Tree {
  name: string;
  createServer(options: Record<string, unknown>): Server;
  sqlite: new (path: string) => unknown;
}

async function loadTree(name: string, root: string): Promise<Tree> {
  const at = (path: string) => pathToFileURL(join(root, path)).href;
  const server = (await import(at('src/server/server.ts'))) as Pick<Tree, 'createServer'>;
  const storage = (await import(at('src/server/sqlite-storage.ts'))) as {
    SqliteStorage: Tree['sqlite'];
  };
  return { name, createServer: server.createServer, sqlite: storage.SqliteStorage };
}

interface Running {
  tree: Tree;
  server: Server;
  ws: WebSocket;
  version: number;
  dir: string | undefined;
}

async function start(tree: Tree, notes: string): Promise<Running> {
  const dir = DURABLE ? mkdtempSync(join(tmpdir(), 'save-serialize-')) : undefined;
  const server = tree.createServer({
    auth: { devIdentities: true },
    quiet: true,
    limits: { writeBytesPerMinute: 1e15, maxMessagesPerSecond: 1e9 },
    ...(dir ? { storage: new tree.sqlite(join(dir, 'crm.db')) } : {}),
  });
  const { port } = await server.listen(0, '127.0.0.1');
  await server.entities.update({
    type: 'customer',
    id: '42',
    fields: { name: 'Acme', notes },
    source: 'backend',
    create: true,
  });
  const ws = new WebSocket(`ws://127.0.0.1:${port}/realtime`);
  await new Promise((ok, fail) => ws.once('open', ok).once('error', fail));
  const running: Running = { tree, server, ws, version: 1, dir };
  await request(running, {
    type: 'hello',
    id: 'hello',
    v: 1,
    clientId: 'bench',
    devUser: { id: 'alice', name: 'Alice' },
  });
  return running;
}

function request(
  running: Running,
  frame: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  return new Promise((ok) => {
    const onMessage = (data: Buffer) => {
      const text = data.toString();
      const answer = JSON.parse(text) as Record<string, unknown>;
      if (answer.replyTo !== frame.id) return;
      if (answer.entity) recordBytes = Buffer.byteLength(JSON.stringify(answer.entity));
      running.ws.off('message', onMessage);
      ok(answer);
    };
    running.ws.on('message', onMessage);
    running.ws.send(JSON.stringify(frame));
  });
}

let ids = 0;
/** One block of saves; the server's times of them, in µs. */
async function block(running: Running): Promise<number[]> {
  const times: number[] = [];
  const onSave = (message: unknown) => {
    const t = message as { arrivedAt: number; answeredAt: number };
    times.push((t.answeredAt - t.arrivedAt) * 1000);
  };
  subscribe('crm-realtime:entity.save', onSave);
  try {
    for (let i = 0; i < SAVES; i++) {
      const id = `s${++ids}`;
      const answer = await request(running, {
        type: 'entity.update',
        id,
        mutationId: `mutation-${id}`,
        entityType: 'customer',
        entityId: '42',
        baseVersion: running.version,
        fields: { phone: `555 ${ids}` },
      });
      if (answer.type !== 'entity.ack') throw new Error(JSON.stringify(answer).slice(0, 300));
      running.version = (answer.entity as { version: number }).version;
    }
  } finally {
    unsubscribe('crm-realtime:entity.save', onSave);
  }
  return times;
}

async function stop(running: Running): Promise<void> {
  running.ws.terminate();
  await running.server.close();
  if (running.dir) rmSync(running.dir, { recursive: true, force: true });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

const trees = [await loadTree('baseline', resolve(baseline)), await loadTree('this tree', ROOT)];
const PARTS_ONLY = process.argv.includes('--parts-only');
console.log(
  `save-serialize: ${SAVES} saves × ${BLOCKS} blocks per tree and record, SQLite ${DURABLE ? 'on disk (durable)' : 'in memory'}; ` +
    `${cpus().length} × ${cpus()[0]?.model ?? '?'}, load ${loadavg()[0]!.toFixed(2)}, Node ${process.version}`,
);
if (!PARTS_ONLY) {
  console.log(
    '| record | baseline median / mean µs | this tree median / mean µs | ratio (median) |',
  );
  console.log('| --- | --- | --- | --- |');
}
for (const record of PARTS_ONLY ? [] : RECORDS) {
  const running = [await start(trees[0]!, record.notes), await start(trees[1]!, record.notes)];
  // Warm-up: the first block of each is not counted.
  for (const r of running) await block(r);
  const times: number[][] = [[], []];
  for (let b = 0; b < BLOCKS; b++) {
    const order = b % 2 === 0 ? [0, 1] : [1, 0];
    for (const i of order) times[i]!.push(...(await block(running[i]!)));
  }
  for (const r of running) await stop(r);
  const [old, now] = times as [number[], number[]];
  console.log(
    `| ${recordBytes} B, ${record.name} | ${median(old).toFixed(1)} / ${mean(old).toFixed(1)} | ` +
      `${median(now).toFixed(1)} / ${mean(now).toFixed(1)} | ${(median(now) / median(old)).toFixed(3)} |`,
  );
}

// The changed work alone.
type Ack = Record<string, unknown> & { entity: Record<string, unknown> };
const oldFit = (await import(
  pathToFileURL(join(resolve(baseline), 'src/domain/frame-fit.ts')).href
)) as {
  fitAck(answer: Ack, max: number, partial: boolean): Ack | undefined;
};
const newFit = (await import(pathToFileURL(join(ROOT, 'src/domain/frame-fit.ts')).href)) as {
  fitAckJson(answer: Ack, max: number, partial: boolean): { frame: Ack; json: string | undefined };
};
let sink = 0;
const FRAME_BYTES = 140;
const work = {
  baseline(ack: Ack, update: Record<string, unknown>): void {
    const fitted = oldFit.fitAck(ack, 65_536, true)!;
    const sent = JSON.stringify(fitted);
    const extra =
      Buffer.byteLength(JSON.stringify(ack.entity)) - Buffer.byteLength(JSON.stringify(update));
    sink += sent.length + extra;
  },
  now(ack: Ack, _update: Record<string, unknown>, answer: string): void {
    const fitted = newFit.fitAckJson(ack, 65_536, true);
    const sent = fitted.json ?? JSON.stringify(fitted.frame);
    // The frame's bytes were counted as it arrived, for the budget's take, in both trees.
    const extra = Buffer.byteLength(answer) - FRAME_BYTES;
    sink += sent.length + extra;
  },
};
function perCall(run: () => void): number {
  let n = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) run();
    const ms = performance.now() - t0;
    if (ms > 100) return (ms * 1000) / n;
    n *= 2;
  }
}
console.log('');
console.log('| record | baseline µs per save | this tree µs per save | ratio |');
console.log('| --- | --- | --- | --- |');
for (const record of RECORDS) {
  const entity = {
    type: 'customer',
    id: '42',
    version: 7,
    fields: { name: 'Acme', notes: record.notes, phone: '555 0100' },
    updatedAt: 1_765_000_000_000,
    updatedBy: { id: 'alice', name: 'Alice' },
  };
  const ack: Ack = {
    type: 'entity.ack',
    replyTo: 'u1',
    mutationId: 'mutation-1',
    entity,
    duplicate: false,
  };
  const update = {
    type: 'entity.update',
    id: 'u1',
    mutationId: 'mutation-1',
    entityType: 'customer',
    entityId: '42',
    baseVersion: 6,
    fields: { phone: '555 0100' },
  };
  const answer = JSON.stringify(entity);
  const old: number[] = [];
  const now: number[] = [];
  for (let round = 0; round < 7; round++) {
    old.push(perCall(() => work.baseline(ack, update)));
    now.push(perCall(() => work.now(ack, update, answer)));
  }
  console.log(
    `| ${Buffer.byteLength(answer)} B, ${record.name} | ${median(old).toFixed(2)} | ${median(now).toFixed(2)} | ${(median(now) / median(old)).toFixed(3)} |`,
  );
}
if (sink === 0) console.log(sink);
