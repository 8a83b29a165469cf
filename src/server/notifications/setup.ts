/**
 * Builds a server's notification and activity services over its storage, and connects them to
 * accepted entity changes: every change goes to the activity log, and with
 * `notifyWatchersOnChange` the people looking at the entity are notified.
 */
import { ActivityService, type ActivityRetention } from '../activity/activity-service.js';
import { recordEntityChanges, type EntityChangeSource } from '../activity/entity-activity.js';
import type { Bus } from '../bus.js';
import type { ServerClock } from '../clock.js';
import type { Logger } from '../log.js';
import type { CapabilityMetrics } from '../metrics.js';
import type { Presence } from '../presence.js';
import type { Storage } from '../storage.js';
import { openHistoryStores } from './history-stores.js';
import { NotificationService } from './notification-service.js';
import { notifyWatchersOnChange } from './watcher-notifications.js';

export interface NotificationOptions {
  /** Delete notifications older than this many days; 0 keeps them. Default 90. */
  retentionDays?: number;
  /** How often retention runs. Default one hour. */
  sweepMs?: number;
  /**
   * Notify the people in an entity's room (but its author) of a client's accepted change to it.
   * Default off; `npm start` (`--dev`) turns it on.
   */
  notifyWatchersOnChange?: boolean;
}

export interface HistoryServices {
  readonly notifications: NotificationService;
  readonly activity: ActivityService;
  /** Subscribes to accepted entity changes (the activity log, the watcher rule). */
  follow(entities: EntityChangeSource): void;
  close(): Promise<void>;
}

export function createHistoryServices(deps: {
  storage: Storage | undefined;
  bus: Bus;
  presence: Pick<Presence, 'snapshot' | 'userIds'>;
  clock: ServerClock;
  log: Logger;
  notifications?: NotificationOptions | undefined;
  activity?: ActivityRetention | undefined;
  metrics?: CapabilityMetrics | undefined;
}): HistoryServices {
  const { bus, presence, clock, log } = deps;
  const stores = openHistoryStores(deps.storage);
  const notifications = new NotificationService({
    repository: stores.notifications,
    bus,
    peopleIn: (room) =>
      presence.userIds?.(room) ?? presence.snapshot(room).map((person) => person.user.id),
    clock,
    log,
    retentionDays: deps.notifications?.retentionDays,
    sweepMs: deps.notifications?.sweepMs,
    metrics: deps.metrics,
  });
  const activity = new ActivityService({
    repository: stores.activity,
    bus,
    clock,
    log,
    ...deps.activity,
    metrics: deps.metrics,
  });
  const unsubscribes: (() => void)[] = [];
  return {
    notifications,
    activity,
    follow(entities) {
      unsubscribes.push(recordEntityChanges(entities, activity, log, stores.activityInStorage));
      if (deps.notifications?.notifyWatchersOnChange) {
        unsubscribes.push(notifyWatchersOnChange(entities, notifications, clock, log));
      }
    },
    async close() {
      unsubscribes.forEach((off) => off());
      notifications.close();
      activity.close();
      await stores.close();
    },
  };
}
