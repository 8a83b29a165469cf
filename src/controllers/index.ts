/** Reactive controllers that bind any Lit element to the page's realtime client. */
export { ClientController, type ControllerHost } from './client-controller.js';
export {
  ConnectionStatusController,
  type ConnectionStatusControllerOptions,
  type ConnectionView,
} from './connection-status-controller.js';
export { PresenceController, pageRoom } from './presence-controller.js';
export {
  LiveDataController,
  type LiveDataControllerOptions,
  type LiveDataControllerStatus,
  type LiveDataTarget,
} from './live-data-controller.js';
export { OutboxController } from './outbox-controller.js';
export {
  NotificationsController,
  type NotificationsControllerOptions,
} from './notifications-controller.js';
export { ActivityController, type ActivityTarget } from './activity-controller.js';
export {
  HuddleController,
  MAX_MESH_SIZE,
  type HuddlePhase,
  type HuddleRing,
} from './huddle-controller.js';
