/**
 * The kit's browser API, free of side effects: importing it registers no tag (import
 * `crm-realtime/define` for that) and touches no document.
 *
 * Every name is listed on purpose: each is a promise to users (docs/elements/*.md and README
 * describe them). Controllers, style helpers, avatars, merge rules and the client's machinery stay
 * internal; test/node/public-api.test.ts fails when this list changes, making a new name a decision.
 */

// The framework-free client and the protocol types, as `crm-realtime/client` lists them.
export * from './client-entry.js';

// The elements, with the types of their properties and their default messages.
export {
  CrmRealtimeProvider,
  attachRealtimeProvider,
  type AttachRealtimeProviderOptions,
  type AttachedRealtimeProvider,
  type TokenSource,
} from './elements/realtime-provider/index.js';
export {
  CrmConnectionStatus,
  defaultConnectionStatusMessages,
  type ConnectionStatusMessages,
  type ConnectionView,
} from './elements/connection-status/index.js';
export { CrmPresence, type PresencePosition } from './elements/presence/crm-presence.js';
export {
  defaultPresenceMessages,
  type PresenceMessages,
} from './elements/presence/presence-messages.js';
export {
  CrmConflictDialog,
  defaultConflictMessages,
  type ConflictAuthor,
  type ConflictDialogMessages,
} from './elements/conflict-dialog/index.js';
export {
  CrmNotificationCenter,
  defaultNotificationCenterMessages,
  type AnnouncedNotification,
  type EntityHref,
  type MarkReadMode,
  type NotificationCenterMessages,
  type ToastPosition,
} from './elements/notification-center/index.js';
export {
  CrmCollaborativeForm,
  defaultCollaborativeFormMessages,
  type CollaborativeFormMessages,
  type FieldKind,
  type FormStatusKind,
  type SaveMode,
} from './elements/collaborative-form/index.js';
export {
  CrmActivityFeed,
  defaultActivityFeedMessages,
  type ActivityFeedMessages,
  type FeedType,
  type HeadlineParts,
} from './elements/activity-feed/index.js';
export { CrmHuddle, defaultHuddleMessages, type HuddleMessages } from './elements/huddle/index.js';
/** What every message function receives (the locale and its plural rules). */
export type { MessageContext } from './i18n.js';

// The typed events the elements dispatch, and their details.
export {
  CrmActivityFilterChangeEvent,
  CrmActivityOpenEvent,
  CrmConflictCancelEvent,
  CrmConflictResolveEvent,
  CrmConnectionRefusedEvent,
  CrmConnectionStatusChangeEvent,
  CrmFormChangeEvent,
  CrmFormConflictEvent,
  CrmFormDeletedEvent,
  CrmFormErrorEvent,
  CrmFormRefusedEvent,
  CrmFormSaveEvent,
  CrmFormSavedEvent,
  CrmHuddleChangeEvent,
  CrmHuddleRingEvent,
  CrmNotificationActionEvent,
  CrmNotificationOpenEvent,
  CrmNotificationReadEvent,
  CrmPresenceCallEvent,
  CrmPresenceChangeEvent,
  type ConflictCancelSource,
  type ConflictChoice,
  type ConflictResolution,
  type ConflictResolveDetail,
  type ConnectionDisplayState,
  type FormChangeSource,
  type FormEntity,
  type FormErrorPhase,
  type HuddleState,
  type NotificationEventAction,
  type NotificationReadReason,
  type NotificationSource,
  type PresenceChangeDetail,
} from './events/index.js';

/** The context key under which a provider offers its client, for the page's own Lit elements. */
export { realtimeClientContext, type RealtimeClientContext } from './context.js';
