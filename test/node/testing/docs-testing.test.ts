/**
 * The Node example of docs/testing.md runs as written there (only its import of
 * `crm-realtime/testing` points at the sources): a user copying it gets a passing test.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

test('docs/testing.md: the createRig example passes', () => {
  const doc = readFileSync(join(root, 'docs/testing.md'), 'utf8');
  const example = /```ts\n([\s\S]*?)```/.exec(doc)?.[1];
  assert.ok(example?.includes("from 'crm-realtime/testing'"), 'the first ts block is the example');
  const testing = pathToFileURL(join(root, 'src/testing/index.ts')).href;
  const dir = mkdtempSync(join(tmpdir(), 'crm-docs-testing-'));
  try {
    const file = join(dir, 'example.test.ts');
    writeFileSync(file, example!.replace("'crm-realtime/testing'", JSON.stringify(testing)));
    // Without the parent's test-runner context, the child reports in plain TAP.
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', file], {
      cwd: root,
      encoding: 'utf8',
      env,
    });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /# pass 1/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
