/**
 * The protocol's server test files again, with every harness server storing in PostgreSQL
 * (`CRM_TEST_DATABASE=postgres`: see `helpers/server-harness.ts`, one private PostgreSQL per file
 * and a fresh database per server). The same assertions that hold on SQLite hold there: entities
 * and the merge rules, mutation ids, activity and notifications with their history and
 * retention, rooms and resume, the HTTP API. Each file runs in a child `node --test` process, as
 * `npm test` runs it on SQLite.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, test } from 'node:test';

const FILES = [
  'test/node/server/entities/entities.test.ts',
  'test/node/server/activity/activity.test.ts',
  'test/node/server/activity/activity-entities.test.ts',
  'test/node/server/notifications/notifications.test.ts',
  'test/node/server/notifications/notifications-history.test.ts',
  'test/node/server/http-api.test.ts',
  'test/node/server/resume.test.ts',
  'test/node/server/rooms.test.ts',
];

function runOnPostgres(file: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=dot', file],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, CRM_TEST_DATABASE: 'postgres' },
      },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

describe('server test files on PostgreSQL', () => {
  for (const file of FILES) {
    test(file, async () => {
      const { code, output } = await runOnPostgres(file);
      assert.equal(code, 0, `${file} failed on PostgreSQL:\n${output.slice(-4000)}`);
    });
  }
});
