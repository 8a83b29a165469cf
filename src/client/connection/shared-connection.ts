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
 * Opt-in, not the default: tabs share the socket of one signed-in user. Tabs with different
 * `devUser`s, server URLs or token subjects (the `sub` of a JWT from `getToken`) never share, so a
 * person signing in after another in the same browser gets a socket of their own; a token source
 * whose tokens name no one cannot be told apart, and such a page must not use it where tabs may
 * sign in as different people.
 */
import { randomId } from './client-id.js';
import { Connection } from './socket.js';
import { SharedTransport, type Sharing } from './shared-transport.js';
import { LeaderSharing, WorkerSharing, webLocks } from './sharing.js';
import { HUB_PROTOCOL, type TransportFactory } from './transport.js';
import { tokenSubject } from './hub-support.js';

/**
 * Whom the token source's token names: its subject, `''` for no token or one that names no one,
 * or `undefined` when the token source failed.
 */
async function tokenIdentity(
  getToken: () => string | undefined | Promise<string | undefined>,
): Promise<string | undefined> {
  try {
    return tokenSubject((await getToken()) ?? undefined) ?? '';
  } catch {
    return undefined;
  }
}

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
    return new SharedTransport(connection, events, randomId(), (transport) => {
      let current: Sharing | undefined;
      let stopped = false;
      const share = (identity: string): void => {
        // Tabs share only with tabs that would open the same socket: same server, same identity.
        const base = `${connection.url} ${connection.devUser?.id ?? ''}`;
        const key = identity ? `${base} ${identity}` : base;
        const leader = (): Sharing => new LeaderSharing(transport, key, locks!);
        if (!canWork) {
          current = leader();
          return current.start();
        }
        // The worker's script may be served under one URL by two builds: its name keeps them apart.
        const name = `crm-realtime v${HUB_PROTOCOL} ${key}`;
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
        worker.start();
      };
      return {
        start: () => {
          if (!connection.getToken) return share('');
          // Whose tokens the tab's token source gives decides whose socket it shares: a tab
          // opened after someone else signed in in this browser must not use the socket of the
          // person before. A token source that fails now leaves the tab a socket of its own.
          void tokenIdentity(connection.getToken).then((identity) => {
            transport.subject = identity || undefined;
            if (!stopped) share(identity ?? `tab ${transport.tabKey}`);
          });
        },
        stop: () => {
          stopped = true;
          current?.stop();
        },
      };
    });
  };
}
