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
 * A token bucket per user: what one user's sockets on this process may send together. Memory
 * follows the users who sent in the last `burst / ratePerSecond` seconds: a bucket untouched that
 * long is full again, the same as none, and is forgotten; and at most `maxUsers` are kept, the
 * least recently used forgotten first.
 */
export class UserTokenBuckets {
  /** In the order of their last take, so the full ones are at the front. */
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  /** How long an untouched bucket takes to be full again. */
  private readonly refillMs: number;

  constructor(
    readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly maxUsers = 50_000,
  ) {
    this.refillMs = (burst * 1000) / ratePerSecond;
  }

  /** Users with a bucket that is not full. */
  get size(): number {
    return this.buckets.size;
  }

  /** Takes one token of `user`'s if there is one. */
  take(user: string, now: number): boolean {
    for (const [idle, bucket] of this.buckets) {
      if (now - bucket.at < this.refillMs) break;
      this.buckets.delete(idle);
    }
    const bucket = this.buckets.get(user);
    let tokens = this.burst;
    if (bucket) {
      tokens = Math.min(
        this.burst,
        bucket.tokens + (Math.max(0, now - bucket.at) * this.ratePerSecond) / 1000,
      );
      this.buckets.delete(user);
    } else if (this.buckets.size >= this.maxUsers) {
      this.buckets.delete(this.buckets.keys().next().value!);
    }
    const allowed = tokens >= 1;
    this.buckets.set(user, { tokens: allowed ? tokens - 1 : tokens, at: now });
    return allowed;
  }
}
