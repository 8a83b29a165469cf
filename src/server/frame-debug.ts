/**
 * Frames in and out of chosen users and rooms, as `debug` log lines, for watching one person's or
 * one record's traffic on a running server (`--log-level debug` with `CRM_DEBUG_USERS=alice` or
 * `CRM_DEBUG_ROOMS=customer:42`). Nothing is watched unless asked for, so the hot path pays one
 * `undefined` check; secrets (tokens, TURN credentials) are replaced by `[redacted]` before a
 * frame reaches the log, and a frame that is not JSON is logged by its size alone, since it
 * could hold a token the redaction cannot find.
 */
import { entityRoom } from '../protocol/index.js';
import { redactSecrets } from '../util/redact.js';
import type { Logger } from './log.js';
import type { PreparedFrame } from './wire.js';

export interface DebugFramesOptions {
  /** User ids whose connections' frames are logged (both ways). */
  users?: readonly string[] | undefined;
  /** Rooms (`customer:42`) whose frames are logged, in and out, whoever sends or receives them. */
  rooms?: readonly string[] | undefined;
}

/** The side of a connection the log needs. */
export interface DebuggedConnection {
  readonly id: string;
  readonly user?: { readonly id: string } | undefined;
}

/** Longest frame text written to one log line; the rest is cut, `bytes` says how long it was. */
const MAX_LOGGED_CHARS = 4096;

/** The room a frame concerns: its `room`, else the entity it names. */
function roomOf(frame: unknown): string | undefined {
  if (frame === null || typeof frame !== 'object') return undefined;
  const f = frame as Record<string, unknown>;
  if (typeof f.room === 'string') return f.room;
  if (typeof f.entityType === 'string' && typeof f.entityId === 'string') {
    return entityRoom(f.entityType, f.entityId);
  }
  const entity = f.entity as Record<string, unknown> | undefined;
  if (entity && typeof entity.type === 'string' && typeof entity.id === 'string') {
    return entityRoom(entity.type, entity.id);
  }
  return undefined;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export class FrameDebug {
  /** Parsed broadcast payloads, so a room of many watched members parses each frame once. */
  private readonly parsed = new WeakMap<PreparedFrame, unknown>();

  private constructor(
    private readonly log: Logger,
    private readonly users: ReadonlySet<string>,
    private readonly rooms: ReadonlySet<string>,
  ) {}

  /** A debug log for the chosen users and rooms; undefined when none is chosen or debug is off. */
  static create(log: Logger, options: DebugFramesOptions | undefined): FrameDebug | undefined {
    const users = new Set(options?.users ?? []);
    const rooms = new Set(options?.rooms ?? []);
    if (users.size === 0 && rooms.size === 0) return undefined;
    if (log.enabled?.('debug') === false) return undefined;
    return new FrameDebug(log, users, rooms);
  }

  /** A frame the client sent; `frame` is its parsed form, undefined when it was not JSON. */
  inbound(connection: DebuggedConnection, text: string, frame: unknown = parse(text)): void {
    this.write('frame in', connection, text, frame);
  }

  /** A frame written to one connection. */
  outbound(connection: DebuggedConnection, text: string, frame: unknown): void {
    this.write('frame out', connection, text, frame);
  }

  /** A broadcast frame written to one connection; `wireBytes` counts compression. */
  outboundPrepared(
    connection: DebuggedConnection,
    prepared: PreparedFrame,
    wireBytes: number,
  ): void {
    const watchedUser = connection.user !== undefined && this.users.has(connection.user.id);
    if (!watchedUser && this.rooms.size === 0) return;
    let frame = this.parsed.get(prepared);
    if (frame === undefined) {
      frame = parse(prepared.payload.toString('utf8')) ?? null;
      this.parsed.set(prepared, frame);
    }
    this.write('frame out', connection, prepared.payload, frame, wireBytes);
  }

  private write(
    msg: string,
    connection: DebuggedConnection,
    text: string | Buffer,
    frame: unknown,
    wireBytes?: number,
  ): void {
    const user = connection.user?.id;
    const room = roomOf(frame);
    const watched =
      (user !== undefined && this.users.has(user)) || (room !== undefined && this.rooms.has(room));
    if (!watched) return;
    const bytes = typeof text === 'string' ? Buffer.byteLength(text) : text.byteLength;
    const fields: Record<string, unknown> = { conn: connection.id, user, room, bytes };
    if (wireBytes !== undefined && wireBytes !== bytes) fields.wireBytes = wireBytes;
    if (frame === undefined || frame === null) {
      fields.frame = '[not JSON: not shown]';
    } else {
      const shown = JSON.stringify(redactSecrets(frame));
      fields.frame =
        shown.length > MAX_LOGGED_CHARS ? `${shown.slice(0, MAX_LOGGED_CHARS)}…` : shown;
    }
    this.log.debug(msg, fields);
  }
}
