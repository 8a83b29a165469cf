import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { SqliteStorage } from '../../../src/server/sqlite-storage.js';
import { TestClient, until } from '../helpers/server-client.js';
import { alice, bob, startHarness } from '../helpers/server-harness.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('server shutdown', () => {
  test('close() sends bye and closes every client with 1001', async () => {
    const h = await startHarness({ shutdownReconnectMs: 4000 });
    const a = await h.connect(alice);
    const b = await h.connect(bob);
    await a.join('r:1');
    await h.server.close();
    for (const client of [a, b]) {
      assert.deepEqual(client.ofType('bye'), [
        { type: 'bye', reason: 'shutdown', reconnectMs: 4000 },
      ]);
      assert.equal((await client.waitClosed()).code, 1001);
    }
  });

  test('close() lets a save under way finish and publish before the storage and bus close', async () => {
    const storage = new SqliteStorage(':memory:');
    const lines: string[] = [];
    const log = (msg: string) => void lines.push(msg);
    let waiting = false;
    const h = await startHarness({
      storage,
      shutdownTimeoutMs: 30_000,
      logger: {
        debug: () => {},
        info: (msg) => void (waiting ||= msg.startsWith('shutdown: waiting for requests')),
        warn: log,
        error: log,
      },
    });
    await h.server.entities.update({
      type: 'customer',
      id: '42',
      fields: { name: 'Acme' },
      source: 'backend',
      create: true,
    });
    // From here on, a write waits for the test to let it through.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let writing = false;
    const events: string[] = [];
    const write = storage.writeEntity.bind(storage);
    storage.writeEntity = async (request) => {
      writing = true;
      await gate;
      const result = await write(request);
      events.push('written');
      return result;
    };
    const close = storage.close.bind(storage);
    storage.close = async () => {
      events.push('storage closed');
      await close();
    };
    h.server.entities.onChange(() => events.push('published'));
    const a = await h.connect(alice);
    a.send({
      type: 'entity.update',
      id: 'u1',
      mutationId: 'mutation-at-shutdown',
      entityType: 'customer',
      entityId: '42',
      baseVersion: 1,
      fields: { name: 'Acme Ltd' },
    });
    await until(() => writing, 5_000, 'the save to reach the storage');
    const closed = h.server.close();
    await a.waitClosed();
    await until(() => waiting || events.length > 0, 5_000, 'shutdown to wait for the save');
    assert.deepEqual(events, [], 'the storage stays open while the save is under way');
    release();
    await closed;
    assert.deepEqual(events, ['written', 'published', 'storage closed']);
    assert.deepEqual(
      lines.filter((line) => !line.startsWith('development identities')),
      [],
      'no publish or storage failure',
    );
  });

  test(
    'SIGTERM to the real server (main.ts): bye, close 1001, exit 0',
    { timeout: 30_000 },
    async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'crm-sigterm-'));
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          'src/server/main.ts',
          '--dev',
          '--quiet',
          '--port',
          '0',
          '--host',
          '127.0.0.1',
        ],
        {
          cwd: ROOT,
          env: { ...process.env, DATA_DIR: dataDir },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let output = '';
      // The address is printed for people on stderr (stdout carries the JSON log lines).
      let onOutput = (): void => {};
      const collect = (chunk: Buffer): void => {
        output += chunk.toString();
        onOutput();
      };
      child.stdout.on('data', collect);
      child.stderr.on('data', collect);
      const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
      try {
        const port = await new Promise<number>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`no address printed:\n${output}`)),
            20_000,
          );
          onOutput = () => {
            const match = /demo: http:\/\/[^:]+:(\d+)\//.exec(output);
            if (match) {
              clearTimeout(timer);
              resolve(Number(match[1]));
            }
          };
          onOutput();
        });
        assert.match(output, /DEVELOPMENT IDENTITIES ARE ON/);
        const client = await TestClient.connect(`ws://127.0.0.1:${port}/realtime`, { user: alice });
        await client.join('customer:1');

        child.kill('SIGTERM');
        const bye = await client.next((f) => f.type === 'bye', 10_000);
        assert.equal(bye.type === 'bye' && bye.reason, 'shutdown');
        assert.equal((await client.waitClosed(10_000)).code, 1001);
        const [code] = await exited;
        assert.equal(code, 0, output);
        await stat(join(dataDir, 'crm.sqlite')); // the database was created under DATA_DIR
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  );
});
