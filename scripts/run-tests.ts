/**
 * Runs every `*.test.ts` under the given folders, at any depth, through Node's test runner.
 *
 * Node 20 does not expand globs in `node --test`, and the tests mirror `src/` in nested folders,
 * so a flat `test/node/*.test.ts` would silently skip every test in a subfolder. Files run one at
 * a time (`--test-concurrency=1`): many start servers, browsers or databases of their own.
 *
 *   node --import tsx scripts/run-tests.ts test/node [more folders or files…]
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Every test file under `path` (or `path` itself), sorted so runs are repeatable. */
export function testFiles(path: string): string[] {
  if (statSync(path).isFile()) return [path];
  const found: string[] = [];
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) {
      // Helpers and fixtures live beside the tests; node_modules of example apps never hold ours.
      if (entry.name === 'node_modules') continue;
      found.push(...testFiles(child));
    } else if (entry.name.endsWith('.test.ts')) {
      found.push(child);
    }
  }
  return found.sort();
}

const roots = process.argv.slice(2);
if (roots.length === 0) {
  console.error('usage: node --import tsx scripts/run-tests.ts <folder or file>…');
  process.exit(2);
}
const files = roots.flatMap((root) => testFiles(root)).map((file) => relative('.', file));
if (files.length === 0) {
  console.error(`run-tests: no *.test.ts under ${roots.join(', ')}`);
  process.exit(1);
}
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', ...files],
  { stdio: 'inherit' },
);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => child.kill(signal));
}
