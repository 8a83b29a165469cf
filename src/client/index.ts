/** The framework-free browser client. */
export * from './types.js';
export { RealtimeClient } from './all-capabilities.js';
export type { RequestFrame, RequestInput } from './realtime-client.js';
export {
  registerCapability,
  withCapabilities,
  type Capability,
  type CapabilityHost,
} from './capability.js';
export { LIVE_DATA } from './live-data/live-data-capability.js';
export { NOTIFICATIONS, type Notifications } from './notifications/notifications-capability.js';
export { ACTIVITY, type ActivityFeeds } from './activity/activity-capability.js';
export { RealtimeError, type ClientErrorCode, type RealtimeErrorCode } from './realtime-error.js';
export { Connection, type ConnectionEvents, type ConnectionOptions } from './connection/socket.js';
export {
  Backoff,
  backoffCeiling,
  backoffDelay,
  DEFAULT_BACKOFF_BASE,
  DEFAULT_BACKOFF_CAP,
  type BackoffOptions,
} from './connection/backoff.js';
export { PresenceStore, PresenceView, type PresenceStoreHost } from './presence/presence-store.js';
export { OwnPresence, type OwnPresenceOptions, type OwnStatus } from './presence/own-presence.js';
export { browserEnvironment } from './connection/environment.js';
export { defaultClientId } from './connection/client-id.js';
export { Listeners } from './store/listeners.js';
export {
  acceptServerFrames,
  browserSocketFactory,
  decodeFrame,
  encodeFrame,
} from './connection/wire.js';
export { Heartbeat, type HeartbeatOptions } from './connection/heartbeat.js';
export { PendingRequests } from './connection/requests.js';
export { PagedList, type Identified } from './store/paged-list.js';
export { Notifier, deliverNow, type Schedule } from './store/notifier.js';
export { createStoreHost, type StoreClient, type StoreHost } from './store/store-host.js';
export {
  NotificationStore,
  type NotificationDraft,
  type NotificationStoreOptions,
  type NotificationsSnapshot,
} from './notifications/notification-store.js';
export { notificationViews, type NotificationStoreApi } from './notifications/notification-view.js';
export {
  ActivityStore,
  matchesFilter,
  normalizeFilter,
  type ActivitySnapshot,
  type ActivityStoreApi,
  type ActivityStoreOptions,
} from './activity/activity-store.js';
export { LiveData } from './live-data/live-data.js';
export {
  LiveDataHub,
  type LiveDataClient,
  type LiveDataHubOptions,
} from './live-data/live-data-hub.js';
export type {
  ChangeInfo,
  ChangeState,
  LiveConflict,
  LiveDataOptions,
  LiveDataSnapshot,
  LiveDataStatus,
  LiveUpdateOptions,
} from './live-data/live-data-types.js';
export {
  MemoryOutboxStore,
  Outbox,
  defaultOutboxStore,
  type NewOutboxEntry,
  type OutboxEntry,
  type OutboxSnapshot,
  type OutboxStore,
} from './live-data/outbox.js';
export { DEFAULT_OUTBOX_DB, IndexedDbOutboxStore } from './live-data/outbox-idb.js';
export { newMutationId } from './live-data/change.js';
