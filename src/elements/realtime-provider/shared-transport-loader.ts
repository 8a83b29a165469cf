/**
 * The transport of the provider's own client for `shared-connection`: the tabs' shared socket (its
 * hub, leader election and worker, about 4 KB gzip) is loaded by dynamic import the first time a
 * provider asks for it, so a page without `shared-connection` never downloads it. Apps that pass
 * `transport: sharedConnection()` in `clientOptions` import it themselves.
 */
import type { sharedConnection } from '../../client/connection/shared-connection.js';
import type { TransportFactory } from '../../client/connection/transport.js';
import { warnOnceFor } from '../../util/warn.js';

/** `sharedConnection` once loaded; `null` when it failed to load (each tab opens its own socket). */
let loaded: typeof sharedConnection | null | undefined;
let loading: Promise<void> | undefined;

const warnOnce = warnOnceFor('<crm-realtime-provider>');

function load(): Promise<void> {
  loading ??= import('../../client/connection/shared-connection.js').then(
    (module) => {
      loaded = module.sharedConnection;
    },
    (error: unknown) => {
      // A page whose deploy lost a chunk still connects, as a tab on its own.
      loaded = null;
      warnOnce(
        'shared-connection-load',
        'shared-connection: the shared connection could not be loaded; this tab opens its own socket.',
        error,
      );
    },
  );
  return loading;
}

/**
 * The transport for `shared-connection="<mode>"`: `undefined` for a socket per tab (the attribute
 * is absent, or the module failed to load), the shared connection's factory once loaded, or, while
 * it loads, a promise that resolves when it has (loaded or failed).
 */
export function sharedTransportFor(
  mode: string | undefined,
): TransportFactory | undefined | Promise<void> {
  if (typeof mode !== 'string') return undefined;
  if (loaded === undefined) return load();
  // `leader` asks for a leader tab; anything else (`''`, `auto`, `worker`) for a SharedWorker
  // where the browser has one.
  return loaded?.({ mode: mode === 'leader' ? 'leader' : 'auto' });
}
