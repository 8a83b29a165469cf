/**
 * Every frame that crosses the wire, in both directions, as zod schemas.
 * Types are inferred from these; nothing about frames is declared anywhere else.
 *
 * Conventions:
 * - every frame is a JSON object with a `type`;
 * - a request the client expects an answer to carries `id`; the answer carries `replyTo`;
 * - room events carry a per-room `seq`, increasing by one, used for resume.
 *
 * Capabilities added later (entities, notifications, activity) add frame types to the two unions
 * below; a peer ignores nothing silently: an unknown type is answered with `bad_frame`.
 */
import * as z from 'zod/mini';
import {
  Activity,
  EventName,
  Json,
  Person,
  PresenceStatus,
  RequestId,
  RoomName,
  UserId,
  UserProfile,
} from './common.js';
import { ERROR_CODES } from './errors.js';
import {
  EntityAckFrame,
  EntityConflictFrame,
  EntityGetFrame,
  EntityRejectedFrame,
  EntityRulesChangedFrame,
  EntitySnapshotFrame,
  EntityUpdateFrame,
  FieldErrors,
} from './entities.js';
import {
  NotificationListFrame,
  NotificationPageFrame,
  NotificationReadFrame,
  NotificationReadStateFrame,
} from './notifications.js';
import { ActivityListFrame, ActivityPageFrame } from './activity.js';
import { CallConfigAnswerFrame, CallConfigFrame, SignalFrame } from './calls.js';

/** The closed list of error codes an `error` frame carries. */
export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

const seq = z.number().check(z.int(), z.nonnegative());
const millis = z.number().check(z.nonnegative());

/** Presence a connection reports for itself in one room. `meta` is free-form and size-limited. */
export const PresenceState = z.object({
  status: z.enum(['online', 'away']),
  activity: Activity,
  /** This connection is in the room's call (`<crm-huddle>`); absent: not. */
  inCall: z.optional(z.boolean()),
});
export type PresenceState = z.infer<typeof PresenceState>;

// ---------------------------------------------------------------------------------------------
// client → server

/**
 * First frame on every connection. `token` is a signed JWT. `devUser` is accepted only by a server
 * started in development-identity mode, and ignored (with `invalid_token` if no token) otherwise.
 * `clientId` is stable per browser profile (device); tabs of one device share it.
 */
export const HelloFrame = z.object({
  type: z.literal('hello'),
  id: RequestId,
  v: z.number().check(z.int()),
  clientId: z.string().check(z.minLength(1), z.maxLength(64)),
  token: z.optional(z.string().check(z.maxLength(8192))),
  devUser: z.optional(UserProfile),
  /**
   * Optional answers this client understands, which a server sends no client that did not name
   * them (a page of an older release, a client written to an older copy of this document):
   * `"partial-ack"`, an `entity.ack` with `partial: true`. Unknown names are ignored.
   */
  accepts: z.optional(z.array(z.string().check(z.maxLength(64))).check(z.maxLength(16))),
});

/**
 * A tab behind a connection that several tabs share (one socket per browser): each tab is its own
 * presence member (so `Person.connections` still counts tabs) and joins and leaves on its own. A
 * frame without `tab` speaks for the connection as a whole, as a socket per tab does.
 */
export const TabId = z.string().check(z.minLength(1), z.maxLength(32));

/**
 * Join a room. `since` is the last `seq` this client saw in the room; when present the server
 * replays what came after it, or answers `resume: 'gap'` when its buffer no longer holds it.
 * `watch: true` joins as a watcher: it receives the room's events and presence like any member
 * but is not present there itself (a list row showing who is on a record); its `presence` is
 * ignored. Joining again with or without it switches the connection (or tab) between the two.
 */
export const JoinFrame = z.object({
  type: z.literal('join'),
  id: RequestId,
  room: RoomName,
  since: z.optional(seq),
  presence: z.optional(PresenceState),
  tab: z.optional(TabId),
  watch: z.optional(z.boolean()),
});

/** Leave a room; with `tab`, only that tab leaves, and the connection when it was the last. */
export const LeaveFrame = z.object({
  type: z.literal('leave'),
  id: RequestId,
  room: RoomName,
  tab: z.optional(TabId),
});

/** Update this connection's presence in a joined room. Not acknowledged; diffs are broadcast. */
export const PresenceFrame = z.object({
  type: z.literal('presence'),
  room: RoomName,
  state: PresenceState,
  tab: z.optional(TabId),
});

/**
 * Broadcast an event to a joined room, or, with `to`, send it to that one person in the room only
 * (delivered as an unsequenced `signal` frame; see `calls.ts`).
 */
export const EmitFrame = z.object({
  type: z.literal('emit'),
  id: z.optional(RequestId),
  room: RoomName,
  event: EventName,
  payload: Json,
  to: z.optional(UserId),
});

/** Heartbeat from either side; answered with `pong` carrying the same `t`. */
export const PingFrame = z.object({ type: z.literal('ping'), t: z.optional(millis) });
export const PongFrame = z.object({ type: z.literal('pong'), t: z.optional(millis) });

export const ClientFrame = z.discriminatedUnion('type', [
  HelloFrame,
  JoinFrame,
  LeaveFrame,
  PresenceFrame,
  EmitFrame,
  PingFrame,
  PongFrame,
  EntityGetFrame,
  EntityUpdateFrame,
  NotificationListFrame,
  NotificationReadFrame,
  ActivityListFrame,
  CallConfigFrame,
]);
export type ClientFrame = z.infer<typeof ClientFrame>;

// ---------------------------------------------------------------------------------------------
// server → client

/** Answer to `hello`: who the server says you are, and the limits it enforces. */
export const WelcomeFrame = z.object({
  type: z.literal('welcome'),
  replyTo: RequestId,
  v: z.number().check(z.int()),
  connectionId: z.string(),
  user: UserProfile,
  heartbeatMs: millis,
  limits: z.object({
    maxFrameBytes: z.number(),
    maxRoomsPerConnection: z.number(),
    maxMessagesPerSecond: z.number(),
    maxPresenceBytes: z.number(),
  }),
});

/**
 * Answer to `join`. `seq` is the room's current sequence number. `resume` says what happened to
 * `since`: `none` (no since given), `replayed` (the missed events were sent before this frame) or
 * `gap` (they could not be; the client must re-sync and may tell the user events were missed).
 * `people` is the presence snapshot: everyone, or in a room of more than `PRESENCE_LISTED` people
 * the first of them in arrival order, with `total` saying how many there are in all.
 */
export const JoinedFrame = z.object({
  type: z.literal('joined'),
  replyTo: RequestId,
  room: RoomName,
  seq,
  resume: z.enum(['none', 'replayed', 'gap']),
  missed: z.number().check(z.int(), z.nonnegative()),
  people: z.array(Person),
  /** People in the room in all; absent when `people` lists everyone. */
  total: z.optional(z.number().check(z.int(), z.nonnegative())),
});

export const LeftFrame = z.object({
  type: z.literal('left'),
  replyTo: RequestId,
  room: RoomName,
});

/** Generic acknowledgement, e.g. of an `emit` that carried an `id`. */
export const AckFrame = z.object({
  type: z.literal('ack'),
  replyTo: RequestId,
  seq: z.optional(seq),
});

/** A sequenced room event (a broadcast from `emit`, or from a later capability). */
export const EventFrame = z.object({
  type: z.literal('event'),
  room: RoomName,
  seq,
  event: EventName,
  payload: Json,
  from: z.optional(UserId),
  at: millis,
});

/**
 * Changes to a room's presence: people added or changed, and user ids no longer listed (gone, or
 * in a large room moved out of the first `PRESENCE_LISTED`). `total` is the room's count while it
 * lists only its first people; a diff without it means the list is everyone again.
 */
export const PresenceDiffFrame = z.object({
  type: z.literal('presence.diff'),
  room: RoomName,
  upsert: z.array(Person),
  remove: z.array(UserId),
  total: z.optional(z.number().check(z.int(), z.nonnegative())),
});

export const ErrorFrame = z.object({
  type: z.literal('error'),
  replyTo: z.optional(RequestId),
  code: ErrorCode,
  message: z.string(),
  room: z.optional(RoomName),
  /**
   * With `room` and no `replyTo`: the server took this connection out of the room on its own
   * (the user's permissions changed and the room is now refused), and sends nothing more of it.
   * `forbidden`: for good, as a refused join; `backend_unavailable`: join again later.
   */
  removed: z.optional(z.literal(true)),
  /**
   * `forbidden` answering an `entity.update`: the fields the user's field rules refuse (read-only
   * or hidden for them), each with a message (the shape of `entity.rejected`'s `errors`). Nothing
   * of the update was applied; the same update without them may be sent as a new change (new
   * mutation id). Absent on every other error; clients that predate it ignore it.
   */
  errors: z.optional(FieldErrors),
  /**
   * `rate_limited`: how long, in ms, until the same request would be accepted (the user's write
   * budget has refilled enough for it, or the authorization callback's per-user bound takes a
   * question again); `backend_unavailable`: when the CRM's backend said it is
   * back (the `Retry-After` of its 503 or 429, at most 60,000 ms). A client waits at least this
   * long before sending it again, rather than guessing with its backoff. Absent when the server
   * cannot tell; clients that predate it ignore it.
   */
  retryAfterMs: z.optional(millis),
});

/** Sent before a graceful shutdown: reconnect after a jittered delay of up to `reconnectMs`. */
export const ByeFrame = z.object({
  type: z.literal('bye'),
  reason: z.enum(['shutdown', 'replaced', 'policy']),
  reconnectMs: millis,
});

export const ServerFrame = z.discriminatedUnion('type', [
  WelcomeFrame,
  JoinedFrame,
  LeftFrame,
  AckFrame,
  EventFrame,
  PresenceDiffFrame,
  ErrorFrame,
  ByeFrame,
  PingFrame,
  PongFrame,
  EntitySnapshotFrame,
  EntityAckFrame,
  EntityConflictFrame,
  EntityRejectedFrame,
  EntityRulesChangedFrame,
  NotificationPageFrame,
  NotificationReadStateFrame,
  ActivityPageFrame,
  CallConfigAnswerFrame,
  SignalFrame,
]);
export type ServerFrame = z.infer<typeof ServerFrame>;

export type HelloFrame = z.infer<typeof HelloFrame>;
export type JoinFrame = z.infer<typeof JoinFrame>;
export type LeaveFrame = z.infer<typeof LeaveFrame>;
export type PresenceFrame = z.infer<typeof PresenceFrame>;
export type EmitFrame = z.infer<typeof EmitFrame>;
export type PingFrame = z.infer<typeof PingFrame>;
export type PongFrame = z.infer<typeof PongFrame>;
export type WelcomeFrame = z.infer<typeof WelcomeFrame>;
export type JoinedFrame = z.infer<typeof JoinedFrame>;
export type LeftFrame = z.infer<typeof LeftFrame>;
export type AckFrame = z.infer<typeof AckFrame>;
export type EventFrame = z.infer<typeof EventFrame>;
export type PresenceDiffFrame = z.infer<typeof PresenceDiffFrame>;
export type ErrorFrame = z.infer<typeof ErrorFrame>;
export type ByeFrame = z.infer<typeof ByeFrame>;

/** Narrow a frame union by its `type`. */
export type FrameOf<U extends { type: string }, T extends U['type']> = Extract<U, { type: T }>;

export { PresenceStatus };
