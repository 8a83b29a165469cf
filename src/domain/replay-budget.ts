/**
 * How much replay a join with `since` may be sent, one rule for the server and the fake server.
 * A replay is written at once before `joined`, so it must fit in what the socket may buffer: past
 * half of it, counting what is still unsent, it is a `gap` (the client re-syncs from a fresh
 * snapshot, one request instead of the whole window). And per user, not per socket: a join with
 * `since` costs a frame of about 100 bytes and joining a room again (to resume, or to switch
 * between watching and being present) replays again, so at the frame rate one socket drew about
 * 100 MB a second; past `REPLAY_BUFFERS_PER_MINUTE` send buffers a minute a join is a `gap` too.
 *
 * ```ts
 * const replays = new ReplayBudget(8 * 1024 * 1024);
 * replays.verdict('ada', replayBytes, unsentBytes, now); // 'replay' | 'too_large' | 'spent'
 * ```
 */
import { WriteBudget } from '../util/write-budget.js';

/** Replayed bytes a user may be sent per minute, in send buffers (8 MiB each by default). */
export const REPLAY_BUFFERS_PER_MINUTE = 4;

/** The bytes a socket may hold unsent before it is dropped as a slow consumer (the default). */
export const DEFAULT_MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/** `replay`: send it; `too_large`: over half the send buffer; `spent`: past the user's budget. */
export type ReplayVerdict = 'replay' | 'too_large' | 'spent';

export class ReplayBudget {
  private readonly perUser: WriteBudget;

  constructor(private readonly maxBufferedBytes: number) {
    this.perUser = new WriteBudget(REPLAY_BUFFERS_PER_MINUTE * maxBufferedBytes);
  }

  /**
   * Whether `user` may be sent a replay of `replayBytes` now, on a socket holding `unsentBytes`;
   * a replay sent is taken from their budget, a refused one is not.
   */
  verdict(user: string, replayBytes: number, unsentBytes: number, now: number): ReplayVerdict {
    if (unsentBytes + replayBytes > this.maxBufferedBytes / 2) return 'too_large';
    return this.perUser.take(user, replayBytes, now) ? 'replay' : 'spent';
  }
}
