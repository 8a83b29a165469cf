/** Typed event classes of the kit; importing one also augments `HTMLElementEventMap`. */
export {
  CrmConnectionStatusChangeEvent,
  type ConnectionDisplayState,
} from './connection-status-change.js';
export { CrmConnectionRefusedEvent } from './connection-refused.js';
export {
  CrmConflictCancelEvent,
  CrmConflictResolveEvent,
  type ConflictCancelSource,
  type ConflictChoice,
  type ConflictResolution,
  type ConflictResolveDetail,
} from './conflict-events.js';
export { CrmPresenceChangeEvent, type PresenceChangeDetail } from './presence-events.js';
export {
  CrmHuddleChangeEvent,
  CrmHuddleRingEvent,
  CrmPresenceCallEvent,
  type HuddleState,
} from './huddle-events.js';
export * from './notification-events.js';
export * from './collaborative-form-events.js';
export * from './activity-events.js';
