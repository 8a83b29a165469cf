/**
 * A private redis-server for one test file: its own temporary directory, loopback only, a free
 * port, no persistence, stopped by pid. Never the machine's system-wide Redis, so tests cannot see
 * each other's keys or leave data behind.
 *
 *   const redis = await startRedis();
 *   … createServer({ redisUrl: redis.url }) …
 *   await redis.stop();
 *
 * `stop()` then `restart()` takes Redis away and brings it back on the same port, for the tests
 * of what a process does while Redis is down (its data is gone, as after a real crash without
 * persistence).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { freePort } from './free-port.js';

export interface RedisInstance {
  readonly url: string;
  readonly port: number;
  /** Pid of the running redis-server, undefined while stopped. */
  readonly pid: number | undefined;
  /** Kills the server (SIGKILL when `hard`, else SIGTERM) and waits for it to exit. */
  stop(options?: { hard?: boolean }): Promise<void>;
  /** Starts it again on the same port after `stop()`. */
  restart(): Promise<void>;
  /** Stops it and removes its directory. */
  dispose(): Promise<void>;
}

const REDIS_SERVER = process.env.REDIS_SERVER ?? 'redis-server';

export async function startRedis(
  options: {
    /** More `redis-server` arguments (`--rename-command TIME ""`). */ args?: string[];
  } = {},
): Promise<RedisInstance> {
  const dir = mkdtempSync(join(tmpdir(), 'crm-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;

  const launch = async (): Promise<void> => {
    const started = spawn(
      REDIS_SERVER,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
        '--protected-mode',
        'yes',
        '--loglevel',
        'warning',
        ...(options.args ?? []),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    started.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const failed = new Promise<never>((_, reject) => {
      started.once('error', (error) =>
        reject(
          new Error(
            `could not start ${REDIS_SERVER} (apt-get install redis-server): ${error.message}`,
          ),
        ),
      );
      started.once('exit', (code) =>
        reject(
          new Error(`redis-server exited with ${code} before accepting connections: ${stderr}`),
        ),
      );
    });
    failed.catch(() => {});
    child = started;
    await Promise.race([waitForPing(port), failed]);
  };

  const stop = async ({ hard = false }: { hard?: boolean } = {}): Promise<void> => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill(hard ? 'SIGKILL' : 'SIGTERM');
    await exited;
  };

  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return child?.pid;
    },
    stop,
    restart: launch,
    dispose: async () => {
      await stop({ hard: true });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves once the server answers PING with PONG (retrying while the port refuses). */
function waitForPing(port: number): Promise<void> {
  return new Promise((resolve) => {
    const attempt = (): void => {
      const socket = connect(port, '127.0.0.1');
      let answer = '';
      socket.on('connect', () => socket.write('PING\r\n'));
      socket.on('data', (chunk) => {
        answer += chunk.toString();
        if (answer.includes('+PONG')) {
          socket.destroy();
          resolve();
        }
      });
      socket.on('error', () => {
        socket.destroy();
        // Not listening yet: ask again shortly (a poll interval, not a wait for a duration).
        setTimeout(attempt, 20);
      });
    };
    attempt();
  });
}
