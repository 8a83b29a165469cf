// @ts-check — Type probe, never loaded by the page: `npm run typecheck` compiles it with app.js.
// Each line under a @ts-expect-error MUST be a type error; if the kit's types stop catching it,
// the directive is unused and tsc fails.
/// <reference types="crm-realtime/define" />
/** @import { CrmPresenceChangeEvent } from 'crm-realtime' */

const presence = document.createElement('crm-presence');
// @ts-expect-error a property of the wrong type: maxVisible is a number
presence.maxVisible = 'lots';

/** @param {CrmPresenceChangeEvent} event */
const onPresence = (event) => event.arrived;
const status = document.createElement('crm-connection-status');
// @ts-expect-error a handler for another event: this one gets CrmConnectionStatusChangeEvent
status.addEventListener('crm-connection-status-change', onPresence);

// The right types compile.
presence.maxVisible = 3;
presence.addEventListener('crm-presence-change', onPresence);
