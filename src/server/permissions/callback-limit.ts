/**
 * A per-user bound on the authorization callback's questions that reach the CRM's backend.
 *
 * Every question not in the cache is a POST to the CRM's own backend. Without a bound, a signed-in
 * user who joins and leaves (or reads, or watches) many distinct rooms, at the frame rate limit on
 * each of their connections, makes the server send the backend tens of POSTs a second per
 * connection: the server would amplify one user's load onto the customer's backend. So each user
 * has
 * - a token bucket: a question that reaches the backend takes a token (`burst` at most, refilled
 *   at `perSecond`); a cached answer, or a question already on its way (identical questions share
 *   one request), takes none;
 * - at most `maxInFlight` POSTs on their way at once; a question with a token waits for a free
 *   one (in order), so a burst of parallel questions (the entities of a page of notifications, a
 *   re-check of every room of a connection) is asked a few at a time rather than refused.
 * Beyond the bound (no token, or `burst` questions already waiting, or one that waited as long as
 * the backend may take to answer) the question is refused for now (`AuthorizationRateLimited`,
 * answered `rate_limited`), which clients retry with backoff as they do `backend_unavailable`.
 *
 * Questions the server asks of its own accord (`askedByServer`) go in a lane of their own, with
 * its own slots and a larger bucket (ten times the burst, five times the rate), waiting longer for
 * a slot: which entity an activity item, a notification or an unread count is about, and the
 * re-check of a user's rooms after their permissions changed. They come in bursts a user did not
 * ask for (300 unread notifications about as many customers, asked again after each sign-in
 * drops the cached answers), which the user's own bucket would refuse, leaving items out and the
 * badge too low. They are bounded all the same: a notification's entity is named by whoever sends
 * it, so a hostile sender could otherwise make the server ask about entity after entity under a
 * recipient's name. With lanes of their own, the user's own joins and saves never wait behind
 * them. Beyond that lane's bound the question is refused for now as well: the item is left out
 * (as when the backend does not answer), and a re-check leaves the room with
 * `backend_unavailable`, which the client joins again later.
 *
 * Each user's state is their own: one user's flood takes only their tokens and slots, never
 * another's. The bound is per server process (several processes each allow it), like the
 * answers cached. It is dropped once the user is idle (nothing on its way or waiting, the bucket full
 * again), so memory holds the users of the last few seconds, not every user who ever asked.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { AuthorizationRateLimited } from '../authorize.js';
import type { ServerClock } from '../clock.js';
import type { Logger } from '../log.js';

export interface CallbackLimitOptions {
  /** POSTs of one user on their way at once. Default 8. */
  maxInFlight?: number | undefined;
  /** Questions one user may ask the backend in a burst. Default 100. */
  burst?: number | undefined;
  /** Questions one user may ask the backend per second, sustained. Default 20. */
  perSecond?: number | undefined;
}

/*
 * Defaults, and why:
 * - burst 100: a connection holds at most 50 rooms (`maxRoomsPerConnection`), and joining an
 *   entity room asks two questions (`join`, `read`). A reconnect with a new token drops the user's
 *   cached answers and rejoins every room, and a list page watching 50 rows asks as many: either
 *   goes through at once.
 * - 20 a second: a person opening records, lists and feeds asks a handful of new questions a
 *   second at most (answers are then cached for 30 s). A hostile user is held to 20 POSTs a
 *   second, where the frame limit alone (50 frames a second per connection, two questions a join,
 *   up to 100 connections) let through thousands.
 * - 8 on their way: one connection handles its frames one at a time, so it has one question on
 *   its way (a page of notifications or a re-check a few more); 8 covers a user's few devices and
 *   lets a parallel burst go 8 at a time without one user holding many of the backend's workers.
 */
export const DEFAULT_CALLBACK_MAX_IN_FLIGHT = 8;
export const DEFAULT_CALLBACK_BURST = 100;
export const DEFAULT_CALLBACK_PER_SECOND = 20;

/**
 * The lane of the server's own questions (see the header) is this many times the user's own:
 * bursts of 1,000 and 100 a second by default, as the 500 entities an unread count asks about at
 * most take two questions each (`join` and `read` of the entity's room), and an operator who
 * lowers the user's bound lowers this one with it. A question there waits for a slot up to 5
 * times as long as a user's own.
 */
const SERVER_BURST_FACTOR = 10;
const SERVER_RATE_FACTOR = 5;
const SERVER_WAIT_FACTOR = 5;

/** How often a user over the bound is logged, at most. */
const LOG_EVERY_MS = 60_000;
/** How often idle users are looked for (on the next question after it). */
const SWEEP_EVERY_MS = 1_000;

const serverAsking = new AsyncLocalStorage<true>();

/**
 * Runs `ask` as a question the server asks of its own accord (see the header): the callback's
 * questions started inside it, now or in its promise chain, go in the server's lane.
 */
export function askedByServer<T>(ask: () => T): T {
  return serverAsking.run(true, ask);
}

/** Whether the caller is inside `askedByServer`. */
export function isAskedByServer(): boolean {
  return serverAsking.getStore() === true;
}

interface Waiting {
  readonly since: number;
  readonly start: () => void;
  readonly refuse: (err: AuthorizationRateLimited) => void;
}

/** One lane of a user: a token bucket, the POSTs on their way, the questions waiting for one. */
interface Lane {
  tokens: number;
  /** When `tokens` was last refilled. */
  at: number;
  inFlight: number;
  readonly waiting: Waiting[];
}

interface LaneBound {
  readonly burst: number;
  readonly perSecond: number;
  readonly maxWaitMs: number;
  /** Named in the refusal and its log line. */
  readonly what: string;
}

interface UserState {
  /** The user's own questions (what their frames ask). */
  readonly own: Lane;
  /** The server's questions on the user's behalf (see the header). */
  readonly server: Lane;
}

const lane = (tokens: number, at: number): Lane => ({ tokens, at, inFlight: 0, waiting: [] });

export class CallbackLimit {
  private readonly users = new Map<string, UserState>();
  /** When each user over the bound was last logged: at most once a minute each. */
  private readonly logged = new Map<string, number>();
  private lastSweep: number;
  readonly maxInFlight: number;
  readonly burst: number;
  readonly perSecond: number;
  private readonly ownBound: LaneBound;
  private readonly serverBound: LaneBound;

  constructor(
    options: CallbackLimitOptions,
    /** A question waiting longer than this for a free slot is refused (the backend's timeout). */
    maxWaitMs: number,
    private readonly clock: ServerClock,
    private readonly log: Logger,
    private readonly onLimited: () => void = () => {},
  ) {
    this.maxInFlight = Math.max(1, options.maxInFlight ?? DEFAULT_CALLBACK_MAX_IN_FLIGHT);
    this.burst = Math.max(1, options.burst ?? DEFAULT_CALLBACK_BURST);
    this.perSecond = Math.max(1, options.perSecond ?? DEFAULT_CALLBACK_PER_SECOND);
    this.ownBound = {
      burst: this.burst,
      perSecond: this.perSecond,
      maxWaitMs,
      what: 'permission checks',
    };
    this.serverBound = {
      burst: this.burst * SERVER_BURST_FACTOR,
      perSecond: this.perSecond * SERVER_RATE_FACTOR,
      maxWaitMs: maxWaitMs * SERVER_WAIT_FACTOR,
      what: 'permission checks of items sent to the user',
    };
    this.lastSweep = clock.now();
  }

  /**
   * Runs `post` for `userId` now, or once one of the lane's slots is free; rejects with
   * `AuthorizationRateLimited` (without running it) when the user is over the lane's bound. The
   * lane is the server's inside `askedByServer`, else the user's own.
   */
  run<T>(userId: string, post: () => Promise<T>): Promise<T> {
    const now = this.clock.now();
    this.sweep(now);
    let user = this.users.get(userId);
    if (user === undefined) {
      user = { own: lane(this.ownBound.burst, now), server: lane(this.serverBound.burst, now) };
      this.users.set(userId, user);
    }
    const byServer = isAskedByServer();
    const queue = byServer ? user.server : user.own;
    const bound = byServer ? this.serverBound : this.ownBound;
    this.refill(queue, bound, now);
    if (queue.tokens < 1) {
      // When the bucket holds a question again: the client waits that long, not its own guess.
      const wait =
        bound.perSecond > 0 ? Math.ceil(((1 - queue.tokens) * 1000) / bound.perSecond) : undefined;
      return this.refuse(userId, `too many ${bound.what} a second`, wait);
    }
    if (queue.inFlight < this.maxInFlight) {
      queue.tokens -= 1;
      return this.start(userId, queue, bound, post);
    }
    if (queue.waiting.length >= bound.burst) {
      return this.refuse(userId, `too many ${bound.what} waiting`);
    }
    queue.tokens -= 1;
    return new Promise<T>((resolve, reject) => {
      queue.waiting.push({
        since: now,
        start: () => void this.start(userId, queue, bound, post).then(resolve, reject),
        refuse: reject,
      });
    });
  }

  /** Users with state kept (for tests: it goes once they are idle). */
  get tracked(): number {
    return this.users.size;
  }

  private start<T>(
    userId: string,
    queue: Lane,
    bound: LaneBound,
    post: () => Promise<T>,
  ): Promise<T> {
    queue.inFlight++;
    let asked: Promise<T>;
    try {
      asked = post();
    } catch (err) {
      asked = Promise.reject(err);
    }
    return asked.finally(() => {
      queue.inFlight--;
      this.next(userId, queue, bound);
    });
  }

  /** A slot came free: the oldest waiting question goes, unless it waited too long. */
  private next(userId: string, queue: Lane, bound: LaneBound): void {
    const now = this.clock.now();
    while (queue.inFlight < this.maxInFlight && queue.waiting.length > 0) {
      const waiting = queue.waiting.shift()!;
      if (now - waiting.since > bound.maxWaitMs) {
        waiting.refuse(this.refused(userId, `${bound.what} waited too long`));
        continue;
      }
      waiting.start();
    }
  }

  private refill(queue: Lane, bound: LaneBound, now: number): void {
    if (now <= queue.at) return;
    queue.tokens = Math.min(
      bound.burst,
      queue.tokens + ((now - queue.at) * bound.perSecond) / 1000,
    );
    queue.at = now;
  }

  private refuse(userId: string, why: string, retryAfterMs?: number): Promise<never> {
    const refusal = this.refused(userId, why);
    refusal.retryAfterMs = retryAfterMs;
    return Promise.reject(refusal);
  }

  private refused(userId: string, why: string): AuthorizationRateLimited {
    this.onLimited();
    const now = this.clock.now();
    const last = this.logged.get(userId);
    if (last === undefined || now - last >= LOG_EVERY_MS) {
      this.logged.set(userId, now);
      this.log.warn('authorization callback: a user asks too much; refused for now', {
        user: userId,
        reason: why,
        maxInFlight: this.maxInFlight,
        burst: this.burst,
        perSecond: this.perSecond,
      });
    }
    return new AuthorizationRateLimited(`${why} for this user`);
  }

  /** Drops the users who are idle, and the log marks older than a minute. */
  private sweep(now: number): void {
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    const idle = (queue: Lane, bound: LaneBound) => {
      if (queue.inFlight > 0 || queue.waiting.length > 0) return false;
      this.refill(queue, bound, now);
      return queue.tokens >= bound.burst;
    };
    for (const [userId, user] of this.users) {
      if (idle(user.own, this.ownBound) && idle(user.server, this.serverBound)) {
        this.users.delete(userId);
      }
    }
    for (const [userId, at] of this.logged) {
      if (now - at >= LOG_EVERY_MS) this.logged.delete(userId);
    }
  }
}
