/**
 * Starts the REAL reference server for end-to-end tests, exactly as `npm start` does
 * (`node --import tsx src/server/main.ts --dev`), on a free port with a throw-away data directory,
 * a short presence grace period and quiet logs. It can be stopped (SIGTERM, as an operator would)
 * and started again on the same port, so tests can watch clients reconnect.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the server serves `demo/` and `dist/` relative to it. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface ServerOptions {
  /** Presence grace period in ms (the server's `--grace-ms`). Default 1500. */
  graceMs?: number;
  /** Extra command-line flags. */
  args?: string[];
  /** Extra flags for Node itself (after `--import tsx`), e.g. another `--import`. */
  nodeArgs?: string[];
  /** Extra environment variables, on every start (e.g. `CRM_API_KEYS`). */
  env?: Record<string, string>;
  /** How long to wait for `/healthz`. Default 20 s (the first start compiles TypeScript). */
  startTimeoutMs?: number;
}

export interface TestServer {
  readonly port: number;
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  readonly dataDir: string;
  /** The running process' pid, undefined while stopped. */
  readonly pid: number | undefined;
  /** Starts the server (again) on the same port and waits for `/healthz`. */
  start(): Promise<void>;
  /** SIGTERM, then SIGKILL after `timeoutMs`; resolves when the process has exited. */
  stop(timeoutMs?: number): Promise<void>;
  /** Stops the server and removes the data directory. Safe to call twice. */
  dispose(): Promise<void>;
  /** The last lines the server printed, for failure messages. */
  output(): string;
}

/**
 * A port nobody listens on right now: any the system picks, or one of `E2E_PORT_RANGE`
 * (`45000-45999`) on a machine whose test runs share the ports.
 */
export async function freePort(): Promise<number> {
  const range = /^(\d+)-(\d+)$/.exec(process.env['E2E_PORT_RANGE'] ?? '');
  if (range) {
    const low = Number(range[1]);
    const size = Number(range[2]) - low + 1;
    const start = Math.floor(Math.random() * size);
    for (let i = 0; i < size; i++) {
      const port = low + ((start + i) % size);
      if (await canListen(port)) return port;
    }
    throw new Error(`no free port in ${range[0]}`);
  }
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const address = probe.address();
  probe.close();
  await once(probe, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startServer(options: ServerOptions = {}): Promise<TestServer> {
  const port = await freePort();
  const dataDir = await mkdtemp(join(tmpdir(), 'crm-e2e-'));
  const origin = `http://127.0.0.1:${port}`;
  const graceMs = options.graceMs ?? 1500;
  const startTimeoutMs = options.startTimeoutMs ?? 20_000;
  const lines: string[] = [];
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let disposed = false;

  const remember = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };

  const server: TestServer = {
    port,
    origin,
    dataDir,
    get pid() {
      return child?.exitCode === null && child.signalCode === null ? child.pid : undefined;
    },
    output: () => lines.slice(-40).join('\n'),

    async start() {
      if (server.pid !== undefined) throw new Error('server already running');
      const proc = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          ...(options.nodeArgs ?? []),
          'src/server/main.ts',
          '--dev',
          '--quiet',
          '--grace-ms',
          String(graceMs),
          ...(options.args ?? []),
        ],
        {
          cwd: ROOT,
          env: {
            ...process.env,
            ...options.env,
            PORT: String(port),
            DATA_DIR: dataDir,
            HOST: '127.0.0.1',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      child = proc;
      // Should the test process die without running its `after` hooks, take the server along.
      const orphan = () => proc.kill('SIGKILL');
      process.once('exit', orphan);
      proc.once('exit', () => process.removeListener('exit', orphan));
      proc.stdout?.on('data', remember);
      proc.stderr?.on('data', remember);
      exited = once(proc, 'exit').then(() => undefined);

      const deadline = Date.now() + startTimeoutMs;
      for (;;) {
        if (proc.exitCode !== null || proc.signalCode !== null) {
          throw new Error(
            `server exited (${proc.exitCode ?? proc.signalCode}):\n${server.output()}`,
          );
        }
        try {
          const response = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(1000) });
          if (response.ok) return;
        } catch {
          // Not listening yet.
        }
        if (Date.now() > deadline) {
          await server.stop();
          throw new Error(`no /healthz within ${startTimeoutMs} ms:\n${server.output()}`);
        }
        await sleep(100);
      }
    },

    async stop(timeoutMs = 5000) {
      const proc = child;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const killed = await Promise.race([
        exited.then(() => true),
        sleep(timeoutMs).then(() => false),
      ]);
      if (!killed) {
        proc.kill('SIGKILL');
        await exited;
      }
    },

    async dispose() {
      if (disposed) return;
      disposed = true;
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };

  try {
    await server.start();
  } catch (error) {
    await server.dispose();
    throw error;
  }
  return server;
}
