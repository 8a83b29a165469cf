/**
 * An acknowledged change survives a crash: the real server (`src/server/main.ts`) runs as a child
 * process on a temporary data directory, acknowledges changes, is killed with SIGKILL (no chance
 * to flush anything), restarts on the same directory and still has every acknowledged change; a
 * replayed mutation id is still answered as a duplicate.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FrameOf, ServerFrame } from '../../../src/protocol/index.js';
import { nextId, TestClient, updateCustomer } from '../helpers/server-client.js';
import { startMain } from '../helpers/main-process.js';

const START_MS = 20_000;
const alice = { id: 'alice', name: 'Alice Martin' };

interface Running {
  child: ChildProcess;
  url: string;
  output: () => string;
}

/** Starts main.ts on a free port and resolves once it prints its WebSocket address. */
async function start(dataDir: string): Promise<Running> {
  const args = ['--dev', '--seed-demo', '--port', '0', '--host', '127.0.0.1'];
  const { child, port, output } = await startMain(
    [...args, '--data-dir', dataDir, '--quiet'],
    START_MS,
  );
  return { child, url: `ws://127.0.0.1:${port}/realtime`, output };
}

async function crash(running: Running): Promise<void> {
  const exited = once(running.child, 'exit');
  running.child.kill('SIGKILL');
  const [, signal] = (await exited) as [number | null, string | null];
  assert.equal(signal, 'SIGKILL');
}

function ack(frame: ServerFrame): FrameOf<ServerFrame, 'entity.ack'> {
  assert.equal(frame.type, 'entity.ack', JSON.stringify(frame));
  return frame as FrameOf<ServerFrame, 'entity.ack'>;
}

describe('durability of acknowledged changes', () => {
  let dir: string;
  const children: ChildProcess[] = [];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crm-durability-'));
  });
  after(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  test('acknowledged changes survive kill -9 and a restart; replays stay duplicates', async () => {
    const first = await start(dir);
    children.push(first.child);
    const a = await TestClient.connect(first.url, { user: alice });
    const seeded = await a.request({
      type: 'entity.get',
      id: nextId('g'),
      entityType: 'customer',
      entityId: '42',
    });
    assert.equal(seeded.type, 'entity.snapshot', 'the demo seed is stored');
    const base = seeded.type === 'entity.snapshot' ? seeded.entity.version : 0;

    const firstAck = ack(await updateCustomer(a, { phone: '+44 1' }, base, 'durable-mutation-1'));
    // A burst, each acknowledged before the next; the kill follows the last ack at once.
    let version = firstAck.entity.version;
    for (let i = 2; i <= 20; i++) {
      version = ack(
        await updateCustomer(a, { nextStep: `step ${i}` }, version, `durable-mutation-${i}`),
      ).entity.version;
    }
    await crash(first);
    a.ws.terminate();

    const second = await start(dir);
    children.push(second.child);
    const b = await TestClient.connect(second.url, { user: alice });
    const after = await b.request({
      type: 'entity.get',
      id: nextId('g'),
      entityType: 'customer',
      entityId: '42',
    });
    assert.equal(after.type, 'entity.snapshot');
    assert.ok(after.type === 'entity.snapshot');
    assert.equal(after.entity.version, version, 'every acknowledged version is there');
    assert.equal(after.entity.fields['phone'], '+44 1');
    assert.equal(after.entity.fields['nextStep'], 'step 20');
    assert.deepEqual(after.entity.updatedBy, alice);

    const replay = ack(await updateCustomer(b, { phone: '+44 1' }, base, 'durable-mutation-1'));
    assert.equal(replay.duplicate, true);
    assert.deepEqual(replay.entity, firstAck.entity);
    // And nothing was applied twice.
    const again = await b.request({
      type: 'entity.get',
      id: nextId('g'),
      entityType: 'customer',
      entityId: '42',
    });
    assert.ok(again.type === 'entity.snapshot');
    assert.equal(again.entity.version, version);
    b.ws.terminate();
    second.child.kill('SIGTERM');
    await once(second.child, 'exit');
  });
});
