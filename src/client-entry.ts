/**
 * `crm-realtime/client`: the framework-free client and the protocol, without Lit or any element.
 * Safe to import in Node, in a Web Worker or during server-side rendering: nothing here touches
 * the DOM when it is imported (the client reaches for `WebSocket`, `document` and IndexedDB only
 * when it connects, and only where they exist).
 *
 * Every name is listed on purpose: each is a promise to users. The socket, backoff, heartbeat,
 * stores' machinery and the frame codecs stay internal, so they can change without a major
 * version; test/node/public-api.test.ts fails when this list changes, making a new name a decision.
 */
export { RealtimeClient } from './client/all-capabilities.js';
export type { RequestFrame, RequestInput } from './client/realtime-client.js';
export {
  RealtimeError,
  type ClientErrorCode,
  type RealtimeErrorCode,
} from './client/realtime-error.js';
export type {
  Clock,
  ConnectionRefusal,
  ConnectionState,
  ConnectionStatus,
  EnvironmentSignals,
  PresenceSnapshot,
  PresenceStoreApi,
  RealtimeClientOptions,
  ResumeInfo,
  RoomHandle,
  RoomMessage,
  SocketFactory,
  SocketLike,
  Unsubscribe,
} from './client/types.js';

// One socket per browser: the transport that shares it among tabs, and the seam it plugs into.
export {
  sharedConnection,
  type SharedConnectionOptions,
  type SharingMode,
} from './client/connection/shared-connection.js';
export type { Transport, TransportFactory } from './client/connection/transport.js';

// What the capability stores hand out: snapshots, handles and their options.
export type {
  NotificationDraft,
  NotificationStoreOptions,
  NotificationsSnapshot,
} from './client/notifications/notification-store.js';
export type { NotificationStoreApi } from './client/notifications/notification-view.js';
export type {
  ActivitySnapshot,
  ActivityStoreApi,
  ActivityStoreOptions,
} from './client/activity/activity-store.js';
export type { LiveData } from './client/live-data/live-data.js';
export type {
  ChangeInfo,
  ChangeState,
  LiveConflict,
  LiveDataOptions,
  LiveDataSnapshot,
  LiveDataStatus,
  LiveUpdateOptions,
} from './client/live-data/live-data-types.js';

// Where offline edits wait: the two stores a page may pass as `outbox`, and the interface for its own.
export {
  MemoryOutboxStore,
  type NewOutboxEntry,
  type OutboxEntry,
  type OutboxSnapshot,
  type OutboxStore,
} from './client/live-data/outbox.js';
export { IndexedDbOutboxStore } from './client/live-data/outbox-idb.js';

// The protocol as users see it: the data in snapshots, events and frames (types only; the schemas
// that validate them stay internal) and the constants a server integration checks against.
export { ERROR_CODES, PROTOCOL_VERSION } from './protocol/index.js';
export type {
  Activity,
  ActivityFilter,
  ActivityInput,
  ActivityItem,
  ActivityKind,
  AvatarUrl,
  ClientFrame,
  Entity,
  EntityChange,
  EntityId,
  EntityRef,
  EntityType,
  ErrorCode,
  EventName,
  FeedRef,
  FieldChange,
  FieldConflict,
  FieldName,
  Fields,
  Json,
  MutationId,
  Notification,
  NotificationAction,
  NotificationInput,
  NotificationPriority,
  NotificationTarget,
  NotificationType,
  Person,
  PresenceState,
  PresenceStatus,
  RequestId,
  RoomName,
  SafeUrl,
  ServerFrame,
  UserId,
  UserProfile,
} from './protocol/index.js';
