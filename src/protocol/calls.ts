/**
 * Frames of calls (`<crm-huddle>`): the ICE servers a client should use, and signals (offers,
 * answers, ICE candidates) addressed to one person in a room.
 *
 * A signal is sent as an `emit` with `to`; the server authorizes it like any emit to the room and
 * delivers it, unsequenced and never replayed (a stale offer is worse than none), as a `signal`
 * frame to the connections of that one user in the room only.
 */
import * as z from 'zod/mini';
import { EventName, Json, RequestId, RoomName, UserId } from './common.js';

/** One STUN or TURN server, as `RTCIceServer` takes it. Credentials only for TURN. */
export const IceServer = z.object({
  urls: z.union([
    z.string().check(z.minLength(1), z.maxLength(512)),
    z.array(z.string().check(z.minLength(1), z.maxLength(512))).check(z.maxLength(16)),
  ]),
  username: z.optional(z.string().check(z.maxLength(512))),
  credential: z.optional(z.string().check(z.maxLength(512))),
});
export type IceServer = z.infer<typeof IceServer>;

/** Ask for the ICE servers to use (asked on every join of a call, so TURN credentials stay fresh). */
export const CallConfigFrame = z.object({
  type: z.literal('call.config'),
  id: RequestId,
});

/** Answer to `call.config`. Empty: no STUN/TURN configured, host candidates only. */
export const CallConfigAnswerFrame = z.object({
  type: z.literal('call.config'),
  replyTo: RequestId,
  iceServers: z.array(IceServer).check(z.maxLength(16)),
});

/** A room event addressed to one person (see the module comment). */
export const SignalFrame = z.object({
  type: z.literal('signal'),
  room: RoomName,
  event: EventName,
  payload: Json,
  from: UserId,
  to: UserId,
  at: z.number().check(z.nonnegative()),
});

export type CallConfigFrame = z.infer<typeof CallConfigFrame>;
export type CallConfigAnswerFrame = z.infer<typeof CallConfigAnswerFrame>;
export type SignalFrame = z.infer<typeof SignalFrame>;
