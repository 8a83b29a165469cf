/**
 * After its subscriber connection comes back, a process delivers the events it missed before any
 * that arrive on the new subscription, whatever order its socket hands them over in.
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
import { startPubSubProxy, type PubSubProxy } from './pubsub-proxy.js';

describe('Redis bus recovery of a subscriber', () => {
  let redis: RedisInstance;
  let proxy: PubSubProxy;
  let member: RedisBus;
  let publisher: RedisBus;
  let admin: Redis;

  const bus = (url: string): RedisBus =>
    new RedisBus({
      url,
      clock: new ManualClock(),
      log: silentLogger,
      replayEvents: DEFAULT_LIMITS.replayEvents,
      replayMillis: DEFAULT_LIMITS.replayMillis,
      maxFrameBytes: DEFAULT_LIMITS.maxFrameBytes,
    });

  before(async () => {
    redis = await startRedis();
    proxy = await startPubSubProxy(redis.port);
    member = bus(proxy.url);
    publisher = bus(redis.url);
    admin = new Redis(redis.url);
    await Promise.all([member.connected(), publisher.connected()]);
  });
  after(async () => {
    admin.disconnect();
    await Promise.all([member.close(), publisher.close()]);
    await proxy.close();
    await redis.dispose();
  });

  it('fills what it missed first when a new event comes in the same read as the confirmation of its subscription', async () => {
    const room = 'deal:recovery';
    const got: number[] = [];
    member.subscribe(room, (message) => got.push(message.seq!));
    await member.subscribed(room);
    // No event has reached this process yet: what it knows of the room is the joined position.
    const { seq: start } = await member.resume(room, undefined);

    const subscription = proxy.holdSubscribe(`crm:room:${room}`);
    await admin.client('KILL', 'TYPE', 'PUBSUB');
    // The subscriber is back and subscribing again; Redis has not seen its SUBSCRIBE yet.
    await subscription.sent;
    const missed = await publisher.publish(room, { event: 'n', payload: 1 });
    // Redis confirmed the subscription; the confirmation reaches the process with the next event.
    await subscription.release();
    const live = await publisher.publish(room, { event: 'n', payload: 2 });

    assert.deepEqual([missed, live], [start + 1, start + 2]);
    await until(() => got.includes(live), 5000, 'the live event delivered');
    assert.deepEqual(got, [missed, live], 'the missed event first, each once');
  });
});
