/**
 * Failed handshakes per client address, so one address cannot try tokens (or hammer the JWKS
 * verifier) without end. Each address has a bucket of `burst` failures refilling at `perMinute`;
 * while it is empty, that address's upgrades are refused with 429 before any WebSocket exists.
 *
 * Memory is bounded: at most `maxAddresses` buckets are kept, in a `Map` ordered by last
 * failure; the least recently failed address is forgotten first (a flood of addresses can only
 * make the throttle forget, never grow). Only failures are tracked, so well-behaved clients cost
 * nothing. Addresses are the TCP peer's: behind a proxy every client shares the proxy's address
 * (see docs/protocol.md, "Limits").
 */

export interface AuthThrottleOptions {
  /** Failures an address may have in a row before it is refused. */
  burst: number;
  /** Failures an address earns back per minute. */
  perMinute: number;
  /** Addresses tracked at most. */
  maxAddresses: number;
}

interface Bucket {
  tokens: number;
  last: number;
}

export class AuthThrottle {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly options: AuthThrottleOptions) {}

  /** Addresses tracked now. */
  get size(): number {
    return this.buckets.size;
  }

  /** Whether this address may try a handshake now. */
  allows(address: string, now: number): boolean {
    const bucket = this.buckets.get(address);
    if (!bucket) return true;
    this.refill(bucket, now);
    if (bucket.tokens >= this.options.burst) {
      // Full again: nothing to remember about it.
      this.buckets.delete(address);
      return true;
    }
    return bucket.tokens >= 1;
  }

  /** Counts one failed handshake from this address. */
  failed(address: string, now: number): void {
    let bucket = this.buckets.get(address);
    if (bucket) {
      this.refill(bucket, now);
      this.buckets.delete(address); // re-inserted last: the most recently failed
    } else {
      bucket = { tokens: this.options.burst, last: now };
    }
    bucket.tokens = Math.max(0, bucket.tokens - 1);
    this.buckets.set(address, bucket);
    while (this.buckets.size > this.options.maxAddresses) {
      const oldest = this.buckets.keys().next().value;
      if (oldest === undefined) break;
      this.buckets.delete(oldest);
    }
  }

  private refill(bucket: Bucket, now: number): void {
    if (now <= bucket.last) return;
    bucket.tokens = Math.min(
      this.options.burst,
      bucket.tokens + ((now - bucket.last) * this.options.perMinute) / 60_000,
    );
    bucket.last = now;
  }
}
