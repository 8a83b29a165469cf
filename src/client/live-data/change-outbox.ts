/**
 * A change's side of the durable outbox: a pending change parked there to wait (the connection
 * is not open, or dropped before the answer), and the entries a previous or a closed page left
 * taken into line before anything is sent, to be replayed in the order they were made. A part of
 * `Changes`, the one owner of a change's life (see change-life.ts); where an entry is written is
 * `ChangeLine`'s and the `Outbox`'s.
 */
import type { Change } from './change.js';
import type { ChangeLife } from './change-life.js';
import type { OutboxRecord } from './outbox.js';
import { LOG_PREFIX } from '../../util/warn.js';

/** The longest wait, in ms, for the entries of closed pages before sending on a new connection. */
const ADOPT_WAIT = 3000;

/** A pending change waits in the outbox: the connection is not open, or dropped before the answer. */
export function park(life: ChangeLife, m: Change): boolean {
  if (!life.line.park(m)) return false;
  warnIfVolatile(life);
  return true;
}

export function warnIfVolatile(life: ChangeLife): void {
  if (!life.volatile || life.warnedVolatile) return;
  life.warnedVolatile = true;
  life.logger.warn(
    `${LOG_PREFIX} no IndexedDB here: offline edits are kept in memory and will not ` +
      'survive a closed tab (pass an `outbox` store to keep them).',
  );
}

/**
 * Entries a previous (or a closed) page left in the outbox: first in line, in their order, then
 * replayed. One narrowed by field rules there is listed in `rejected` with its refused values.
 */
export function adopt(life: ChangeLife, records: OutboxRecord[]): void {
  const adopted = life.line.adopt(records);
  life.ready = true;
  // Values a closed page's replay could not deliver (refused by field rules): listed again here,
  // to their user only (see `OutboxSnapshot.rejected`).
  for (const m of adopted) if (m.refused) life.outbox.reportRejected(m);
  for (const key of new Set(adopted.map((m) => m.key))) life.views.notify(key);
  life.pump();
}

/**
 * On a new connection: what a page that closed meanwhile left (a tab closed while offline, a
 * shared connection's leader tab) is sent by the pages still here, in line by when it was made:
 * it is taken before anything is sent, so an older change of the same user never goes after a
 * newer one. A store that does not answer holds sending up for `ADOPT_WAIT` at most.
 */
export function adoptOrphans(life: ChangeLife): void {
  life.adopting += 1;
  let done = false;
  const go = () => {
    if (done) return;
    done = true;
    life.clock.clearTimeout(timer);
    life.adopting -= 1;
    life.pump();
  };
  const timer = life.clock.setTimeout(go, ADOPT_WAIT);
  void life.outbox.adoptOrphans().then(go);
}
