/**
 * A tab's end of a shared connection: the `Transport` its `RealtimeClient` uses, with frames going
 * through a link to the hub that holds the browser's one socket (in a `SharedWorker` or in the
 * leader tab; see `sharing.ts`). To the client it behaves like its own socket: `open` with a
 * welcome, `down` when the socket (or the tab holding it) is lost, then `open` again, after which
 * the client re-joins its rooms with the last `seq` it saw and the server replays what it missed.
 * Server frames are checked here, with this tab's schemas.
 *
 * A tab that stops running script while it lives on (frozen in the background, or kept in the
 * back/forward cache) lets go of the hub first, as if it closed, and comes back when it runs
 * again: it attaches anew and its client re-joins with resume (`pause`, `resume`).
 */
import type { ClientFrame } from '../../protocol/index.js';
import { LIMITS } from '../../protocol/constants.js';
import { LOG_PREFIX } from '../../util/warn.js';
import { RealtimeError } from '../realtime-error.js';
import type { ConnectionEvents, ConnectionOptions } from './socket.js';
import type { ConnectionStatus } from '../types.js';
import { decodeFrame, encodeFrame } from './wire.js';
import { onPageLifecycle } from './page-lifecycle.js';
import {
  connectionTimings,
  type AttachSettings,
  type HubLink,
  type HubMessage,
  type Transport,
} from './transport.js';

/** How a tab reaches a hub: a worker, or the leader tab (see `sharing.ts`). */
export interface Sharing {
  /** Find the hub; calls `transport.use(link)` once it is reachable (and again after a takeover). */
  start(): void;
  /** This tab is done: stop listening and let go of what it holds. */
  stop(): void;
}

export class SharedTransport implements Transport {
  private current: ConnectionStatus = { state: 'closed', reason: 'not connected yet' };
  private open = false;
  private maxFrameBytes: number = LIMITS.maxFrameBytes;
  private link: HubLink | undefined;
  private sharing: Sharing | undefined;
  private started = false;
  /** Let go of the hub while the page runs no script (see `pause`). */
  private paused = false;
  private readonly warned = new Set<string>();
  private offEnvironment: (() => void) | undefined;
  /** Whom this tab's token named when it chose its hub (set by the sharing before it attaches). */
  subject: string | undefined;

  constructor(
    private readonly options: ConnectionOptions,
    private readonly events: ConnectionEvents,
    /** This tab's id (the hub's key for it; also the name of the lock it holds while alive). */
    readonly tabKey: string,
    private readonly makeSharing: (transport: SharedTransport) => Sharing,
  ) {}

  get status(): ConnectionStatus {
    return this.current;
  }

  get isOpen(): boolean {
    return this.open;
  }

  connect(): void {
    if (this.started) return;
    this.started = true;
    const env = this.options.environment;
    const report = (): void =>
      this.link?.post({ kind: 'environment', online: env.isOnline(), visible: env.isVisible() });
    const offOnline = env.onOnlineChange(report);
    const offVisible = env.onVisibilityChange(report);
    const offLifecycle = onPageLifecycle(
      (reason) => this.pause(reason),
      () => this.resume(),
    );
    this.offEnvironment = () => {
      offOnline();
      offVisible();
      offLifecycle();
    };
    this.setStatus({ state: 'connecting', attempt: 1 });
    this.sharing = this.makeSharing(this);
    this.sharing.start();
  }

  retryNow(): void {
    if (!this.started) return this.connect();
    this.link?.post({ kind: 'retry' });
  }

  close(reason = 'closed by client'): void {
    if (!this.started) return;
    this.started = false;
    this.paused = false;
    this.link?.post({ kind: 'detach' });
    this.link?.close();
    this.link = undefined;
    this.sharing?.stop();
    this.sharing = undefined;
    this.offEnvironment?.();
    this.offEnvironment = undefined;
    this.wentDown(reason);
    this.setStatus({ state: 'closed', reason });
  }

  /**
   * The page stops running script but lives on (`freeze`, or into the back/forward cache): it
   * leaves the hub as a closing tab does (its rooms, its place in presence; a leader tab closes
   * its socket and the next tab takes over), rather than hold the others up while it cannot
   * answer. Until `resume` it is down: its client keeps its saves for then.
   */
  pause(reason: string): void {
    if (!this.started || this.paused) return;
    this.paused = true;
    this.link?.post({ kind: 'detach' });
    this.link?.close();
    this.link = undefined;
    this.sharing?.stop();
    this.sharing = undefined;
    this.wentDown(reason);
    this.setStatus({ state: 'connecting', attempt: 1 });
  }

  /** The page runs again: it finds the hub anew and attaches; its client re-joins with resume. */
  resume(): void {
    if (!this.started || !this.paused) return;
    this.paused = false;
    this.sharing = this.makeSharing(this);
    this.sharing.start();
  }

  /** Lets go of the hub and finds it anew (another tab took the leadership from this one). */
  restart(reason: string): void {
    this.pause(reason);
    this.resume();
  }

  send(frame: ClientFrame): void {
    if (!this.open || !this.link) {
      throw new RealtimeError('not_connected', `cannot send ${frame.type}: not connected`);
    }
    const text = encodeFrame(frame, this.maxFrameBytes); // throws frame_too_large
    this.options.frameLog?.out(text);
    this.link.post({ kind: 'frame', frame });
  }

  // -------------------------------------------------------------------------------------------
  // from the sharing

  /**
   * A hub is reachable through `link` (the first, or a new leader's after a takeover): whatever
   * the tab had open is down, and it attaches, bringing its settings for the socket.
   */
  use(link: HubLink): void {
    if (!this.started) return link.close();
    if (this.link && this.link !== link) this.link.close();
    this.wentDown('the tab holding the connection closed');
    this.link = link;
    link.post({ kind: 'attach', tab: this.tabKey, settings: this.settings() });
  }

  /** The hub is gone and no other has taken over yet. */
  lost(reason: string): void {
    this.link?.close();
    this.link = undefined;
    this.wentDown(reason);
    if (this.started) this.setStatus({ state: 'connecting', attempt: 1 });
  }

  /** A message from the hub. */
  deliver(message: HubMessage): void {
    if (!this.started) return;
    switch (message.kind) {
      case 'status':
        return this.setStatus(message.status);
      case 'open':
        this.open = true;
        this.maxFrameBytes = message.welcome.limits.maxFrameBytes;
        this.options.frameLog?.opened();
        this.setStatus(message.status);
        return this.events.onOpen(message.welcome);
      case 'down':
        return this.wentDown(message.reason);
      case 'frame':
        return this.frame(message.text);
      case 'token-request':
        return void this.answerToken(message.id);
    }
  }

  private frame(text: string): void {
    if (!this.open) return;
    this.options.frameLog?.in(text);
    const decoded = decodeFrame(text);
    if (!decoded.ok) {
      if (this.warned.has(decoded.kind)) return;
      this.warned.add(decoded.kind);
      this.options.logger.warn(
        `${LOG_PREFIX} dropped an invalid frame (${decoded.kind}): ${decoded.message}`,
      );
      return;
    }
    this.events.onFrame(decoded.frame, text);
  }

  private async answerToken(id: number): Promise<void> {
    const link = this.link;
    try {
      const token = (await this.options.getToken?.()) ?? undefined;
      link?.post({ kind: 'token', id, token });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const code = error instanceof RealtimeError ? error.code : undefined;
      link?.post({ kind: 'token', id, error: code ? { code, message } : { message } });
    }
  }

  private wentDown(reason: string): void {
    if (!this.open) return;
    this.open = false;
    this.events.onDown(reason);
  }

  private setStatus(status: ConnectionStatus): void {
    this.current = status;
    this.events.onStatus(status);
  }

  private settings(): AttachSettings {
    const o = this.options;
    return {
      url: o.url,
      clientId: o.clientId,
      devUser: o.devUser,
      tokens: o.getToken !== undefined,
      subject: this.subject,
      ...connectionTimings(o),
      online: o.environment.isOnline(),
      visible: o.environment.isVisible(),
    };
  }
}
