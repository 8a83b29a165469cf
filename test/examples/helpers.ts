/**
 * Runs the apps in examples/ as their users would: `npm ci` from each example's own lockfile
 * (registry packages, not the kit's `npm ci`), the packed kit installed from its tarball with
 * `npm install <tgz> --no-save` (so the lockfiles stay stable while the tarball changes with
 * every build), then the framework's own checker and build. Every step is bounded by a timeout
 * and a failure names the example, the step and the output's last lines.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../e2e/helpers/server.js';

export const EXAMPLES = join(ROOT, 'examples');

export const MINUTE = 60_000;

/** How long each step of each example took, printed at the end of the run. */
export const timings: string[] = [];

export interface StepResult {
  code: number | null;
  output: string;
}

/**
 * Runs `command args` in `examples/<example>`, at most `timeoutMs`. Resolves with the exit code
 * and output; `check` (default) turns a non-zero exit or a timeout into an error that says which
 * step of which example failed.
 */
export function step(
  example: string,
  name: string,
  command: string,
  args: readonly string[],
  { timeoutMs, check = true }: { timeoutMs: number; check?: boolean },
): Promise<StepResult> {
  const cwd = join(EXAMPLES, example);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: {
        ...process.env,
        // No prompts, no colours in what we parse and print, no analytics.
        CI: '1',
        NG_CLI_ANALYTICS: 'false',
        NO_COLOR: '1',
        FORCE_COLOR: '0',
        npm_config_fund: 'false',
        npm_config_audit: 'false',
        npm_config_update_notifier: 'false',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      // The whole process group: npm and ng start children of their own.
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, timeoutMs);
    // Should the test process die mid-step, take the step along.
    const orphan = () => child.pid !== undefined && process.kill(-child.pid, 'SIGKILL');
    process.once('exit', orphan);
    child.once('error', (error) => {
      clearTimeout(timer);
      process.removeListener('exit', orphan);
      reject(new Error(`examples/${example}: ${name} could not start: ${error.message}`));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      process.removeListener('exit', orphan);
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      timings.push(`examples/${example}: ${name} ${seconds} s`);
      const output = Buffer.concat(chunks).toString('utf8');
      const tail = output.trimEnd().split('\n').slice(-40).join('\n');
      if (timedOut) {
        reject(
          new Error(
            `examples/${example}: ${name} timed out after ${timeoutMs / 1000} s (${[command, ...args].join(' ')})\n${tail}`,
          ),
        );
      } else if (check && code !== 0) {
        reject(
          new Error(
            `examples/${example}: ${name} failed with exit code ${code} (${[command, ...args].join(' ')})\n${tail}`,
          ),
        );
      } else {
        resolve({ code, output });
      }
    });
  });
}

/** A tool installed in the example (`node_modules/.bin/<name>`). */
export const exampleBin = (example: string, name: string) =>
  join(EXAMPLES, example, 'node_modules', '.bin', name);

/**
 * `npm ci`, then the kit's tarball. `npm ci` is skipped when node_modules was installed from this
 * very lockfile by an earlier run (a stamp in node_modules, which a fresh clone does not have);
 * `CRM_EXAMPLES_FRESH=1` forces it.
 */
export async function install(example: string, tarball: string): Promise<void> {
  const dir = join(EXAMPLES, example);
  const lock = readFileSync(join(dir, 'package-lock.json'));
  const digest = createHash('sha256').update(lock).digest('hex');
  const stamp = join(dir, 'node_modules', '.crm-example-installed');
  const fresh =
    process.env['CRM_EXAMPLES_FRESH'] === '1' ||
    !existsSync(stamp) ||
    readFileSync(stamp, 'utf8') !== digest;
  if (fresh) {
    await step(example, 'npm ci', 'npm', ['ci'], { timeoutMs: 10 * MINUTE });
    writeFileSync(stamp, digest);
  } else {
    timings.push(`examples/${example}: npm ci skipped (node_modules matches package-lock.json)`);
  }
  await step(example, 'install the packed kit', 'npm', ['install', tarball, '--no-save'], {
    timeoutMs: 5 * MINUTE,
  });
}

/**
 * The lines under each `<!-- expect-error: … -->` marker of a probe file, for checkers that have
 * no `@ts-expect-error` of their own (Angular templates).
 */
export function expectedErrorLines(file: string): number[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((line, index) => (/^\s*<!-- expect-error:/.test(line) ? [index + 2] : []));
}

export interface DevServer {
  /** The page's origin, e.g. `http://127.0.0.1:4200`. */
  origin: string;
  /** Stops the server (its whole process group) and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Starts a framework's dev server in `examples/<example>` (`ng serve --port …`) and resolves once
 * it prints the address it serves (`Local: http://…`), at most `timeoutMs`; a server that exits
 * or stays silent that long fails with its output's last lines.
 */
export function serve(
  example: string,
  command: string,
  args: readonly string[],
  { timeoutMs }: { timeoutMs: number },
): Promise<DevServer> {
  const started = Date.now();
  const child = spawn(command, args, {
    cwd: join(EXAMPLES, example),
    env: { ...process.env, CI: '1', NG_CLI_ANALYTICS: 'false', NO_COLOR: '1', FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const kill = () => child.pid !== undefined && child.exitCode === null && process.kill(-child.pid, 'SIGKILL');
  process.once('exit', kill);
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const stop = async () => {
    process.removeListener('exit', kill);
    kill();
    await exited;
  };
  let output = '';
  let settled = false;
  const tail = () => output.trimEnd().split('\n').slice(-40).join('\n');
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stop().then(() => reject(new Error(`examples/${example}: ${command} ${why}\n${tail()}`)));
    };
    const timer = setTimeout(() => fail(`printed no address in ${timeoutMs / 1000} s`), timeoutMs);
    // Read to the end, so a chatty server never blocks on a full pipe.
    const read = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-65_536);
      const address = /Local:\s+(https?:\/\/[^/\s]+)/.exec(output)?.[1];
      if (settled || !address) return;
      settled = true;
      clearTimeout(timer);
      timings.push(`examples/${example}: ${command} ${args[0] ?? ''} ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      resolve({ origin: address, stop });
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('error', (error) => fail(`could not start: ${error.message}`));
    child.once('close', (code) => fail(`exited (${code}) before it served`));
  });
}
