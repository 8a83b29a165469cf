/**
 * Presence across processes: one person however many processes their tabs are on, a reload that
 * lands on another process shows no leave, and a process killed with SIGKILL has its people leave
 * after the grace period, as seen from the others.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { Person, ServerFrame } from '../../../../src/protocol/index.js';
import { alice, bob } from '../../helpers/server-harness.js';
import { nextId, TestClient, until } from '../../helpers/server-client.js';
import { startCluster, type Cluster } from './cluster.js';

/** The room as a client sees it: `joined` people, then every diff applied in order. */
function peopleSeen(client: TestClient, room: string): Map<string, Person> {
  const people = new Map<string, Person>();
  for (const frame of client.frames) {
    if (frame.type === 'joined' && frame.room === room) {
      people.clear();
      for (const p of frame.people) people.set(p.user.id, p);
    } else if (frame.type === 'presence.diff' && frame.room === room) {
      for (const id of frame.remove) people.delete(id);
      for (const p of frame.upsert) people.set(p.user.id, p);
    }
  }
  return people;
}

const removals = (frames: readonly ServerFrame[], room: string, userId: string): number =>
  frames.filter((f) => f.type === 'presence.diff' && f.room === room && f.remove.includes(userId))
    .length;

describe('presence across processes on Redis', () => {
  let cluster: Cluster;
  let redis: Redis;

  before(async () => {
    cluster = await startCluster(3, { redisHeartbeatMs: 100 });
    redis = new Redis(cluster.redis.url);
  });
  after(async () => {
    redis.disconnect();
    await cluster.close();
  });

  /** Waits until no part of `userId` in `room` belongs to a process other than the live ones. */
  const parts = async (room: string, userId: string): Promise<number> => {
    const hash = await redis.hgetall(`crm:person:${room.length}:${room}:${userId}`);
    return Object.keys(hash).filter((k) => k !== '_v').length;
  };

  /** A barrier: an event published after everything else reaches `client`, then a round trip. */
  const settle = async (sender: TestClient, client: TestClient, room: string): Promise<void> => {
    const marker = nextId('m');
    await sender.request({ type: 'emit', id: nextId('e'), room, event: 'mark', payload: marker });
    await client.next((f) => f.type === 'event' && f.room === room && f.payload === marker);
    await client.sync();
  };

  it('shows one person for tabs on different processes, counting every tab', async () => {
    const room = 'customer:1';
    const [p1, p2, p3] = cluster.nodes;
    const watcher = await p3!.connect(bob);
    await watcher.join(room);
    const laptop = await p1!.connect(alice, 'alice-laptop');
    await laptop.join(room);
    const phone = await p2!.connect(alice, 'alice-phone');
    const joined = await phone.join(room);
    // The joiner on another process sees alice's other tab in its snapshot already.
    assert.ok(joined.people.some((p) => p.user.id === 'alice'));
    await until(
      () => peopleSeen(watcher, room).get('alice')?.connections === 2,
      3000,
      'bob sees alice with two tabs',
    );
    const seen = peopleSeen(watcher, room);
    assert.equal(seen.size, 2, 'alice once, bob once');
    assert.equal(seen.get('alice')?.devices, 2);
    // Editing on one process shows as alice editing, everywhere.
    phone.send({
      type: 'presence',
      room,
      state: { status: 'online', activity: { kind: 'editing', field: 'phone' } },
    });
    await until(
      () => peopleSeen(laptop, room).get('alice')?.activity.kind === 'editing',
      3000,
      'the laptop on p1 sees alice editing from p2',
    );
    await until(() => peopleSeen(watcher, room).get('alice')?.activity.kind === 'editing', 3000);
    // A call on one process shows on every process.
    laptop.send({
      type: 'presence',
      room,
      state: { status: 'online', activity: { kind: 'viewing' }, inCall: true },
    });
    await until(() => peopleSeen(watcher, room).get('alice')?.inCall === true, 3000, 'in a call');
    for (const c of [watcher, laptop, phone]) c.ws.terminate();
  });

  it('shows no leave when a reload lands on another process', async () => {
    const room = 'customer:2';
    const [p1, p2] = cluster.nodes;
    const watcher = await p2!.connect(bob);
    await watcher.join(room);
    const before = await p1!.connect(alice, 'alice-laptop');
    await before.join(room);
    await until(() => peopleSeen(watcher, room).has('alice'), 3000, 'alice arrives');
    before.ws.terminate(); // the reload: p1 sees the socket close …
    const afterReload = await p2!.connect(alice, 'alice-laptop'); // … and the page lands on p2
    await afterReload.join(room);
    // p1's grace period ends: its part of alice goes, p2's stays.
    cluster.clock.advanceSync(16_000);
    const deadline = Date.now() + 3000;
    while ((await parts(room, 'alice')) !== 1 && Date.now() < deadline);
    assert.equal(await parts(room, 'alice'), 1, "only p2's part of alice is left");
    await settle(afterReload, watcher, room);
    assert.equal(removals(watcher.frames, room, 'alice'), 0, 'bob never saw alice leave');
    assert.equal(peopleSeen(watcher, room).get('alice')?.connections, 1);
    watcher.ws.terminate();
    afterReload.ws.terminate();
  });

  it('removes a person after the grace period when no tab comes back', async () => {
    const room = 'customer:3';
    const [p1, p2] = cluster.nodes;
    const watcher = await p2!.connect(bob);
    await watcher.join(room);
    const gone = await p1!.connect(alice, 'alice-laptop');
    await gone.join(room);
    await until(() => peopleSeen(watcher, room).has('alice'), 3000, 'alice arrives');
    gone.ws.terminate();
    await gone.closed;
    // Within the grace period: still there.
    const other = await p1!.connect({ id: 'dave', name: 'Dave' });
    await other.join(room);
    await settle(other, watcher, room);
    assert.equal(removals(watcher.frames, room, 'alice'), 0);
    cluster.clock.advanceSync(16_000);
    await watcher.next(
      (f) => f.type === 'presence.diff' && f.room === room && f.remove.includes('alice'),
      3000,
    );
    assert.equal(peopleSeen(watcher, room).has('alice'), false);
    watcher.ws.terminate();
    other.ws.terminate();
  });

  it('has the people of a process killed with SIGKILL leave after the grace period, seen from the others', async () => {
    const room = 'customer:4';
    const script = fileURLToPath(new URL('./fixtures/child-server.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      env: {
        ...process.env,
        REDIS_URL: cluster.redis.url,
        GRACE_MS: '300',
        REDIS_HEARTBEAT_MS: '100',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      await until(() => /port \d+/.test(out), 20_000, 'the child server listens', 20);
      const port = Number(/port (\d+)/.exec(out)![1]);
      const watcher = await cluster.nodes[0]!.connect(bob);
      await watcher.join(room);
      const doomed = await TestClient.connect(`ws://127.0.0.1:${port}/realtime`, {
        user: alice,
        clientId: 'alice-laptop',
      });
      await doomed.join(room);
      await until(
        () => peopleSeen(watcher, room).has('alice'),
        3000,
        'alice arrives from the child',
      );
      const killedAt = Date.now();
      child.kill('SIGKILL');
      await once(child, 'exit');
      await watcher.next(
        (f) => f.type === 'presence.diff' && f.room === room && f.remove.includes('alice'),
        10_000,
      );
      const took = Date.now() - killedAt;
      // Not before a grace period (300 ms here) has passed since the death, however long before
      // it the dead process last renewed its alive key (every 100 ms here).
      assert.ok(took >= 300, `left after ${took} ms`);
      process.stdout.write(
        `# SIGKILLed process: its person left after ${took} ms (grace 300 ms)\n`,
      );
      doomed.ws.terminate();
      watcher.ws.terminate();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
