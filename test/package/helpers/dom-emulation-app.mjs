/**
 * Run inside an app that installed the packed kit and a DOM emulation:
 * `node dom-emulation-app.mjs jsdom|happy-dom`. It does what a test runner's DOM environment does
 * (the window's names made global, the window's own event classes included), renders every
 * element on the fake server as docs/testing.md shows, lets people arrive and leave, an activity
 * item and a notification arrive (its toast shown and dismissed) and the form load its record, and prints one JSON line:
 * `{ report, errors }`, with every error that reached the window or the process.
 */
const which = process.argv[2];
const errors = [];
let printed = false;
process.on('uncaughtException', (e) => errors.push(`uncaught: ${e?.stack ?? e}`));
process.on('unhandledRejection', (e) => errors.push(`unhandled rejection: ${e?.stack ?? e}`));
process.on('exit', (code) => {
  if (!printed) console.log(JSON.stringify({ report: `stopped early (${code})`, errors }));
});

let win;
if (which === 'jsdom') {
  const { JSDOM, VirtualConsole } = await import('jsdom');
  const virtualConsole = new VirtualConsole();
  virtualConsole.on('jsdomError', (e) => errors.push(`jsdom: ${e?.stack ?? e}`));
  const html = '<!doctype html><html lang="en"><body></body></html>';
  const dom = new JSDOM(html, {
    pretendToBeVisual: true,
    url: 'http://localhost/',
    virtualConsole,
  });
  win = dom.window;
} else {
  const { Window } = await import('happy-dom');
  win = new Window({ url: 'http://localhost/' });
}
const own = new Set(['Event', 'CustomEvent', 'EventTarget', 'AbortController', 'AbortSignal']);
const inherited = ['addEventListener', 'removeEventListener', 'dispatchEvent'];
const selves = ['window', 'self', 'top', 'parent'];
for (const key of [...Object.getOwnPropertyNames(win), ...inherited]) {
  if (selves.includes(key) || (key in globalThis && !own.has(key))) continue;
  const value = win[key];
  // The window's methods keep it as `this`; classes stay as they are.
  const bound = typeof value === 'function' && !/^[A-Z]/.test(key) ? value.bind(win) : undefined;
  Object.defineProperty(globalThis, key, { get: () => bound ?? win[key], configurable: true });
}
for (const key of selves) globalThis[key] = globalThis;
win.addEventListener('error', (e) => errors.push(`window error: ${e.error?.stack ?? e.message}`));

const { document, requestAnimationFrame } = globalThis;
await import('crm-realtime/define');
const { FakeServer, connectFake, sampleActivity, sampleNotification } =
  await import('crm-realtime/testing');

const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
/** Waits for `condition`, a frame at a time (at most 600 frames). */
async function until(what, condition) {
  for (let i = 0; i < 600 && !condition(); i++) await frame();
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

const server = new FakeServer();
server.entities.put({ type: 'customer', id: '42', fields: { email: 'ada@example.com' } });
server.addPerson('customer:42', { id: 'bo', name: 'Bo Berg' });
document.body.innerHTML = `
  <crm-realtime-provider>
    <crm-connection-status></crm-connection-status>
    <crm-presence room-id="customer:42" callable></crm-presence>
    <crm-notification-center></crm-notification-center>
    <crm-activity-feed feed-type="global"></crm-activity-feed>
    <crm-huddle room-id="customer:42"></crm-huddle>
    <crm-collaborative-form entity-type="customer" entity-id="42">
      <form><input name="email" type="email" /><button>Save</button></form>
    </crm-collaborative-form>
    <crm-conflict-dialog></crm-conflict-dialog>
  </crm-realtime-provider>`;
const client = connectFake(server, { devUser: { id: 'ada', name: 'Ada' } });
document.querySelector('crm-realtime-provider').client = client;
const presence = document.querySelector('crm-presence');
const feed = document.querySelector('crm-activity-feed');
const center = document.querySelector('crm-notification-center');
const input = document.querySelector('input');

const report = {};
try {
  await until('Bo in presence', () => presence.people.some((p) => p.user.id === 'bo'));
  server.addPerson('customer:42', { id: 'cy', name: 'Cy Chen' });
  await until('Cy arriving', () => presence.people.some((p) => p.user.id === 'cy'));
  server.removePerson('customer:42', 'bo');
  await until('Bo leaving', () => !presence.people.some((p) => p.user.id === 'bo'));
  server.appendActivity(sampleActivity(1));
  await until('an activity item', () => feed.shadowRoot.querySelectorAll('article').length > 0);
  server.notify(sampleNotification(0, { user: 'ada' }));
  await until('a notification', () => center.unread > 0);
  await until('its toast shown', () => center.toastsShown.length === 1);
  center.shadowRoot.querySelector('[part~="toast"] [part~="dismiss"]').click();
  await until('its toast gone', () => center.toastsShown.length === 0);
  await until('the record in the form', () => input.value === 'ada@example.com');
  for (let i = 0; i < 10; i++) await frame();
  report.people = presence.people.map((p) => p.user.id).sort();
  report.status = document.querySelector('crm-connection-status').state;
  report.articles = feed.shadowRoot.querySelectorAll('article').length;
  report.unread = center.unread;
  report.email = input.value;
} catch (error) {
  errors.push(String(error?.stack ?? error));
}
client.close();
document.body.replaceChildren();
for (let i = 0; i < 5; i++) await frame();
console.log(JSON.stringify({ report, errors }));
printed = true;
process.exit(0);
