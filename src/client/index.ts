/** The framework-free browser client. */
export * from './types.js';
export { RealtimeClient, type RequestFrame, type RequestInput } from './realtime-client.js';
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
export { systemClock } from './clock.js';
export { defaultClientId } from './client-id.js';
export { Listeners } from './listeners.js';
export { browserSocketFactory, decodeFrame, encodeFrame } from './wire.js';
export { Heartbeat, type HeartbeatOptions } from './heartbeat.js';
export { PendingRequests } from './requests.js';
