/**
 * A notification or activity item stored but lost on its way out (the bus failed to publish it):
 * the room it was for is reported lost, so its members resume, get `gap` and read the history
 * again, instead of carrying on without it. An event too large to publish is not an outage.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LIMITS } from '../../../../src/protocol/index.js';
import { ActivityService } from '../../../../src/server/activity/activity-service.js';
import { EventTooLargeError, type Bus } from '../../../../src/server/bus.js';
import { LocalBus } from '../../../../src/server/local-bus.js';
import { openHistoryStores } from '../../../../src/server/notifications/history-stores.js';
import { NotificationService } from '../../../../src/server/notifications/notification-service.js';
import { ManualClock } from '../../../../src/testing/manual-clock.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** A bus whose publishes fail with `error`, recording the rooms reported lost. */
function failingBus(clock: ManualClock, error: () => Error): { bus: Bus; lost: string[] } {
  const lost: string[] = [];
  const bus: Bus = new LocalBus({
    clock,
    replayEvents: 100,
    replayMillis: 60_000,
    maxFrameBytes: LIMITS.maxFrameBytes,
  });
  bus.publish = () => Promise.reject(error());
  bus.eventLost = (room) => void lost.push(room);
  return { bus, lost };
}

describe('a stored event the bus failed to publish', () => {
  for (const [name, error, expected] of [
    ['the bus is down', () => new Error('Redis is unavailable'), true],
    ['the event is too large', () => new EventTooLargeError('too large'), false],
  ] as const) {
    it(`a notification's recipient rooms are ${expected ? '' : 'not '}reported lost when ${name}`, async () => {
      const clock = new ManualClock();
      const { bus, lost } = failingBus(clock, error);
      const stores = openHistoryStores(undefined);
      const service = new NotificationService({
        repository: stores.notifications,
        bus,
        peopleIn: () => ['ana', 'ben'],
        clock,
        log: quiet,
      });
      const sent = await service.send({
        target: { room: 'customer:42' },
        type: 'info',
        priority: 'normal',
        title: 'Renewal due',
      });
      assert.deepEqual(sent.recipients, ['ana', 'ben']);
      assert.deepEqual(lost, expected ? ['user:ana', 'user:ben'] : []);
      service.close();
      await stores.close();
    });

    it(`an activity item's feeds are ${expected ? '' : 'not '}reported lost when ${name}`, async () => {
      const clock = new ManualClock();
      const { bus, lost } = failingBus(clock, error);
      const stores = openHistoryStores(undefined);
      const service = new ActivityService({ repository: stores.activity, bus, clock, log: quiet });
      await service.append({
        kind: 'note',
        actor: { id: 'ana', name: 'Ana' },
        entity: { type: 'customer', id: '42' },
        summary: 'Called',
      });
      await service.settled(1000);
      if (expected)
        assert.ok(lost.length > 0 && lost.every((room) => room.startsWith('activity:')));
      else assert.deepEqual(lost, []);
      service.close();
      await stores.close();
    });
  }
});
