/**
 * `RealtimeClient` with every capability loaded, so `client.liveData()`, `client.notifications()`,
 * `client.activity()` and `client.outbox` work on any client: what `crm-realtime/client` exports.
 * Elements do not import it; their controllers load only the capabilities they show.
 */
import { ACTIVITY } from './activity/activity-capability.js';
import { withCapabilities } from './capability.js';
import { LIVE_DATA } from './live-data/live-data-capability.js';
import { NOTIFICATIONS } from './notifications/notifications-capability.js';
import { RealtimeClient as Client } from './realtime-client.js';

export const RealtimeClient = /* @__PURE__ */ withCapabilities(Client, [
  LIVE_DATA,
  NOTIFICATIONS,
  ACTIVITY,
]);
export type RealtimeClient = Client;
