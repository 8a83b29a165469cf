import { TokenBuckets } from '../util/token-buckets.js';

/**
 * Token bucket: `ratePerSecond` tokens per second, holding at most `burst`.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  /** Takes one token if there is one. */
  take(now: number): boolean {
    if (now > this.last) {
      this.tokens = Math.min(
        this.burst,
        this.tokens + ((now - this.last) * this.ratePerSecond) / 1000,
      );
      this.last = now;
    }
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }
}

/**
 * How many sockets' frame rate one user's sockets on a process may use together: a browser shares
 * one socket among its tabs, so four is a user on a few devices at full speed.
 */
export const USER_SOCKETS_WORTH = 4;

/**
 * A token bucket per user: what one user's sockets on this process may send together (see
 * `TokenBuckets` for what it keeps).
 */
export class UserTokenBuckets {
  private readonly buckets: TokenBuckets;

  constructor(
    readonly ratePerSecond: number,
    burst: number,
    maxUsers = 50_000,
  ) {
    this.buckets = new TokenBuckets(burst, ratePerSecond / 1000, maxUsers);
  }

  /** Users with a bucket that is not full. */
  get size(): number {
    return this.buckets.size;
  }

  /** Takes one token of `user`'s if there is one. */
  take(user: string, now: number): boolean {
    return this.buckets.draw(user, 1, now);
  }
}
