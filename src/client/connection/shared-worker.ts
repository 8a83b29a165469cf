/**
 * The `SharedWorker` of a shared connection: one hub (one socket) for every tab of the browser
 * that opens it with the same name (`crm-realtime <url> <identity>`). Each tab's port brings its
 * frames; the tab's lock tells the hub when a tab is gone without a word.
 *
 * Vite bundles it on its own (no DOM, no Lit) from the `new SharedWorker(new URL(…))` in
 * `shared-connection.ts`, into `assets/shared-worker-<hash>.js` of both builds (dist/kit and
 * dist/npm), referenced relative to the module that starts it.
 */
import { ConnectionHub } from './hub.js';
import { webLocks, whenTabGone } from './sharing.js';
import type { HubMessage, TabMessage } from './transport.js';

interface ConnectScope {
  onconnect: ((event: MessageEvent) => void) | null;
  addEventListener(type: 'securitypolicyviolation', listener: (event: Violation) => void): void;
}

type Violation = Pick<SecurityPolicyViolationEvent, 'effectiveDirective' | 'blockedURI'>;

const scope = globalThis as unknown as ConnectScope;
const hub = new ConnectionHub();
const locks = webLocks();
const ports = new Set<MessagePort>();
/** Why this worker may not open the socket, once its policy refused it. */
let refused: string | undefined;

// A worker runs under the Content-Security-Policy of its own script, not the page's: a server that
// sends scripts with no `connect-src` for the realtime server has the socket refused at every
// attempt, with no close the socket could report. The tabs are told, and share another way.
scope.addEventListener('securitypolicyviolation', (event) => {
  if (refused !== undefined || event.effectiveDirective !== 'connect-src') return;
  refused =
    `the Content-Security-Policy of the shared connection's worker script refused the socket to ` +
    `${event.blockedURI}: send that script with a connect-src that allows it`;
  for (const port of ports)
    port.postMessage({ kind: 'refused', reason: refused } satisfies HubMessage);
  hub.shutdown(refused);
});

scope.onconnect = (event) => {
  const port = event.ports[0];
  if (!port) return;
  const tabPort = { post: (message: HubMessage) => port.postMessage(message) };
  if (refused !== undefined) {
    tabPort.post({ kind: 'refused', reason: refused });
    return;
  }
  ports.add(port);
  let key: string | undefined;
  port.onmessage = (message: MessageEvent<TabMessage>) => {
    if (refused !== undefined) return;
    const data = message.data;
    if (data.kind === 'attach') {
      key = data.tab;
      const tab = key;
      if (locks) whenTabGone(locks, tab, () => hub.detach(tab));
    }
    if (data.kind === 'detach') ports.delete(port);
    if (key === undefined) return;
    try {
      hub.receive(key, tabPort, data);
    } catch (error) {
      // Nobody sees a worker's console: the tab's status says what went wrong.
      const reason = `the shared connection failed: ${error instanceof Error ? error.message : String(error)}`;
      tabPort.post({ kind: 'status', status: { state: 'closed', reason } });
    }
  };
  port.start();
};
