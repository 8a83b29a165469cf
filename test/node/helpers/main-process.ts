/**
 * The real server (`src/server/main.ts`) as a child process, for tests of what only a process
 * shows: a crash with SIGKILL, a restart on the same data directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export interface MainProcess {
  child: ChildProcess;
  /** The port it printed in its WebSocket address. */
  port: number;
  /** Everything it wrote to stdout and stderr so far. */
  output: () => string;
  /** What it wrote to stdout alone so far. */
  stdout: () => string;
}

/**
 * Starts main.ts with `args` (API keys from the environment cleared) and resolves once it prints
 * its WebSocket address; rejects, with what it printed, if it exits first or takes longer than
 * `timeoutMs` (then it is killed).
 */
export function startMain(args: readonly string[], timeoutMs: number): Promise<MainProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CRM_API_KEYS: '' },
  });
  let output = '';
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  return new Promise<MainProcess>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const collect = (d: Buffer): void => {
      output += d.toString();
      const match = /WebSocket:\s+ws:\/\/[^:]+:(\d+)\//.exec(output);
      if (!match) return;
      clearTimeout(timer);
      resolve({ child, port: Number(match[1]), output: () => output, stdout: () => stdout });
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${output}`));
    });
  });
}

/**
 * Runs main.ts with `args` when it is expected to stop by itself (a setting refused at start):
 * resolves with its exit code and everything it printed.
 */
export async function runMainToExit(
  args: readonly string[],
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CRM_API_KEYS: '' },
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output };
}

/** Stops it as an orchestrator would (SIGTERM) and resolves once it has exited. */
export async function stopMain(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}
