/**
 * The kit's browser API, free of side effects: importing it registers no tag (import
 * `crm-realtime/define` for that) and touches no document.
 */
export * from './client/index.js';
export * from './protocol/index.js';
export { ensureContextRoot, realtimeClientContext, type RealtimeClientContext } from './context.js';
export * from './controllers/index.js';
export * from './events/index.js';
export * from './styles/index.js';
export { localeOf, messageContext, withDefaults, type MessageContext } from './i18n.js';
export { defineElement } from './elements/define-element.js';
export * from './elements/realtime-provider/index.js';
export * from './elements/connection-status/index.js';
export { CrmPresence, type PresencePosition } from './elements/presence/crm-presence.js';
export {
  AVATAR_PALETTE,
  avatarColor,
  initials,
  safeAvatarUrl,
} from './elements/presence/avatar.js';
export {
  defaultPresenceMessages,
  type PresenceMessages,
} from './elements/presence/presence-messages.js';
export * from './elements/conflict-dialog/index.js';
export * from './elements/notification-center/index.js';
export * from './elements/collaborative-form/index.js';
export * from './elements/activity-feed/index.js';
