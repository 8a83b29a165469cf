// @ts-check — Type probe, never loaded by the page: `npm run typecheck` compiles it with app.js.
// Each line under a @ts-expect-error MUST be a type error; if the kit's types stop catching it,
// the directive is unused and tsc fails.
/// <reference types="crm-realtime/define" />
// Nothing here or in app.js imports the package's root (which declares every event itself): the
// reference above must bring the tags and the events of every element on its own.

const presence = document.createElement('crm-presence');
// @ts-expect-error a property of the wrong type: maxVisible is a number
presence.maxVisible = 'lots';

/** @param {HTMLElementEventMap['crm-presence-change']} event */
const onPresence = (event) => event.arrived;
const status = document.createElement('crm-connection-status');
// @ts-expect-error a handler for another event: this one gets CrmConnectionStatusChangeEvent
status.addEventListener('crm-connection-status-change', onPresence);

// The right types compile.
presence.maxVisible = 3;
presence.addEventListener('crm-presence-change', onPresence);

// Every element's events, on the element and on document, where they bubble.
document.addEventListener('crm-presence-change', (event) => event.people.length);
const form = document.createElement('crm-collaborative-form');
form.addEventListener('crm-form-saved', (event) => event.entityId);
document.addEventListener('crm-notification-action', (event) => event.action.event);
document.querySelector('crm-activity-feed')?.addEventListener('crm-activity-open', (event) => event.href);
// @ts-expect-error a form event has no people
form.addEventListener('crm-form-conflict', (event) => event.people);
