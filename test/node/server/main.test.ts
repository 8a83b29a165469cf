/**
 * What the server process (`src/server/main.ts`) tells its operator at start.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MIGRATIONS } from '../../../src/server/migrations.js';
import { SqliteStorage } from '../../../src/server/sqlite-storage.js';
import { FLAGS } from '../../../src/server/config.js';
import { runMainToExit, startMain, stopMain } from '../helpers/main-process.js';

const START_MS = 20_000;

/** The JSON log lines a process wrote. */
function logLines(output: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('server process start', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crm-main-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('--help lists every flag and exits 0 without starting', async () => {
    // An operator's first command; it used to be refused ("--help needs a value", exit code 2).
    const { code, output } = await runMainToExit(['--help']);
    assert.equal(code, 0);
    for (const [name] of FLAGS) assert.match(output, new RegExp(`^  ${name}\\b`, 'm'), name);
    assert.doesNotMatch(output, /listening/);
  });

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
      const warning = logLines(output()).find((entry) => entry['schemaVersion'] === 99);
      assert.ok(warning, `no warning about the schema in:\n${output()}`);
      assert.equal(warning['level'], 'warn');
      assert.equal(warning['knownSchemaVersion'], MIGRATIONS.at(-1)!.version);
      assert.match(String(warning['msg']), /newer than this server's/);
    } finally {
      await stopMain(child);
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
      await stopMain(child);
    }
  });

  test('it logs which integrations are on, their URLs without query strings', async () => {
    // The webhook secret is read from the environment only: the child gets a copy of this
    // process's environment when it is spawned, at once, so it is set just for that.
    process.env['CRM_WEBHOOK_SECRET'] = 'webhook-secret-for-the-test';
    const started = startMain(
      [
        ...['--dev', '--no-seed', '--port', '0', '--host', '127.0.0.1'],
        ...['--data-dir', join(dir, 'integrations')],
        // A user and password in a URL are refused at start (config.test.ts); a query string
        // can still carry a secret.
        ...['--entity-backend-url', 'http://127.0.0.1:9/api?key=s3cret'],
        ...['--authorize-url', 'https://crm.example.com/realtime/authorize'],
        ...['--webhook-url', 'https://hooks.example.com/crm?token=s3cret'],
      ],
      START_MS,
    );
    delete process.env['CRM_WEBHOOK_SECRET'];
    const { child, output } = await started;
    try {
      const line = logLines(output()).find((entry) => entry['msg'] === 'integrations');
      assert.ok(line, `no integrations line in:\n${output()}`);
      assert.equal(line['level'], 'info');
      assert.equal(line['writeThrough'], 'http://127.0.0.1:9/api');
      assert.equal(line['authorizeCallback'], 'https://crm.example.com/realtime/authorize');
      assert.equal(line['webhooks'], 'https://hooks.example.com/crm');
      assert.doesNotMatch(output(), /s3cret/);
    } finally {
      await stopMain(child);
    }
  });

  test('a misspelled CRM_ variable is named in a warning, with the setting it stands for', async () => {
    // Read by nobody, this starts the server without webhooks; the operator is told at start.
    process.env['CRM_WEBHOOKS_URL'] = 'https://hooks.example.com/crm';
    const started = startMain(
      ['--dev', '--no-seed', '--port', '0', '--host', '127.0.0.1', '--data-dir', join(dir, 'typo')],
      START_MS,
    );
    delete process.env['CRM_WEBHOOKS_URL'];
    const { child, output } = await started;
    try {
      const line = logLines(output()).find((entry) => entry['variable'] === 'CRM_WEBHOOKS_URL');
      assert.ok(line, `no warning about CRM_WEBHOOKS_URL in:\n${output()}`);
      assert.equal(line['level'], 'warn');
      assert.match(String(line['msg']), /unknown setting/);
      assert.equal(line['didYouMean'], 'CRM_WEBHOOK_URL');
    } finally {
      await stopMain(child);
    }
  });

  test('a --static folder that is not there is named in a warning', async () => {
    const missing = join(dir, 'no-such-build');
    const { child, output } = await startMain(
      [
        ...['--dev', '--no-seed', '--port', '0', '--host', '127.0.0.1'],
        ...['--data-dir', join(dir, 'static'), '--static', missing, '--static', dir],
      ],
      START_MS,
    );
    try {
      const lines = logLines(output()).filter((entry) => String(entry['msg']).startsWith('static'));
      assert.deepEqual(
        lines.map((entry) => [entry['level'], entry['dir']]),
        [['warn', missing]],
        output(),
      );
    } finally {
      await stopMain(child);
    }
  });

  test('the address it prints is the demo only when it serves the demo', async () => {
    const base = ['--dev', '--no-seed', '--port', '0', '--host', '127.0.0.1'];
    const banners: string[] = [];
    for (const args of [
      ['--data-dir', join(dir, 'banner-demo')],
      ['--data-dir', join(dir, 'banner-none'), '--no-static'],
      ['--data-dir', join(dir, 'banner-own'), '--static', dir],
    ]) {
      const { child, output } = await startMain([...base, ...args], START_MS);
      try {
        banners.push(
          /^ {2}crm-realtime.*$/m.exec(output())?.[0].replace(/:\d+\//, ':<port>/') ?? '',
        );
      } finally {
        await stopMain(child);
      }
    }
    assert.deepEqual(banners, [
      '  crm-realtime demo: http://127.0.0.1:<port>/',
      '  crm-realtime:      http://127.0.0.1:<port>/ (no static files)',
      `  crm-realtime:      http://127.0.0.1:<port>/ (pages from ${dir})`,
    ]);
  });

  test('stdout carries JSON lines only, in production as with --dev', async () => {
    // A log shipper parses stdout line by line; the addresses printed for a person at a terminal
    // were on stdout too, five lines that were not JSON at every start.
    process.env['CRM_JWT_SECRET'] = 'x'.repeat(32);
    const started = startMain(
      ['--no-seed', '--port', '0', '--host', '127.0.0.1', '--data-dir', join(dir, 'json')],
      START_MS,
    );
    delete process.env['CRM_JWT_SECRET'];
    const { child, stdout, output } = await started;
    try {
      await stopMain(child);
      const lines = stdout()
        .split('\n')
        .filter((line) => line !== '');
      assert.ok(
        lines.some((line) => line.includes('"listening"')),
        output(),
      );
      for (const line of lines) {
        assert.doesNotThrow(() => JSON.parse(line), `not a JSON line on stdout: ${line}`);
      }
      assert.match(output(), /WebSocket:\s+ws:\/\/127\.0\.0\.1:\d+\//);
    } finally {
      await stopMain(child);
    }
  });

  test('with none configured, it logs that each is off', async () => {
    const { child, output } = await startMain(
      ['--dev', '--no-seed', '--port', '0', '--host', '127.0.0.1', '--data-dir', join(dir, 'none')],
      START_MS,
    );
    try {
      const line = logLines(output()).find((entry) => entry['msg'] === 'integrations');
      assert.ok(line, `no integrations line in:\n${output()}`);
      assert.deepEqual(
        [line['writeThrough'], line['authorizeCallback'], line['webhooks']],
        ['off', 'off', 'off'],
      );
    } finally {
      await stopMain(child);
    }
  });
});
