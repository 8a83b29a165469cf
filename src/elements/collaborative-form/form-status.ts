/**
 * The form's one-line status (Saved · Saving… · 2 changes waiting offline · 2 changes waiting to
 * be saved · Conflict), decided from the live-data state by one pure function, so the priorities
 * are written down in one place.
 */
import type { ChangeInfo } from '../../client/live-data/live-data-types.js';
import type { RealtimeErrorCode } from '../../client/realtime-error.js';
import type { MessageContext } from '../../i18n.js';
import type { CollaborativeFormMessages } from './form-messages.js';

/**
 * - `unavailable`: no provider, client or entity: the form is a plain form;
 * - `loading` / `load-error`: reading the entity / it could not be read, or its type or id is
 *   one the client refuses (then the form is a plain form too), or the CRM deleted it (then the
 *   form saves nothing, and the fields keep their values);
 * - `conflict`: a save waits for the user's decision;
 * - `retrying`: online, saves wait because the server refused them for now (the user's write
 *   budget is spent, or it failed); they are sent again at `retryAt`;
 * - `queued`: saves made offline wait to be sent;
 * - `saving`: a save is on its way;
 * - `refused`: the last save was refused (and rolled back);
 * - `invalid`: the CRM's backend refused values; its messages are under the fields, which keep
 *   the user's values;
 * - `unanswered`: a save waits because the CRM's backend did not answer; it is sent again at
 *   `retryAt` (the wait the server named, else the client's backoff);
 * - `unsaved`: the user changed fields and has not saved them;
 * - `saved`: the last save was confirmed; `idle`: nothing saved yet, the data is current.
 */
export type FormStatusKind =
  | 'unavailable'
  | 'loading'
  | 'load-error'
  | 'conflict'
  | 'retrying'
  | 'queued'
  | 'saving'
  | 'refused'
  | 'invalid'
  | 'unanswered'
  | 'unsaved'
  | 'saved'
  | 'idle';

export interface FormStatusInput {
  /** The live-data controller's status. */
  readonly live: 'unavailable' | 'loading' | 'ready' | 'error';
  /** Also `not_found` for a record the CRM deleted, which stays `ready`. */
  readonly loadError: RealtimeErrorCode | undefined;
  /** The client refused the entity type or id: "could not load", not "not connected". */
  readonly targetRefused?: boolean;
  readonly changes: readonly ChangeInfo[];
  readonly openConflicts: number;
  /** Fields the user changed and has not saved. */
  readonly dirty: number;
  /** A save of this form was confirmed since it loaded. */
  readonly savedOnce: boolean;
  /** The last save was refused and the error is still shown. */
  readonly refused: boolean;
  /** Fields showing a message of the CRM's backend about their value. */
  readonly invalid?: number;
}

export interface FormStatus {
  readonly kind: FormStatusKind;
  /** `queued`, `retrying`: how many saves wait; `unsaved`: how many fields. */
  readonly count: number;
  /** `retrying`, `unanswered`: when the next try is (epoch ms), while one is planned. */
  readonly retryAt?: number;
}

/** When the server refused a pending save for now and it is tried again; else undefined. */
export function retryAt(changes: readonly ChangeInfo[]): number | undefined {
  let at: number | undefined;
  for (const c of changes) {
    if (c.state === 'pending' && c.retryAt !== undefined) at = Math.min(at ?? c.retryAt, c.retryAt);
  }
  return at;
}

export function formStatus(input: FormStatusInput): FormStatus {
  const pending = input.changes.filter((c) => c.state === 'pending');
  const queued = pending.filter((c) => c.queued).length;
  if (input.live === 'unavailable') {
    return { kind: input.targetRefused ? 'load-error' : 'unavailable', count: 0 };
  }
  if (input.openConflicts > 0) return { kind: 'conflict', count: input.openConflicts };
  // Online and refused for now: every pending save waits behind the one tried again, and the
  // countdown to it is shown whatever the reason, the CRM's silence included.
  const at = retryAt(pending);
  const unanswered = pending.filter((c) => c.error?.code === 'backend_unavailable').length;
  if (unanswered > 0) {
    return at === undefined
      ? { kind: 'unanswered', count: unanswered }
      : { kind: 'unanswered', count: unanswered, retryAt: at };
  }
  if (at !== undefined) return { kind: 'retrying', count: pending.length, retryAt: at };
  if (queued > 0) return { kind: 'queued', count: queued };
  if (pending.length > 0) return { kind: 'saving', count: pending.length };
  // A record the CRM deleted stays `ready` with the error `not_found` (what waited was refused).
  if (input.live === 'error' || input.loadError) return { kind: 'load-error', count: 0 };
  if (input.live === 'loading') return { kind: 'loading', count: 0 };
  if (input.refused) return { kind: 'refused', count: 0 };
  if (input.invalid) return { kind: 'invalid', count: input.invalid };
  if (input.dirty > 0) return { kind: 'unsaved', count: input.dirty };
  return { kind: input.savedOnce ? 'saved' : 'idle', count: 0 };
}

/** The words of a status. */
export function statusText(
  status: FormStatus,
  loadError: RealtimeErrorCode | undefined,
  m: CollaborativeFormMessages,
  c: MessageContext,
): string {
  switch (status.kind) {
    case 'unavailable':
      return m.notConnected(c);
    case 'loading':
      return m.loading(c);
    case 'load-error':
      return m.loadFailed(loadError, c);
    case 'conflict':
      return m.conflict(c);
    case 'retrying':
      return m.waitingToSave(status.count, c);
    case 'queued':
      return m.waitingOffline(status.count, c);
    case 'saving':
      return m.saving(c);
    case 'refused':
      return m.notSaved(c);
    case 'invalid':
      return m.invalidValues(status.count, c);
    case 'unanswered':
      return m.backendUnanswered(c, status.retryAt !== undefined);
    case 'unsaved':
      return m.unsaved(status.count, c);
    case 'saved':
      return m.saved(c);
    case 'idle':
      return m.upToDate(c);
  }
}
