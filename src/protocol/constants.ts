/**
 * The protocol's constants, without zod: the browser client's core reads them and must not load
 * a schema library for that. `common.ts` re-exports them.
 */

/** Version of the wire protocol. A server refuses a `hello` with another major version. */
export const PROTOCOL_VERSION = 1;

/**
 * The name a client puts in `hello.accepts` to be sent `entity.ack` with `partial: true` (applied,
 * the entity too large to come along). A client that does not name it would take the empty
 * `fields` for the entity's.
 */
export const ACCEPTS_PARTIAL_ACK = 'partial-ack';

/**
 * People a room's presence lists one by one. A larger room lists its first people in the order the
 * widgets show them (arrival, then name, then user id) and says how many there are in all
 * (`joined.total`, `presence.diff.total`): every member told every arrival of a thousand is what
 * made joining a large room cost the square of its size.
 */
export const PRESENCE_LISTED = 50;

/**
 * The longest wait a `backend_unavailable` names (`retryAfterMs`): a CRM backend's `Retry-After`
 * is passed on up to this (the client's backoff ceiling), so a maintenance window of hours does
 * not hold saves that long after the backend is back.
 */
export const MAX_BACKEND_RETRY_AFTER_MS = 60_000;

/** Limits both ends enforce. The server advertises its own values in `welcome`. */
export const LIMITS = {
  /** Largest frame in bytes (UTF-8) either side may send. */
  maxFrameBytes: 64 * 1024,
  /** Rooms one connection may be joined to at once. */
  maxRoomsPerConnection: 50,
  /** Frames per second a connection may send, averaged over one second. */
  maxMessagesPerSecond: 50,
  /** Serialized size of a presence `meta` object. */
  maxPresenceBytes: 1024,
  /**
   * Nesting of arrays and objects in a client frame or an HTTP API body (the frame itself is
   * level 1). Checked before validation, which recurses and would overflow the stack on deeper
   * input; no real frame comes near it.
   */
  maxJsonDepth: 64,
  /** Events a room keeps for resume, and for how long. */
  replayEvents: 1000,
  replayMillis: 120_000,
} as const;
