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
}

const hub = new ConnectionHub();
const locks = webLocks();

(globalThis as unknown as ConnectScope).onconnect = (event) => {
  const port = event.ports[0];
  if (!port) return;
  const tabPort = { post: (message: HubMessage) => port.postMessage(message) };
  let key: string | undefined;
  port.onmessage = (message: MessageEvent<TabMessage>) => {
    const data = message.data;
    if (data.kind === 'attach') {
      key = data.tab;
      const tab = key;
      if (locks) whenTabGone(locks, tab, () => hub.detach(tab));
    }
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
