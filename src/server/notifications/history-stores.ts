/**
 * Where the server keeps notifications and activity: in its storage when that keeps them (the
 * SQLite file), otherwise in a private in-memory SQLite database, so a server started without
 * storage (tests, a quick try) still answers history requests; nothing of it survives a restart.
 */
import type { ActivityRepository } from '../activity/activity-repository.js';
import { SqliteStorage } from '../sqlite-storage.js';
import type { Storage } from '../storage.js';
import type { NotificationRepository } from './notification-repository.js';

export interface HistoryStores {
  notifications: NotificationRepository;
  activity: ActivityRepository;
  /** The activity log is in the storage's own database, so it can join an entity write. */
  activityInStorage: boolean;
  /** Closes the private database, if one was opened (the server closes its storage itself). */
  close(): Promise<void>;
}

export function openHistoryStores(storage: Storage | undefined): HistoryStores {
  if (storage?.notifications && storage.activity) {
    return {
      notifications: storage.notifications,
      activity: storage.activity,
      activityInStorage: true,
      close: () => Promise.resolve(),
    };
  }
  const memory = new SqliteStorage(':memory:');
  return {
    notifications: memory.notifications,
    activity: memory.activity,
    activityInStorage: false,
    close: () => memory.close(),
  };
}
