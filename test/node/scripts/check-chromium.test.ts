import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkChromium, chromiumPath } from '../../../scripts/check-chromium.js';

const script = join(dirname(fileURLToPath(import.meta.url)), '../../../scripts/check-chromium.ts');

describe('npm test checks for Chromium first', () => {
  test('CHROME_PATH wins, then CHROMIUM_PATH, then /usr/bin/chromium', () => {
    assert.equal(chromiumPath({ CHROME_PATH: '/a', CHROMIUM_PATH: '/b' }), '/a');
    assert.equal(chromiumPath({ CHROMIUM_PATH: '/b' }), '/b');
    assert.equal(chromiumPath({}), '/usr/bin/chromium');
  });

  test('a missing browser is one clear line naming the package and CHROME_PATH, and exit 1', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], {
      env: { ...process.env, CHROME_PATH: '/nonexistent/chromium' },
      encoding: 'utf8',
    });
    assert.equal(run.status, 1);
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0]!, /no Chromium at \/nonexistent\/chromium/);
    assert.match(lines[0]!, /apt-get install chromium/);
    assert.match(lines[0]!, /CHROME_PATH/);
  });

  test('a file that is not executable is reported as no Chromium there', () => {
    const dir = mkdtempSync(join(tmpdir(), 'crm-chromium-'));
    const file = join(dir, 'chromium');
    writeFileSync(file, 'not a browser', { mode: 0o644 });
    const result = checkChromium(file);
    rmSync(dir, { recursive: true });
    assert.equal(result.ok, false);
    assert.ok(
      !result.ok && result.message.includes(`no Chromium at ${file}`),
      JSON.stringify(result),
    );
  });

  test('a program that fails to print a version is named in one line, not a stack trace', () => {
    const result = checkChromium('/bin/false');
    assert.equal(result.ok, false);
    const message = result.ok ? '' : result.message;
    assert.match(message, /^npm test: \/bin\/false \(CHROME_PATH\) did not run: /);
    assert.equal(message.split('\n').length, 1, message);
  });

  test('a present browser prints its version', () => {
    const result = checkChromium(process.execPath);
    assert.deepEqual(result, { ok: true, version: process.version });
  });
});
