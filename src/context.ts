/**
 * The `@lit/context` key that carries the page's `RealtimeClient` from a provider to the widgets,
 * and the page-wide `ContextRoot` that makes late upgrades work.
 *
 * The key is made with `Symbol.for`, so two copies of the kit on one page (say, a widget bundle
 * and the host app's own copy) still find each other's provider.
 */
import { ContextRoot, createContext } from '@lit/context';
import type { RealtimeClient } from './client/realtime-client.js';

export const realtimeClientContext = createContext<RealtimeClient | undefined>(
  Symbol.for('crm-realtime/client'),
);

export type RealtimeClientContext = typeof realtimeClientContext;

const ROOT_KEY = Symbol.for('crm-realtime/context-root');

/**
 * Install one `ContextRoot` on the document, once per page (shared by every copy of the kit).
 *
 * A widget upgraded before its provider (say, the provider's module loads later, or the provider is
 * attached to `document.body` from a script that runs after the widgets) sends a request nobody
 * answers; the root keeps it and replays it when a provider announces itself. Called by every
 * consumer and provider before they talk, so pages never need to call it; idempotent.
 */
export function ensureContextRoot(doc: Document | undefined = globalThis.document): void {
  if (!doc) return;
  const holder = doc as Document & { [ROOT_KEY]?: ContextRoot };
  if (holder[ROOT_KEY]) return;
  const root = new ContextRoot();
  // `attach` is typed for elements but only adds two event listeners; the document is the one
  // place every bubbling, composed request reaches.
  root.attach(doc as unknown as HTMLElement);
  holder[ROOT_KEY] = root;
}
