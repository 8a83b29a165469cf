/**
 * A private coturn TURN server for one test file: loopback only, in the foreground as a child
 * process with its own temporary directory, stopped by pid. It takes time-limited credentials made
 * from `secret` (`use-auth-secret`), as a deployment would set it up beside the server.
 *
 *   const turn = await startCoturn('a-secret-of-16-chars');
 *   await turn.allocates(username, credential); // true when coturn grants a relay
 *   await turn.dispose();
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

export interface CoturnInstance {
  readonly pid: number | undefined;
  /** `turn:127.0.0.1:<port>`. */
  readonly url: string;
  /**
   * Whether coturn grants a relay to these credentials (over TCP, one allocation, one message
   * relayed), as a browser's ICE agent asks for one.
   */
  allocates(username: string, credential: string): Promise<boolean>;
  dispose(): Promise<void>;
}

const TURNSERVER = process.env.TURNSERVER ?? '/usr/bin/turnserver';
const UCLIENT = process.env.TURNUTILS_UCLIENT ?? '/usr/bin/turnutils_uclient';

export async function startCoturn(secret: string): Promise<CoturnInstance> {
  const dir = mkdtempSync(join(tmpdir(), 'crm-coturn-'));
  const port = await freePort();
  // Relayed addresses come from a range of its own; coturn takes whichever of them are free.
  const relayFrom = 40_000 + (port % 20_000);
  const child: ChildProcess = spawn(
    TURNSERVER,
    [
      '-n',
      '--listening-ip=127.0.0.1',
      '--relay-ip=127.0.0.1',
      `--listening-port=${port}`,
      `--min-port=${relayFrom}`,
      `--max-port=${relayFrom + 200}`,
      '--use-auth-secret',
      `--static-auth-secret=${secret}`,
      '--realm=crm-realtime.test',
      '--no-tls',
      '--no-dtls',
      '--no-cli',
      '--allow-loopback-peers',
      `--pidfile=${join(dir, 'turnserver.pid')}`,
      '--log-file=stdout',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error) =>
      reject(new Error(`could not start ${TURNSERVER} (apt-get install coturn): ${error.message}`)),
    );
    void exited.then(() => reject(new Error(`turnserver exited before listening: ${output}`)));
  });
  failed.catch(() => {});
  try {
    await Promise.race([waitForListen(port), failed]);
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    pid: child.pid,
    url: `turn:127.0.0.1:${port}`,
    allocates: (username, credential) =>
      new Promise((resolve) => {
        execFile(
          UCLIENT,
          ['-t', '-u', username, '-w', credential, '-p', String(port), '-n', '1', '-m', '1'].concat(
            ['-y', '-c', '127.0.0.1'],
          ),
          { timeout: 20_000 },
          (error) => resolve(error === null),
        );
      }),
    async dispose() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves once something accepts TCP connections on 127.0.0.1:`port`. */
async function waitForListen(port: number): Promise<void> {
  for (;;) {
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (accepted) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
