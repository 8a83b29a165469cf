/**
 * What shared presence remembers follows who is in a room now: a room that always has someone on
 * this process (a page everyone opens) does not keep an entry for every person who ever passed
 * through it on another process.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_LIMITS } from '../../../../src/server/config.js';
import { silentLogger } from '../../../../src/server/log.js';
import { RedisBus } from '../../../../src/server/redis/redis-bus.js';
import { RedisPresence } from '../../../../src/server/redis/redis-presence.js';
import { ManualClock } from '../../../../src/testing/manual-clock.js';
import { startRedis, type RedisInstance } from '../../../services/redis.js';
import { until } from '../../helpers/server-client.js';

interface Process {
  bus: RedisBus;
  presence: RedisPresence;
}

/** The people of a room another process has told this one about, as it keeps them. */
function mirrored(presence: RedisPresence, room: string): number {
  const rooms = (presence as unknown as { rooms: Map<string, { remote: Map<string, unknown> }> })
    .rooms;
  return rooms.get(room)?.remote.size ?? 0;
}

describe('shared presence memory', () => {
  let redis: RedisInstance;
  const processes: Process[] = [];
  const clock = new ManualClock();

  const start = (): Process => {
    const bus = new RedisBus({
      url: redis.url,
      clock,
      log: silentLogger,
      replayEvents: DEFAULT_LIMITS.replayEvents,
      replayMillis: DEFAULT_LIMITS.replayMillis,
      maxFrameBytes: DEFAULT_LIMITS.maxFrameBytes,
    });
    const presence = new RedisPresence({
      bus,
      clock,
      log: silentLogger,
      graceMs: 15_000,
      heartbeatMs: 3_600_000,
      onDiff: () => {},
    });
    const process = { bus, presence };
    processes.push(process);
    return process;
  };

  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    for (const { presence, bus } of processes) {
      await presence.close();
      await bus.close();
    }
    await redis.dispose();
  });

  it('forgets the people who left a room through another process', async () => {
    const here = start();
    const there = start();
    await Promise.all([here.bus.connected(), there.bus.connected()]);
    const room = 'page:/customers';
    const anchor = { id: 'anchor', clientId: 'anchor-device', user: { id: 'anchor', name: 'A' } };
    here.presence.join(room, anchor, undefined);
    await here.presence.ready(room);
    const names = (): string[] => here.presence.snapshot(room).map((p) => p.user.id);
    for (let i = 0; i < 50; i++) {
      const user = { id: `user-${i}`, name: `User ${i}` };
      there.presence.join(room, { id: `conn-${i}`, clientId: `device-${i}`, user }, undefined);
      await until(() => names().includes(user.id), 5000, `${user.id} seen here`);
      // Half leave explicitly, half close and are removed when their grace period is over.
      there.presence.leave(room, `conn-${i}`, user.id, i % 2 === 0);
      if (i % 2 === 1) await clock.advance(15_000);
      await until(() => !names().includes(user.id), 5000, `${user.id} gone here`);
    }
    assert.deepEqual(names(), ['anchor']);
    assert.equal(mirrored(here.presence, room), 0, 'nobody from the other process is left');
  });
});
