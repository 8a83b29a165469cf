/**
 * How the tabs of a browser find the hub that holds their one socket:
 *
 * - `WorkerSharing`: a `SharedWorker` (one per server URL and identity) runs the hub; it outlives
 *   any tab and closes the socket when the last one goes.
 * - `LeaderSharing`, where there is no `SharedWorker` (Chrome on Android, some embedded views):
 *   the tabs elect a leader with a Web Lock; the leader runs the hub and the others reach it over
 *   a `BroadcastChannel`. When the leader closes, the lock passes to the next tab, which starts a
 *   hub of its own; the tabs re-attach to it and re-join their rooms with resume.
 *
 * Either way each tab holds a lock named for it while it lives, so the hub learns that a tab is
 * gone even when it died without a word (a crash, a killed process), and leaves its rooms; a tab
 * that closes normally says so first (`pagehide`).
 */
import { LOG_PREFIX } from '../../util/warn.js';
import { ConnectionHub } from './hub.js';
import type { SharedTransport, Sharing } from './shared-transport.js';
import { HUB_PROTOCOL, type HubMessage, type TabMessage, type TabPort } from './transport.js';

const PREFIX = 'crm-realtime';

/** The name of the lock a tab holds while it lives. */
export function tabLockName(tab: string): string {
  return `${PREFIX}:tab:${tab}`;
}

type Locks = Pick<LockManager, 'request'>;

export function webLocks(): Locks | undefined {
  return (globalThis.navigator as Partial<Navigator> | undefined)?.locks ?? undefined;
}

/** Holds a lock until the returned release is called; resolves once it is held. */
export function holdLock(locks: Locks, name: string): Promise<() => void> {
  return new Promise((held, failed) => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    locks.request(name, () => (held(release), released)).catch(failed);
  });
}

/** Calls `gone` once the lock a tab holds while it lives is released (the tab is gone). */
export function whenTabGone(locks: Locks, tab: string, gone: () => void): void {
  void locks.request(tabLockName(tab), () => gone()).catch(() => {});
}

/** Says `detach` when the page goes away, before the tab's lock tells the hub anyway. */
function onPageHide(fn: () => void): () => void {
  const target = globalThis as Partial<Pick<Window, 'addEventListener' | 'removeEventListener'>>;
  if (!target.addEventListener || !target.removeEventListener) return () => {};
  target.addEventListener('pagehide', fn);
  return () => target.removeEventListener!('pagehide', fn);
}

// -----------------------------------------------------------------------------------------------

export class WorkerSharing implements Sharing {
  private port: MessagePort | undefined;
  private release: (() => void) | undefined;
  private stopped = false;
  private offPageHide: (() => void) | undefined;

  constructor(
    private readonly transport: SharedTransport,
    /** Starts (or reaches) the worker of this server and identity. */
    private readonly makeWorker: () => SharedWorker,
    /**
     * The worker cannot start (its script failed to load) or may not open the socket (its
     * script's Content-Security-Policy): share another way.
     */
    private readonly fallback: () => void,
  ) {}

  start(): void {
    const locks = webLocks();
    if (!locks) return this.fallback();
    void holdLock(locks, tabLockName(this.transport.tabKey)).then((release) => {
      if (this.stopped) return release();
      this.release = release;
      this.connectWorker();
    }, this.fallback);
  }

  private connectWorker(): void {
    let worker: SharedWorker;
    try {
      worker = this.makeWorker();
    } catch {
      return this.giveUp('the worker did not start');
    }
    let heard = false;
    worker.onerror = () => {
      if (!heard) this.giveUp('the worker did not start');
    };
    const port = worker.port;
    this.port = port;
    port.onmessage = (event: MessageEvent<HubMessage>) => {
      heard = true;
      if (event.data.kind === 'refused') return this.giveUp(event.data.reason);
      this.transport.deliver(event.data);
    };
    port.start();
    this.offPageHide = onPageHide(() => port.postMessage({ kind: 'detach' } satisfies TabMessage));
    this.transport.use({
      post: (message) => port.postMessage(message),
      close: () => {},
    });
  }

  private giveUp(reason: string): void {
    if (this.stopped) return;
    console.warn(`${LOG_PREFIX} ${reason}; the tabs elect a leader to hold the shared connection`);
    this.stop();
    this.fallback();
  }

  stop(): void {
    this.stopped = true;
    this.offPageHide?.();
    this.port?.close();
    this.port = undefined;
    this.release?.();
    this.release = undefined;
  }
}

// -----------------------------------------------------------------------------------------------

/** What goes over the leader election's channel. */
type ChannelMessage =
  | { kind: 'who-leads'; from: string }
  | { kind: 'leader'; from: string }
  | { kind: 'to-hub'; from: string; to: string; message: TabMessage }
  | { kind: 'to-tab'; from: string; to: string; message: HubMessage };

export class LeaderSharing implements Sharing {
  private channel: BroadcastChannel | undefined;
  private hub: ConnectionHub | undefined;
  private leader: string | undefined;
  private releases: (() => void)[] = [];
  private stopped = false;
  private offPageHide: (() => void) | undefined;

  constructor(
    private readonly transport: SharedTransport,
    private readonly key: string,
    private readonly locks: Locks,
  ) {}

  private get me(): string {
    return this.transport.tabKey;
  }

  start(): void {
    const channel = new BroadcastChannel(`${PREFIX} v${HUB_PROTOCOL} ${this.key}`);
    this.channel = channel;
    channel.onmessage = (event: MessageEvent<ChannelMessage>) => this.heard(event.data);
    this.offPageHide = onPageHide(() => this.post({ kind: 'detach' }));
    void holdLock(this.locks, tabLockName(this.me)).then((release) => {
      if (this.stopped) return release();
      this.releases.push(release);
      // Queue for the leadership (granted at once to the first tab, later to the next in line
      // when the leader goes), and meanwhile ask who leads now.
      void holdLock(this.locks, `${PREFIX}:leader:v${HUB_PROTOCOL} ${this.key}`).then(
        (abdicate) => {
          if (this.stopped) return abdicate();
          this.releases.push(abdicate);
          this.lead();
        },
      );
      channel.postMessage({ kind: 'who-leads', from: this.me } satisfies ChannelMessage);
    });
  }

  stop(): void {
    this.stopped = true;
    this.offPageHide?.();
    // A leader whose client closes while the tab lives on hands over: the others take over.
    this.hub?.shutdown('the tab holding the connection closed it');
    this.hub = undefined;
    this.channel?.close();
    this.channel = undefined;
    for (const release of this.releases.splice(0)) release();
  }

  /** Sends to the hub, wherever it is. */
  private post(message: TabMessage): void {
    if (this.hub) this.hub.receive(this.me, this.selfPort, message);
    else if (this.leader) this.send({ kind: 'to-hub', from: this.me, to: this.leader, message });
  }

  private readonly selfPort: TabPort = { post: (message) => this.transport.deliver(message) };

  private lead(): void {
    this.hub = new ConnectionHub();
    this.leader = this.me;
    this.send({ kind: 'leader', from: this.me });
    this.transport.use({ post: (message) => this.post(message), close: () => {} });
  }

  private follow(leader: string): void {
    this.leader = leader;
    this.transport.use({ post: (message) => this.post(message), close: () => {} });
  }

  private heard(message: ChannelMessage): void {
    if (this.stopped) return;
    switch (message.kind) {
      case 'who-leads':
        if (this.hub) this.send({ kind: 'leader', from: this.me });
        return;
      case 'leader':
        if (message.from !== this.leader && !this.hub) this.follow(message.from);
        return;
      case 'to-hub': {
        const hub = this.hub;
        if (!hub || message.to !== this.me) return;
        const from = message.from;
        if (message.message.kind === 'attach')
          whenTabGone(this.locks, from, () => hub.detach(from));
        hub.receive(from, this.portTo(from), message.message);
        return;
      }
      case 'to-tab':
        if (message.to === this.me && message.from === this.leader) {
          this.transport.deliver(message.message);
        }
        return;
    }
  }

  private portTo(tab: string): TabPort {
    return { post: (message) => this.send({ kind: 'to-tab', from: this.me, to: tab, message }) };
  }

  private send(message: ChannelMessage): void {
    this.channel?.postMessage(message);
  }
}
