/**
 * The script form of the provider, for pages whose widgets sit in places no single wrapper can
 * reach (a legacy page with a header widget, a sidebar widget and one inside a server-rendered
 * form):
 *
 * ```js
 * import { attachRealtimeProvider } from 'crm-realtime';
 * const realtime = attachRealtimeProvider(document.body, {
 *   url: 'wss://crm.example.com/realtime',
 *   getToken: () => fetch('/api/realtime-token').then((r) => r.text()),
 * });
 * realtime.client.on('*', (m) => console.debug(m));
 * // later, e.g. when a single-page app tears the view down:
 * realtime.detach();
 * ```
 *
 * Widgets upgraded before this call still get the client (the page's `ContextRoot` replays their
 * requests). `detach()` shows them "not connected" and hands them to any provider further up.
 */
import { ContextEvent, ContextProvider } from '@lit/context';
import { RealtimeClient } from '../../client/realtime-client.js';
import type { RealtimeClientOptions } from '../../client/types.js';
import { ensureContextRoot, realtimeClientContext } from '../../context.js';
import { warn } from '../../util/warn.js';

/** Either options for a client the attachment creates (and closes), or a ready client. */
export type AttachRealtimeProviderOptions = RealtimeClientOptions | { client: RealtimeClient };

export interface AttachedRealtimeProvider {
  /** The client the widgets below the target share. */
  readonly client: RealtimeClient;
  /** The element the provider listens on. */
  readonly target: HTMLElement;
  /**
   * Stop providing. A client the attachment created is closed; a given one is left open.
   * Widgets below show "not connected" until another provider answers. Idempotent.
   */
  detach(): void;
}

/** A `ContextProvider` that can also stop: removes its listeners and lets its consumers go. */
class DetachableProvider extends ContextProvider<typeof realtimeClientContext> {
  detach(): void {
    this.host.removeEventListener('context-request', this.onContextRequest);
    this.host.removeEventListener('context-provider', this.onProviderRequest);
    const consumers = [...this.subscriptions].map(([callback, info]) => ({
      callback,
      host: info.consumerHost,
    }));
    // Tell every consumer the client is gone, then let each ask again: another provider further
    // up answers, or the page's ContextRoot keeps the request for the next provider to appear.
    this.setValue(undefined);
    this.clearCallbacks();
    for (const { callback, host } of consumers) {
      host.dispatchEvent(new ContextEvent(realtimeClientContext, host, callback, true));
    }
  }
}

const attached = new WeakMap<HTMLElement, AttachedRealtimeProvider>();

/** Attach a provider to `document.body`. */
export function attachRealtimeProvider(
  options: AttachRealtimeProviderOptions,
): AttachedRealtimeProvider;
/** Attach a provider to `target`: widgets anywhere below it share the client. */
export function attachRealtimeProvider(
  target: HTMLElement | undefined,
  options: AttachRealtimeProviderOptions,
): AttachedRealtimeProvider;
export function attachRealtimeProvider(
  targetOrOptions: HTMLElement | AttachRealtimeProviderOptions | undefined,
  maybeOptions?: AttachRealtimeProviderOptions,
): AttachedRealtimeProvider {
  const isTarget = targetOrOptions === undefined || isElement(targetOrOptions);
  const target = (isTarget ? targetOrOptions : undefined) ?? globalThis.document?.body;
  const options = (isTarget ? maybeOptions : targetOrOptions) as
    AttachRealtimeProviderOptions | undefined;
  if (!target) {
    throw new TypeError('attachRealtimeProvider: no target element (is document.body there yet?)');
  }
  if (!options) throw new TypeError('attachRealtimeProvider: options or { client } are required');

  const previous = attached.get(target);
  if (previous) {
    warn('a provider was already attached to this element; replacing it.');
    previous.detach();
  }

  ensureContextRoot(target.ownerDocument);
  const owned = !('client' in options);
  const client = 'client' in options ? options.client : new RealtimeClient(options);
  const provider = new DetachableProvider(target, {
    context: realtimeClientContext,
    initialValue: client,
  });
  // A plain element has no controller lifecycle: announce by hand, so waiting widgets get it.
  provider.hostConnected();

  let detached = false;
  const attachment: AttachedRealtimeProvider = {
    client,
    target,
    detach() {
      if (detached) return;
      detached = true;
      if (attached.get(target) === attachment) attached.delete(target);
      provider.detach();
      if (owned) client.close();
    },
  };
  attached.set(target, attachment);
  return attachment;
}

function isElement(value: unknown): value is HTMLElement {
  return typeof Node !== 'undefined' && value instanceof Node && value.nodeType === 1;
}
