/**
 * Events fired by `<crm-notification-center>`. All bubble and are composed, for the page.
 */
import type { Notification, NotificationAction } from '../client/types.js';
import { CrmPageEvent } from './page-event.js';

/** Where the user acted: an item of the dropdown panel, or a toast. */
export type NotificationSource = 'panel' | 'toast';

/** An action that names an event rather than a URL (`{ label, event }`). */
export type NotificationEventAction = Extract<NotificationAction, { event: string }>;

/**
 * The user chose an action of a notification that names an event (`{ label, event }`): the page
 * does what it means (`event.action.event`, e.g. `"call-back"`). Actions with a URL are plain
 * links and fire nothing. The notification is marked read.
 */
export class CrmNotificationActionEvent extends CrmPageEvent {
  static readonly eventName = 'crm-notification-action';

  constructor(
    /** The notification the action belongs to. */
    readonly notification: Notification,
    /** The chosen action; `action.event` names what to do. */
    readonly action: NotificationEventAction,
    /** Whether it was chosen in the panel or on a toast. */
    readonly source: NotificationSource,
  ) {
    super(CrmNotificationActionEvent.eventName);
  }
}

/**
 * The user opened a notification: its entity link, the item itself (Enter, or a click outside its
 * buttons) or a toast. Cancelable: without `preventDefault()` the browser follows `href` when
 * there is one (a link click, or `location.assign`); a single-page app calls `preventDefault()`
 * and routes itself. Either way the notification is marked read.
 */
export class CrmNotificationOpenEvent extends CrmPageEvent {
  static readonly eventName = 'crm-notification-open';

  constructor(
    readonly notification: Notification,
    /** The entity link (see `entity-link-template` and `entityHref`), if the item has one. */
    readonly href: string | undefined,
    readonly source: NotificationSource,
  ) {
    super(CrmNotificationOpenEvent.eventName, { cancelable: true });
  }
}

/** Why notifications were marked read. */
export type NotificationReadReason = 'open-panel' | 'item' | 'all';

/**
 * The element marked notifications read: those the panel showed when it opened (`open-panel`),
 * one the user opened, acted on or marked (`item`), or every one (`all`, then `ids` is `'all'`).
 * A fact: the change is already sent (and rolled back by the client if the server refuses).
 */
export class CrmNotificationReadEvent extends CrmPageEvent {
  static readonly eventName = 'crm-notification-read';

  constructor(
    readonly ids: readonly string[] | 'all',
    readonly reason: NotificationReadReason,
  ) {
    super(CrmNotificationReadEvent.eventName);
  }
}

/** The element's events by name, for the event maps below: `addEventListener` types them. */
interface NotificationEvents {
  'crm-notification-action': CrmNotificationActionEvent;
  'crm-notification-open': CrmNotificationOpenEvent;
  'crm-notification-read': CrmNotificationReadEvent;
}

declare global {
  interface HTMLElementEventMap extends NotificationEvents {}
  /** They bubble to the document, where a page may handle every notification at once. */
  interface DocumentEventMap extends NotificationEvents {}
  /** And past the document to the window. */
  interface WindowEventMap extends NotificationEvents {}
  /** And through the shadow root of a component that holds the element (they are composed). */
  interface ShadowRootEventMap extends NotificationEvents {}
}
