/**
 * What the parts of a change's life share: the state `Changes` (changes.ts), their one owner,
 * keeps, and the steps any part may ask of it. The parts are functions over it, each in a file
 * named for what it does: sending a change and taking its answer (change-sending.ts), when one
 * refused for now is sent again (change-retry.ts), conflicts and their resolution
 * (change-conflicts.ts), the outbox's parking and replay (change-outbox.ts).
 * Only `Changes` makes a `ChangeLife`, so one object still owns every change from save to answer.
 */
import type { Entity } from '../../protocol/index.js';
import type { Change, ConflictTaker } from './change.js';
import type { ChangeLine } from './change-line.js';
import type { Outbox } from './outbox.js';
import type { OwnWrites } from './own-writes.js';
import type { Backoff } from '../connection/backoff.js';
import type { CapabilityClient, Clock } from '../types.js';

/** What changes need of the entities and the handles that show them (the hub has them). */
export interface ChangeViews {
  /** The confirmed entity as a handle shows it, if any. */
  entity(key: string): Entity | undefined;
  /** An answer told the entity's state; `own` fields were this client's change's. */
  learned(key: string, entity: Entity, own: readonly string[]): void;
  /**
   * An answer said the entity is at `version` without carrying its fields (a `partial` ack): it is
   * read again.
   */
  outdated(key: string, version: number): void;
  /** Something the entity's handles show changed. */
  notify(key: string): void;
  /** The handles showing an entity (a conflict nobody owns goes to one of them). */
  takers(key: string): Iterable<ConflictTaker>;
}

export interface ChangeLife {
  readonly client: Pick<CapabilityClient, 'request' | 'status' | 'user'>;
  readonly views: ChangeViews;
  readonly clock: Clock;
  readonly logger: Pick<Console, 'warn'>;
  readonly outbox: Outbox;
  readonly line: ChangeLine;
  readonly own: OwnWrites;

  // sending (change-sending.ts) and its waits (change-retry.ts)
  pumping: boolean;
  pumpAgain: boolean;
  /** The one timer of the retries: it fires when a hold ends, else when the first wait does. */
  retryTimer: unknown;
  /** When `retryTimer` fires (epoch ms), while it is set. */
  retryAt: number | undefined;
  /**
   * The wait under way is the server's `rate_limited`: the user's budget is spent, so nothing is
   * sent before it ends. After another failure (`timeout`, `internal`, `backend_unavailable`,
   * which may be one record's fault) a new save still goes at once; the waiting ones wait on.
   */
  retryHolds: boolean;
  /**
   * No change that failed for now is tried again before this (epoch ms): the user's budget is
   * spent, the server named a wait, or the server or the CRM failed three records in a row.
   */
  holdUntil: number | undefined;
  /** Records refused for now in a row since the last answer (see `MAX_FAILING`). */
  readonly inARow: Set<string>;
  /** Tries of changes so far: the order they were tried in (`Change.lastTry`). */
  tries: number;
  /**
   * `tries` when the retry last came (its timer fired, or the wait was forgotten): a change that
   * failed for now and was tried after it waits for the next retry; one tried before, and whose
   * wait ended by then (`firedAt`), no more.
   */
  triesAtRetry: number;
  /** The time the last retry was for: the waits ending by then are over. */
  firedAt: number;
  /** Randomness in `[0, 1)`, for the jitter of a wait the server named. */
  readonly random: () => number;
  /**
   * The pace of re-sends while the server or the CRM fails as a whole (three records in a row)
   * or the user's budget is spent: a wait that grows with each such failure (the edit is never
   * dropped), with full jitter, so the clients of an outage come back spread over the window.
   * Starts over after any answer, and on reconnect.
   */
  readonly retryBackoff: Backoff;
  /**
   * A record's own wait after its `attempt`-th failure in a row (0-based, `Change.fails`), on the
   * same base, cap and jitter: it grows while the record keeps failing, whatever other records'
   * saves do, so a record the CRM keeps refusing is asked less and less often.
   */
  retryDelay(attempt: number): number;
  /**
   * The longest any wait is (the pace's ceiling, a named wait): a wait planned before the clock
   * was set back (its end in the clock's time) is cut to it, not stretched by the set-back.
   */
  readonly longestWait: number;

  // the outbox (change-outbox.ts)
  /** The outbox was loaded: entries left by a previous page go first. */
  ready: boolean;
  /** Entries of pages closed meanwhile are being taken into line: nothing is sent until they are. */
  adopting: number;
  /** The outbox lives in memory only: said once, when a change first has to wait in it. */
  readonly volatile: boolean;
  warnedVolatile: boolean;

  /** Send what is waiting (`pump` in change-sending.ts). */
  pump(): void;
  /** The connection is open. */
  isOpen(): boolean;
  /** The changes whose values the page shows on top of the confirmed entity (`Changes.overlay`). */
  overlay(key: string): Change[];
}
