/**
 * Sending and answers: one change at a time goes as `entity.update`, with its mutation id and its
 * base version (moved up over versions this client made itself, read from the server when never
 * known); `entity.ack` confirms it (a `partial` one, too large to carry the entity's values, makes
 * the entity be read again), `entity.rejected` or an error rejects it — or parks it to be sent
 * again after a wait (see change-retry.ts) when the server or the CRM fails for now — and
 * `entity.conflict` re-sends it on the current version when the clash is only with what the user
 * saw or this client wrote (at most three times), else hands it to change-conflicts.ts. A part of
 * `Changes`, the one owner of a change's life (see change-life.ts).
 *
 * One entity's changes go in the order they were made; one that fails for now holds its entity's,
 * not the others' (see `drain`).
 */
import {
  fieldValue,
  hasField,
  type Entity,
  type EntityAckFrame,
  type EntityConflictFrame,
  type EntityRejectedFrame,
  type FieldConflict,
  type ServerFrame,
} from '../../protocol/index.js';
import { readOnlyRefusal, type Change } from './change.js';
import { conflict, judge } from './change-conflicts.js';
import type { ChangeLife } from './change-life.js';
import { park } from './change-outbox.js';
import { hold, plan, retryLater, retryOf, schedule } from './change-retry.js';
import { RealtimeError } from '../realtime-error.js';
import { sameJson } from '../../util/same-json.js';

/** Automatic re-sends of one change after stale-only conflicts. */
const MAX_REBASES = 3;
/** The change may have been applied or may still be: keep it (same id) and send it again. */
const KEEP = new Set([
  'disconnected',
  'not_connected',
  'closed',
  'timeout',
  'internal',
  'backend_unavailable',
]);
/** Worth another try on this connection after a while. */
const RETRY_LATER = new Set(['timeout', 'internal', 'rate_limited', 'backend_unavailable']);
/**
 * Entities whose change may fail for now in a row, nothing answered between (in one try or over
 * several), before a drain stops until the retry or the next save: three records failing one
 * after another is the server or the CRM failing, not a record the CRM refuses, and each further
 * change would be one more request refused (a whole outbox sent into an outage, again on every
 * save). Two records that keep failing still let the others' changes go.
 */
const MAX_FAILING = 3;

/**
 * Send what is waiting (no-op while sending; then it goes on after the current one). Until the
 * outbox has been read, and while the entries of pages closed meanwhile are being taken, only
 * changes made on the open connection go: the queued ones wait, so that what an earlier page
 * left goes before them, in the order it was made. A save made now never waits for the disk or
 * for another page's claim; it is newer than anything a closed page left, and a clash of an older
 * change with it later supersedes the older one.
 */
export function pump(life: ChangeLife): void {
  if (life.pumping) {
    life.pumpAgain = true;
    return;
  }
  life.pumping = true;
  void drain(life).finally(() => {
    life.pumping = false;
    plan(life);
    if (!life.pumpAgain) return;
    life.pumpAgain = false;
    pump(life);
  });
}

/**
 * Send what may go, one change at a time. An entity whose change fails for now (not
 * `rate_limited`) is skipped for the rest of the drain: its later changes wait behind that one,
 * in order, for the retry or the next save of that entity, and the other entities' changes go.
 */
async function drain(life: ChangeLife): Promise<void> {
  const failing = new Set<string>();
  for (;;) {
    // While the server said the user's budget is spent, nothing goes before the wait is over: a
    // new save would send the change in front of it again at once, to be refused again, and the
    // page says when it goes (see `retryHolds`).
    if (!life.isOpen() || life.retryHolds) return;
    const queuedToo = life.ready && life.adopting === 0;
    const m = life.line.nextToSend(life.client.user?.id, queuedToo, failing, (c) =>
      retryOf(life, c),
    );
    if (!m) return;
    const sent = await send(life, m);
    if (!sent) return;
    if (sent === true) {
      life.inARow.clear();
    } else {
      failing.add(m.key);
      // Counted across tries: records whose own waits end one by one, each tried alone, are as
      // much an outage as three refused in one try.
      if (life.inARow.add(m.key).size >= MAX_FAILING) {
        // The server or the CRM is failing, not these records: no failing change goes again
        // before a wait that grows while nothing is answered (one under way stands: a new save
        // refused meanwhile does not put it off).
        if (life.holdUntil === undefined) hold(life, life.clock.now() + life.retryBackoff.next());
        return;
      }
    }
  }
}

/**
 * Send one change; false when sending should stop until the connection is back or the wait is
 * over, `'later'` when it failed for now and only its entity's changes should wait. A change whose
 * base version is known leaves in the same task as the `pump()` that picked it, before anything
 * awaits: the save's frame waits neither for the page to render the optimistic state nor for
 * its outbox entry to reach the store.
 */
async function send(life: ChangeLife, m: Change): Promise<boolean | 'later'> {
  let frame: ServerFrame;
  /**
   * When it was to be tried, if its retry has not come (its record was saved again): a try made
   * sooner leaves that standing. The retry's coming says so, not the clock (set back, say).
   */
  const due = retryOf(life, m) === 'wait' ? m.retryAt : undefined;
  m.inFlight = true;
  m.lastTry = ++life.tries;
  try {
    if (m.baseVersion === undefined && !(await baseOnCurrent(life, m))) return true;
    if (m.state !== 'pending') return true; // withdrawn meanwhile
    const answer = life.client.request({
      type: 'entity.update',
      mutationId: m.mutationId,
      entityType: m.entityType,
      entityId: m.entityId,
      // Moved up over the versions right after it that this client made with earlier changes.
      baseVersion: life.own.rebase(m.key, m.baseVersion!, m.createdAt),
      fields: m.fields,
    });
    // Sent again before its wait was over (its entity was saved again): the try is now, no
    // countdown to a later one ("Trying again…"; the wait under way again if it fails). Not
    // cleared: it still waits in the outbox, and without `retryAt` the page would take it for
    // offline.
    const now = life.clock.now();
    if (m.retryAt !== undefined && m.retryAt > now) {
      m.waiting(m.error, now);
      life.views.notify(m.key);
    }
    frame = await answer;
  } catch (error) {
    m.inFlight = false; // its retry is planned at once (`schedule`)
    return failed(life, m, error, due);
  } finally {
    m.inFlight = false;
    // A save of its entity from now on, not one made while it was tried, is a cue to try again.
    m.serialAfterTry = life.line.serial;
  }
  // An answer came: the reason an earlier attempt did not go through no longer holds, and the
  // record's wait starts over (not another record's: an answer for B says nothing of A).
  if (m.error && RETRY_LATER.has(m.error.code)) m.waiting(undefined);
  m.fails = 0;
  life.retryBackoff.reset();
  if (frame.type === 'entity.ack') acked(life, m, frame);
  else if (frame.type === 'entity.conflict') conflicted(life, m, frame);
  else if (frame.type === 'entity.rejected') refused(life, m, frame);
  else failed(life, m, new RealtimeError('bad_frame', `unexpected ${frame.type} answer`));
  return true;
}

/**
 * A change made before its entity was ever read gets its base version now, from the entity as a
 * handle shows it or, when none does, as the server has it. What the user saw in its fields
 * before editing (`seen`: the values the page printed, say) is checked against it first: a
 * field that holds something else now was changed by someone since, a conflict handed over
 * like any other (never a blind overwrite); one this client set since with a newer change is
 * superseded, seen or not. Another field whose user's view is unknown (no `seen` value) cannot
 * be checked: the change is based on whatever is current, and the last writer wins there. False
 * when the change is not to be sent (a conflict, superseded, or withdrawn meanwhile).
 */
async function baseOnCurrent(life: ChangeLife, m: Change): Promise<boolean> {
  const current = life.views.entity(m.key) ?? (await read(life, m));
  if (m.state !== 'pending') return false;
  const clashes: FieldConflict[] = [];
  for (const [field, mine] of Object.entries(m.fields)) {
    const now = fieldValue(current.fields, field);
    if (sameJson(now, mine)) continue;
    const saw = hasField(m.seen, field) ? m.seen[field] : undefined;
    // What the user saw is no longer there; or, seen or not, a newer change of this client's
    // set what is (this change waited in a tab closed meanwhile).
    const moved = saw !== undefined && !sameJson(now, saw);
    if (!moved && !life.own.wroteAfter(m.key, field, now, m.createdAt)) continue;
    const clash: FieldConflict = { field, mine };
    if (saw !== undefined) clash.base = saw;
    if (now !== undefined) clash.theirs = now;
    clashes.push(clash);
  }
  const real = clashes.length > 0 ? judge(life, m, clashes) : [];
  if (real === undefined) return false;
  if (real.length > 0) {
    // Left without a base version: after a reload, the check is made again.
    conflict(life, m, real, current);
    return false;
  }
  m.based(current.version);
  life.line.stored(m, { baseVersion: current.version });
  return true;
}

/** The entity as the server has it now. */
async function read(life: ChangeLife, m: Change): Promise<Entity> {
  const frame = await life.client.request({
    type: 'entity.get',
    entityType: m.entityType,
    entityId: m.entityId,
  });
  if (frame.type !== 'entity.snapshot') {
    throw new RealtimeError('bad_frame', `unexpected ${frame.type} answer to entity.get`);
  }
  return frame.entity;
}

// ------------------------------------------------------------------------------------------
// answers

function acked(life: ChangeLife, m: Change, frame: EntityAckFrame): void {
  life.own.acknowledged(m.key, m.fields, frame.entity, frame.duplicate, m.createdAt);
  // Applied, but too large to come with its values (a CRM backend grew them): the change is
  // confirmed all the same, never sent again, and the entity is read for what it holds now.
  if (frame.partial) life.views.outdated(m.key, frame.entity.version);
  else life.views.learned(m.key, frame.entity, Object.keys(m.fields));
  if (m.state === 'pending') m.confirm(frame.entity.version, frame.duplicate);
  life.line.settleOut(m);
  life.views.notify(m.key);
}

function conflicted(life: ChangeLife, m: Change, frame: EntityConflictFrame): void {
  life.views.learned(m.key, frame.current, []);
  if (m.state !== 'pending') return;
  const real = judge(life, m, frame.conflicts);
  if (real === undefined) return;
  if (m.rebases < MAX_REBASES && real.length === 0) {
    // Nothing the user did not see: send again on the current version, as a new change.
    m.rebase(frame.current.version);
    life.line.stored(m, { mutationId: m.mutationId, baseVersion: m.baseVersion });
    life.views.notify(m.key);
    return;
  }
  conflict(
    life,
    m,
    frame.conflicts.filter((c) => hasField(m.fields, c.field)),
    frame.current,
  );
}

/** The CRM backend refused values: final, with its message per field. */
function refused(life: ChangeLife, m: Change, frame: EntityRejectedFrame): void {
  const fields = Object.keys(frame.errors);
  const message =
    frame.message ??
    (fields.length > 0
      ? fields.map((field) => `${field}: ${frame.errors[field]}`).join('; ')
      : 'the CRM refused the change');
  failed(life, m, new RealtimeError('invalid', message, m.key, frame.errors));
}

/** `due`: when it was to be tried again before this try (a wait under way). */
function failed(life: ChangeLife, m: Change, error: unknown, due?: number): boolean | 'later' {
  const e = error instanceof RealtimeError ? error : new RealtimeError('internal', String(error));
  if (m.state !== 'pending') return true;
  if (e.code === 'forbidden' && e.fields && withoutRefused(life, m, e.fields, e)) return true;
  if (KEEP.has(e.code) || RETRY_LATER.has(e.code)) {
    park(life, m);
    if (RETRY_LATER.has(e.code)) {
      // Still pending, but the page may say why it waits ("the CRM did not answer") and, on an
      // open connection, when it is tried again: it is not offline.
      const at = retryLater(life, m, e, due);
      m.waiting(e, life.isOpen() ? at : undefined);
      schedule(life);
    }
    life.views.notify(m.key);
    // Perhaps this record's failure alone (the CRM refused it): the others may go (`drain`).
    return RETRY_LATER.has(e.code) && e.code !== 'rate_limited' ? 'later' : false;
  }
  const queued = m.queued;
  m.reject(e);
  life.line.settleOut(m);
  if (queued) life.outbox.reportRejected(m);
  life.views.notify(m.key);
  return true;
}

/**
 * Refused for fields the user may no longer change (their field rules changed after the edit)
 * and for nothing else: the change goes on with its other fields, at once, and the refused
 * values stay on the change (`refused`) for the page to say and offer back. False when every
 * field was refused (then it is rejected, as before).
 *
 * The server refuses the whole update and this client sends the rest, rather than the server
 * applying the allowed part: a mutation id then stays one content, applied whole or not at all.
 * A replay of it (an outbox entry, an answer lost) gets the same answer whatever the rules are by
 * then; a server that applied part of it would answer a later replay "applied" for values it
 * never stored, and a client that predates `errors` would take them for saved. The rest is other
 * content, so it is a new change: a new mutation id, written to the outbox before it goes.
 */
function withoutRefused(
  life: ChangeLife,
  m: Change,
  errors: Readonly<Record<string, string>>,
  e: RealtimeError,
): boolean {
  const refused = Object.keys(m.fields).filter((field) => hasField(errors, field));
  if (refused.length === Object.keys(m.fields).length) return false;
  if (refused.length === 0) {
    // None of its fields: the server keeps an id's refusal, of the fields it first came with,
    // and this change has dropped those since (a newer change of this client set them), keeping
    // its id. What it sets now was never refused: it goes again as other content, a new id, a
    // few times at most (a server naming other fields on a fresh id would have it sent forever).
    if (m.rebases >= MAX_REBASES) return false;
    m.resend();
    life.line.stored(m, { mutationId: m.mutationId });
    life.views.notify(m.key);
    return true;
  }
  // Not a value the user saved again since, on a change of its own: that one says it.
  const values = Object.fromEntries(refused.map((field) => [field, m.fields[field]!]));
  const kept = life.line.stillRefused(m, values, [], m);
  const fewer = kept && Object.keys(kept).length < refused.length;
  m.refuse(refused, kept, fewer ? readOnlyRefusal(m.key, Object.keys(kept)) : e);
  // The refused values stay in the entry until the rest is answered: a page opened after this
  // one closed says them, with the user's values, as this one does.
  life.line.stored(m, { mutationId: m.mutationId, fields: m.fields, refused: m.refused });
  // A replayed change: the outbox lists what it could not deliver (here, the refused values).
  if (m.queued && kept) life.outbox.reportRejected(m);
  life.views.notify(m.key);
  return true;
}
