/**
 * Sends live-data changes one at a time, in order, while the connection is open: `entity.update`
 * with the change's mutation id, then confirm on `entity.ack`, re-send or hand over a conflict on
 * `entity.conflict`, drop on a refusal (an `error`, or `entity.rejected`: the CRM backend's field
 * errors, a final answer), or keep (in the outbox, same mutation id) when the answer may never come —
 * a drop, a timeout, a CRM backend that did not answer — so the next attempt is a replay the server
 * (and the backend, which gets the id as its idempotency key) applies once.
 *
 * A conflict whose clashing fields now hold exactly what the user saw, or what this client wrote
 * just before (two quick saves of one field, an outbox replaying in order), overlooks nothing: the
 * change is re-sent on the current version with a new id, at most three times.
 */
import type {
  Entity,
  EntityAckFrame,
  EntityConflictFrame,
  EntityRejectedFrame,
  ServerFrame,
} from '../../protocol/index.js';
import type { ChangeQueue } from './change-queue.js';
import type { Mutation } from './mutation.js';
import type { Outbox } from './outbox.js';
import { RealtimeError } from '../realtime-error.js';
import type { Clock, RequestInput } from '../types.js';

/** What the sender needs from the hub. */
export interface ChangeSenderHost {
  readonly clock: Clock;
  /** Wait before re-sending after `timeout`, `internal` or `rate_limited`. */
  readonly retryDelay: number;
  isOpen(): boolean;
  userId(): string | undefined;
  request(frame: RequestInput): Promise<ServerFrame>;
  /** The confirmed version of an entity a handle shows, if any. */
  version(key: string): number | undefined;
  /** An answer told the entity's state; `own` fields were this change's. */
  learned(key: string, entity: Entity, own: readonly string[]): void;
  notify(key: string): void;
  /** The change is `conflicted` now: list and offer it. */
  conflicted(m: Mutation): void;
}

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

export class ChangeSender {
  /** The outbox was loaded: entries left by a previous page go first. */
  ready = false;
  private pumping = false;
  private pumpAgain = false;
  private retryTimer: unknown;

  constructor(
    private readonly host: ChangeSenderHost,
    private readonly queue: ChangeQueue,
    private readonly outbox: Outbox,
  ) {}

  /** Send what is waiting (no-op while sending; then it goes on after the current one). */
  pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    if (!this.ready) return;
    this.pumping = true;
    void this.drain().finally(() => {
      this.pumping = false;
      if (!this.pumpAgain) return;
      this.pumpAgain = false;
      this.pump();
    });
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (!this.host.isOpen()) return;
      const m = this.queue.nextToSend(this.host.userId());
      if (!m) return;
      if (!(await this.send(m))) return;
    }
  }

  /**
   * Send one change; false when sending should stop until the connection is back. A change whose
   * base version is known and that waits for no outbox write leaves in the same task as the
   * `pump()` that picked it, before anything awaits: the save's frame does not wait for the page
   * to render the optimistic state.
   */
  private async send(m: Mutation): Promise<boolean> {
    let frame: ServerFrame;
    m.inFlight = true;
    try {
      if (m.record) await m.record.stored; // never send ahead of the store's order
      const baseVersion = this.knownBase(m) ?? (await this.readBase(m));
      if (m.state !== 'pending') return true; // withdrawn meanwhile
      m.userId ??= this.host.userId();
      frame = await this.host.request({
        type: 'entity.update',
        mutationId: m.mutationId,
        entityType: m.entityType,
        entityId: m.entityId,
        baseVersion,
        fields: m.fields,
      });
    } catch (error) {
      return this.failed(m, error);
    } finally {
      m.inFlight = false;
    }
    // An answer came: the reason an earlier attempt did not go through no longer holds.
    if (m.error?.code === 'backend_unavailable') m.error = undefined;
    if (frame.type === 'entity.ack') this.acked(m, frame);
    else if (frame.type === 'entity.conflict') this.conflicted(m, frame);
    else if (frame.type === 'entity.rejected') this.refused(m, frame);
    else this.failed(m, new RealtimeError('bad_frame', `unexpected ${frame.type} answer`));
    return true;
  }

  /**
   * The version to send: the change's base (the version the user's view of its fields came from),
   * moved up over the versions right after it that this client made itself. Undefined when the
   * change was made before the entity was ever read and no handle shows it: `readBase` asks.
   */
  private knownBase(m: Mutation): number | undefined {
    if (m.baseVersion === undefined) {
      const current = this.host.version(m.key);
      if (current === undefined) return undefined;
      this.adoptBase(m, current);
    }
    return this.queue.rebase(m.key, m.baseVersion!);
  }

  /** Based on whatever is current on the server. */
  private async readBase(m: Mutation): Promise<number> {
    this.adoptBase(m, await this.readVersion(m));
    return this.queue.rebase(m.key, m.baseVersion!);
  }

  private adoptBase(m: Mutation, base: number): void {
    m.baseVersion = base;
    m.touch();
    if (m.record) this.outbox.replace(m.record, { baseVersion: base });
  }

  private async readVersion(m: Mutation): Promise<number> {
    const frame = await this.host.request({
      type: 'entity.get',
      entityType: m.entityType,
      entityId: m.entityId,
    });
    if (frame.type !== 'entity.snapshot') {
      throw new RealtimeError('bad_frame', `unexpected ${frame.type} answer to entity.get`);
    }
    return frame.entity.version;
  }

  private acked(m: Mutation, frame: EntityAckFrame): void {
    this.queue.acknowledged(m, frame.entity, frame.duplicate);
    this.host.learned(m.key, frame.entity, Object.keys(m.fields));
    if (m.state === 'pending') {
      m.version = frame.entity.version;
      m.duplicate = frame.duplicate;
      m.finish('confirmed');
    }
    this.queue.settleOut(m);
    this.host.notify(m.key);
  }

  private conflicted(m: Mutation, frame: EntityConflictFrame): void {
    this.host.learned(m.key, frame.current, []);
    if (m.state !== 'pending') return;
    if (m.rebases < MAX_REBASES && this.queue.onlyStale(m, frame.conflicts)) {
      // Nothing the user did not see: send again on the current version, as a new change.
      m.rebases += 1;
      m.renew();
      m.baseVersion = frame.current.version;
      if (m.record) {
        this.outbox.replace(m.record, { mutationId: m.mutationId, baseVersion: m.baseVersion });
      }
      this.host.notify(m.key);
      return;
    }
    m.conflicts = frame.conflicts;
    m.current = frame.current;
    m.finish('conflicted');
    this.host.conflicted(m);
  }

  /** The CRM backend refused values: final, with its message per field. */
  private refused(m: Mutation, frame: EntityRejectedFrame): void {
    const fields = Object.keys(frame.errors);
    const message =
      frame.message ??
      (fields.length > 0
        ? fields.map((field) => `${field}: ${frame.errors[field]}`).join('; ')
        : 'the CRM refused the change');
    this.failed(m, new RealtimeError('invalid', message, m.key, frame.errors));
  }

  private failed(m: Mutation, error: unknown): boolean {
    const e = error instanceof RealtimeError ? error : new RealtimeError('internal', String(error));
    if (m.state !== 'pending') return true;
    if (KEEP.has(e.code) || RETRY_LATER.has(e.code)) {
      // Still pending, but the page may say why it waits ("the CRM did not answer").
      if (e.code === 'backend_unavailable') {
        m.error = e;
        m.touch();
      }
      this.queue.persist(m);
      this.host.notify(m.key);
      if (RETRY_LATER.has(e.code)) this.retryLater();
      return false;
    }
    m.error = e;
    const queued = m.record !== undefined;
    m.finish('rejected');
    this.queue.settleOut(m);
    if (queued) this.outbox.reportRejected(m.info());
    this.host.notify(m.key);
    return true;
  }

  private retryLater(): void {
    if (this.retryTimer !== undefined) return;
    this.retryTimer = this.host.clock.setTimeout(() => {
      this.retryTimer = undefined;
      this.pump();
    }, this.host.retryDelay);
  }
}
