/**
 * The protocol's server tests again, with every harness server on its own private Redis
 * (`CRM_TEST_REDIS=1`, see test/node/helpers/server-harness.ts): the Redis bus and shared presence
 * must pass what the in-memory ones pass. Each file runs in a child `node --test`, as `npm test`
 * would run it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';

const FILES = [
  'test/node/server/rooms.test.ts',
  'test/node/server/presence.test.ts',
  'test/node/server/resume.test.ts',
  'test/node/server/replay-bytes.test.ts',
  'test/node/server/limits.test.ts',
  'test/node/server/hostile-input.test.ts',
  'test/node/server/entities/entities.test.ts',
  'test/node/server/notifications/notifications.test.ts',
  'test/node/server/notifications/unread-counts.test.ts',
  'test/node/server/activity/activity.test.ts',
  'test/node/server/http-api.test.ts',
  'test/node/server/auth.test.ts',
];

function run(file: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', file],
      { env: { ...process.env, CRM_TEST_REDIS: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('the protocol server tests on Redis', () => {
  for (const file of FILES) {
    it(file, { timeout: 300_000 }, async () => {
      const { code, output } = await run(file);
      assert.equal(code, 0, `${file} failed on Redis:\n${output.slice(-4000)}`);
    });
  }
});
