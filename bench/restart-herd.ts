/**
 * Restart herd (`node --import tsx bench/restart-herd.ts`), issue 13 item 5's experiment: 1,000
 * real `RealtimeClient`s (default backoff) in 50 rooms × 20 on the real server (`main.ts --dev`, a
 * child process, file database in a temporary directory). The server gets SIGTERM (`bye` with its
 * `reconnectMs`), its port stays closed about 2.6 s, and it starts again on the same port. Prints, from the moment it
 * listens again, the clients back (connected again after the bye) per 100 ms, the largest share in
 * any 1-second window, when the last came back, and the failed tries while it was down, against
 * the issue's targets: no 1-second window above 25 %, 100 % back within 8 s.
 *
 * Flags: --clients 1000   --rooms 50   --down-ms 2600   (bounded: every wait has a deadline)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { RealtimeClient } from '../src/client/index.js';
import { ManualEnvironment } from '../src/testing/index.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name);
  const n = i === -1 ? NaN : Number(process.argv[i + 1]);
  return Number.isFinite(n) && n > 0 ? n : fallback;
};
const CLIENTS = Math.min(arg('--clients', 1000), 5000);
const ROOMS = arg('--rooms', 50);
const DOWN_MS = arg('--down-ms', 2600);
const DEADLINE_MS = 120_000;

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function startServer(
  dataDir: string,
  port: number,
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/server/main.ts',
      '--dev',
      '--quiet',
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
      '--data-dir',
      dataDir,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CRM_API_KEYS: '' } },
  );
  let output = '';
  const listening = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30_000);
    const collect = (d: Buffer): void => {
      output += d.toString();
      const match = /WebSocket:\s+ws:\/\/[^:]+:(\d+)\//.exec(output);
      if (!match) return;
      clearTimeout(timer);
      resolve(Number(match[1]));
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
  return { child, port: listening };
}

interface Herder {
  client: RealtimeClient;
  /** Socket attempts (each factory call), with their times. */
  attempts: number[];
  backAt?: number;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'crm-herd-'));
  const firstStart = Date.now();
  let server = await startServer(dir, 0);
  // The child takes seconds to start (tsx compiles main.ts): the restart is spawned early by that
  // much, so the port is closed for about --down-ms, as in the experiment.
  const startupMs = Date.now() - firstStart;
  const url = `ws://127.0.0.1:${server.port}/realtime`;
  const herd: Herder[] = [];
  let restarted = false;
  try {
    for (let i = 0; i < CLIENTS; i++) {
      const h: Herder = { attempts: [] } as unknown as Herder;
      h.client = new RealtimeClient({
        url,
        devUser: { id: `herd-${i}`, name: `Herd ${i}` },
        clientId: `herd-device-${i}`,
        environment: new ManualEnvironment(),
        scheduleFrame: (cb) => void setTimeout(cb, 0),
        socketFactory: (u) => {
          h.attempts.push(Date.now());
          const ws = new WebSocket(u);
          // A socket the client abandons (closed while connecting) may still report its error.
          ws.on('error', () => undefined);
          return ws;
        },
      });
      h.client.joinRoom(`herd-room-${i % ROOMS}`);
      // Back: open again after the connection the bye closed (`open` follows the welcome).
      let down = false;
      h.client.onStatus((status) => {
        if (!restarted) return;
        if (status.state !== 'open') down = true;
        else if (down && h.backAt === undefined) h.backAt = Date.now();
      });
      herd.push(h);
    }
    await until(() => herd.every((h) => h.client.status.state === 'open'), 'all connected');
    await until(() => herd.every((h) => h.client.heldRooms().size === 1), 'all in their rooms');
    console.log(`${CLIENTS} clients in ${ROOMS} rooms connected; SIGTERM`);

    const attemptsBefore = herd.map((h) => h.attempts.length);
    restarted = true;
    const exited = once(server.child, 'exit');
    const stoppedAt = Date.now();
    server.child.kill('SIGTERM');
    await exited;
    // The experiment's downtime, measured from the stop (a bench, not a test: a fixed wait here is
    // the scenario, not a synchronization).
    const early = DOWN_MS - startupMs - (Date.now() - stoppedAt);
    await new Promise((r) => setTimeout(r, Math.max(0, early)));
    const startAt = Date.now();
    server = await startServer(dir, server.port);
    const printedAt = Date.now();
    await until(() => herd.every((h) => h.backAt !== undefined), 'all back');
    // The herd's own handshakes delay reading the child's "listening" line (one event loop), so
    // the server counts as back at the earlier of that line and the first client back.
    const backAt = Math.min(printedAt, ...herd.map((h) => h.backAt!));

    const times = herd.map((h) => h.backAt! - backAt).sort((a, b) => a - b);
    const failedWhileDown = herd.map(
      (h, i) => h.attempts.filter((t, k) => k >= attemptsBefore[i]! && t < backAt).length,
    );
    const buckets = new Map<number, number>();
    for (const t of times) {
      const b = Math.max(-1, Math.floor(t / 100));
      buckets.set(b, (buckets.get(b) ?? 0) + 1);
    }
    let maxWindow = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[j]! < times[i]! - 999) j++;
      maxWindow = Math.max(maxWindow, i - j + 1);
    }
    const last = times.at(-1)!;
    console.log(
      `port closed ${backAt - stoppedAt} ms (spawned after ${startAt - stoppedAt} ms, ` +
        `listening line read ${printedAt - backAt} ms after the first client was back); load ${loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')} on ${cpus().length} CPUs`,
    );
    console.log('back per 100 ms after the server listened again (ms: clients):');
    for (const [b, n] of [...buckets].sort((x, y) => x[0] - y[0])) {
      const label = b < 0 ? '  before' : `${String(b * 100).padStart(6)}`;
      console.log(`${label} ${String(n).padStart(4)} ${'#'.repeat(Math.ceil(n / 5))}`);
    }
    const share = (100 * maxWindow) / CLIENTS;
    const tried = failedWhileDown.filter((n) => n > 0).length;
    console.log(
      `largest 1 s window: ${maxWindow} (${share.toFixed(1)} %), target ≤ 25 %: ${share <= 25 ? 'met' : 'MISSED'}`,
    );
    console.log(
      `last back after ${(last / 1000).toFixed(2)} s, target 100 % within 8 s: ${last <= 8000 ? 'met' : 'MISSED'}`,
    );
    console.log(
      `tries while down: ${tried} clients (${((100 * tried) / CLIENTS).toFixed(1)} %) tried, ` +
        `at most ${Math.max(...failedWhileDown)} each`,
    );
  } finally {
    for (const h of herd) h.client.close();
    if (server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await once(server.child, 'exit');
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
