/**
 * The hub of a shared connection: one socket (`Connection`: handshake, heartbeat, backoff) for
 * every tab of a browser, in a `SharedWorker` or in the leader tab. Each tab runs its own
 * `RealtimeClient` (rooms, resume, presence, outbox) over a `SharedTransport`; the hub
 * multiplexes them:
 *
 * - `join`, `leave` and `presence` carry the tab (`tab` in the frame), so the server keeps a
 *   presence member per tab (people still see "3 tabs") and holds a room while any tab does;
 * - request ids are replaced by the hub's own, and the answer goes back to the tab that asked,
 *   with its id;
 * - room frames go to the tabs in that room. Events for a tab whose join is in flight wait for
 *   its `joined`: the room's live events (other tabs keep receiving them) and the replay the
 *   server sends for this join can come in any order, so they are handed over in `seq` order,
 *   once each: before `joined` when it resumed, as the server sends a replay, after it otherwise.
 *   Presence changes before `joined` are dropped: its snapshot holds them;
 * - a tab that detaches (closed, or its client closed) leaves its rooms (a leave the server drops
 *   under the shared rate limit goes again: `hub-leaves.ts`); the last one closes the
 *   socket. A socket that goes down tells every tab, which re-joins with resume on the next open.
 */
import type { ClientFrame, ServerFrame, WelcomeFrame } from '../../protocol/index.js';
import { LIMITS } from '../../protocol/constants.js';
import { realClock, type Clock } from '../../util/clock.js';
import { DEFAULT_BACKOFF_BASE } from './backoff.js';
import { RealtimeError } from '../realtime-error.js';
import { Connection, type ConnectionEvents, type ConnectionOptions } from './socket.js';
import type { ConnectionStatus, SocketFactory } from '../types.js';
import { browserSocketFactory } from './wire.js';
import { GoneTabLeaves } from './hub-leaves.js';
import { routeDecode, TabsEnvironment, tokenSubject } from './hub-support.js';
import {
  connectionTimings,
  type AttachSettings,
  type TabMessage,
  type TabPort,
  type Transport,
} from './transport.js';

export interface HubOptions {
  clock?: Clock;
  socketFactory?: SocketFactory;
  random?: () => number;
  logger?: Pick<Console, 'warn'>;
  /** Makes the socket's connection (default `Connection`); a seam for tests. */
  connection?: (options: ConnectionOptions, events: ConnectionEvents) => Transport;
  /** The last tab detached and the socket was closed. */
  onEmpty?: () => void;
}

/** One room as one tab holds it. */
interface TabRoom {
  /** Hub id of the tab's `join` in flight; undefined once `joined` went to the tab. */
  joinId: string | undefined;
  /** Events that arrived while the join was in flight, by `seq`, as text. */
  held: Map<number, string>;
}

interface Tab {
  readonly key: string;
  /** The short id the server knows this tab by (`tab` in frames). */
  readonly wire: string;
  port: TabPort;
  settings: AttachSettings;
  readonly rooms: Map<string, TabRoom>;
}

interface Route {
  tab: Tab;
  /** The tab's own request id. */
  id: string;
}

export class ConnectionHub {
  private readonly tabs = new Map<string, Tab>();
  private readonly routes = new Map<string, Route>();
  private readonly tokenWaits = new Map<
    number,
    { tab: Tab; resolve(token: string | undefined): void; reject(error: Error): void }
  >();
  private readonly environment = new TabsEnvironment();
  private readonly leaves: GoneTabLeaves;
  private readonly clock: Clock;
  private connection: Transport | undefined;
  private welcome: WelcomeFrame | undefined;
  private nextTab = 1;
  private nextId = 1;
  private nextToken = 1;
  /** Tab frames waiting for the socket's rate (see `paced`), in the order they came. */
  private outbox: (() => void)[] = [];
  private outboxTimer: unknown;
  private tokens = 0;
  private tokensAt = 0;

  constructor(private readonly options: HubOptions = {}) {
    this.clock = options.clock ?? realClock;
    this.leaves = new GoneTabLeaves(this.clock, () => this.newId('h'));
  }

  /** Tabs attached now. */
  get tabCount(): number {
    return this.tabs.size;
  }

  /** The rooms each tab holds (for tests and debugging). */
  heldRooms(): ReadonlyMap<string, readonly string[]> {
    return new Map([...this.tabs.values()].map((tab) => [tab.key, [...tab.rooms.keys()]]));
  }

  /** A message from the tab `key` (which speaks through `port`). */
  receive(key: string, port: TabPort, message: TabMessage): void {
    if (message.kind === 'attach') return this.attach(key, port, message.settings);
    const tab = this.tabs.get(key);
    if (!tab) return; // a tab that detached, or never attached
    switch (message.kind) {
      case 'frame':
        return this.forward(tab, message.frame);
      case 'retry':
        return this.connection?.retryNow();
      case 'detach':
        return this.detach(key);
      case 'token':
        return this.tokenAnswered(tab, message);
      case 'environment':
        return this.environment.report(key, message);
    }
  }

  /** The tab `key` is gone (closed without a word): same as its `detach`. */
  detach(key: string): void {
    const tab = this.tabs.get(key);
    if (!tab) return;
    this.tabs.delete(key);
    this.environment.report(key, undefined);
    for (const [id, route] of this.routes) if (route.tab === tab) this.routes.delete(id);
    for (const [id, wait] of this.tokenWaits) {
      if (wait.tab !== tab) continue;
      this.tokenWaits.delete(id);
      wait.reject(new Error('the tab asked for a token closed'));
    }
    if (this.tabs.size === 0) {
      // The last tab closed: so does the socket (the server shows the person leaving after its
      // grace period, as for a closed tab with its own socket).
      this.connection?.close('the last tab closed');
      this.connection = undefined;
      this.leaves.clear();
      this.welcome = undefined;
      this.options.onEmpty?.();
      return;
    }
    for (const room of tab.rooms.keys()) this.leaves.send(this.connection, room, tab.wire);
  }

  /**
   * Close the socket and tell every tab it is down (the leader tab's client closed while the tab
   * lives on: the next leader takes over). Tabs that attach later start a new socket.
   */
  shutdown(reason: string): void {
    const connection = this.connection;
    this.connection = undefined;
    this.welcome = undefined;
    connection?.close(reason);
    this.down(reason);
    this.tabs.clear();
  }

  private attach(key: string, port: TabPort, settings: AttachSettings): void {
    const existing = this.tabs.get(key);
    if (existing) this.detach(key); // attached again (a link that came back): start clean
    const tab: Tab = { key, wire: `t${this.nextTab++}`, port, settings, rooms: new Map() };
    this.tabs.set(key, tab);
    this.environment.report(key, { online: settings.online, visible: settings.visible });
    if (!this.connection) {
      this.connection = this.makeConnection(settings);
      this.connection.connect();
      return;
    }
    if (this.connection.isOpen && this.welcome) {
      port.post({ kind: 'open', status: this.connection.status, welcome: this.welcome });
    } else {
      port.post({ kind: 'status', status: this.connection.status });
      // The socket stopped (a refused sign-in, or out of attempts): a tab opened now is a page
      // loaded after, say, signing in again, and tries as its own socket would, with its token.
      if (this.connection.status.state === 'closed') this.connection.retryNow();
    }
  }

  private makeConnection(settings: AttachSettings): Transport {
    const options: ConnectionOptions = {
      url: settings.url,
      clientId: settings.clientId,
      getToken: () => this.token(),
      devUser: settings.devUser,
      ...connectionTimings(settings),
      reconnectInterval: settings.reconnectInterval || DEFAULT_BACKOFF_BASE,
      clock: this.clock,
      socketFactory: this.options.socketFactory ?? browserSocketFactory,
      environment: this.environment,
      random: this.options.random ?? Math.random,
      logger: this.options.logger ?? console,
      decode: routeDecode,
    };
    const events: ConnectionEvents = {
      onOpen: (welcome) => this.opened(welcome),
      onFrame: (frame, text) => this.fromServer(frame, text),
      onDown: (reason) => this.down(reason),
      onStatus: (status) => this.statusChanged(status),
    };
    return (this.options.connection ?? ((o, e) => new Connection(o, e)))(options, events);
  }

  // -------------------------------------------------------------------------------------------
  // tab → server

  private forward(tab: Tab, frame: ClientFrame): void {
    const connection = this.connection;
    // A tab that sent before it heard of a drop: its `down` is on the way, and it re-sends.
    if (!connection?.isOpen) return;
    const out = { ...frame } as ClientFrame & { id?: string; tab?: string };
    if (frame.type === 'join' || frame.type === 'leave' || frame.type === 'presence') {
      out.tab = tab.wire;
    }
    const tabId = 'id' in frame && typeof frame.id === 'string' ? frame.id : undefined;
    if (tabId !== undefined) {
      out.id = this.newId(tab.wire);
      this.routes.set(out.id, { tab, id: tabId });
    }
    if (frame.type === 'join') tab.rooms.set(frame.room, { joinId: out.id, held: new Map() });
    if (frame.type === 'leave') tab.rooms.delete(frame.room);
    this.paced(() => this.put(connection, tab, frame, out, tabId));
  }

  /**
   * Runs `send` now if the socket's rate allows it, else in turn once it does. Every tab's frames
   * go over this one socket, whose rate the server limits (`maxMessagesPerSecond`, about 100
   * drops in a row close it): a browser restoring many tabs, or every tab joining its rooms again
   * after a reconnect, sends hundreds at once. Sent as they came, most were dropped and the
   * socket closed for abuse, so the tabs rejoined at once again, over and over. Paced at 4/5 of
   * the limit: the socket's own heartbeat and the leaves of closed tabs go past the queue.
   */
  private paced(send: () => void): void {
    if (this.outbox.length === 0 && this.takeToken()) return send();
    this.outbox.push(send);
    if (this.outboxTimer === undefined) this.drainLater();
  }

  private takeToken(): boolean {
    const rate = this.rate();
    const now = this.clock.now();
    this.tokens = Math.min(rate, this.tokens + ((now - this.tokensAt) * rate) / 1000);
    this.tokensAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Frames a second the hub sends at most, and as many at once. */
  private rate(): number {
    const limit = this.welcome?.limits.maxMessagesPerSecond ?? LIMITS.maxMessagesPerSecond;
    return Math.max(1, Math.floor((limit * 4) / 5));
  }

  private drainLater(): void {
    this.outboxTimer = this.clock.setTimeout(
      () => {
        this.outboxTimer = undefined;
        while (this.outbox.length > 0 && this.takeToken()) this.outbox.shift()!();
        if (this.outbox.length > 0) this.drainLater();
      },
      Math.ceil(1000 / this.rate()),
    );
  }

  private put(
    connection: Transport,
    tab: Tab,
    frame: ClientFrame,
    out: ClientFrame & { id?: string },
    tabId: string | undefined,
  ): void {
    // The socket went, or the tab closed, while this waited its turn: the tab re-sends on the
    // next open (its requests were failed with the drop), a closed tab has nothing to send.
    if (connection !== this.connection || !connection.isOpen || this.tabs.get(tab.key) !== tab) {
      return;
    }
    try {
      connection.send(out);
    } catch (error) {
      if (out.id !== undefined) this.routes.delete(out.id);
      if (frame.type === 'join') tab.rooms.delete(frame.room);
      if (tabId === undefined) return;
      // The tab checked the size against the same limit, but `tab` and the hub's id add a few
      // bytes: answer the request rather than let it time out.
      const code = error instanceof RealtimeError ? error.code : 'internal';
      const message = error instanceof Error ? error.message : String(error);
      tab.port.post({
        kind: 'frame',
        text: JSON.stringify({ type: 'error', code, message, replyTo: tabId }),
      });
    }
  }

  // -------------------------------------------------------------------------------------------
  // server → tabs

  private fromServer(frame: ServerFrame, text: string): void {
    if (frame.type === 'ping' || frame.type === 'pong') return; // the socket's own business
    const replyTo = (frame as { replyTo?: unknown }).replyTo;
    if (typeof replyTo === 'string') return this.answer(replyTo, frame);
    const room = (frame as { room?: unknown }).room;
    for (const tab of this.tabs.values()) {
      if (typeof room !== 'string') {
        tab.port.post({ kind: 'frame', text });
        continue;
      }
      const held = tab.rooms.get(room);
      if (!held) continue;
      if (held.joinId === undefined) tab.port.post({ kind: 'frame', text });
      // The server took the socket out of the room (permissions changed): no tab holds it now.
      if (frame.type === 'error' && frame.removed) tab.rooms.delete(room);
      else if (frame.type === 'event') held.held.set(frame.seq, text);
      // Presence changes before `joined` are older than its snapshot: dropped, as the server does.
    }
  }

  /** An answer: to the tab that asked, with its own request id. */
  private answer(replyTo: string, frame: ServerFrame): void {
    const route = this.routes.get(replyTo);
    // Else a hub's own leave, or a request of a tab that left.
    if (!route) return void this.leaves.answered(replyTo, frame, () => this.connection);
    this.routes.delete(replyTo);
    const { tab } = route;
    const text = JSON.stringify({ ...frame, replyTo: route.id });
    const room = (frame as { room?: unknown }).room;
    const held = typeof room === 'string' ? tab.rooms.get(room) : undefined;
    if (!held || held.joinId !== replyTo) return tab.port.post({ kind: 'frame', text });
    if (frame.type !== 'joined') {
      tab.rooms.delete(room as string); // the join was refused
      return tab.port.post({ kind: 'frame', text });
    }
    held.joinId = undefined;
    const events = [...held.held].sort(([a], [b]) => a - b);
    held.held = new Map();
    const replayed = frame.resume === 'replayed';
    if (!replayed) tab.port.post({ kind: 'frame', text });
    for (const [seq, event] of events) {
      if (replayed || seq > frame.seq) tab.port.post({ kind: 'frame', text: event });
    }
    if (replayed) tab.port.post({ kind: 'frame', text });
  }

  private opened(welcome: WelcomeFrame): void {
    this.welcome = welcome;
    const status = this.connection?.status ?? { state: 'open', since: this.clock.now() };
    for (const tab of this.tabs.values()) tab.port.post({ kind: 'open', status, welcome });
  }

  private down(reason: string): void {
    // What waited its turn is the tabs' to send again on the next open (they are told of the drop).
    this.outbox = [];
    this.routes.clear();
    this.leaves.clear();
    for (const tab of this.tabs.values()) {
      tab.rooms.clear(); // each tab joins again, with resume, when the socket reopens
      tab.port.post({ kind: 'down', reason });
    }
  }

  private statusChanged(status: ConnectionStatus): void {
    // `open` reaches the tabs with the welcome (see `opened`), so a tab is never told "open"
    // before it may send.
    if (status.state === 'open') return;
    for (const tab of this.tabs.values()) tab.port.post({ kind: 'status', status });
  }

  // -------------------------------------------------------------------------------------------
  // tokens: the token source is a function in a tab; the most recent tab that has one is asked

  private token(): Promise<string | undefined> {
    const tabs = [...this.tabs.values()].reverse().filter((t) => t.settings.tokens);
    // A tab that left a request unanswered (frozen without notice: it takes messages but runs
    // nothing) is asked after the others, or no attempt of the socket could ever sign in.
    const waiting = new Set([...this.tokenWaits.values()].map((wait) => wait.tab));
    const tab = tabs.find((t) => !waiting.has(t)) ?? tabs[0];
    if (!tab) return Promise.resolve(undefined);
    const id = this.nextToken++;
    return new Promise((resolve, reject) => {
      this.tokenWaits.set(id, { tab, resolve, reject });
      tab.port.post({ kind: 'token-request', id });
    });
  }

  private tokenAnswered(tab: Tab, message: Extract<TabMessage, { kind: 'token' }>): void {
    const wait = this.tokenWaits.get(message.id);
    if (!wait || wait.tab !== tab) return;
    this.tokenWaits.delete(message.id);
    const subject = tab.settings.subject;
    if (!message.error && subject !== undefined && tokenSubject(message.token) !== subject) {
      // Someone else signed in in this browser since: the socket of the person these tabs show
      // must not reconnect as the new one. Refused like a token source that knows of no session.
      return wait.reject(
        new RealtimeError('invalid_token', 'signed in as someone else in another tab'),
      );
    }
    if (!message.error) return wait.resolve(message.token);
    const { code, message: text } = message.error;
    wait.reject(code ? new RealtimeError(code as never, text) : new Error(text));
  }

  private newId(prefix: string): string {
    return `${prefix}.${this.nextId++}`;
  }
}
