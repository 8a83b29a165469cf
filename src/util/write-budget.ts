import { TokenBuckets } from './token-buckets.js';

/**
 * What one user may have the server store, in bytes per minute: the frames of saves
 * (`entity.update`) and notifications (`emit(…, 'notification', …)`), and what they store beyond
 * their frame (the copy of a large record a small save keeps, the recipients of a room). Every
 * stored byte costs several on disk (the record, its history, the activity item with the old and
 * new values, the change log, the WAL), kept for months; the frame rate limit alone let one
 * socket saving a 30 KB field back and forth write about 10 MB a second. A person typing, even
 * into a long note saved on every change, stays far below the budget; a refusal is
 * `rate_limited`, which the client answers by keeping the save and sending it again later, so
 * nothing is lost.
 *
 * Per user, not per socket: opening more sockets does not buy more. Per process: with several
 * processes behind a balancer a user's budget is at most one per process they reach. Memory
 * follows the users who stored something lately: a bucket full again (a minute after its last
 * take, longer for one in debt) is the same as none, and is forgotten; and it is bounded: at
 * most `maxUsers` buckets, the least recently used forgotten first (a forgotten user starts
 * again with a full minute's worth, which is what a new user gets anyway).
 */
export class WriteBudget {
  private readonly buckets: TokenBuckets;

  constructor(
    /** Bytes a user earns per minute, and at most holds; 0 turns the budget off. */
    readonly bytesPerMinute: number,
    maxUsers = 50_000,
  ) {
    this.buckets = new TokenBuckets(bytesPerMinute, bytesPerMinute / 60_000, maxUsers);
  }

  /** Users with a bucket that is not full. */
  get size(): number {
    return this.buckets.size;
  }

  /**
   * Whether the budget pays for a client frame: a save or a notification. Only those are
   * measured, so the frames of every heartbeat and presence change are not.
   */
  static pays(frame: { readonly type: string; readonly event?: unknown }): boolean {
    return (
      frame.type === 'entity.update' || (frame.type === 'emit' && frame.event === 'notification')
    );
  }

  /**
   * Why a frame the budget pays for (`pays`), `bytes` long, that `user` sent at `now` is refused
   * `rate_limited`, and in how many ms the budget will have its bytes (`retryAfterMs`); else
   * `undefined`, and its bytes are taken. The reference server and the fake server both ask
   * here, so they refuse the same frames.
   */
  refusal(
    user: string,
    bytes: number,
    now: number,
  ): { message: string; retryAfterMs: number } | undefined {
    if (this.take(user, bytes, now)) return undefined;
    const left = this.buckets.held(user);
    return {
      message: `over ${Math.round(this.bytesPerMinute / 1024)} KiB stored a minute: retry later`,
      retryAfterMs: Math.max(1, Math.ceil(((bytes - left) * 60_000) / this.bytesPerMinute)),
    };
  }

  /** Takes `bytes` from `user`'s budget at `now`; false (and nothing taken) when it has not got them. */
  take(user: string, bytes: number, now: number): boolean {
    return this.draw(user, bytes, now, false);
  }

  /**
   * Takes `bytes` that were stored already (more than the frame that asked for them, which `take`
   * counted): the budget may go below nothing, down to a minute's worth in debt, and the user's
   * next writes wait until it has filled again.
   */
  spend(user: string, bytes: number, now: number): void {
    this.draw(user, bytes, now, true);
  }

  private draw(user: string, bytes: number, now: number, owed: boolean): boolean {
    return this.bytesPerMinute <= 0 || this.buckets.draw(user, bytes, now, owed);
  }
}
