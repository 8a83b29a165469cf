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
 *
 * A tab that runs no script but lives on keeps its locks and its channel: Chrome freezes
 * background tabs, and a page may wait in the back/forward cache. Such a tab lets go of the hub
 * first (`SharedTransport.pause`, on `freeze` or a `pagehide` that keeps the page), and a leader
 * tab hands the socket over. A leader stopped without that notice (its handler never ran, a script
 * or a debugger holding its thread) still holds the leadership: the others ask for it every
 * `PROBE_MS`, and when it leaves them unanswered for `ANSWER_MS` one of them takes the leadership
 * from it (a stolen Web Lock); the old leader, once it runs again, finds its lock gone, closes its
 * socket and follows.
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

type Locks = Pick<LockManager, 'request' | 'query'>;

/** How often a follower makes sure the leader tab still answers (unless it heard from it since). */
export const PROBE_MS = 5_000;
/** How long a follower waits for the leader's answer before it takes the leadership from it. */
export const ANSWER_MS = 5_000;

export function webLocks(): Locks | undefined {
  return (globalThis.navigator as Partial<Navigator> | undefined)?.locks ?? undefined;
}

/**
 * Holds a lock until the returned release is called; resolves once it is held. `lost` is called
 * when another tab takes it (`steal`) while held.
 */
export function holdLock(
  locks: Pick<LockManager, 'request'>,
  name: string,
  options: LockOptions = {},
  lost?: () => void,
): Promise<() => void> {
  return new Promise((held, failed) => {
    let granted = false;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    locks
      .request(name, options, () => {
        granted = true;
        held(release);
        return released;
      })
      .catch((error: unknown) => (granted ? lost?.() : failed(error)));
  });
}

/** Which page (its `clientId`) holds the lock `name` now. */
async function holderOf(locks: Locks, name: string): Promise<string | undefined> {
  const { held = [] } = await locks.query();
  return held.find((lock) => lock.name === name)?.clientId;
}

/** Calls `gone` once the lock a tab holds while it lives is released (the tab is gone). */
export function whenTabGone(
  locks: Pick<LockManager, 'request'>,
  tab: string,
  gone: () => void,
): void {
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
  /**
   * `probe`: a follower making sure its leader still runs, answered from a timer; else a tab
   * looking for the leader, answered at once.
   */
  | { kind: 'who-leads'; from: string; probe?: boolean }
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
  /** Withdraws this tab from the queue for the leadership (it stops, or took the lead). */
  private readonly queue = new AbortController();
  /** When this tab last heard the leader (`Date.now()`). */
  private heardAt = 0;
  private probeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly transport: SharedTransport,
    private readonly key: string,
    private readonly locks: Locks,
  ) {}

  private get me(): string {
    return this.transport.tabKey;
  }

  private get leaderLock(): string {
    return `${PREFIX}:leader:v${HUB_PROTOCOL} ${this.key}`;
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
      holdLock(this.locks, this.leaderLock, { signal: this.queue.signal }, () =>
        this.lostLead(),
      ).then(
        (abdicate) => this.granted(abdicate),
        () => {}, // withdrawn
      );
      this.probe();
    });
  }

  stop(): void {
    this.stopped = true;
    this.queue.abort();
    clearTimeout(this.probeTimer);
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

  private granted(abdicate: () => void): void {
    if (this.stopped || this.hub) return abdicate();
    this.releases.push(abdicate);
    this.lead();
  }

  private lead(): void {
    clearTimeout(this.probeTimer);
    this.hub = new ConnectionHub();
    this.leader = this.me;
    this.send({ kind: 'leader', from: this.me });
    this.transport.use({ post: (message) => this.post(message), close: () => {} });
  }

  /**
   * Another tab took the leadership while this one did not answer (frozen, or its thread held):
   * its socket goes, and the tab starts over as a follower of the new leader.
   */
  private lostLead(): void {
    if (!this.stopped) this.transport.restart('another tab took over the shared connection');
  }

  private follow(leader: string): void {
    this.leader = leader;
    this.heardAt = Date.now();
    this.transport.use({ post: (message) => this.post(message), close: () => {} });
  }

  /**
   * A follower asks who leads (one question a period for all: every follower hears the answer),
   * and takes the leadership from a leader that leaves it unanswered.
   */
  private probe(): void {
    if (this.stopped || this.hub) return;
    const quiet = Date.now() - this.heardAt;
    if (quiet < PROBE_MS) {
      this.probeTimer = setTimeout(() => this.probe(), PROBE_MS - quiet);
      return;
    }
    const asked = Date.now();
    const holder = holderOf(this.locks, this.leaderLock).catch(() => undefined);
    this.send({ kind: 'who-leads', from: this.me, probe: this.leader !== undefined });
    this.probeTimer = setTimeout(() => {
      if (this.stopped || this.hub) return;
      // Answered; or this tab's own timer ran late (the tab itself was stopped, or hidden and
      // throttled), so the answer may be waiting behind it: ask again.
      if (this.heardAt >= asked || Date.now() - asked > 2 * ANSWER_MS) return this.probe();
      void holder.then((unanswering) => this.takeOver(unanswering));
      this.probeTimer = setTimeout(() => this.probe(), PROBE_MS);
    }, ANSWER_MS);
  }

  /**
   * Takes the leadership from `unanswering`, the page that held it when this tab asked and that
   * did not answer, unless it is no longer that page's (it went, or another follower took it).
   * One follower at a time.
   */
  private takeOver(unanswering: string | undefined): void {
    if (unanswering === undefined) return; // nobody leads: the next in line is granted it
    const takeover = `${PREFIX}:takeover:v${HUB_PROTOCOL} ${this.key}`;
    void this.locks
      .request(takeover, async () => {
        if (this.stopped || this.hub) return;
        if ((await holderOf(this.locks, this.leaderLock)) !== unanswering) return;
        const abdicate = await holdLock(this.locks, this.leaderLock, { steal: true }, () =>
          this.lostLead(),
        );
        this.queue.abort(); // holds it now: out of the queue
        this.granted(abdicate);
      })
      .catch(() => {});
  }

  private heard(message: ChannelMessage): void {
    if (this.stopped) return;
    switch (message.kind) {
      case 'who-leads': {
        if (!this.hub) return;
        const answer = (): void => this.send({ kind: 'leader', from: this.me });
        if (!message.probe) return answer();
        // A frozen page still takes channel messages (Chrome) but runs no timers, nor its socket's
        // events: answered from a timer, a frozen leader does not seem to run.
        setTimeout(() => this.hub && answer());
        return;
      }
      case 'leader':
        if (this.hub) return;
        if (message.from === this.leader) this.heardAt = Date.now();
        else void this.verifyLeader(message.from);
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

  /**
   * Follows a tab that says it leads once it is seen to hold the leadership: a leader whose
   * leadership was taken while it was frozen still answers as one until it learns so.
   */
  private async verifyLeader(tab: string): Promise<void> {
    const [leader, page] = await Promise.all([
      holderOf(this.locks, this.leaderLock),
      holderOf(this.locks, tabLockName(tab)),
    ]).catch(() => []);
    if (this.stopped || this.hub || tab === this.leader) return;
    if (leader !== undefined && leader === page) this.follow(tab);
  }

  private portTo(tab: string): TabPort {
    return { post: (message) => this.send({ kind: 'to-tab', from: this.me, to: tab, message }) };
  }

  private send(message: ChannelMessage): void {
    this.channel?.postMessage(message);
  }
}
