/**
 * One socket per browser: `transport: sharedConnection()` makes the tabs of an origin that talk to
 * the same server as the same identity share one WebSocket, held by a `SharedWorker` where the
 * browser has one, else by a leader tab elected with a Web Lock (Chrome on Android has no
 * `SharedWorker`), or, where there are neither Web Locks nor `BroadcastChannel`, a socket per tab
 * as before. The elements and the client's API see no difference: presence still counts
 * tabs, a closing tab leaves its rooms, the last one closes the socket, and a tab that outlives
 * the leader takes over and resumes.
 *
 * ```ts
 * const client = new RealtimeClient({ url, getToken, transport: sharedConnection() });
 * ```
 *
 * Opt-in, not the default: tabs share the socket of one signed-in user, so a page whose tabs may
 * sign in as different people through `getToken` (impersonation, a shared kiosk) must not use it;
 * tabs with different `devUser`s or server URLs never share.
 */
import { randomId } from './client-id.js';
import { Connection } from './socket.js';
import { SharedTransport, type Sharing } from './shared-transport.js';
import { LeaderSharing, WorkerSharing, webLocks } from './sharing.js';
import type { TransportFactory } from './transport.js';

/**
 * `auto` (the default) and `worker`: a `SharedWorker` holds the socket where the browser has one
 * (it outlives any tab, so closing a tab never moves the socket), else a leader tab; the tabs also
 * fall back to a leader when the worker cannot start or may not open the socket (a
 * Content-Security-Policy on its script without `connect-src` for the server). `leader`: always a
 * leader tab elected with a Web Lock, reached over a `BroadcastChannel`.
 */
export type SharingMode = 'auto' | 'leader' | 'worker';

export interface SharedConnectionOptions {
  mode?: SharingMode;
  /**
   * Where the worker module is. Default: the worker both builds ship (`assets/shared-worker-*.js`,
   * found relative to this module; an app's bundler copies it as an asset).
   */
  workerUrl?: string | URL;
}

export function sharedConnection(options: SharedConnectionOptions = {}): TransportFactory {
  return (connection, events) => {
    const locks = webLocks();
    const canLead = locks !== undefined && typeof BroadcastChannel === 'function';
    const canWork =
      options.mode !== 'leader' && locks !== undefined && typeof SharedWorker === 'function';
    if (!canLead && !canWork) return new Connection(connection, events); // a socket per tab
    // Tabs share only with tabs that would open the same socket: same server, same identity.
    const key = `${connection.url} ${connection.devUser?.id ?? ''}`;
    return new SharedTransport(connection, events, randomId(), (transport) => {
      const leader = (): Sharing => new LeaderSharing(transport, key, locks!);
      if (!canWork) return leader();
      let current: Sharing | undefined;
      const name = `crm-realtime ${key}`;
      const workerUrl = options.workerUrl;
      const worker = new WorkerSharing(
        transport,
        workerUrl === undefined
          ? // The literal form bundlers recognise: an app's bundler emits the worker for it.
            () =>
              new SharedWorker(new URL('./shared-worker.js', import.meta.url), {
                type: 'module',
                name,
              })
          : () => new SharedWorker(workerUrl, { type: 'module', name }),
        () => {
          if (!canLead || current !== worker) return;
          current = leader();
          current.start();
        },
      );
      current = worker;
      return {
        start: () => current?.start(),
        stop: () => current?.stop(),
      };
    });
  };
}
