/**
 * Events fired by `<crm-activity-feed>`.
 */
import type { ActivityFilter, ActivityItem, EntityRef } from '../protocol/index.js';
import { CrmPageEvent } from './page-event.js';

/**
 * The reader changed the feed's filter (kinds of activity, people) with the filter bar. The feed
 * refetches on its own; the event lets a page remember the choice (say, in the URL). Not fired
 * when the page sets `filter` itself. Bubbles and is composed, for the page.
 */
export class CrmActivityFilterChangeEvent extends CrmPageEvent {
  static readonly eventName = 'crm-activity-filter-change';

  constructor(
    /** The filter now in force; empty lists are left out (no `kinds` means every kind). */
    readonly filter: ActivityFilter,
  ) {
    super(CrmActivityFilterChangeEvent.eventName);
  }
}

/**
 * The reader activated the link of an item's entity (only rendered when the page gives the feed
 * an `entityHref`). Cancelable: call `preventDefault()` to route in a single-page app instead of
 * following the link. Bubbles and is composed.
 */
export class CrmActivityOpenEvent extends CrmPageEvent {
  static readonly eventName = 'crm-activity-open';

  constructor(
    /** The item whose entity was opened. */
    readonly item: ActivityItem,
    /** The entity the link points at. */
    readonly entity: EntityRef,
    /** The URL the link would follow. */
    readonly href: string,
  ) {
    super(CrmActivityOpenEvent.eventName, { cancelable: true });
  }
}

/** The element's events by name, for the event maps below: `addEventListener` types them. */
interface ActivityEvents {
  'crm-activity-filter-change': CrmActivityFilterChangeEvent;
  'crm-activity-open': CrmActivityOpenEvent;
}

declare global {
  interface HTMLElementEventMap extends ActivityEvents {}
  /** They bubble to the document, where a page may route every feed at once. */
  interface DocumentEventMap extends ActivityEvents {}
  /** And past the document to the window. */
  interface WindowEventMap extends ActivityEvents {}
  /** And through the shadow root of a component that holds the element (they are composed). */
  interface ShadowRootEventMap extends ActivityEvents {}
}
