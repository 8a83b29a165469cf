/**
 * Every join makes its room a sequence in Redis, kept a day so a member resuming after hours still
 * finds the number it was told. A client joining and leaving room after room, each without an
 * event, left one behind for that day each (some 180 bytes: tens of gigabytes a day from one
 * user's sockets). A sequence that never numbered an event is kept only while a process has
 * members in its room, and a few minutes after; one that numbered events keeps its day.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { alice } from '../../helpers/server-harness.js';
import { nextId } from '../../helpers/server-client.js';
import { startCluster, type Cluster } from './cluster.js';

const DAY = 24 * 60 * 60 * 1000;
const IDLE = 10 * 60 * 1000;

describe('room sequences in Redis', () => {
  let cluster: Cluster;
  let redis: Redis;

  before(async () => {
    cluster = await startCluster(1);
    redis = new Redis(cluster.redis.url);
  });
  after(async () => {
    redis.disconnect();
    await cluster.close();
  });

  it('of a room joined and left without an event go within minutes; with events, after a day', async () => {
    const client = await cluster.nodes[0]!.connect(alice);
    const quiet = 'junk:1';
    await client.join(quiet);
    await client.request({ type: 'leave', id: nextId('l'), room: quiet });
    const quietTtl = await redis.pttl(`crm:seq:${quiet}`);
    assert.ok(quietTtl > 0 && quietTtl <= IDLE, `a quiet room's sequence lives ${quietTtl} ms`);

    const busy = 'deal:1';
    await client.join(busy);
    const ack = await client.request({
      type: 'emit',
      id: nextId('e'),
      room: busy,
      event: 'n',
      payload: 1,
    });
    assert.equal(ack.type, 'ack');
    const busyTtl = await redis.pttl(`crm:seq:${busy}`);
    assert.ok(busyTtl > DAY - 60_000, `a room with events keeps its sequence ${busyTtl} ms`);
  });

  it('of a quiet room with members here are kept while they stay', async () => {
    const client = await cluster.nodes[0]!.connect(alice);
    const room = 'customer:quiet';
    const joined = await client.join(room);
    // Near its end, as hours of quiet would leave it.
    await redis.pexpire(`crm:seq:${room}`, 5_000);
    await cluster.clock.advance(IDLE / 3);
    // The process keeps it (the refresh is a command of its own: wait for Redis to have it).
    for (let i = 0; i < 50 && (await redis.pttl(`crm:seq:${room}`)) <= 5_000; i++) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.ok((await redis.pttl(`crm:seq:${room}`)) > 5_000, 'kept');
    // The member comes back after a drop: nothing was missed, no gap.
    const again = await client.request({ type: 'join', id: nextId('j'), room, since: joined.seq });
    assert.equal(again.type === 'joined' && again.resume, 'replayed');
  });
});
