/**
 * Watching a room across processes: a watcher on a process where nobody is present still hears
 * the room's people from the others, and they never hear of it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { alice, bob } from '../../helpers/server-harness.js';
import { nextId, until } from '../../helpers/server-client.js';
import { startCluster, type Cluster } from './cluster.js';

describe('watching a room on Redis', () => {
  let cluster: Cluster;

  before(async () => {
    cluster = await startCluster(2, { redisHeartbeatMs: 100 });
  });
  after(() => cluster.close());

  it('a watcher alone on its process hears the others; they never hear of it', async () => {
    const room = 'customer:42';
    const [p1, p2] = cluster.nodes;
    const member = await p1!.connect(bob);
    await member.join(room);
    const watcher = await p2!.connect(alice);
    const joined = await watcher.join(room, { watch: true });
    assert.deepEqual(
      joined.people.map((p) => p.user.id),
      ['bob'],
      'the snapshot holds the member on the other process, not the watcher',
    );
    member.send({
      type: 'presence',
      room,
      state: { status: 'online', activity: { kind: 'editing', field: 'phone' } },
    });
    await watcher.next(
      (f) =>
        f.type === 'presence.diff' &&
        f.upsert.some((p) => p.user.id === 'bob' && p.activity.kind === 'editing'),
    );

    // Turned member, the watcher appears on the other process; turned watcher again, it leaves.
    await watcher.join(room);
    await member.next(
      (f) => f.type === 'presence.diff' && f.upsert.some((p) => p.user.id === 'alice'),
    );
    await watcher.join(room, { watch: true });
    await member.next((f) => f.type === 'presence.diff' && f.remove.includes('alice'));
    assert.deepEqual(
      (await member.join(room)).people.map((p) => p.user.id),
      ['bob'],
    );

    // The last watcher gone, its process no longer mirrors the room.
    await watcher.request({ type: 'leave', id: nextId('leave'), room });
    await until(() => p2!.server.stats().presenceRooms === 0, 3000, 'the mirror is released');
  });
});
