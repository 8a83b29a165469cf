/**
 * When a change the server refused for now (`timeout`, `internal`, `backend_unavailable`,
 * `rate_limited`) is sent again. A record that keeps failing waits its own wait, which grows with
 * each of its refusals since its last answer (`Change.fails`) whatever other records' saves do,
 * so one broken record is asked less and less often while the user saves the others. What the
 * server or the CRM failing as a whole, or the user's budget, calls for holds every failing change
 * (`holdUntil`), at a pace of its own (`retryBackoff`). One timer serves every wait: it comes when
 * the first wait ends, not before a hold, and the changes that cannot go before it count down to
 * it. A part of `Changes`, the one owner of a change's life (see change-life.ts); sending is
 * change-sending.ts's.
 */
import type { Change } from './change.js';
import type { ChangeLife } from './change-life.js';
import type { RealtimeError } from '../realtime-error.js';
import { namedWait } from '../connection/backoff.js';

/**
 * A change that failed for now, perhaps for its record alone: `'wait'` while its wait is not
 * over, `'after'` once it is (see `ChangeLine.nextToSend`): a retry came for a time its wait
 * ended by, and it was not tried since. The retry's coming ends the wait, not the clock (which
 * may be set back meanwhile). Not past the user's budget: that holds every change, which then go
 * in the order they were made.
 */
export function retryOf(life: ChangeLife, m: Change): 'wait' | 'after' | undefined {
  if (m.retryAt === undefined || m.error?.code === 'rate_limited') return undefined;
  return (m.lastTry ?? 0) <= life.triesAtRetry && m.retryAt <= life.firedAt ? 'after' : 'wait';
}

/**
 * After a drain, the changes that cannot go before the next retry count down to it: those held,
 * and those whose wait was over but the drain did not reach.
 */
export function plan(life: ChangeLife): void {
  const at = schedule(life);
  if (at === undefined) return;
  const touched = new Set<string>();
  for (const m of life.line.items) {
    if (m.state !== 'pending' || m.inFlight || m.retryAt === undefined || m.retryAt >= at) continue;
    m.waiting(m.error, at);
    touched.add(m.key);
  }
  for (const key of touched) life.views.notify(key);
}

/**
 * The one retry is set for when a hold ends (the user's budget, a named wait, the server failing
 * as a whole), else for when the first wait ends; returns when it comes. Not for a record's own
 * wait ending after the hold: what the hold alone kept back (every save, past the user's budget)
 * goes when it ends, and the records still waiting are planned then.
 */
export function schedule(life: ChangeLife): number | undefined {
  if (!life.isOpen()) return undefined;
  const now = life.clock.now();
  // No wait is longer than the longest: one that ends later was planned before the clock was
  // set back, and would hold its record (or every one) that much longer.
  const latest = now + life.longestWait;
  if (life.holdUntil! > latest) life.holdUntil = latest;
  let at = life.holdUntil;
  for (const m of life.line.items) {
    if (m.state !== 'pending' || m.inFlight || retryOf(life, m) !== 'wait') continue;
    if (m.retryAt! > latest) {
      m.waiting(m.error, latest);
      life.views.notify(m.key);
    }
    if (life.holdUntil === undefined) at = Math.min(at ?? m.retryAt!, m.retryAt!);
  }
  if (at !== life.retryAt) {
    if (life.retryTimer !== undefined) life.clock.clearTimeout(life.retryTimer);
    life.retryTimer = undefined;
    life.retryAt = at;
    if (at !== undefined) {
      life.retryTimer = life.clock.setTimeout(() => {
        // A hold's end is a try of its own: up to three failing records go again.
        if (life.holdUntil !== undefined) life.inARow.clear();
        waitOver(life, at);
        life.pump();
      }, at - now);
    }
  }
  return at;
}

/** No failing change is tried again before `at` (a later hold under way stands). */
export function hold(life: ChangeLife, at: number): void {
  life.holdUntil = Math.max(life.holdUntil ?? at, at);
}

/**
 * The retry came (`at`: the time it was for), or the waits are forgotten (`-Infinity`): no hold
 * nor timer is left, and what was tried before waits no more if its wait ended by `at`.
 */
function waitOver(life: ChangeLife, at: number): void {
  if (life.retryTimer !== undefined) life.clock.clearTimeout(life.retryTimer);
  life.retryTimer = undefined;
  life.retryAt = undefined;
  life.retryHolds = false;
  life.holdUntil = undefined;
  life.triesAtRetry = life.tries;
  life.firedAt = at;
}

/**
 * When `m`, refused for now, is sent again. Past the user's budget (`rate_limited`), every change
 * waits: until its budget holds the change again (`retryAfterMs`, with up to a tenth more, at most
 * a second, so a user's tabs do not all send at one instant), else the pace's next wait. Another
 * failure may be this record's alone: it waits its own wait, grown by each failure of the record
 * since its last answer, whatever other records' saves do meanwhile; a try made before that wait
 * was over (the record was saved again) leaves the wait under way standing. A wait the server
 * named holds every failing change (the CRM says when it is back).
 */
export function retryLater(life: ChangeLife, m: Change, e: RealtimeError, due?: number): number {
  const now = life.clock.now();
  // At most a minute: the write budget refills within one, and a wait past what a timer holds
  // would send the change again at once, over and over.
  const wait = e.retryAfterMs === undefined ? undefined : namedWait(e.retryAfterMs);
  const named =
    wait === undefined ? undefined : wait + Math.floor(life.random() * Math.min(1000, wait / 10));
  let at = now;
  if (e.code === 'rate_limited') {
    life.retryHolds = true;
    hold(life, now + (named ?? life.retryBackoff.next()));
  } else {
    if (named !== undefined) hold(life, now + named);
    // Its wait ended while it was tried early (a retry came for a time past it): the next one.
    at = due !== undefined && due > life.firedAt ? due : now + life.retryDelay(m.fails);
    m.fails += 1;
  }
  return Math.max(at, life.holdUntil ?? at);
}

/**
 * Forget the waits under way and the pace's growth (a record's own stays: one that keeps failing
 * is not asked more often for a new connection). The changes that waited say so no more
 * (`retryAt`): they go now, or wait for a connection.
 */
export function retryNow(life: ChangeLife): void {
  waitOver(life, -Infinity);
  life.retryBackoff.reset();
  life.inARow.clear();
  const touched = new Set<string>();
  for (const m of life.line.items) {
    if (m.retryAt === undefined) continue;
    m.waiting(m.error, undefined);
    touched.add(m.key);
  }
  for (const key of touched) life.views.notify(key);
}
