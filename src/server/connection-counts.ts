/**
 * Open sockets counted per key with a ceiling: per client address while a socket has not finished
 * its handshake, and per user once it has. Without them, one address could hold tens of thousands
 * of sockets that never say hello (about 10 KB each, until the handshake timeout and the
 * failed-handshake throttle end them), and one valid token could open sockets without end.
 *
 * Per process, like the sockets. A key at zero holds no entry, so memory follows the sockets open.
 */
export class ConnectionCounts {
  private readonly counts = new Map<string, number>();

  constructor(
    /** Sockets one key may have at once; 0: no ceiling. */
    readonly max: number,
  ) {}

  /** Whether `key` is at its ceiling, so one more socket would go over it. */
  full(key: string): boolean {
    return this.max > 0 && (this.counts.get(key) ?? 0) >= this.max;
  }

  /** Counts one more socket of `key`, whatever the ceiling. */
  add(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** Counts one more socket of `key` unless it is at its ceiling; false: not counted. */
  take(key: string): boolean {
    if (this.full(key)) return false;
    this.add(key);
    return true;
  }

  /** One socket of `key` is gone. */
  release(key: string): void {
    const count = this.counts.get(key);
    if (count === undefined) return;
    if (count <= 1) this.counts.delete(key);
    else this.counts.set(key, count - 1);
  }

  /** Sockets counted for `key`. */
  of(key: string): number {
    return this.counts.get(key) ?? 0;
  }
}
