/**
 * A private nginx for one test file: its own temporary directory (configuration, pid, logs and
 * temporary files), loopback only, in the foreground as a child process, stopped by pid. Never
 * the machine's system-wide nginx.
 *
 *   const nginx = await startNginx(httpBlockText);
 *   … http://127.0.0.1:<port>/ …
 *   await nginx.dispose();
 *
 * `http` is what goes inside the `http { }` block (upstreams and servers); the test chooses the
 * ports its servers listen on (`freePort()`), and `startNginx` waits until every `listen`
 * address of it accepts connections.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface NginxInstance {
  /** Pid of the nginx master process. */
  readonly pid: number | undefined;
  /** What nginx wrote to its error log so far (warnings and errors). */
  errors(): string;
  /** Stops nginx (SIGQUIT: graceful; SIGTERM when `fast`), waits for it, removes its directory. */
  dispose(options?: { fast?: boolean }): Promise<void>;
}

const NGINX = process.env.NGINX ?? '/usr/sbin/nginx';

export async function startNginx(http: string): Promise<NginxInstance> {
  const dir = mkdtempSync(join(tmpdir(), 'crm-nginx-'));
  // Started as root, nginx runs its worker as `nobody`, which must reach the temporary files
  // (a proxied answer larger than its buffers goes there) inside this directory.
  chmodSync(dir, 0o755);
  const errorLog = join(dir, 'error.log');
  const temp = (name: string): string => join(dir, name);
  writeFileSync(
    join(dir, 'nginx.conf'),
    [
      'worker_processes 1;',
      `pid ${temp('nginx.pid')};`,
      `error_log ${errorLog} warn;`,
      'events { worker_connections 1024; }',
      'http {',
      '  access_log off;',
      `  client_body_temp_path ${temp('body')};`,
      `  proxy_temp_path ${temp('proxy')};`,
      `  fastcgi_temp_path ${temp('fastcgi')};`,
      `  uwsgi_temp_path ${temp('uwsgi')};`,
      `  scgi_temp_path ${temp('scgi')};`,
      http,
      '}',
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(
    NGINX,
    ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error) =>
      reject(new Error(`could not start ${NGINX} (apt-get install nginx): ${error.message}`)),
    );
    child.once('exit', (code) =>
      reject(new Error(`nginx exited with ${code} before accepting connections: ${stderr}`)),
    );
  });
  failed.catch(() => {});
  const ports = [...http.matchAll(/^\s*listen\s+127\.0\.0\.1:(\d+)/gm)].map((m) => Number(m[1]));
  try {
    await Promise.race([Promise.all(ports.map(waitForListen)), failed]);
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  const readErrors = (): string => {
    try {
      return readFileSync(errorLog, 'utf8');
    } catch {
      return '';
    }
  };

  return {
    get pid() {
      return child.pid;
    },
    errors: readErrors,
    dispose: async ({ fast = false } = {}) => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill(fast ? 'SIGTERM' : 'SIGQUIT');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves once something accepts connections on 127.0.0.1:`port` (retrying while refused). */
function waitForListen(port: number): Promise<void> {
  return new Promise((resolve) => {
    const attempt = (): void => {
      const socket = connect(port, '127.0.0.1');
      socket.on('connect', () => {
        socket.destroy();
        resolve();
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
