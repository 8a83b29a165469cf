/**
 * A private PostgreSQL server for one test file: `initdb` into a temporary directory, loopback
 * only, a free port, its socket in that directory, stopped by pid and removed afterwards. Never
 * the machine's own cluster.
 *
 * PostgreSQL refuses to run as root: when the tests run as root (CI does), the directory is given
 * to the `postgres` user the Debian package creates and both programs run as that user (spawned
 * with its uid, so the pid we hold is the postmaster's own and signals reach it directly).
 *
 *   const pg = await startPostgres();
 *   … createServer({ databaseUrl: pg.url }) …  // or pg.createDatabase('other') for a clean one
 *   await pg.dispose();
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.js';

export interface PostgresInstance {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  readonly url: string;
  readonly port: number;
  readonly pid: number | undefined;
  /** Creates an empty database and returns its URL (one per test, for isolation). */
  createDatabase(name: string): Promise<string>;
  /** Stops the server (SIGKILL when `hard`, else a fast shutdown) and waits for it to exit. */
  stop(options?: { hard?: boolean }): Promise<void>;
  /** Starts it again on the same port and data directory after `stop()`. */
  restart(): Promise<void>;
  /** Stops it and removes its data directory. */
  dispose(): Promise<void>;
}

/** The newest PostgreSQL the distribution installed, e.g. /usr/lib/postgresql/15/bin. */
export function postgresBin(): string {
  if (process.env.POSTGRES_BIN) return process.env.POSTGRES_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
    : [];
  versions.sort((a, b) => Number(a) - Number(b));
  const newest = versions.at(-1);
  if (!newest) {
    throw new Error(
      'PostgreSQL is not installed: apt-get install -y --no-install-recommends postgresql',
    );
  }
  return join(root, newest, 'bin');
}

const asRoot = process.getuid?.() === 0;

/** The uid/gid to run PostgreSQL's programs as: the `postgres` user when we are root. */
function identity(): Pick<SpawnOptions, 'uid' | 'gid'> {
  if (!asRoot) return {};
  const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) {
    throw new Error('running as root needs the postgres user (apt-get install postgresql)');
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

export interface PostgresOptions {
  /**
   * Keep PostgreSQL's durable defaults (fsync, synchronous commit, full-page writes) instead of
   * the test settings, e.g. to compare write throughput with SQLite's synchronous=FULL.
   */
  durable?: boolean;
}

export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresInstance> {
  const dir = mkdtempSync(join(tmpdir(), 'crm-postgres-'));
  const data = join(dir, 'data');
  const user = identity();
  if (user.uid !== undefined && user.gid !== undefined) chownSync(dir, user.uid, user.gid);
  const init = spawnSync(
    join(postgresBin(), 'initdb'),
    ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'],
    // initdb must not inherit a working directory the postgres user cannot read (e.g. /root/…).
    { encoding: 'utf8', cwd: dir, ...user },
  );
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);

  const port = await freePort();
  let child: ChildProcess | undefined;

  const launch = async (): Promise<void> => {
    const args = [
      '-D',
      data,
      '-p',
      String(port),
      '-k',
      dir,
      '-c',
      'listen_addresses=127.0.0.1',
      // A test database: durability across a machine crash is not what is under test, speed is.
      ...(options.durable
        ? []
        : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
      '-c',
      'max_connections=200',
    ];
    const started = spawn(join(postgresBin(), 'postgres'), args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      cwd: dir,
      ...user,
    });
    let stderr = '';
    started.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const failed = new Promise<never>((_, reject) => {
      started.once('error', (error) =>
        reject(new Error(`could not start postgres: ${error.message}`)),
      );
      started.once('exit', (code) =>
        reject(new Error(`postgres exited with ${code} before accepting connections: ${stderr}`)),
      );
    });
    failed.catch(() => {});
    child = started;
    await Promise.race([waitForQuery(port), failed]);
  };

  const stop = async ({ hard = false }: { hard?: boolean } = {}): Promise<void> => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    // SIGINT is PostgreSQL's "fast" shutdown; SIGKILL a crash (its backends then exit on their
    // own once they notice the postmaster is gone).
    running.kill(hard ? 'SIGKILL' : 'SIGINT');
    await exited;
  };

  await launch();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    port,
    get pid() {
      return child?.pid;
    },
    createDatabase: async (name) => {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    stop,
    restart: launch,
    dispose: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves once the server answers a query (retrying while it starts up). */
async function waitForQuery(port: number): Promise<void> {
  for (;;) {
    const client = new pg.Client({
      host: '127.0.0.1',
      port,
      user: 'postgres',
      database: 'postgres',
    });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch {
      await client.end().catch(() => {});
      // Starting up or not listening yet: ask again shortly (a poll interval, not a duration wait).
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
