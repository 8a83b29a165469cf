/** The closed list of error codes the server may send in an `error` frame. */
export const ERROR_CODES = [
  /** The frame was not JSON, or did not match any schema. The connection stays open. */
  'bad_frame',
  /** The frame exceeded the size limit. The connection stays open. */
  'frame_too_large',
  /** The connection sent too many frames; repeated abuse closes it with 1008. */
  'rate_limited',
  /** A frame other than `hello` arrived before the handshake finished. */
  'not_authenticated',
  /** The token was missing, malformed, expired or signed by someone else. Closes with 1008. */
  'invalid_token',
  /** The protocol version in `hello` is not supported. Closes with 1002. */
  'unsupported_version',
  /** The authorization hook refused the room or the action. */
  'forbidden',
  /** The connection is joined to the maximum number of rooms. */
  'too_many_rooms',
  /** The room is not joined by this connection. */
  'not_joined',
  /** A presence `meta` or payload was too large. */
  'payload_too_large',
  /** The named entity, notification or resource does not exist. */
  'not_found',
  /** A live-data update conflicted with a change made since its base version. */
  'conflict',
  /** The server failed; the request may be retried. */
  'internal',
  /**
   * The CRM backend the server writes through to (or reads an entity from) did not answer in
   * time, could not be reached or failed. Nothing was applied; retry later with the same mutation
   * id (the backend got it as an idempotency key).
   */
  'backend_unavailable',
] as const;

// The schema of these codes and its type, `ErrorCode`, are in frames.ts: this module loads without zod.

/** WebSocket close codes the server uses. */
export const CLOSE_CODES = {
  normal: 1000,
  /** Server going down (SIGTERM); the client reconnects with backoff. */
  goingAway: 1001,
  protocolError: 1002,
  /** Policy violation: bad token, abuse. A client must fetch a new token before retrying. */
  policyViolation: 1008,
  tooBig: 1009,
  /** The server cannot take this connection now (its user has too many); retry with backoff. */
  tryAgainLater: 1013,
  /** Heartbeat missed. */
  timeout: 4000,
} as const;
