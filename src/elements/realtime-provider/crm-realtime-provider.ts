import { ContextProvider } from '@lit/context';
import { ReactiveElement, type PropertyValues } from 'lit';
import { property } from 'lit/decorators.js';
import { RealtimeClient } from '../../client/realtime-client.js';
import type { RealtimeClientOptions, UserProfile } from '../../client/types.js';
import { ensureContextRoot, realtimeClientContext } from '../../context.js';
import { CrmConnectionRefusedEvent } from '../../events/connection-refused.js';
import {
  CrmConnectionStatusChangeEvent,
  type ConnectionDisplayState,
} from '../../events/connection-status-change.js';
import { installTokens } from '../../styles/tokens.js';
import { settingInForce, type ConnectionSetting } from './connection-settings.js';
import { afterPageScripts, pageScriptsDone } from './page-scripts.js';
import { sharedTransportFor } from './shared-transport-loader.js';
import type { fetchToken } from './token-url.js';

/** The `token-url` fetch once its module is here (see `nextToken`), shared by every provider. */
let fetchTokenLoaded: typeof fetchToken | undefined;

/** What the provider may call to get a token on every (re)connect. */
export type TokenSource = NonNullable<RealtimeClientOptions['getToken']>;

/** Options that, when changed, need a new connection (the token source does not). */
const CLIENT_KEYS = [
  'url',
  'devUser',
  'reconnectInterval',
  'maxReconnectAttempts',
  'heartbeatInterval',
  'probeTimeout',
  'debug',
  'sharedConnection',
  'clientOptions',
] as const;

/**
 * Shares one realtime connection with every kit element inside it. Wrap the part of the page that
 * holds widgets; widgets anywhere below, in light or shadow DOM, find it through context.
 *
 * The provider creates its own `RealtimeClient` when it is in the document and has a `url`, and
 * closes it when removed (a move within the same task keeps it). It connects once the page's own
 * scripts had their chance to configure it: a provider parsed with the page waits for
 * `DOMContentLoaded` (and one more task), so a later `<script type="module">` that sets
 * `getToken` or `devUser` is in force for the first handshake; one created by script waits for
 * the end of the task. Changes made in one task make one connection. Give it a ready client with
 * `.client = …` instead, and it provides that one and never closes it. Tokens come from
 * `token-url` or `.getToken`, called on every (re)connect; they never go in the URL.
 *
 * Pages whose widgets cannot share one wrapper call `attachRealtimeProvider(document.body, …)`
 * instead. A provider defined or attached after its widgets still reaches them.
 *
 * The provider has no shadow root and no box of its own (`display: contents`, from the kit's
 * document sheet, at zero specificity so a page's own rule for it wins), so it neither disturbs
 * the page's layout nor makes the browser build the layout of everything inside it again when it
 * upgrades: it usually wraps the whole page, and attaching a shadow root to an element re-creates
 * the boxes of all its children.
 *
 * @tagname crm-realtime-provider
 * @fires {CrmConnectionStatusChangeEvent} crm-connection-status-change - The provided connection
 *   changed state (`state`, `previousState`, the client's `status`); `unavailable` while there is
 *   no client. For the page's own indicators (a "Live" badge), so they show the same status as
 *   the widgets. Does not bubble: listen on the provider.
 * @fires {CrmConnectionRefusedEvent} crm-connection-refused - The server refused the sign-in for
 *   good (an invalid identity, a token refused twice, …); `refusal` has its code and message. The
 *   client stops retrying until `client.retryNow()`. Bubbles and is composed.
 */
export class CrmRealtimeProvider extends ReactiveElement {
  /** WebSocket URL of the realtime server, e.g. `wss://crm.example.com/realtime`. */
  @property() url = '';

  /**
   * Called before every (re)connect for a fresh token (a JWT), sent in the handshake. May be
   * replaced at any time without reconnecting. Wins over `tokenUrl` when both are set.
   */
  @property({ attribute: false }) getToken: TokenSource | undefined = undefined;

  /**
   * The page's own token endpoint, fetched (GET, `credentials: 'same-origin'`, not cached) on every
   * (re)connect: the body is the token as text, or JSON `{ "token": "…" }`. A 401/403 answer stops
   * retrying with a refusal (`invalid_token`, "Sign-in refused" with Retry now); other failures
   * are retried with backoff. `getToken` wins when both are set. May change without reconnecting.
   */
  @property({ attribute: 'token-url' }) tokenUrl = '';

  /**
   * The identity to claim from a server in development-identity mode (`npm start`); ignored by a
   * production server. Changing it reconnects as the new user.
   */
  @property({ attribute: false }) devUser: UserProfile | undefined = undefined;

  /**
   * First retry delay in ms; doubles per failure, with full jitter, up to 30 s. Default 1000.
   * Reads the value in force: as set, else `clientOptions.reconnectInterval`, else the default;
   * removing the attribute (or setting `undefined`) goes back to that.
   */
  @property({ type: Number, attribute: 'reconnect-interval' })
  get reconnectInterval(): number {
    return settingInForce('reconnectInterval', this.given.reconnectInterval, this.clientOptions);
  }
  set reconnectInterval(value: number | undefined) {
    this.given.reconnectInterval = value ?? undefined;
  }

  /**
   * Failed attempts in a row before giving up: then the status is `offline` and
   * `<crm-connection-status>` offers "Retry now" (the network coming back also tries again).
   * Default `Infinity` (unlimited), because a widget that gives up after five tries stays dead on a
   * flaky train connection; the capped, jittered delay keeps retrying cheap. Reads the value in
   * force, like `reconnectInterval`.
   */
  @property({ type: Number, attribute: 'max-reconnect-attempts' })
  get maxReconnectAttempts(): number {
    return settingInForce(
      'maxReconnectAttempts',
      this.given.maxReconnectAttempts,
      this.clientOptions,
    );
  }
  set maxReconnectAttempts(value: number | undefined) {
    this.given.maxReconnectAttempts = value ?? undefined;
  }

  /**
   * How often the client pings the server, in ms. Default 30000. Reads the value in force, like
   * `reconnectInterval`.
   */
  @property({ type: Number, attribute: 'heartbeat-interval' })
  get heartbeatInterval(): number {
    return settingInForce('heartbeatInterval', this.given.heartbeatInterval, this.clientOptions);
  }
  set heartbeatInterval(value: number | undefined) {
    this.given.heartbeatInterval = value ?? undefined;
  }

  /**
   * After a save (any request) on a link that has been quiet for a second, the client pings; no
   * frame within this many ms means the link died without closing: the socket is replaced and the
   * save waits offline, then is sent again. Default 5000, lengthened to twice the socket's slowest
   * round trip so far so a slow but alive link is not dropped. Raise it on links known to stall
   * for longer (satellite, some corporate proxies). Reads the value in force, like
   * `reconnectInterval`.
   */
  @property({ type: Number, attribute: 'probe-timeout' })
  get probeTimeout(): number {
    return settingInForce('probeTimeout', this.given.probeTimeout, this.clientOptions);
  }
  set probeTimeout(value: number | undefined) {
    this.given.probeTimeout = value ?? undefined;
  }

  /**
   * Log every frame in and out through `console.debug`, with its size in bytes, the ms since the
   * socket opened and, for answers, the request's round trip; tokens are redacted. For
   * development only: off by default. Turning it on or off reconnects.
   */
  @property({ type: Boolean }) debug = false;

  /**
   * Share one socket among the browser's tabs (same server, same identity): `shared-connection`
   * (or `="auto"`, `="worker"`): a `SharedWorker` holds the socket, or a leader tab elected with a
   * Web Lock where there is no `SharedWorker`; `="leader"`: always a leader tab. Absent (the
   * default): a socket per tab. Presence still
   * counts tabs, a closing tab leaves its rooms and the others take over when the tab holding the
   * socket closes. Opt-in because tabs share one signed-in user: leave it off where tabs of one
   * browser may sign in as different people. Changing it reconnects. The shared socket's code is
   * loaded when this is first set (the client connects once it has), so pages without it never
   * download it.
   */
  @property({ attribute: 'shared-connection' }) sharedConnection: string | undefined = undefined;

  /**
   * More options for the client the provider creates (`clock`, `socketFactory`, `environment`,
   * timeouts…): the seams tests and Storybook use to run against the fake server.
   */
  @property({ attribute: false }) clientOptions: Partial<RealtimeClientOptions> | undefined =
    undefined;

  private readonly provider = new ContextProvider(this, { context: realtimeClientContext });
  /** The connection settings as set on the element (`undefined`: not set). */
  private readonly given: Partial<Record<ConnectionSetting, number>> = {};
  private givenClient: RealtimeClient | undefined;
  private ownedClient: RealtimeClient | undefined;
  private ownedKey: readonly unknown[] | undefined;
  private closeScheduled = false;
  /** The client whose refusals this provider announces, and how to stop listening to it. */
  private watched: RealtimeClient | undefined;
  private unwatch: (() => void) | undefined;
  /** The connection state last announced (`unavailable` before any client). */
  private announced: ConnectionDisplayState = 'unavailable';
  /** Set while the own client waits for the page's scripts to run (see `pageConfigured`). */
  private pageWait: Promise<void> | undefined;
  /** Set while the own client waits for the shared connection's code (see `transportReady`). */
  private transportWait: Promise<void> | undefined;

  constructor() {
    super();
    ensureContextRoot(globalThis.document);
    // A page may set `.client` before this class is defined; that plain property would hide the
    // accessor below, so take it over.
    if (Object.prototype.hasOwnProperty.call(this, 'client')) {
      const early = (this as { client?: RealtimeClient }).client;
      delete (this as { client?: RealtimeClient }).client;
      this.givenClient = early ?? undefined;
    }
  }

  /**
   * The client widgets use: the one given with `.client = …`, else the one the provider created
   * (`undefined` while it has no `url` or is not in the document). Setting a client makes the
   * provider use it as is and never close it; setting `undefined` goes back to an own client.
   */
  get client(): RealtimeClient | undefined {
    return this.givenClient ?? this.ownedClient;
  }

  set client(client: RealtimeClient | undefined) {
    const old = this.client;
    this.givenClient = client ?? undefined;
    this.sync();
    this.requestUpdate('client', old);
  }

  /** True when the provider created the current client (and so will close it). */
  get ownsClient(): boolean {
    return this.givenClient === undefined && this.ownedClient !== undefined;
  }

  override connectedCallback(): void {
    // A move within the task keeps the own client; a new one is made in the next update, after
    // the properties the page sets in this task (widgets subscribed meanwhile get it then).
    this.closeScheduled = false;
    // Where `display: contents` comes from: the define modules put the kit's sheet in the
    // document; a provider in a shadow root (or defined by the page itself) puts it where it is.
    installTokens(this.getRootNode() as Document | ShadowRoot);
    this.sync();
    super.connectedCallback();
    this.requestUpdate();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    // Closed after the current task: moving the provider (remove, then insert) keeps the socket.
    this.closeScheduled = true;
    queueMicrotask(() => {
      if (!this.closeScheduled || this.isConnected) return;
      this.closeScheduled = false;
      this.dropOwned();
      this.watch(undefined);
    });
  }

  protected override willUpdate(_changed: PropertyValues<this>): void {
    // The one place an own client is created: once per update, so changes made together (url,
    // devUser, settings in one task) make one connection.
    this.sync(true);
  }

  /**
   * Also waits for the own client while it waits for the page's scripts or its transport, so
   * `await provider.updateComplete` then `provider.client` works in a page's module script.
   */
  protected override async getUpdateComplete(): Promise<boolean> {
    let done = await super.getUpdateComplete();
    while (this.pageWait || this.transportWait) {
      await Promise.all([this.pageWait, this.transportWait]);
      done = await super.getUpdateComplete();
    }
    return done;
  }

  /** Renders nothing: the content stays the provider's own children (see the class comment). */
  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  /**
   * Make the provided value match the inputs: the given client, an own client, or nothing. An
   * own client is created only when `create` (in an update) and the page's scripts have run.
   */
  private sync(create = false): void {
    if (this.givenClient) {
      this.dropOwned();
    } else if (this.isConnected && this.url) {
      const key = this.clientKey();
      const old = this.ownedKey;
      if (
        !this.ownedClient ||
        !old ||
        old.length !== key.length ||
        key.some((value, i) => !Object.is(value, old[i]))
      ) {
        this.dropOwned();
        // Asked first, so the transport loads while the page's scripts run.
        const transportReady = this.transportReady();
        if (create && this.pageConfigured() && transportReady) {
          this.ownedClient = this.createClient();
          this.ownedKey = key;
        }
      }
    } else if (!this.url) {
      this.dropOwned();
    }
    this.provider.setValue(this.client);
    this.watch(this.client);
  }

  /**
   * The state of the provided connection: the client's `connecting | open | reconnecting |
   * offline | closed`, or `unavailable` while there is no client. The same status every widget
   * inside shows; `crm-connection-status-change` announces each change.
   */
  get state(): ConnectionDisplayState {
    return this.client?.status.state ?? 'unavailable';
  }

  /**
   * Follow the provided client's status: announce each change of state
   * (`crm-connection-status-change`) and refused sign-ins (`crm-connection-refused`).
   */
  private watch(client: RealtimeClient | undefined): void {
    if (client === this.watched) return;
    this.unwatch?.();
    this.watched = client;
    this.unwatch = client?.onStatus((status) => {
      // A replaced client closing is not news: the page hears about the one provided now.
      if (client !== this.client) return;
      this.announce();
      if (status.state === 'closed' && status.refusal) {
        this.dispatchEvent(new CrmConnectionRefusedEvent(status.refusal));
      }
    });
    this.announce();
  }

  /** Fire `crm-connection-status-change` when `state` differs from the last one announced. */
  private announce(): void {
    const state = this.state;
    const previous = this.announced;
    if (state === previous) return;
    this.announced = state;
    // Not bubbling: a page listening on `document` already hears the status widgets.
    this.dispatchEvent(
      new CrmConnectionStatusChangeEvent(state, previous, this.client?.status, { bubbles: false }),
    );
  }

  /**
   * What the own client was made from. Objects are compared by content, so a template that passes
   * a fresh `.clientOptions=${{…}}` or `.devUser=${{…}}` on every render does not reconnect.
   */
  private clientKey(): readonly unknown[] {
    return CLIENT_KEYS.flatMap((k) => {
      if (k === 'devUser') return [JSON.stringify(this.devUser)];
      if (k === 'clientOptions') {
        const options = this.clientOptions ?? {};
        return Object.keys(options)
          .sort()
          .flatMap((name) => [name, options[name as keyof RealtimeClientOptions]]);
      }
      return [this[k]];
    });
  }

  /**
   * True when the page's own scripts have run; otherwise starts waiting for them (once) and updates
   * when they have, so the first connection has what they set.
   */
  private pageConfigured(): boolean {
    if (pageScriptsDone(this.ownerDocument)) return true;
    this.pageWait ??= afterPageScripts(this.ownerDocument).then(() => {
      this.pageWait = undefined;
      this.requestUpdate();
    });
    return false;
  }

  /**
   * True when the transport of the own client is at hand; otherwise starts loading the shared
   * connection (once) and updates when it is loaded, so the client never connects without it.
   */
  private transportReady(): boolean {
    const transport = sharedTransportFor(this.sharedConnection);
    if (!(transport instanceof Promise)) return true;
    this.transportWait ??= transport.then(() => {
      this.transportWait = undefined;
      this.requestUpdate();
    });
    return false;
  }

  /** The token for the next connect: `getToken`, else `token-url`, else `clientOptions`'. */
  private nextToken(): ReturnType<TokenSource> {
    if (this.getToken) return this.getToken();
    if (this.tokenUrl) {
      const url = new URL(this.tokenUrl, this.baseURI).href;
      if (fetchTokenLoaded) return fetchTokenLoaded(url);
      // Its code loads with the first fetch, a network round trip anyway, so a page without
      // `token-url` never downloads it; a failed load fails that connect, which is retried.
      return import('./token-url.js').then((module) => (fetchTokenLoaded = module.fetchToken)(url));
    }
    return this.clientOptions?.getToken?.();
  }

  private createClient(): RealtimeClient {
    const options: RealtimeClientOptions = {
      ...this.clientOptions,
      url: this.url,
      // Read at every connect, so a new token source applies without reconnecting.
      getToken: () => this.nextToken(),
    };
    if (this.devUser) options.devUser = this.devUser;
    options.reconnectInterval = this.reconnectInterval;
    options.maxReconnectAttempts = this.maxReconnectAttempts;
    options.heartbeatInterval = this.heartbeatInterval;
    options.probeTimeout = this.probeTimeout;
    if (this.debug) options.debug = true;
    const shared = sharedTransportFor(this.sharedConnection);
    if (typeof shared === 'function') options.transport = shared;
    return new RealtimeClient(options);
  }

  private dropOwned(): void {
    const owned = this.ownedClient;
    this.ownedClient = undefined;
    this.ownedKey = undefined;
    if (!owned) return;
    if (this.provider.value === owned) this.provider.setValue(this.givenClient);
    owned.close();
  }
}
