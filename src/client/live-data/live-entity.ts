/**
 * The confirmed state of one entity on this client, shared by every `LiveData` handle on it: the
 * entity's room (held while a handle is open), the snapshot read on open and after a reconnect
 * that could not replay what was missed, and the `entity.change` events applied in version order.
 */
import type { Entity, EntityChange, ServerFrame } from '../../protocol/index.js';
import type { LiveDataStatus } from './live-data-types.js';
import { Backoff, namedWait } from '../connection/backoff.js';
import { DEFAULT_MAX_RETRY_DELAY, DEFAULT_RETRY_DELAY, deletedError } from './changes.js';
import { RealtimeError } from '../realtime-error.js';
import type { Clock, RequestInput, ResumeInfo, RoomHandle } from '../types.js';

/** What the shared entity needs from the hub. */
export interface LiveEntityHost {
  request(frame: RequestInput): Promise<ServerFrame>;
  joinRoom(room: string, onRefused?: (refusal: RealtimeError | undefined) => void): RoomHandle;
  isOpen(): boolean;
  lastSeq(room: string): number | undefined;
  /** Something a handle shows changed. */
  notify(key: string): void;
  /** The entity was learned deleted (once): refuse what waits for it and tell its handles. */
  deleted(key: string): void;
  /** For reading again after an answer that says "not now". */
  readonly clock: Clock;
  readonly random?: (() => number) | undefined;
}

/** A handle watching the entity. */
export interface EntityWatcher {
  /** The confirmed entity moved from `previous` to `next`; `own` fields were this client's. */
  confirmedChanged(previous: Entity | undefined, next: Entity, own: readonly string[]): void;
}

/**
 * Errors that say the entity cannot be read at all (as opposed to "not now"); `payload_too_large`:
 * the CRM holds a record larger than a frame can carry.
 */
const FINAL_ERRORS = new Set(['not_found', 'forbidden', 'bad_frame', 'payload_too_large']);
/**
 * Answers to a read that say "not now" on a connection that stays open: the CRM's backend or its
 * authorization did not answer, the server failed, too many frames. Read again after a wait.
 */
const READ_AGAIN = new Set(['backend_unavailable', 'internal', 'timeout', 'rate_limited']);

export class LiveEntity {
  readonly key: string;
  entity: Entity | undefined = undefined;
  status: LiveDataStatus = 'loading';
  /** The CRM deleted it (see `LiveDataSnapshot.deleted`): nothing it learns later is taken. */
  deleted = false;
  error: RealtimeError | undefined = undefined;
  /** Fields this user may not change, as the last snapshot said (sorted; empty: all writable). */
  readOnly: readonly string[] = Object.freeze([]);
  readonly watchers = new Set<EntityWatcher>();
  private readonly roomHandle: RoomHandle;
  private loading: Promise<Entity> | undefined;
  /** The wait before reading again after "not now", growing as a save's re-sends do, and its timer. */
  private readonly readBackoff: Backoff;
  private readAgain: unknown;
  private disposed = false;
  /**
   * What is held was read on a connection that has since been lost. Field rules belong to a
   * connection (the next one may hide or show other fields, after `permissions-changed` or a new
   * token's claim, which no `entity.rules-changed` told this client), so the next resume reads
   * the record again even when every missed event was replayed.
   */
  private readOnLostConnection = false;

  constructor(
    private readonly host: LiveEntityHost,
    readonly type: string,
    readonly id: string,
  ) {
    this.key = `${type}:${id}`;
    this.readBackoff = new Backoff({
      base: DEFAULT_RETRY_DELAY,
      cap: DEFAULT_MAX_RETRY_DELAY,
      ...(host.random ? { random: host.random } : {}),
    });
    // A room another widget holds already refused answers no join of ours: hear it from the room.
    this.roomHandle = host.joinRoom(this.key, (refusal) => {
      if (refusal && !this.disposed) this.refused(refusal);
    });
    // Already joined (another widget holds the room): no `joined` will come, read now.
    if (host.isOpen() && host.lastSeq(this.key) !== undefined) this.quietLoad();
  }

  /**
   * The room was (re)joined: read the snapshot unless every missed event was replayed on the
   * connection the record was read on.
   */
  resumed(info: ResumeInfo): void {
    const stale = info.resume !== 'replayed' || !this.entity || this.readOnLostConnection;
    this.readOnLostConnection = false;
    if (!this.deleted && stale) this.quietLoad();
  }

  /** The connection was lost: the next one's field rules may redact this record otherwise. */
  connectionLost(): void {
    if (this.entity) this.readOnLostConnection = true;
  }

  /** Read the snapshot (one request at a time); rejects when it cannot be read. */
  load(): Promise<Entity> {
    if (this.loading) return this.loading;
    const loading = this.host
      .request({ type: 'entity.get', entityType: this.type, entityId: this.id })
      .then(
        (frame) => {
          if (frame.type !== 'entity.snapshot') {
            throw new RealtimeError('bad_frame', `unexpected answer ${frame.type} to entity.get`);
          }
          const readOnly = frame.readOnly ?? [];
          if (readOnly.join('\n') !== this.readOnly.join('\n')) {
            this.readOnly = Object.freeze([...readOnly]);
            this.host.notify(this.key);
          }
          this.snapshot(frame.entity);
          return frame.entity;
        },
        (error: unknown) => {
          // Shown before and gone now (a resume that missed its entity.deleted): deleted.
          if (this.entity && error instanceof RealtimeError && error.code === 'not_found') {
            this.markDeleted();
          } else if (error instanceof RealtimeError && FINAL_ERRORS.has(error.code)) {
            this.status = 'error';
            this.error = error;
            this.host.notify(this.key);
          }
          throw error;
        },
      )
      .finally(() => {
        if (this.loading === loading) this.loading = undefined;
      });
    this.loading = loading;
    return loading;
  }

  /** An `entity.change` event of this entity's room. */
  changed(change: EntityChange, own: boolean): void {
    // While loading, the snapshot (read after the join) already holds what came before it.
    if (!this.entity || change.entity.version <= this.entity.version) return;
    this.confirm(change.entity, own ? change.changed : []);
  }

  /** An entity learned from an answer (ack or conflict): taken when newer. */
  learned(entity: Entity, own: readonly string[]): void {
    if (this.entity && entity.version <= this.entity.version) return;
    this.confirm(entity, own);
  }

  /** The entity is at `version` or later and its values were not sent: read it again. */
  outdated(version: number): void {
    const behind = () =>
      !this.disposed && !this.deleted && (!this.entity || this.entity.version < version);
    if (!behind()) return;
    // A read under way may have left before that version was made: read again after it.
    if (this.loading) {
      this.loading.then(
        () => {
          if (behind()) this.quietLoad();
        },
        () => {},
      );
    } else {
      this.quietLoad();
    }
  }

  /**
   * The user's field rules for this entity's type changed (`entity.rules-changed`): what is held
   * was redacted by the old ones (a field shown again is missing, one hidden now still there, the
   * read-only list stale). Reads it again, after a read under way, which may have been answered
   * by the old rules.
   */
  reread(): void {
    if (this.disposed || this.deleted || !this.host.isOpen()) return;
    if (this.loading) {
      this.loading.then(
        () => this.quietLoad(),
        () => {},
      );
    } else {
      this.quietLoad();
    }
  }

  /** The CRM deleted the entity: what waits for it is refused, the handles say so. */
  markDeleted(): void {
    if (this.deleted) return;
    this.deleted = true;
    this.error = deletedError(this.key);
    this.host.deleted(this.key);
  }

  /**
   * The server refused to let this client join the entity's room. `forbidden` while it is held
   * (the user's permissions changed: `removed`) means the user may no longer read it: what was
   * read goes, so no view keeps showing its values.
   */
  refused(error: RealtimeError): void {
    this.status = 'error';
    this.error = error;
    if (error.code === 'forbidden') this.entity = undefined;
    this.host.notify(this.key);
  }

  dispose(): void {
    this.disposed = true;
    this.host.clock.clearTimeout(this.readAgain);
    this.roomHandle.release();
  }

  private snapshot(entity: Entity): void {
    // A snapshot older than events already applied (an answer overtaken) changes nothing.
    if (this.entity && entity.version < this.entity.version) return;
    this.confirm(entity, []);
  }

  private confirm(next: Entity, own: readonly string[]): void {
    // A save committed just before the delete may be announced after it: the record stays gone.
    if (this.deleted) return;
    const previous = this.entity;
    this.entity = next;
    this.status = 'ready';
    this.error = undefined;
    for (const watcher of this.watchers) watcher.confirmedChanged(previous, next, own);
    this.host.notify(this.key);
  }

  private quietLoad(): void {
    this.host.clock.clearTimeout(this.readAgain);
    this.readAgain = undefined;
    // Final failures show in `status`/`error`; "not now" is read again after a jittered wait
    // that doubles, or the wait the server named if longer (a record opened while the CRM is
    // down loads once it is back, without a reconnect); a lost connection reads again on the next
    // resume.
    this.load().then(
      () => this.readBackoff.reset(),
      (error: unknown) => {
        if (this.disposed || !(error instanceof RealtimeError) || !READ_AGAIN.has(error.code)) {
          return;
        }
        // Two callers shared this read (a resume while it was under way): one wait is enough.
        if (this.readAgain !== undefined) return;
        // Not before the wait the server named (its budget, or the CRM said when it is back), at
        // most a minute.
        const wait = Math.max(this.readBackoff.next(), namedWait(error.retryAfterMs));
        this.readAgain = this.host.clock.setTimeout(() => {
          this.readAgain = undefined;
          if (!this.disposed && this.host.isOpen()) this.quietLoad();
        }, wait);
      },
    );
  }
}
