/**
 * Checks of the calls capability's frames and values, without zod: written by
 * scripts/write-frame-checks.ts from the zod/mini schemas of src/protocol/; do not edit (run
 * `node --import tsx scripts/write-frame-checks.ts` after changing a schema).
 */
import {
  array,
  json,
  literal,
  number,
  object,
  optional,
  string,
  union,
  type Check,
} from './combinators.js';
import { eventName, requestId, roomName, userId } from '../server-frame-checks.js';

const iceServer = object({
  urls: union(string(1, 512), array(string(1, 512), 16)),
  username: optional(string(0, 512)),
  credential: optional(string(0, 512)),
});

/** The server frames of the capability, by `type`. */
export const FRAMES: Readonly<Record<string, Check>> = {
  'call.config': object({
    type: literal('call.config'),
    replyTo: requestId,
    iceServers: array(iceServer, 16),
  }),
  signal: object({
    type: literal('signal'),
    room: roomName,
    event: eventName,
    payload: json,
    from: userId,
    to: userId,
    at: number(0),
  }),
};
