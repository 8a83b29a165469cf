/**
 * Failed handshakes per client address, so one address cannot try tokens (or hammer the JWKS
 * verifier) without end. Each address has a bucket of `burst` failures refilling at `perMinute`;
 * while it is empty, that address's upgrades are refused with 429 before any WebSocket exists.
 *
 * Memory is bounded: at most `maxAddresses` buckets are kept, in a `Map` ordered by last
 * failure; the least recently failed address is forgotten first (a flood of addresses can only
 * make the throttle forget, never grow). An address whose bucket has had time to fill again
 * since its last failure is forgotten too, so the map holds the addresses that failed lately, not
 * the last `maxAddresses` ever to fail. Only failures are tracked, so well-behaved clients cost
 * nothing. Addresses are the client's as the transport resolved it: the TCP peer's, or behind a
 * trusted proxy (`CRM_TRUST_PROXY`) the one it names in `X-Forwarded-For` (client-address.ts).
 *
 * With several processes (Redis), the buckets are also kept in a `SharedFailures` store, so the
 * allowance is the address's for the whole deployment: a client that takes turns between the
 * processes gets one allowance, not one per process. This process's own buckets still answer
 * first (without a round trip) and whenever the store cannot be asked.
 */

export interface AuthThrottleOptions {
  /** Failures an address may have in a row before it is refused. */
  burst: number;
  /** Failures an address earns back per minute. */
  perMinute: number;
  /** Addresses tracked at most. */
  maxAddresses: number;
}

/** Failed handshakes counted for every process of a deployment (see redis-auth-throttle.ts). */
export interface SharedFailures {
  /**
   * Whether the address has an attempt left, counting every process's failures; undefined when
   * the store cannot be asked now (this process's count decides alone).
   */
  allows(address: string, now: number): Promise<boolean | undefined>;
  /** Counts one failed handshake from this address (best effort: never throws). */
  failed(address: string, now: number): void;
}

interface Bucket {
  tokens: number;
  last: number;
}

/** A bucket's tokens at `now`: `tokens` at `last`, refilled at `perMinute`, up to `burst`. */
export function refilled(
  tokens: number,
  last: number,
  now: number,
  options: Pick<AuthThrottleOptions, 'burst' | 'perMinute'>,
): number {
  if (now <= last) return tokens;
  return Math.min(options.burst, tokens + ((now - last) * options.perMinute) / 60_000);
}

export class AuthThrottle {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly options: AuthThrottleOptions,
    private readonly shared?: SharedFailures,
  ) {}

  /** Addresses tracked now. */
  get size(): number {
    return this.buckets.size;
  }

  /**
   * Whether this address may try a handshake now. Synchronous when this process's count decides
   * (no shared store, or this process alone already refuses); a promise when the shared store is
   * asked.
   */
  allows(address: string, now: number): boolean | Promise<boolean> {
    if (!this.allowsHere(address, now)) return false;
    if (!this.shared) return true;
    return this.shared.allows(address, now).then((shared) => shared ?? true);
  }

  /** This process's count alone. */
  private allowsHere(address: string, now: number): boolean {
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
    this.shared?.failed(address, now);
    // Ordered by last failure: the front ones failed longest ago, and once a whole allowance has
    // refilled since, they are full again, the same as not tracked.
    const refillMs = (this.options.burst / this.options.perMinute) * 60_000;
    for (const [idle, bucket] of this.buckets) {
      if (now - bucket.last < refillMs) break;
      this.buckets.delete(idle);
    }
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
    bucket.tokens = refilled(bucket.tokens, bucket.last, now, this.options);
    bucket.last = now;
  }
}
