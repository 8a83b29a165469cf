/**
 * Entity saves per second on PostgreSQL against SQLite, in one run
 * (`node --import tsx bench/storage-writes.ts`):
 * what `Storage.writeEntity` sustains as the server calls it for a client's save (a base version,
 * a mutation id, the activity item written in the change's transaction).
 *
 * Both stores are durable as shipped: SQLite a WAL file in a temporary directory (a save counts
 * once its WAL fsync is done, as the server answers it); PostgreSQL a private server (`test/services/postgres.ts`) with its durable defaults
 * (fsync, synchronous commit), its data directory on the same disk, over loopback TCP.
 *
 * Phases, each on fresh entities:
 * - `serial`: one save at a time (a save's latency is what bounds it);
 * - `parallel`: `--writers` saves in flight at once, each writer on its own entity (many people
 *   saving different records; PostgreSQL overlaps them on its pool, SQLite runs them one by one);
 * - `contended`: the same number of writers all on one entity, each on its own fields from the
 *   version it last saw (they merge; PostgreSQL queues them on the row lock). Conflicts are
 *   counted: any would mean a lost update.
 * For PostgreSQL, `parallel` also runs on two stores (two pools, as two processes would have).
 *
 * Flags: --saves 2000 (per phase)   --writers 16   --pool 10
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Storage } from '../src/server/storage.js';
import { SqliteStorage } from '../src/server/sqlite-storage.js';
import { PostgresStorage } from '../src/server/postgres/postgres-storage.js';
import { startPostgres } from '../test/services/postgres.js';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

const SAVES = flag('--saves', 2000);
const WRITERS = flag('--writers', 16);
const POOL = flag('--pool', 10);
const user = { id: 'alice', name: 'Alice Martin' };

interface Result {
  perSecond: number;
  p50: number;
  p99: number;
  conflicts: number;
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

let entityCounter = 0;

async function create(storage: Storage, id: string): Promise<void> {
  await storage.writeEntity({
    type: 'customer',
    id,
    fields: { name: `Customer ${id}`, phone: '+33 1 00 00 00 00', status: 'lead' },
    source: 'backend',
    create: true,
    at: Date.now(),
  });
}

/** One client save as the entity service makes it, with its activity item in the transaction. */
async function save(
  storage: Storage,
  id: string,
  baseVersion: number,
  n: number,
  writer: number,
): Promise<{ version: number; conflict: boolean }> {
  const activity = storage.activity;
  const result = await storage.writeEntity({
    type: 'customer',
    id,
    // Each writer its own fields: on a shared entity the saves merge (people editing different
    // fields of one record), so a conflict here would be a lost update's symptom.
    fields: {
      [`phone${writer}`]: `+33 1 ${String(n).padStart(8, '0')}`,
      [`note${writer}`]: `save ${n}`,
    },
    baseVersion,
    mutationId: `bench-${id}-${n}`,
    by: user,
    source: 'client',
    at: Date.now(),
    inTransaction: activity?.appendNow
      ? (change) => {
          activity.appendNow!({
            kind: 'entity.updated',
            at: change.at,
            actor: user,
            entity: { type: 'customer', id },
            customerId: id,
            changes: change.changed.map((field) => ({ field, to: change.next[field] ?? null })),
          });
        }
      : undefined,
  });
  // Durable before the server would answer: SQLite flushes its entity commits after them.
  await storage.entityWritesDurable?.();
  if (result.outcome === 'applied') return { version: result.entity.version, conflict: false };
  if (result.outcome === 'conflict') return { version: result.current.version, conflict: true };
  throw new Error(`unexpected outcome ${result.outcome}`);
}

/** `writers` loops of saves, each on its own entity (or all on one), `SAVES` in all. */
async function phase(stores: Storage[], writers: number, sameEntity: boolean): Promise<Result> {
  const shared = `e${++entityCounter}`;
  const ids = Array.from({ length: writers }, () => (sameEntity ? shared : `e${++entityCounter}`));
  for (const id of new Set(ids)) await create(stores[0]!, id);
  const latencies: number[] = [];
  let conflicts = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    ids.map(async (id, w) => {
      const store = stores[w % stores.length]!;
      let version = 1;
      for (let n = next++; n < SAVES; n = next++) {
        const t = performance.now();
        const outcome = await save(store, id, version, n, w);
        latencies.push(performance.now() - t);
        version = outcome.version;
        if (outcome.conflict) conflicts++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    perSecond: SAVES / seconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    conflicts,
  };
}

function row(engine: string, name: string, r: Result, baseline?: Result): string {
  const ratio = baseline ? `${(r.perSecond / baseline.perSecond).toFixed(2)}×` : '1.00×';
  return [
    engine.padEnd(22),
    name.padEnd(10),
    `${Math.round(r.perSecond)}`.padStart(8),
    ratio.padStart(8),
    r.p50.toFixed(2).padStart(8),
    r.p99.toFixed(2).padStart(8),
    String(r.conflicts).padStart(9),
  ].join(' ');
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'crm-bench-storage-'));
  const postgres = await startPostgres({ durable: true });
  const url = await postgres.createDatabase('bench');
  const sqlite = new SqliteStorage(join(dir, 'crm.sqlite'));
  const pgOne = await PostgresStorage.open({ url, poolSize: POOL });
  const pgTwo = await PostgresStorage.open({ url, poolSize: POOL });
  try {
    // Warm both (JIT, connections, first pages) before measuring.
    await phase([sqlite], 1, false);
    await phase([pgOne], WRITERS, false);
    const results: [string, string, Result, Result | undefined][] = [];
    const sqliteSerial = await phase([sqlite], 1, false);
    const sqliteParallel = await phase([sqlite], WRITERS, false);
    const sqliteContended = await phase([sqlite], WRITERS, true);
    results.push(['SQLite (FULL, WAL)', 'serial', sqliteSerial, undefined]);
    results.push(['SQLite (FULL, WAL)', 'parallel', sqliteParallel, undefined]);
    results.push(['SQLite (FULL, WAL)', 'contended', sqliteContended, undefined]);
    results.push(['PostgreSQL 1 pool', 'serial', await phase([pgOne], 1, false), sqliteSerial]);
    results.push([
      'PostgreSQL 1 pool',
      'parallel',
      await phase([pgOne], WRITERS, false),
      sqliteParallel,
    ]);
    results.push([
      'PostgreSQL 1 pool',
      'contended',
      await phase([pgOne], WRITERS, true),
      sqliteContended,
    ]);
    results.push([
      'PostgreSQL 2 pools',
      'parallel',
      await phase([pgOne, pgTwo], WRITERS, false),
      sqliteParallel,
    ]);
    results.push([
      'PostgreSQL 2 pools',
      'contended',
      await phase([pgOne, pgTwo], WRITERS, true),
      sqliteContended,
    ]);
    console.log(
      `entity saves: ${SAVES} per phase, ${WRITERS} writers, pool ${POOL}; ` +
        `${cpus().length} cores, load ${loadavg()[0]!.toFixed(2)}, node ${process.version}`,
    );
    console.log(
      `${'engine'.padEnd(22)} ${'phase'.padEnd(10)} ${'saves/s'.padStart(8)} ${'vs SQLite'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'conflicts'.padStart(9)}`,
    );
    for (const [engine, name, r, base] of results) console.log(row(engine, name, r, base));
  } finally {
    await pgOne.close();
    await pgTwo.close();
    await sqlite.close();
    await postgres.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
