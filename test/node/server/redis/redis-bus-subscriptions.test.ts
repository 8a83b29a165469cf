/**
 * A process is subscribed to the channels of the rooms it has members in, and no others: a room
 * whose last member left while Redis was away is not subscribed again when it comes back, and
 * every other room is.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { DEFAULT_LIMITS } from '../../../../src/server/config.js';
import { silentLogger } from '../../../../src/server/log.js';
import { RedisBus } from '../../../../src/server/redis/redis-bus.js';
import { ManualClock } from '../../../../src/testing/manual-clock.js';
import { startRedis, type RedisInstance } from '../../../services/redis.js';
import { until } from '../../helpers/server-client.js';

describe('Redis bus subscriptions', () => {
  let redis: RedisInstance;
  let bus: RedisBus;
  let probe: Redis;

  before(async () => {
    redis = await startRedis();
    bus = new RedisBus({
      url: redis.url,
      clock: new ManualClock(),
      log: silentLogger,
      replayEvents: DEFAULT_LIMITS.replayEvents,
      replayMillis: DEFAULT_LIMITS.replayMillis,
      maxFrameBytes: DEFAULT_LIMITS.maxFrameBytes,
    });
    await bus.connected();
  });
  after(async () => {
    probe?.disconnect();
    await bus.close();
    await redis.dispose();
  });

  /** The channels Redis has subscribers for, by room. */
  const channels = async (): Promise<string[]> => {
    const names = (await probe.call('PUBSUB', 'CHANNELS', '*')) as string[];
    return names.map((name) => name.slice(name.lastIndexOf(':') + 1)).sort();
  };

  it('a room left while Redis was away is not subscribed again when it returns', async () => {
    const stays = bus.subscribe('page:stays', () => {});
    const leaves = bus.subscribe('page:leaves', () => {});
    await Promise.all([bus.subscribed('page:stays'), bus.subscribed('page:leaves')]);
    await redis.stop();
    await until(() => !bus.available, 5000, 'the bus sees Redis gone');
    leaves();
    await redis.restart();
    probe = new Redis(redis.url);
    await until(() => bus.available, 10_000, 'the bus is back', 20);
    // Settles once the room still here is subscribed again.
    let now: string[] = [];
    await until(
      () => {
        void channels().then((names) => (now = names));
        return now.includes('stays');
      },
      10_000,
      'the room with a member subscribed again',
      20,
    );
    // A round trip on the subscriber's connection after its resubscriptions: anything it was
    // going to subscribe is subscribed by the time the probe asks again.
    const witness = bus.subscribe('page:witness', () => {});
    await bus.subscribed('page:witness');
    assert.deepEqual(await channels(), ['stays', 'witness']);
    witness();
    stays();
    await until(
      () => {
        void channels().then((names) => (now = names));
        return now.length === 0;
      },
      5000,
      'no subscription left once every room is left',
      20,
    );
  });
});
