/**
 * Binds a host to the connection status of the page's client: re-renders on every status change
 * and, only while reconnecting, once per second so a countdown to the next try stays true.
 *
 * ```ts
 * class MyBadge extends LitElement {
 *   private readonly connection = new ConnectionStatusController(this);
 *   render() {
 *     return html`${this.connection.state}
 *       ${this.connection.secondsUntilRetry !== undefined
 *         ? html`<button @click=${() => this.connection.retryNow()}>Retry</button>`
 *         : nothing}`;
 *   }
 * }
 * ```
 */
import type { RealtimeClient } from '../client/realtime-client.js';
import { realClock } from '../util/clock.js';
import type { Clock, ConnectionStatus } from '../client/types.js';
import type { ConnectionDisplayState } from '../events/connection-status-change.js';
import { ClientController, type ControllerHost } from './client-controller.js';

/**
 * What every widget shows of the connection, by one rule: the client's state, except that once the
 * connection was lost, the attempts in between retries (`connecting`) are shown as `reconnecting`,
 * so a flaky network does not make a label (or a screen reader) flip on every attempt.
 * `unavailable`: no client (no provider, or a provider without `url` or `.client`).
 */
export type ConnectionView =
  'connected' | 'connecting' | 'reconnecting' | 'offline' | 'closed' | 'unavailable';

export interface ConnectionStatusControllerOptions {
  /**
   * Time source of the countdown. Default: the client's own clock (so a test's manual clock drives
   * both), else the system clock.
   */
  clock?: Clock;
  /** Called when `state` changes (not on the first state the host sees, nor on every tick). */
  onStateChange?: (
    state: ConnectionDisplayState,
    previous: ConnectionDisplayState,
    status: ConnectionStatus | undefined,
  ) => void;
}

export class ConnectionStatusController extends ClientController {
  /** The client's status; `undefined` without a client. */
  status: ConnectionStatus | undefined = undefined;

  /**
   * True once the connection was open or failed at least once since the host saw this client: a
   * `connecting` after that is a *re*connection, worth saying so.
   */
  hasBeenInterrupted = false;

  private tick: unknown;
  private tickClock: Clock | undefined;
  private lastState: ConnectionDisplayState | undefined;

  constructor(
    host: ControllerHost,
    private readonly options: ConnectionStatusControllerOptions = {},
  ) {
    super(host);
  }

  /** What to show: the client's state, or `unavailable` without a client. */
  get state(): ConnectionDisplayState {
    return this.status?.state ?? 'unavailable';
  }

  /**
   * What to show (see `ConnectionView`). Every element that shows the connection reads this, so
   * the header, the feed, presence and notifications never disagree on one page.
   */
  get view(): ConnectionView {
    const state = this.state;
    switch (state) {
      case 'open':
        return 'connected';
      case 'connecting':
        return this.hasBeenInterrupted ? 'reconnecting' : 'connecting';
      default:
        return state;
    }
  }

  /** Whole seconds until the next try while `reconnecting` (0 when due), else `undefined`. */
  get secondsUntilRetry(): number | undefined {
    const status = this.status;
    if (status?.state !== 'reconnecting') return undefined;
    const remaining = status.nextRetryAt - this.clock.now();
    return Math.max(0, Math.ceil(remaining / 1000));
  }

  /** Skip the wait and try to connect now (while reconnecting, offline, or after giving up). */
  retryNow(): void {
    this.client?.retryNow();
  }

  override hostConnected(): void {
    super.hostConnected();
    // The first state the host sees is its starting point, not a change.
    this.lastState ??= this.state;
  }

  override hostDisconnected(): void {
    // Leaving the document is not a state change worth an event; the next connection starts over.
    this.lastState = undefined;
    super.hostDisconnected();
    this.stopTicking();
  }

  protected override clientChanged(): void {
    this.hasBeenInterrupted = false;
  }

  protected override bind(client: RealtimeClient): () => void {
    const unsubscribe = client.onStatus((status) => this.update(status));
    this.update(client.status);
    return () => {
      unsubscribe();
      this.stopTicking();
      this.update(undefined);
    };
  }

  private get clock(): Clock {
    return (
      this.options.clock ??
      // The client keeps its clock as an ordinary property; reading it keeps one time source.
      this.client?.clock ??
      realClock
    );
  }

  private update(status: ConnectionStatus | undefined): void {
    const previous = this.status?.state;
    this.status = status;
    if (status?.state === 'open') this.hasBeenInterrupted = false;
    else if (status && status.state !== 'connecting') this.hasBeenInterrupted = true;
    else if (status && previous === 'open') this.hasBeenInterrupted = true;
    this.stopTicking();
    if (status?.state === 'reconnecting') this.scheduleTick();
    this.host.requestUpdate();
    this.notify();
  }

  private notify(): void {
    const state = this.state;
    const previous = this.lastState;
    if (previous === undefined || previous === state) return;
    this.lastState = state;
    this.options.onStateChange?.(state, previous, this.status);
  }

  /** Wake up exactly when the displayed number of seconds changes. */
  private scheduleTick(): void {
    const status = this.status;
    if (status?.state !== 'reconnecting') return;
    const clock = this.clock;
    const remaining = status.nextRetryAt - clock.now();
    if (remaining <= 0) return;
    const delay = ((remaining - 1) % 1000) + 1;
    this.tickClock = clock;
    this.tick = clock.setTimeout(() => {
      this.tick = undefined;
      this.host.requestUpdate();
      this.scheduleTick();
    }, delay);
  }

  private stopTicking(): void {
    if (this.tick !== undefined) this.tickClock?.clearTimeout(this.tick);
    this.tick = undefined;
  }

  /** @internal For tests: whether a countdown timer is pending. */
  get ticking(): boolean {
    return this.tick !== undefined;
  }
}
