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
 * Questions the server asks of its own accord (`askedByServer`) take no token and are never
 * refused, only asked a few at a time: which entity an activity item, a notification or an unread
 * count is about, and the re-check of a user's rooms after their permissions changed. Their
 * entities come from the CRM's data, not from what a client names, and refusing them would leave
 * items out and a badge too low for a user with many (say 300 unread notifications about as many
 * customers, asked again after each sign-in drops the cached answers).
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

/** How often a user over the bound is logged, at most. */
const LOG_EVERY_MS = 60_000;
/** How often idle users are looked for (on the next question after it). */
const SWEEP_EVERY_MS = 1_000;

const serverAsking = new AsyncLocalStorage<true>();

/**
 * Runs `ask` as a question the server asks of its own accord (see the header): the callback's
 * questions started inside it, now or in its promise chain, take no token and wait for a slot
 * rather than being refused.
 */
export function askedByServer<T>(ask: () => T): T {
  return serverAsking.run(true, ask);
}

interface Waiting {
  readonly since: number;
  /** Asked by the server: waits as long as it takes (see the header). */
  readonly byServer: boolean;
  readonly start: () => void;
  readonly refuse: (err: AuthorizationRateLimited) => void;
}

interface UserState {
  tokens: number;
  /** When `tokens` was last refilled. */
  at: number;
  inFlight: number;
  readonly waiting: Waiting[];
}

export class CallbackLimit {
  private readonly users = new Map<string, UserState>();
  /** When each user over the bound was last logged: at most once a minute each. */
  private readonly logged = new Map<string, number>();
  private lastSweep: number;
  readonly maxInFlight: number;
  readonly burst: number;
  readonly perSecond: number;

  constructor(
    options: CallbackLimitOptions,
    /** A question waiting longer than this for a free slot is refused (the backend's timeout). */
    private readonly maxWaitMs: number,
    private readonly clock: ServerClock,
    private readonly log: Logger,
    private readonly onLimited: () => void = () => {},
  ) {
    this.maxInFlight = Math.max(1, options.maxInFlight ?? DEFAULT_CALLBACK_MAX_IN_FLIGHT);
    this.burst = Math.max(1, options.burst ?? DEFAULT_CALLBACK_BURST);
    this.perSecond = Math.max(1, options.perSecond ?? DEFAULT_CALLBACK_PER_SECOND);
    this.lastSweep = clock.now();
  }

  /**
   * Runs `post` for `userId` now, or once one of the user's slots is free; rejects with
   * `AuthorizationRateLimited` (without running it) when the user is over the bound.
   */
  run<T>(userId: string, post: () => Promise<T>): Promise<T> {
    const now = this.clock.now();
    this.sweep(now);
    let user = this.users.get(userId);
    if (user === undefined) {
      user = { tokens: this.burst, at: now, inFlight: 0, waiting: [] };
      this.users.set(userId, user);
    }
    this.refill(user, now);
    const byServer = serverAsking.getStore() === true;
    if (!byServer && user.tokens < 1) {
      return this.refuse(userId, 'too many permission checks a second');
    }
    if (user.inFlight < this.maxInFlight) {
      if (!byServer) user.tokens -= 1;
      return this.start(userId, user, post);
    }
    if (!byServer) {
      if (user.waiting.length >= this.burst) {
        return this.refuse(userId, 'too many permission checks waiting');
      }
      user.tokens -= 1;
    }
    const state = user;
    return new Promise<T>((resolve, reject) => {
      state.waiting.push({
        since: now,
        byServer,
        start: () => void this.start(userId, state, post).then(resolve, reject),
        refuse: reject,
      });
    });
  }

  /** Users with state kept (for tests: it goes once they are idle). */
  get tracked(): number {
    return this.users.size;
  }

  private start<T>(userId: string, user: UserState, post: () => Promise<T>): Promise<T> {
    user.inFlight++;
    let asked: Promise<T>;
    try {
      asked = post();
    } catch (err) {
      asked = Promise.reject(err);
    }
    return asked.finally(() => {
      user.inFlight--;
      this.next(userId, user);
    });
  }

  /** A slot came free: the oldest waiting question goes, unless it waited too long. */
  private next(userId: string, user: UserState): void {
    const now = this.clock.now();
    while (user.inFlight < this.maxInFlight && user.waiting.length > 0) {
      const waiting = user.waiting.shift()!;
      if (!waiting.byServer && now - waiting.since > this.maxWaitMs) {
        waiting.refuse(this.refused(userId, 'permission checks waited too long'));
        continue;
      }
      waiting.start();
    }
  }

  private refill(user: UserState, now: number): void {
    if (now <= user.at) return;
    user.tokens = Math.min(this.burst, user.tokens + ((now - user.at) * this.perSecond) / 1000);
    user.at = now;
  }

  private refuse(userId: string, why: string): Promise<never> {
    return Promise.reject(this.refused(userId, why));
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
    for (const [userId, user] of this.users) {
      if (user.inFlight > 0 || user.waiting.length > 0) continue;
      this.refill(user, now);
      if (user.tokens >= this.burst) this.users.delete(userId);
    }
    for (const [userId, at] of this.logged) {
      if (now - at >= LOG_EVERY_MS) this.logged.delete(userId);
    }
  }
}
