/** `<crm-notification-center>` and its helpers; side-effect free (see `define.ts`). */
export {
  CrmNotificationCenter,
  type MarkReadMode,
  type ToastPosition,
} from './crm-notification-center.js';
export {
  defaultNotificationCenterMessages,
  type AnnouncedNotification,
  type NotificationCenterMessages,
} from './notification-center-messages.js';
export { entityHrefFromTemplate, safeHref, type EntityHref } from '../shared/links.js';
