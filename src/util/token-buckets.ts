/**
 * Token buckets per key (a user, say), each filled at `perMs` up to `capacity`. Memory follows
 * the keys drawn from lately: a bucket full again is the same as none, and is forgotten (those
 * drawn from longest ago first, up to the first not full yet); and it is bounded: at most
 * `maxKeys` buckets, the least recently drawn from forgotten first (a forgotten key starts again
 * full, which is what a new key gets anyway).
 */
export class TokenBuckets {
  /** In the order of their last draw, so the ones full again are mostly at the front. */
  private readonly buckets = new Map<string, { level: number; at: number }>();

  constructor(
    readonly capacity: number,
    private readonly perMs: number,
    private readonly maxKeys: number,
  ) {}

  /** Keys with a bucket that is not full. */
  get size(): number {
    return this.buckets.size;
  }

  /** What `key`'s bucket held after its last draw (full when it has none). */
  held(key: string): number {
    return this.buckets.get(key)?.level ?? this.capacity;
  }

  /**
   * Takes `amount` from `key`'s bucket at `now` when it holds that much; false, and nothing
   * taken, when it does not. `owed`: taken whatever it holds (what was spent already), down to
   * a whole bucket in debt.
   */
  draw(key: string, amount: number, now: number, owed = false): boolean {
    for (const [idle, bucket] of this.buckets) {
      if (bucket.level + (now - bucket.at) * this.perMs < this.capacity) break;
      this.buckets.delete(idle);
    }
    const bucket = this.buckets.get(key);
    let level = this.capacity;
    if (bucket) {
      level = Math.min(this.capacity, bucket.level + Math.max(0, now - bucket.at) * this.perMs);
      this.buckets.delete(key);
    } else if (this.buckets.size >= this.maxKeys) {
      this.buckets.delete(this.buckets.keys().next().value!);
    }
    const allowed = owed || level >= amount;
    const left = allowed ? level - amount : level;
    this.buckets.set(key, { level: Math.max(-this.capacity, left), at: now });
    return allowed;
  }
}
