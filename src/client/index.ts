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
export { LIVE_DATA } from './live-data-capability.js';
export { NOTIFICATIONS, type Notifications } from './notifications-capability.js';
export { ACTIVITY, type ActivityFeeds } from './activity-capability.js';
export { RealtimeError, type ClientErrorCode, type RealtimeErrorCode } from './realtime-error.js';
export { Connection, type ConnectionEvents, type ConnectionOptions } from './socket.js';
export {
  Backoff,
  backoffCeiling,
  backoffDelay,
  DEFAULT_BACKOFF_BASE,
  DEFAULT_BACKOFF_CAP,
  type BackoffOptions,
} from './backoff.js';
export { PresenceStore, PresenceView, type PresenceStoreHost } from './presence-store.js';
export { OwnPresence, type OwnPresenceOptions, type OwnStatus } from './own-presence.js';
export { browserEnvironment } from './environment.js';
export { defaultClientId } from './client-id.js';
export { Listeners } from './listeners.js';
export { acceptServerFrames, browserSocketFactory, decodeFrame, encodeFrame } from './wire.js';
export { Heartbeat, type HeartbeatOptions } from './heartbeat.js';
export { PendingRequests } from './requests.js';
export { PagedList, type Identified } from './paged-list.js';
export { StoreNotifier, createStoreHost, type StoreClient, type StoreHost } from './store-host.js';
export {
  NotificationStore,
  type NotificationDraft,
  type NotificationStoreOptions,
  type NotificationsSnapshot,
} from './notification-store.js';
export { openNotifications, type NotificationStoreApi } from './notification-view.js';
export {
  ActivityStore,
  matchesFilter,
  normalizeFilter,
  type ActivitySnapshot,
  type ActivityStoreApi,
  type ActivityStoreOptions,
} from './activity-store.js';
export { LiveData } from './live-data.js';
export { LiveDataHub, type LiveDataClient, type LiveDataHubOptions } from './live-data-hub.js';
export type {
  ChangeInfo,
  ChangeState,
  LiveConflict,
  LiveDataOptions,
  LiveDataSnapshot,
  LiveDataStatus,
} from './live-data-types.js';
export {
  MemoryOutboxStore,
  Outbox,
  defaultOutboxStore,
  type NewOutboxEntry,
  type OutboxEntry,
  type OutboxSnapshot,
  type OutboxStore,
} from './outbox.js';
export { DEFAULT_OUTBOX_DB, IndexedDbOutboxStore } from './outbox-idb.js';
export { newMutationId } from './mutation.js';
