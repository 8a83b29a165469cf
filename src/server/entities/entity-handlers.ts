/**
 * `entity.get` and `entity.update`: the authorization hook (join + read, or
 * join + write, of the entity's room), then the entity service. The hook's refusals answer
 * `forbidden` before anything else, so a refused user cannot learn whether an entity exists. A
 * save the user's field rules refuse is refused by the store, after its duplicate check (a replay
 * of a save applied before the rules changed is answered as applied), before the entity is
 * looked at.
 */
import {
  entityRoom,
  type Entity,
  type EntityAckFrame,
  type EntityConflictFrame,
  type EntityGetFrame,
  type EntityRejectedFrame,
  type EntitySnapshotFrame,
  type EntityUpdateFrame,
  type FieldConflict,
  type ServerFrame,
} from '../../protocol/index.js';
import { fieldRefusal } from '../../domain/field-refusal.js';
import {
  fitAckJson,
  fitConflictJson,
  frameJson,
  jsonBytes,
  partialAckRefusal,
} from '../../domain/frame-fit.js';
import { AuthorizationUnavailable, authorizeAction, sendRefusal } from '../authorize.js';
import type { ServerClock } from '../clock.js';
import type { Connection } from '../connection.js';
import type { WriteBudget } from '../../util/write-budget.js';
import type { AuthorizeHook } from '../authorize.js';
import type { SomeFrameHandlers } from '../frame-handlers.js';
import type { Logger } from '../log.js';
import type { ServerMetrics } from '../metrics.js';
import { channel } from 'node:diagnostics_channel';
import type { EntityService } from './entity-service.js';
import type { WriteThrough } from './write-through.js';
import { errorFields } from '../log.js';
import { hookFor } from '../permissions/permissions.js';
import { redactFrame } from '../permissions/redact.js';
import { RedisUnavailableError } from '../redis/redis-connection.js';

/**
 * Every client save answered as applied, with its times, for tracing and benchmarks: subscribe
 * with `diagnostics_channel.subscribe('crm-realtime:entity.save', (timing) => …)` (for example from
 * a module loaded with `node --import`). Nothing is built when no one subscribes.
 */
export const saveTimings = channel('crm-realtime:entity.save');

/** What `saveTimings` publishes; times are `performance.now()` of the server process, in ms. */
export interface SaveTiming {
  entityType: string;
  entityId: string;
  mutationId: string;
  userId: string;
  /** The mutation had been applied before: answered again, nothing published. */
  duplicate: boolean;
  /** The `entity.update` frame arrived (before it was parsed and authorized). */
  arrivedAt: number;
  /** The change was handed to the room's members; undefined when nothing changed. */
  publishedAt: number | undefined;
  /** The writer's `entity.ack` was sent: the change is on disk (or accepted by the CRM). */
  answeredAt: number;
}

/**
 * An answer as this user will receive it, fields hidden from them left out: whether it fits a
 * frame is a question about what is sent. Measured with the hidden values, a record whose hidden
 * notes are long could not be read or saved by those who may not see the notes, and the refusal
 * would tell them the hidden values are long.
 */
function asSeen<F extends ServerFrame>(connection: Connection, frame: F): F {
  const visibility = connection.permissions?.visibility;
  return visibility ? ((redactFrame(frame, visibility) as F | undefined) ?? frame) : frame;
}

/** What a client is told when Redis cannot take the work (as for a join or an emit). */
const REALTIME_UNAVAILABLE = 'the realtime service is unavailable';

/** What live data needs of the server. */
export interface EntityDeps {
  readonly log: Logger;
  readonly metrics: ServerMetrics;
  readonly authorize: AuthorizeHook;
  readonly entities: EntityService;
  /** Write-through to the CRM's backend, when configured: clients' saves and reads go through it. */
  readonly writeThrough: WriteThrough | undefined;
  /** The largest frame a client accepts: a conflict's answer must fit it. */
  readonly maxFrameBytes: number;
  /** Why saves cannot be published right now (Redis down); undefined when they can. */
  readonly unavailable?: (() => string | undefined) | undefined;
  /**
   * The bytes each user may have stored a minute. The session takes a save's frame from it; a
   * save applied also stores a copy of the whole entity (the answer to a retry of its mutation
   * id, kept as long as the entity's history), which is charged here when larger than the frame.
   */
  readonly writeBudget?: WriteBudget | undefined;
  readonly clock?: ServerClock | undefined;
}

/** One instance serves every connection of a server. */
export class EntityHandlers {
  constructor(private readonly ctx: EntityDeps) {}

  /** The frames this capability answers. */
  frames(): SomeFrameHandlers<'entity.get' | 'entity.update'> {
    return {
      'entity.get': (connection, frame) => this.get(connection, frame),
      'entity.update': (connection, frame) => this.update(connection, frame),
    };
  }

  get(connection: Connection, frame: EntityGetFrame): Promise<void> {
    return this.allowed(connection, 'read', frame, async () => {
      const entity = await this.read(connection, frame);
      if (!entity) return;
      const readOnly = connection.permissions?.visibility.fields.readOnly(entity.type) ?? [];
      const answer = asSeen<EntitySnapshotFrame>(
        connection,
        readOnly.length > 0
          ? { type: 'entity.snapshot', replyTo: frame.id, entity, readOnly }
          : { type: 'entity.snapshot', replyTo: frame.id, entity },
      );
      const json = frameJson(answer, this.ctx.maxFrameBytes);
      if (json === undefined) {
        // A record the CRM grew past what a frame carries: the client would drop the snapshot
        // and wait for an answer that never comes.
        const room = entityRoom(frame.entityType, frame.entityId);
        connection.sendError(
          'payload_too_large',
          `${room} is too large to send (over ${this.ctx.maxFrameBytes} bytes)`,
          { replyTo: frame.id, room },
        );
        return;
      }
      connection.send(answer, json);
    });
  }

  update(connection: Connection, frame: EntityUpdateFrame): Promise<void> {
    const arrivedAt = connection.frameArrivedAt;
    const frameBytes = connection.frameBytes;
    return this.allowed(connection, 'write', frame, async () => {
      // Field rules come after the room's verdict: the callback's answer may have brought them.
      // The whole update is refused, none of it applied, so its mutation id stays one content
      // applied whole or not at all; the answer names the refused fields (`errors`), and the
      // client sends the others as a new change. The store decides it (`refusedFields`), after
      // its duplicate check and in the same transaction: a replay of a save applied before the
      // rules changed (its ack was lost) is answered as the duplicate it is, not "not saved"
      // for a value that is stored, and a first apply of the id under way is waited for. Like
      // any save it waits for Redis (`unavailable`, the mark): refused or not, nothing is stored.
      const refused =
        connection.permissions?.visibility.fields.refused(frame.entityType, frame.fields) ?? [];
      const notSaved = (down: string): void => {
        // Nothing stored: the client keeps the change and sends it again, same mutation id.
        connection.sendError('internal', `change not saved: ${down}, retry`, {
          replyTo: frame.id,
          room: entityRoom(frame.entityType, frame.entityId),
        });
      };
      const down = this.ctx.unavailable?.();
      if (down !== undefined) return notSaved(down);
      const update = {
        type: frame.entityType,
        id: frame.entityId,
        fields: frame.fields,
        baseVersion: frame.baseVersion,
        mutationId: frame.mutationId,
        by: connection.user!,
        ...(refused.length > 0 && { refusedFields: refused }),
      };
      // With write-through the CRM's backend decides first; nothing is stored before it accepts.
      let outcome;
      try {
        outcome = this.ctx.writeThrough
          ? await this.ctx.writeThrough.update(update)
          : await this.ctx.entities.update({ ...update, source: 'client' });
      } catch (err) {
        // Redis refused the mark a change needs before it commits (see `Bus.willPublish`):
        // nothing was committed, and the answer says so, to this request.
        if (err instanceof RedisUnavailableError) return notSaved(REALTIME_UNAVAILABLE);
        throw err;
      }
      const room = entityRoom(frame.entityType, frame.entityId);
      switch (outcome.kind) {
        case 'applied': {
          // Applied is applied: an entity too large for the answer (a CRM backend grew the
          // values) is acknowledged without its fields, and the client reads it again. A client
          // that did not say it reads such an ack (a page of the previous release, still open
          // during a rolling deploy) would show the empty fields as the record: it is answered
          // as before `partial` existed, `payload_too_large`.
          // Sent as the JSON measured here: the entity is serialized once.
          const ack = fitAckJson(
            asSeen<EntityAckFrame>(connection, {
              type: 'entity.ack',
              replyTo: frame.id,
              mutationId: frame.mutationId,
              entity: outcome.entity,
              duplicate: outcome.duplicate,
            }),
            this.ctx.maxFrameBytes,
            connection.acceptsPartialAck,
          );
          if (ack) connection.send(ack.frame, ack.json);
          else {
            connection.sendError(
              'payload_too_large',
              partialAckRefusal(room, this.ctx.maxFrameBytes),
              { replyTo: frame.id, room },
            );
          }
          if (!outcome.duplicate) this.chargeStored(connection, frameBytes, outcome);
          this.answered(connection, frame, arrivedAt, outcome.duplicate, outcome.publishedAt);
          return;
        }
        case 'conflict':
          this.conflict(connection, frame, outcome.conflicts, outcome.current);
          return;
        case 'not_found':
          return this.notFound(connection, frame);
        case 'refused': {
          // The fields the id was refused for: this connection's rules may allow them (the
          // original frame of a replay refused meanwhile, on a connection since replaced).
          const { message, errors } = fieldRefusal(room, outcome.fields);
          connection.sendError('forbidden', message, { replyTo: frame.id, room, errors });
          return;
        }
        case 'too_large':
          connection.sendError('payload_too_large', outcome.message, { replyTo: frame.id, room });
          return;
        case 'rejected': {
          const answer: EntityRejectedFrame = {
            type: 'entity.rejected',
            replyTo: frame.id,
            mutationId: frame.mutationId,
            errors: outcome.errors,
          };
          if (outcome.message !== undefined) answer.message = outcome.message;
          connection.send(answer);
          return;
        }
        case 'forbidden':
          connection.sendError('forbidden', `the CRM refused changes to ${room}`, {
            replyTo: frame.id,
            room,
          });
          return;
        case 'unavailable':
          this.backendUnavailable(connection, frame, outcome.retryAfterMs);
          return;
      }
    });
  }

  /**
   * Answers a conflict. It carries the writer's value, the stored one, what the writer saw and the
   * whole entity, so values that each fit a frame can make one over the limit, which the client
   * drops as too large: its save would then be sent again and again, holding up the changes
   * queued behind it. What the writer saw (`base`) is left out first; if it still does not fit,
   * the save is refused `payload_too_large` (final: the client gives the edit back to the user).
   */
  private conflict(
    connection: Connection,
    frame: EntityUpdateFrame,
    conflicts: FieldConflict[],
    current: Entity,
  ): void {
    const limit = this.ctx.maxFrameBytes;
    const answer = fitConflictJson(
      asSeen<EntityConflictFrame>(connection, {
        type: 'entity.conflict',
        replyTo: frame.id,
        mutationId: frame.mutationId,
        conflicts,
        current,
      }),
      limit,
    );
    if (answer) {
      connection.send(answer.frame, answer.json);
      return;
    }
    const room = entityRoom(frame.entityType, frame.entityId);
    const fields = conflicts.map((c) => c.field).join(', ');
    connection.sendError(
      'payload_too_large',
      `${fields} of ${room} changed meanwhile, and the conflict is too large to send (over ${limit} bytes): read ${room} again and redo the change`,
      { replyTo: frame.id, room },
    );
  }

  /**
   * An applied save stored the whole entity with its mutation id (what a retry is answered with),
   * whatever the frame held: a one-word save of a 60 KB record stored 60 KB, four hundred times
   * what the budget had counted, and a user could fill the disk within a day without passing it.
   * What the entity holds beyond the frame is charged now; the user's next saves wait for it.
   * Both sizes are UTF-8 bytes measured where the text already was (the frame as it arrived, which
   * the session took; the copy as the store wrote it): serializing them again here cost a tenth
   * of a durable save for a large record. A save costs the larger of the two, its frame or its copy.
   */
  private chargeStored(
    connection: Connection,
    frameBytes: number,
    stored: { entity: Entity; answerBytes?: number | undefined },
  ): void {
    const { writeBudget, clock } = this.ctx;
    if (!writeBudget || !clock || writeBudget.bytesPerMinute <= 0) return;
    // A write that stored no copy (the CRM's values read again after a race: no mutation id) is
    // charged for the entity all the same.
    const extra = (stored.answerBytes ?? jsonBytes(stored.entity)) - frameBytes;
    if (extra > 0) writeBudget.spend(connection.user!.id, extra, clock.now());
  }

  /** Times an applied save: the `/metrics` histogram, and `saveTimings` for its subscribers. */
  private answered(
    connection: Connection,
    frame: EntityUpdateFrame,
    arrivedAt: number,
    duplicate: boolean,
    publishedAt: number | undefined,
  ): void {
    const answeredAt = performance.now();
    this.ctx.metrics.saveSeconds.observe((answeredAt - arrivedAt) / 1000);
    if (!saveTimings.hasSubscribers) return;
    saveTimings.publish({
      entityType: frame.entityType,
      entityId: frame.entityId,
      mutationId: frame.mutationId,
      userId: connection.user!.id,
      duplicate,
      arrivedAt,
      publishedAt,
      answeredAt,
    } satisfies SaveTiming);
  }

  /** The entity, read through from the CRM's backend when configured; else answers and undefined. */
  private async read(connection: Connection, frame: EntityGetFrame): Promise<Entity | undefined> {
    if (!this.ctx.writeThrough) {
      const entity = await this.ctx.entities.get(frame.entityType, frame.entityId);
      if (!entity) this.notFound(connection, frame);
      return entity;
    }
    const read = await this.ctx.writeThrough.get(frame.entityType, frame.entityId);
    if (read.kind === 'found') return read.entity;
    if (read.kind === 'not_found') this.notFound(connection, frame);
    else this.backendUnavailable(connection, frame, read.retryAfterMs);
    return undefined;
  }

  /**
   * Nothing was applied; the client keeps the change and retries it later, same mutation id:
   * after `retryAfterMs` when the backend said when it takes requests again (`Retry-After`).
   */
  private backendUnavailable(
    connection: Connection,
    frame: EntityGetFrame | EntityUpdateFrame,
    retryAfterMs: number | undefined,
  ): void {
    const room = entityRoom(frame.entityType, frame.entityId);
    const extra: { replyTo: string; room: string; retryAfterMs?: number } = {
      replyTo: frame.id,
      room,
    };
    if (retryAfterMs !== undefined) extra.retryAfterMs = retryAfterMs;
    connection.sendError('backend_unavailable', 'the CRM did not answer; try again later', extra);
  }

  private notFound(connection: Connection, frame: EntityGetFrame | EntityUpdateFrame): void {
    const room = entityRoom(frame.entityType, frame.entityId);
    connection.sendError('not_found', `no entity ${room}`, { replyTo: frame.id, room });
  }

  /** Runs `then` when the hook allows `access` to the frame's entity; `forbidden` otherwise. */
  private async allowed(
    connection: Connection,
    access: 'read' | 'write',
    frame: EntityGetFrame | EntityUpdateFrame,
    then: () => Promise<void>,
  ): Promise<void> {
    const { ctx } = this;
    const room = entityRoom(frame.entityType, frame.entityId);
    let ok: boolean;
    let failure: unknown;
    try {
      ok = await authorizeAction(
        hookFor(ctx.authorize, connection),
        connection.user!,
        access,
        room,
      );
    } catch (err) {
      if (!(err instanceof AuthorizationUnavailable)) {
        ctx.log.error('authorize hook failed', { room, action: access, ...errorFields(err) });
      }
      ok = false;
      failure = err;
    }
    if (!ok) {
      sendRefusal(connection, failure, `not allowed to ${access} ${room}`, {
        replyTo: frame.id,
        room,
      });
      return;
    }
    if (!connection.isOpen) return;
    try {
      await then();
    } catch (err) {
      // A storage failure: answer the request (so the client can retry) instead of leaving it open.
      ctx.metrics.handlerFailures++;
      ctx.log.error('entity request failed', { room, ...errorFields(err) });
      connection.sendError('internal', 'the server could not handle this request; retry', {
        replyTo: frame.id,
        room,
      });
    }
  }
}
