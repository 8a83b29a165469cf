/**
 * What the server process (`src/server/main.ts`) tells its operator at start.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MIGRATIONS } from '../../../src/server/migrations.js';
import { SqliteStorage } from '../../../src/server/sqlite-storage.js';
import { startMain } from '../helpers/main-process.js';

const START_MS = 20_000;

describe('server process start', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crm-main-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('on a database a newer release migrated, it starts and warns that it is behind', async () => {
    const dataDir = join(dir, 'ahead');
    const newer = new SqliteStorage(join(dataDir, 'crm.sqlite'), [
      ...MIGRATIONS,
      { version: 99, name: 'add tags', sql: 'ALTER TABLE entities ADD COLUMN tags TEXT' },
    ]);
    await newer.close();

    const { child, output } = await startMain(
      ['--dev', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir],
      START_MS,
    );
    try {
      const warning = output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .find((entry) => entry['schemaVersion'] === 99);
      assert.ok(warning, `no warning about the schema in:\n${output()}`);
      assert.equal(warning['level'], 'warn');
      assert.equal(warning['knownSchemaVersion'], MIGRATIONS.at(-1)!.version);
      assert.match(String(warning['msg']), /newer than this server's/);
    } finally {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
  });

  test('on a database in step with it, it says nothing about the schema', async () => {
    const { child, output } = await startMain(
      ['--dev', '--port', '0', '--host', '127.0.0.1', '--data-dir', join(dir, 'fresh')],
      START_MS,
    );
    try {
      assert.doesNotMatch(output(), /schemaVersion/);
    } finally {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
  });
});
