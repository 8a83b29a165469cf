/* global document, location */
// What the kit's notification center and activity feeds need from the CRM, which the kit cannot
// know: where an entity lives in this CRM's URLs, who is on the team, and which customer a page
// shows. Called by `setUpPage()` on every page.
import { PEOPLE } from './data.js';

/**
 * The CRM page of an entity: customers have one; a call or meeting (`42-call-1`, or one that
 * names its `customerId`) links to its customer. Anything else is shown as plain text.
 * @param {{ type: string; id: string }} entity
 * @param {{ customerId?: string }} [item]
 */
export function entityHref(entity, item) {
  const customerId =
    entity.type === 'customer'
      ? entity.id
      : (item?.customerId ?? /^(\d+)-(?:call|meeting)-/.exec(entity.id)?.[1]);
  return customerId ? `customer.html?id=${encodeURIComponent(customerId)}` : undefined;
}

/** Links the header's notification center and the page's activity feeds into the CRM. */
export function setUpLiveWidgets() {
  for (const center of document.querySelectorAll('crm-notification-center')) {
    /** @type {any} */ (center).entityHref = entityHref;
  }
  const customerId = new URLSearchParams(location.search).get('id') ?? '42';
  const team = PEOPLE.map(({ id, name, avatarUrl }) =>
    avatarUrl ? { id, name, avatarUrl } : { id, name },
  );
  for (const feed of document.querySelectorAll('crm-activity-feed')) {
    // What a server-rendered page would print into the tag: the customer of this page.
    if (feed.hasAttribute('data-customer-feed')) feed.setAttribute('entity-id', customerId);
    /** @type {any} */ (feed).entityHref = entityHref;
    /** @type {any} */ (feed).people = team;
  }
}
