/**
 * Keeping answers and events within the frame limit, by the same rules on the reference server
 * and the fake server: a client drops any frame over the limit, so an answer that does not fit
 * would leave a request unanswered (sent again and again) and an event that does not fit would
 * leave members stale. Each rule leaves out what can be read again (or spared) first.
 *
 * - `fitConflict`: a conflict carries the writer's value, the stored one, `base` and the whole
 *   entity; `base` goes first, and one that still does not fit is `undefined` (the caller answers
 *   `payload_too_large`: nothing was stored).
 * - `fitAck`: an applied save whose entity does not fit (a CRM backend stored values larger than
 *   what was sent) is acknowledged all the same, `partial`, with `fields` empty: the save was kept,
 *   and the client reads the entity again. Only to a client that named `partial-ack` in its
 *   `hello`: one that did not (a page of an older release) would show the empty `fields` as the
 *   record, so it is refused `payload_too_large` instead (`undefined`), as such a save was before
 *   `partial` existed.
 * - `fitChange`: the `entity.change` of a write the CRM already kept leaves out `previous` when it
 *   must (`previousOmitted`); `undefined` when even the entity does not fit.
 */
import type {
  EntityAckFrame,
  EntityChange,
  EntityConflictFrame,
  ServerFrame,
} from '../protocol/index.js';
import { ACCEPTS_PARTIAL_ACK } from '../protocol/constants.js';

const encoder = /* @__PURE__ */ new TextEncoder();

/** Room left in a frame for everything but its payload (type, room, replyTo, seq …). */
export const ENVELOPE_BYTES = 1024;

/** The largest `entity.change` payload a room can be sent within `maxFrameBytes`. */
export function maxChangeBytes(maxFrameBytes: number): number {
  return maxFrameBytes - ENVELOPE_BYTES;
}

/** UTF-8 bytes of `value` as JSON, as it goes on the wire. */
export function jsonBytes(value: unknown): number {
  return encoder.encode(JSON.stringify(value)).byteLength;
}

/**
 * Whether `value` as JSON takes at most `maxBytes` of UTF-8. Every save's answer and event is
 * checked, and nearly all are far below the limit: a UTF-16 unit takes 1 to 3 bytes, so the
 * text's length decides without encoding it except in the band where its characters matter.
 */
function fitsBytes(value: unknown, maxBytes: number): boolean {
  return jsonWithin(value, maxBytes) !== undefined;
}

/** `value` as JSON when it takes at most `maxBytes` of UTF-8 (see `fitsBytes`); else undefined. */
function jsonWithin(value: unknown, maxBytes: number): string | undefined {
  const text = JSON.stringify(value);
  if (text.length * 3 <= maxBytes) return text;
  if (text.length > maxBytes) return undefined;
  return encoder.encode(text).byteLength <= maxBytes ? text : undefined;
}

/** The conflict as it fits `maxFrameBytes`: whole, else without `base`; undefined when neither. */
export function fitConflict(
  answer: EntityConflictFrame,
  maxFrameBytes: number,
): EntityConflictFrame | undefined {
  if (fitsBytes(answer, maxFrameBytes)) return answer;
  const trimmed = {
    ...answer,
    conflicts: answer.conflicts.map(({ base: _base, ...rest }) => rest),
  };
  return fitsBytes(trimmed, maxFrameBytes) ? trimmed : undefined;
}

/**
 * The ack as it fits `maxFrameBytes`: whole, else `partial` with the entity's fields left out when
 * the client `acceptsPartial`; undefined when it does not (the caller answers
 * `partialAckRefusal`).
 */
export function fitAck(
  answer: EntityAckFrame,
  maxFrameBytes: number,
  acceptsPartial: boolean,
): EntityAckFrame | undefined {
  return fitAckJson(answer, maxFrameBytes, acceptsPartial)?.frame;
}

/**
 * `fitAck` with the JSON its measuring made: `JSON.stringify(frame)` when the whole ack fits,
 * undefined for a `partial` one (never serialized here). A server sends that text as it is
 * rather than serialize the entity a second time (a record can be most of a frame).
 */
export function fitAckJson(
  answer: EntityAckFrame,
  maxFrameBytes: number,
  acceptsPartial: boolean,
): { frame: EntityAckFrame; json: string | undefined } | undefined {
  const json = jsonWithin(answer, maxFrameBytes);
  if (json !== undefined) return { frame: answer, json };
  if (!acceptsPartial) return undefined;
  return {
    frame: { ...answer, entity: { ...answer.entity, fields: {} }, partial: true },
    json: undefined,
  };
}

/**
 * The `payload_too_large` message for a save applied whose ack cannot carry the entity, to a client
 * that does not accept a `partial` ack.
 */
export function partialAckRefusal(room: string, maxFrameBytes: number): string {
  return `the change to ${room} was kept, but the record is too large to send back (over ${maxFrameBytes} bytes)`;
}

/** Whether a `hello`'s `accepts` names the `partial` ack. */
export function acceptsPartialAck(accepts: readonly string[] | undefined): boolean {
  return accepts?.includes(ACCEPTS_PARTIAL_ACK) ?? false;
}

/**
 * The `entity.change` payload of a write the CRM already kept, as it fits `maxChangeBytes`: whole,
 * else without `previous`; undefined when the entity alone does not fit (no frame can carry it).
 */
export function fitChange(change: EntityChange, maxChangeBytes: number): EntityChange | undefined {
  if (fitsBytes(change, maxChangeBytes)) return change;
  const trimmed: EntityChange = { ...change, previous: {}, previousOmitted: true };
  return fitsBytes(trimmed, maxChangeBytes) ? trimmed : undefined;
}

/** True when `frame` as JSON fits `maxFrameBytes`. */
export function fitsFrame(frame: ServerFrame, maxFrameBytes: number): boolean {
  return fitsBytes(frame, maxFrameBytes);
}

/**
 * `frame` as JSON when it fits `maxFrameBytes`, else undefined: a server sends that text as it is
 * rather than serialize a record a second time.
 */
export function frameJson(frame: ServerFrame, maxFrameBytes: number): string | undefined {
  return jsonWithin(frame, maxFrameBytes);
}

/** `fitConflict` with the JSON its measuring made (see `frameJson`). */
export function fitConflictJson(
  answer: EntityConflictFrame,
  maxFrameBytes: number,
): { frame: EntityConflictFrame; json: string } | undefined {
  const json = jsonWithin(answer, maxFrameBytes);
  if (json !== undefined) return { frame: answer, json };
  const trimmed = {
    ...answer,
    conflicts: answer.conflicts.map(({ base: _base, ...rest }) => rest),
  };
  const trimmedJson = jsonWithin(trimmed, maxFrameBytes);
  return trimmedJson === undefined ? undefined : { frame: trimmed, json: trimmedJson };
}
