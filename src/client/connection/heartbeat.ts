/**
 * Dead-socket detection. A socket can look open for minutes after the network path died (a
 * sleeping laptop, a NAT that forgot the mapping); only traffic proves it alive. We ping every
 * `interval`; if no frame at all arrives within `timeout` after a ping, the socket is dead.
 */
import type { Clock } from '../types.js';

/** Default time between pings, in ms (`heartbeatInterval`). */
export const DEFAULT_HEARTBEAT_INTERVAL = 30_000;

export interface HeartbeatOptions {
  clock: Clock;
  /** Time between pings, in ms. */
  interval: number;
  /** Silence after a ping that means the socket is dead, in ms. */
  timeout: number;
  ping(): void;
  dead(): void;
}

export class Heartbeat {
  private pingTimer: unknown;
  private deadTimer: unknown;
  private running = false;

  constructor(private readonly options: HeartbeatOptions) {}

  /** Start pinging (on open). */
  start(): void {
    this.stop();
    this.running = true;
    this.schedule();
  }

  /** Stop all timers (on close). */
  stop(): void {
    this.running = false;
    this.options.clock.clearTimeout(this.pingTimer);
    this.options.clock.clearTimeout(this.deadTimer);
    this.pingTimer = this.deadTimer = undefined;
  }

  /** A frame arrived: the socket is alive. */
  alive(): void {
    if (this.deadTimer === undefined) return;
    this.options.clock.clearTimeout(this.deadTimer);
    this.deadTimer = undefined;
  }

  /** Ping now and expect an answer within `timeout` (e.g. when the tab becomes visible). */
  check(): void {
    if (!this.running) return;
    this.options.ping();
    if (this.deadTimer !== undefined) return;
    this.deadTimer = this.options.clock.setTimeout(() => {
      this.deadTimer = undefined;
      if (this.running) this.options.dead();
    }, this.options.timeout);
  }

  private schedule(): void {
    this.pingTimer = this.options.clock.setTimeout(() => {
      this.check();
      if (this.running) this.schedule();
    }, this.options.interval);
  }
}
