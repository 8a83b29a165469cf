/**
 * The package as users get it: `npm pack` of the current build (dist/ must be built: `npm run
 * build && npm run build:types`, as `npm test` does before these tests), extracted, and installed
 * into a fresh app directory with npm, as a front-end app would install it.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const run = promisify(execFile);

export interface Packed {
  /** The .tgz file. */
  tarball: string;
  /** The extracted tarball (`package/`). */
  dir: string;
  /** Paths inside the tarball, relative to the package root. */
  files: string[];
}

const made: string[] = [];

/**
 * A fresh directory, removed when this test process exits, passed or failed: each app installs
 * the package and its dependencies (about 30 MB), so runs that left them filled the disk.
 */
export function tempDir(prefix: string, base = tmpdir()): string {
  const dir = mkdtempSync(join(base, prefix));
  if (made.push(dir) === 1) {
    process.on('exit', () => {
      for (const each of made) rmSync(each, { recursive: true, force: true });
    });
  }
  return dir;
}

let packed: Promise<Packed> | undefined;

/** Packs the package once per process (`--ignore-scripts`: the tests run after the build). */
export function pack(): Promise<Packed> {
  packed ??= (async () => {
    for (const file of ['dist/npm/index.js', 'dist/npm/index.d.ts', 'dist/kit/define.js']) {
      if (!existsSync(join(ROOT, file))) {
        throw new Error(`${file} is missing: run \`npm run build && npm run build:types\` first`);
      }
    }
    const out = tempDir('crm-pack-');
    const { stdout } = await run(
      'npm',
      ['pack', '--ignore-scripts', '--json', '--pack-destination', out],
      { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
    );
    const [info] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
    if (!info) throw new Error('npm pack printed no result');
    const tarball = join(out, info.filename);
    await run('tar', ['xzf', tarball, '-C', out]);
    return { tarball, dir: join(out, 'package'), files: info.files.map((f) => f.path).sort() };
  })();
  return packed;
}

/**
 * A fresh app with the packed tarball installed by npm (its dependencies come from the registry
 * or npm's cache). Returns the app's directory.
 */
export async function installIntoApp(extra: Record<string, string> = {}): Promise<string> {
  const { tarball } = await pack();
  const app = tempDir('crm-app-');
  mkdirSync(join(app, 'src'));
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'app', private: true, type: 'module', dependencies: extra }, null, 2),
  );
  await run(
    'npm',
    ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'],
    { cwd: app, maxBuffer: 16 * 1024 * 1024 },
  );
  return app;
}

export function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** Tool binaries of this repository (esbuild, attw, publint), run against the packed package. */
export const bin = (name: string) => resolve(ROOT, 'node_modules/.bin', name);
