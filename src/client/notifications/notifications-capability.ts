/**
 * Notifications as a capability of the client: `open()` hands out views of the client's one
 * notification store (see `notification-view.ts`).
 */
import { registerCapability, type Capability } from '../capability.js';
import { FRAMES } from '../../protocol/checks/notifications.js';
import { notificationViews, type NotificationStoreApi } from './notification-view.js';
import type { NotificationStoreOptions } from './notification-store.js';
import { acceptServerFrames } from '../connection/wire.js';

export interface Notifications {
  open(options?: NotificationStoreOptions): NotificationStoreApi;
}

export const NOTIFICATIONS: Capability<Notifications> = registerCapability({
  name: 'notifications',
  create(client, host) {
    acceptServerFrames(FRAMES);
    return { open: notificationViews(client, host) };
  },
});
