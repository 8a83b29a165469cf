/**
 * The shared base of the kit's controllers: find the page's `RealtimeClient` through context, and
 * bind to it only while the host is in the document.
 *
 * A subclass implements `bind(client)`, returning what undoes it; the base calls it when the host
 * is connected and a client is known, and undoes it when the host leaves the document or the
 * provider hands out another client. With no provider the controller reports `connected: false`,
 * `providerMissing: true`, and one warning is logged per page, not per element.
 */
import { ContextConsumer } from '@lit/context';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { RealtimeClient } from '../client/realtime-client.js';
import type { Unsubscribe } from '../client/types.js';
import { ensureContextRoot, realtimeClientContext } from '../context.js';
import { warn, warnOnceFor } from '../util/warn.js';

export type ControllerHost = ReactiveControllerHost & HTMLElement;

const WARNED = Symbol.for('crm-realtime/warned-no-provider');
type WarnFlag = { [WARNED]?: boolean };

/** What the client refused to follow, said once per element and input (see `tryOpen`). */
const warnOnce = warnOnceFor();

/**
 * Warn once per page (shared by every copy of the kit) that a widget found no provider. Deferred to
 * after the page's scripts ran, so a provider defined or attached later in the same load (the late
 * definition order the `ContextRoot` handles) does not cause a false alarm.
 */
function scheduleNoProviderWarning(controller: ClientController): void {
  const check = () => {
    const flags = globalThis as WarnFlag;
    if (flags[WARNED] || !controller.providerMissing) return;
    flags[WARNED] = true;
    const tag = controller.hostTag;
    warn(
      `<${tag}> found no <crm-realtime-provider>, so it shows "not connected". ` +
        'Wrap the widgets in <crm-realtime-provider url="…">, or call ' +
        'attachRealtimeProvider(document.body, { url }) before they need a connection.',
    );
  };
  const later = () => setTimeout(check, 0);
  const doc = globalThis.document;
  if (doc && doc.readyState !== 'complete') {
    globalThis.addEventListener('load', later, { once: true });
  } else {
    later();
  }
}

/** @internal For tests: forget that the page already warned about a missing provider. */
export function resetNoProviderWarning(): void {
  delete (globalThis as WarnFlag)[WARNED];
}

export abstract class ClientController implements ReactiveController {
  /** The client the nearest provider gives, `undefined` until one answers (or none does). */
  client: RealtimeClient | undefined = undefined;

  /** True when the host is in the document and no provider answered its request. */
  providerMissing = false;

  /**
   * True when the client refused what the host asked to follow (an invalid room, id or feed from
   * an attribute; warned once): nothing is bound, so nothing will load, and the host shows that
   * there is nothing to show rather than a loading state that never ends.
   */
  refused = false;

  private readonly consumer: ContextConsumer<typeof realtimeClientContext, ControllerHost>;
  private unbind: Unsubscribe | undefined;
  private hostIsConnected = false;
  private answered = false;
  /** Connected, and not bound since (see `hostConnected`). */
  private bindPending = false;
  private keepOnLeave = false;

  constructor(protected readonly host: ControllerHost) {
    ensureContextRoot(host.ownerDocument);
    // The consumer registers first, so its request has been answered (or not) by the time this
    // controller's `hostConnected` runs.
    this.consumer = new ContextConsumer(host, {
      context: realtimeClientContext,
      subscribe: true,
      callback: (client) => this.provided(client),
    });
    host.addController(this);
  }

  /** A client is available. It may still be connecting or reconnecting: see its `status`. */
  get connected(): boolean {
    return this.client !== undefined;
  }

  /** The host's tag, for messages. */
  get hostTag(): string {
    return this.host.localName;
  }

  hostConnected(): void {
    this.hostIsConnected = true;
    if (!this.answered) {
      this.providerMissing = true;
      this.host.requestUpdate();
      scheduleNoProviderWarning(this);
    }
    // Bound once the code that inserted the host has run: a framework that sets the host's
    // inputs just after inserting it (Angular) would otherwise have it join the default room or
    // feed first, and everyone there see the user come and go. The host's first update, or a
    // subclass's check of its inputs, may bind it sooner.
    this.bindPending = true;
    queueMicrotask(() => {
      if (this.bindPending && this.hostIsConnected) this.rebind();
    });
  }

  hostDisconnected(): void {
    this.hostIsConnected = false;
    this.bindPending = false;
    // The consumer dropped its subscription; the next connection asks the providers again.
    this.answered = false;
    this.providerMissing = false;
    if (!this.keepOnLeave) return this.release();
    this.keepOnLeave = false;
    queueMicrotask(() => {
      // Put back in the same task (moved): the next bind replaces it.
      if (!this.hostIsConnected) this.release();
    });
  }

  /**
   * When the host next leaves the document, keep what is bound until the microtask after, so
   * what the host does on its way out can still use it once it knows it was not only moved
   * (removed, then inserted again in the same task, as frameworks re-parent).
   */
  keepUntilLeft(): void {
    this.keepOnLeave = true;
  }

  /** Attach to a client; return what detaches. Called only while the host is connected. */
  protected abstract bind(client: RealtimeClient): Unsubscribe | void;

  /**
   * Follows a client store (or a live-data handle) for the host: `show` gets its snapshot now and
   * on every change, each change updates the host, then `changed` runs. Returns what undoes it,
   * for `bind` to return: stop following, release the store, then `done`.
   */
  protected follow<S>(
    store: {
      snapshot(): S;
      subscribe(listener: (snapshot: S) => void): Unsubscribe;
      release(): void;
    },
    show: (snapshot: S) => void,
    done: () => void,
    changed?: (snapshot: S) => void,
  ): Unsubscribe {
    show(store.snapshot());
    const unsubscribe = store.subscribe((snapshot) => {
      show(snapshot);
      this.host.requestUpdate();
      changed?.(snapshot);
    });
    return () => {
      unsubscribe();
      store.release();
      done();
    };
  }

  /**
   * `open()`, or `undefined` when it throws: what the client refuses there comes from the page (a
   * room, an id or a filter in an attribute) and must not break it, so it is warned about once per
   * element and `input` (a form's entity and its room are one input, one warning), as "<tag>
   * cannot follow <what>: <why>", and nothing is bound.
   */
  protected tryOpen<T>(input: string, open: () => T, what = `"${input}"`): T | undefined {
    try {
      return open();
    } catch (error) {
      this.refused = true;
      // The page's input was wrong, not the kit: the reason alone, without a stack to dig through.
      const why = error instanceof Error ? error.message : String(error);
      warnOnce(`${this.hostTag} ${input}`, `<${this.hostTag}> cannot follow ${what}: ${why}`);
      return undefined;
    }
  }

  /** Undo `bind`, then `bind` again: for subclasses whose inputs (a room id) changed. */
  protected rebind(): void {
    this.bindPending = false;
    this.release();
    this.refused = false;
    if (this.hostIsConnected && this.client) this.unbind = this.bind(this.client) ?? undefined;
    this.host.requestUpdate();
  }

  private release(): void {
    const unbind = this.unbind;
    this.unbind = undefined;
    unbind?.();
  }

  private provided(client: RealtimeClient | undefined): void {
    this.answered = true;
    this.providerMissing = false;
    if (client === this.client) {
      this.host.requestUpdate();
      return;
    }
    this.client = client;
    this.clientChanged(client);
    if (this.hostIsConnected) this.rebind();
  }

  /** Hook for subclasses, called when the provided client changes (before `bind`). */
  protected clientChanged(_client: RealtimeClient | undefined): void {}

  /** @internal The consumer, for tests that check unsubscription. */
  get contextConsumer(): ContextConsumer<typeof realtimeClientContext, ControllerHost> {
    return this.consumer;
  }
}
