/**
 * An app team's own tests of their pages, on `crm-realtime/testing` as installed from the packed
 * tarball, in the runner such teams use (Vitest, its node, jsdom and happy-dom environments): the
 * files in helpers/app-tests/ are copied into the app, type-checked there (TypeScript's `bundler`
 * and `node16` resolution) and run. They pin what a test of a page needs from the fake: a rig
 * works under `vi.useFakeTimers()`, so does `waitFor` (which their DOM tests wait with), a test's
 * offline edit does not reach the next test's server, a closed fake server holds no timer, and a
 * dismissed toast raises no warning of Lit's development build, which Vitest loads.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { bin, installIntoApp } from './helpers/packed.js';

const run = promisify(execFile);
const FIXTURES = new URL('./helpers/app-tests/', import.meta.url);
const FILES = readdirSync(FIXTURES).filter((name) => name.endsWith('.ts'));
const TESTS = FILES.filter((name) => name.endsWith('.test.ts'));

let app: string;

before(async () => {
  app = await installIntoApp({
    vitest: '^4.1.12',
    jsdom: '^29.1.1',
    'happy-dom': '^21.0.4',
    'fake-indexeddb': '^6.2.8',
  });
  for (const name of FILES) copyFileSync(new URL(name, FIXTURES), join(app, 'src', name));
});

/** The app's tsconfig, with the module resolution under test. */
function tsconfig(resolution: 'bundler' | 'node16'): string {
  const file = join(app, `tsconfig.${resolution}.json`);
  const module = resolution === 'bundler' ? 'esnext' : 'node16';
  const compilerOptions = {
    target: 'es2022',
    module,
    moduleResolution: resolution,
    lib: ['es2023', 'dom'],
    types: [],
    strict: true,
    noEmit: true,
  };
  writeFileSync(file, JSON.stringify({ compilerOptions, include: ['src'] }));
  return file;
}

describe("an app's own Vitest tests on crm-realtime/testing", () => {
  for (const resolution of ['bundler', 'node16'] as const) {
    it(`type-check with moduleResolution ${resolution}`, async () => {
      await run(bin('tsc'), ['-p', tsconfig(resolution)], { cwd: app, timeout: 120_000 }).catch(
        (error: { stdout?: string }) => assert.fail(error.stdout ?? String(error)),
      );
    });
  }

  it('pass, each test', async () => {
    const report = join(app, 'vitest-report.json');
    const outcome = await run(
      join(app, 'node_modules/.bin/vitest'),
      ['run', '--reporter=json', `--outputFile=${report}`, '--testTimeout=10000'],
      { cwd: app, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 },
    ).catch((error: { stdout?: string; stderr?: string }) => error);
    const { testResults } = JSON.parse(readFileSync(report, 'utf8')) as {
      testResults: { name: string; assertionResults: { title: string; status: string }[] }[];
    };
    const results = testResults.flatMap((file) =>
      file.assertionResults.map((t) => `${file.name.split('/').at(-1)}: ${t.title}: ${t.status}`),
    );
    assert.equal(testResults.length, TESTS.length, JSON.stringify(outcome));
    assert.deepEqual(
      results.filter((r) => !r.endsWith(': passed')),
      [],
      'stderr' in outcome ? outcome.stderr : '',
    );
  });
});
