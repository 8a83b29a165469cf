/** Test and story helpers: an in-memory server speaking the real protocol, a manual clock. */
export {
  FakeServer,
  ProtocolViolation,
  fakeToken,
  type FakeServerOptions,
  type FrameRecord,
  type HeldFrames,
  type PersonOptions,
} from './fake-server.js';
export { FakeSocket } from './fake-socket.js';
export { ManualClock, flushMicrotasks } from './manual-clock.js';
export { waitFor, type Truthy, type WaitForOptions } from './wait-for.js';
export { ManualEnvironment } from './manual-environment.js';
export {
  SAMPLE_PEOPLE,
  flakyConnection,
  initialsAvatar,
  livelyRoom,
  peopleArriving,
  populate,
  someoneEditing,
  someoneGoesAway,
  type RoomScenarioOptions,
  type Scenario,
} from './scenarios.js';
export { DEMO_USER, connectFake } from './fake-client.js';
export { createRig, type Rig } from './rig.js';
export {
  FakeNotifications,
  deliveryRoom,
  notificationsArriving,
  sampleNotification,
  type FakeNotificationsHost,
  type NotificationDraft,
  type SeedOptions,
} from './fake-notifications.js';
export {
  FakeActivity,
  activityBurst,
  sampleActivity,
  type FakeActivityHost,
} from './fake-activity.js';
// The reference server's rules, shared: what an accepted change adds to the activity log, and
// which feeds an item is in.
export { activityOfChange } from '../domain/entity-activity.js';
export { feedsOf, inFeed } from '../domain/activity-feeds.js';
export { TimeLog, cursorOf, type LogEntry, type LogPage } from './fake-history.js';
export {
  FakeEntities,
  type EntityAccess,
  type EntitySeed,
  type RemoteUpdateOptions,
} from './fake-entities.js';
