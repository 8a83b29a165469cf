// @ts-check — `npm run typecheck` checks this file against the kit's types (jsconfig.json).
/// <reference types="crm-realtime/define" />
/** @import { UserProfile } from 'crm-realtime/client' */

/*
 * Who this tab is and which server it talks to: `?as=grace&server=ws://127.0.0.1:8080/`.
 * `devUser` is the reference server's development identity (`npm start` runs it with `--dev`);
 * a real page sets `provider.getToken` (or the provider's token source) instead.
 */
const params = new URLSearchParams(location.search);
const id = params.get('as') ?? 'ada';
/** @type {Record<string, string>} */
const NAMES = { ada: 'Ada Lovelace', grace: 'Grace Hopper' };
/** @type {UserProfile} */
const me = { id, name: NAMES[id] ?? id };

const provider = document.querySelector('crm-realtime-provider');
const status = document.querySelector('crm-connection-status');
const output = document.querySelector('output#handler-state');
const presence = document.querySelector('crm-presence');
if (!provider || !status || !output || !presence) throw new Error('the page lost its widgets');

// Typed through HTMLElementEventMap: `event` is a CrmConnectionStatusChangeEvent.
status.addEventListener('crm-connection-status-change', (event) => {
  output.textContent = event.state;
});

// Typed property: a number (HTMLElementTagNameMap['crm-presence']).
presence.maxVisible = 5;
document.getElementById('me')?.append(me.name);
provider.devUser = me;
provider.url = params.get('server') ?? 'ws://localhost:8080/';
