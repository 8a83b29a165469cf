/**
 * Every piece of text `<crm-notification-center>` shows or announces. A page translates the element
 * with `element.messages = { markAllRead: () => 'Alle als gelesen markieren', … }`; entries left
 * out stay English, except the day labels, which come from `Intl` in the element's language (the
 * nearest `lang`) out of the box. In an override, `this` is the merged set of messages.
 *
 * Titles and names arrive wrapped in U+2068 … U+2069 (bidirectional isolation): put them into the
 * sentence as they are, and a title in another script, or one holding a direction override,
 * cannot reorder the words around it.
 */
import type { EntityRef } from '../../protocol/entities.js';
import type { NotificationPriority, NotificationType } from '../../protocol/notifications.js';
import type { MessageContext } from '../../i18n.js';
import { dayDate, relativeDay } from './day-groups.js';

export type { MessageContext };

export interface NotificationCenterMessages {
  /** Accessible name of the bell: "Notifications" or "Notifications, 3 unread". */
  bellLabel(unread: number, c: MessageContext): string;
  /** Accessible name of the bell without a connection. */
  bellNotConnected(c: MessageContext): string;
  /** The badge's text: the count, "9+" above 9. */
  badge(unread: number, c: MessageContext): string;
  /** Heading of the panel. */
  panelTitle(c: MessageContext): string;
  /** The "mark all read" button. */
  markAllRead(c: MessageContext): string;
  /** Accessible name of an item's "mark read" button (with `mark-read="item"`). */
  markRead(title: string, c: MessageContext): string;
  /**
   * The words that button shows beside its dot on touch screens, which show no tooltip: "Mark as
   * read". Its name stays `markRead`, so keep these words the start of that one's.
   */
  markReadText(c: MessageContext): string;
  /** The empty panel. */
  empty(c: MessageContext): string;
  /** Under `empty`. */
  emptyDetail(c: MessageContext): string;
  /** Before the first page arrived. */
  loading(c: MessageContext): string;
  /** While an older page loads at the end of the list. */
  loadingMore(c: MessageContext): string;
  /** The history could not be loaded. */
  loadFailed(c: MessageContext): string;
  /**
   * The server refused the user's room: `code` is `too_many_rooms` (the page follows more rooms
   * than its connection may hold; they load as soon as another is released) or `forbidden`.
   */
  refused(code: string, c: MessageContext): string;
  /** The button that tries again. */
  retry(c: MessageContext): string;
  /** No provider or a closed connection. */
  notConnected(c: MessageContext): string;
  /** Under `notConnected`. */
  notConnectedDetail(c: MessageContext): string;
  /** A line in the panel while the connection is being restored. */
  reconnecting(c: MessageContext): string;
  /** A line in the panel while the browser has no network (starts with the status's word). */
  offline(c: MessageContext): string;
  /** The day group of today. Default: `Intl.RelativeTimeFormat`'s, e.g. "Today", "Heute". */
  today(c: MessageContext): string;
  /** The day group of yesterday. */
  yesterday(c: MessageContext): string;
  /** An older day group, from the day's local midnight: "Monday, 6 January". */
  day(start: number, now: number, c: MessageContext): string;
  /** The kind of a notification, for screen readers (the icon says it visually). */
  type(type: NotificationType, c: MessageContext): string;
  /** A priority, shown on high and urgent notifications. */
  priority(priority: NotificationPriority, c: MessageContext): string;
  /** Marks an unread notification for screen readers (a dot and a tint show it). */
  unread(c: MessageContext): string;
  /** Who sent it: "from Ana Ortiz". */
  from(name: string, c: MessageContext): string;
  /** The text of an entity link: its label, or "customer 42". */
  entity(entity: EntityRef, c: MessageContext): string;
  /** Accessible name of a toast's close button. */
  dismiss(title: string, c: MessageContext): string;
  /** Accessible name of the toasts' region. */
  toastsLabel(c: MessageContext): string;
  /**
   * What a screen reader hears when a notification arrives, from its parts in words (`type`,
   * `priority` when high or urgent, `from` as `from(…)` made it): "Warning, Urgent: Invoice
   * overdue, from Ana Ortiz. Pay by Friday."
   */
  announcement(n: AnnouncedNotification, c: MessageContext): string;
  /**
   * Several arrived at once, heard as one message: the first one's `announcement`, then how many
   * more: "…. And 9 more new notifications".
   */
  announcementMore(first: string, more: number, c: MessageContext): string;
}

/** The parts of an announcement, already in words (see `announcement`). */
export interface AnnouncedNotification {
  type: string;
  /** Only for high and urgent notifications. */
  priority?: string;
  title: string;
  message?: string;
  from?: string;
}

export const defaultNotificationCenterMessages: NotificationCenterMessages =
  Object.freeze<NotificationCenterMessages>({
    bellLabel: (unread, c) =>
      unread > 0 ? `Notifications, ${c.number(unread)} unread` : 'Notifications',
    bellNotConnected: () => 'Notifications, not connected',
    badge: (unread, c) => (unread > 9 ? `${c.number(9)}+` : c.number(unread)),
    panelTitle: () => 'Notifications',
    markAllRead: () => 'Mark all as read',
    markRead: (title) => `Mark as read: ${title}`,
    markReadText: () => 'Mark as read',
    empty: () => 'No notifications',
    emptyDetail: () => 'You’re all caught up. New ones will show up here.',
    loading: () => 'Loading notifications…',
    loadingMore: () => 'Loading older notifications…',
    loadFailed: () => 'Notifications could not be loaded.',
    refused: (code) =>
      code === 'forbidden'
        ? 'Notifications are not shown: you may not see them.'
        : 'Notifications are not live: too many on this page.',
    retry: () => 'Try again',
    notConnected: () => 'Not connected',
    notConnectedDetail: () => 'Notifications will appear when the connection is back.',
    reconnecting: () => 'Reconnecting… new notifications will follow.',
    offline: () => 'Offline. New notifications will follow when you are back online.',
    today: (c) => relativeDay(0, c.locale),
    yesterday: (c) => relativeDay(-1, c.locale),
    day: (start, now, c) => dayDate(start, now, c.locale),
    type: (type) =>
      ({ info: 'Information', success: 'Success', warning: 'Warning', error: 'Error' })[type],
    priority: (priority) =>
      ({ low: 'Low priority', normal: 'Normal priority', high: 'High', urgent: 'Urgent' })[
        priority
      ],
    unread: () => 'Unread',
    from: (name) => `from ${name}`,
    entity: (entity) => entity.label || `${entity.type} ${entity.id}`,
    dismiss: (title) => `Dismiss: ${title}`,
    toastsLabel: () => 'New notifications',
    announcement: ({ type, priority, title, message, from }) =>
      `${priority ? `${type}, ${priority}` : type}: ${title}${from ? `, ${from}` : ''}${
        message ? `. ${message}` : ''
      }`,
    announcementMore: (first, more, c) =>
      `${first}. And ${c.plural(more) === 'one' ? '1 more new notification' : `${c.number(more)} more new notifications`}`,
  });
