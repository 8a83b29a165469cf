/**
 * Dead-socket detection. A socket can look open for minutes after the network path died (a
 * sleeping laptop, a NAT that forgot the mapping, a proxy that stopped forwarding); only traffic
 * proves it alive. We ping every `interval`; if no frame at all arrives within `timeout` after a
 * ping, the socket is dead.
 *
 * A frame that expects an answer (a save above all) does not wait for the next ping: the person
 * who pressed Save would see "Saving…" until the request timed out. Sent on a link that has said
 * nothing for `PROBE_QUIET`, it is followed at once by a ping, a probe, which must be answered
 * (by any frame) within `probeTimeout`; sent on a link that spoke just now, the probe goes when
 * the link has been quiet that long, unless a frame arrives first. One probe covers every frame
 * sent while it is out, so a burst of requests sends one ping.
 */
import type { Clock } from '../types.js';

/** Default time between pings, in ms (`heartbeatInterval`). */
export const DEFAULT_HEARTBEAT_INTERVAL = 30_000;

/**
 * Default silence after a probe that means the socket is dead, in ms (`probeTimeout`). A server
 * answers a ping at once, even while a save waits for the CRM's backend, so an answer later than
 * this is not a slow server but a link that lost the ping and its TCP retransmissions (the first
 * two come after about 1 and 3 s). A socket that was slow to answer before gets longer (see
 * `probeDeadline`), so a slow but alive link is not dropped on every save.
 */
export const DEFAULT_PROBE_TIMEOUT = 5000;

/**
 * A link that said something this recently (ms) needs no probe yet: the answer is likely on its
 * way, and a busy link would otherwise carry a ping behind every request.
 */
export const PROBE_QUIET = 1000;

/** The longest a probe waits because the socket was slow before, in ms. */
const MAX_SLOW_DEADLINE = 60_000;

export interface HeartbeatOptions {
  clock: Clock;
  /** Time between pings, in ms. */
  interval: number;
  /** Silence after a ping that means the socket is dead, in ms. */
  timeout: number;
  /** Silence after a probe that means the socket is dead, in ms. Default `DEFAULT_PROBE_TIMEOUT`. */
  probeTimeout?: number;
  ping(): void;
  /** The socket is dead: `heartbeat timeout` or `probe timeout`. */
  dead(reason: string): void;
}

export class Heartbeat {
  private pingTimer: unknown;
  private deadTimer: unknown;
  /** When the armed `deadTimer` fires (clock time). */
  private deadAt = Infinity;
  /** A probe waiting for the link to be quiet for `PROBE_QUIET`. */
  private probeTimer: unknown;
  /** When the last frame arrived (clock time). */
  private lastHeard = 0;
  /** The slowest round trip seen on this socket (handshake, answered pings), in ms. */
  private slowest = 0;
  private running = false;

  constructor(private readonly options: HeartbeatOptions) {}

  /** Start pinging (on open); `roundTrip`: how long the handshake took, in ms. */
  start(roundTrip = 0): void {
    this.stop();
    this.running = true;
    this.lastHeard = this.options.clock.now();
    this.slowest = Math.max(0, roundTrip);
    this.schedule();
  }

  /** Stop all timers (on close). */
  stop(): void {
    this.running = false;
    this.options.clock.clearTimeout(this.pingTimer);
    this.options.clock.clearTimeout(this.probeTimer);
    this.pingTimer = this.probeTimer = undefined;
    this.disarm();
  }

  /** A frame arrived: the socket is alive. */
  alive(): void {
    this.lastHeard = this.options.clock.now();
    if (this.probeTimer !== undefined) {
      this.options.clock.clearTimeout(this.probeTimer);
      this.probeTimer = undefined;
    }
    this.disarm();
  }

  /** A ping of ours was answered after `ms`. */
  roundTrip(ms: number): void {
    if (ms >= 0) this.slowest = Math.max(this.slowest, ms); // NaN and clock skew are ignored
  }

  /** Ping now and expect an answer within `timeout` (e.g. when the tab becomes visible). */
  check(): void {
    if (!this.running) return;
    this.options.ping();
    this.expect(this.options.timeout, 'heartbeat timeout');
  }

  /** A frame that expects an answer went out: make sure the link still carries one (see above). */
  expectAnswer(): void {
    if (!this.running || this.probeTimer !== undefined) return;
    const now = this.options.clock.now();
    // A ping is out already and its deadline is as near: a second one would prove nothing more.
    if (this.deadAt <= now + this.probeDeadline()) return;
    const wait = this.lastHeard + PROBE_QUIET - now;
    if (wait <= 0) return this.probe();
    this.probeTimer = this.options.clock.setTimeout(() => {
      this.probeTimer = undefined;
      this.probe();
    }, wait);
  }

  private probe(): void {
    if (!this.running) return;
    // A ping already out (the heartbeat's) is answered before a new one would be: its deadline
    // just comes nearer.
    if (this.deadTimer === undefined) this.options.ping();
    this.expect(this.probeDeadline(), 'probe timeout');
  }

  /**
   * `probeTimeout`, or twice the slowest round trip of this socket when that is longer: a link
   * whose handshake took 4 s is slow, not dead, when a probe takes 6 s, and giving it up would
   * give up every socket after it too (each save probed, each probe late), so that not even the
   * first save would get through. The heartbeat's own deadline still applies meanwhile.
   */
  private probeDeadline(): number {
    const given = this.options.probeTimeout;
    // A hub's first tab may be an older page that did not send it; zero would kill every socket.
    const base =
      given !== undefined && given > 0 && given < 2 ** 31 ? given : DEFAULT_PROBE_TIMEOUT;
    // Capped: a pong handled after the tab was frozen for an hour says nothing of the link, and a
    // timer that long would overflow (browsers run it at once).
    return Math.max(base, Math.min(2 * this.slowest, MAX_SLOW_DEADLINE));
  }

  /** Expect a frame within `ms`, unless one is expected sooner already. */
  private expect(ms: number, reason: string): void {
    const at = this.options.clock.now() + ms;
    if (this.deadTimer !== undefined && this.deadAt <= at) return;
    this.disarm();
    this.deadAt = at;
    this.deadTimer = this.options.clock.setTimeout(() => {
      this.deadTimer = undefined;
      this.deadAt = Infinity;
      if (this.running) this.options.dead(reason);
    }, ms);
  }

  private disarm(): void {
    if (this.deadTimer === undefined) return;
    this.options.clock.clearTimeout(this.deadTimer);
    this.deadTimer = undefined;
    this.deadAt = Infinity;
  }

  private schedule(): void {
    this.pingTimer = this.options.clock.setTimeout(() => {
      this.check();
      if (this.running) this.schedule();
    }, this.options.interval);
  }
}
