/**
 * The Node examples of docs/testing.md (every ```ts block that runs with `node:test`) run as
 * written there (only their imports of `crm-realtime/testing` and `crm-realtime/client` point at
 * the sources): a user copying one gets passing tests.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const doc = readFileSync(join(root, 'docs/testing.md'), 'utf8');
const examples = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)]
  .map((m) => m[1]!)
  .filter((code) => code.includes("from 'node:test'"));
const source = (entry: string) => JSON.stringify(pathToFileURL(join(root, 'src', entry)).href);

test('docs/testing.md has its Node examples: the createRig one first, then the recipes', () => {
  assert.ok(examples.length >= 2, `${examples.length} node:test examples`);
  assert.match(examples[0]!, /shows who else is on the customer/);
});

for (const [index, example] of examples.entries()) {
  const name = /test\('([^']+)'/.exec(example)?.[1];
  test(`docs/testing.md: the example "${name}" and the ones with it pass`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'crm-docs-testing-'));
    try {
      const file = join(dir, `example-${index}.test.ts`);
      writeFileSync(
        file,
        example
          .replace("'crm-realtime/testing'", source('testing/index.ts'))
          .replace("'crm-realtime/client'", source('client-entry.ts')),
      );
      // Without the parent's test-runner context, the child reports in plain TAP.
      const { NODE_TEST_CONTEXT: _, ...env } = process.env;
      const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', file], {
        cwd: root,
        encoding: 'utf8',
        env,
        timeout: 60_000,
      });
      assert.equal(run.status, 0, run.stdout + run.stderr);
      const tests = example.match(/^test\(/gm)?.length ?? 0;
      assert.match(run.stdout, new RegExp(`# pass ${tests}\\n`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
