/** The error type every client promise rejects with. */
import type { ErrorCode } from '../protocol/index.js';

/** Codes the client itself produces, in addition to the server's `ERROR_CODES`. */
export type ClientErrorCode =
  /** The call needs an open connection and there is none (emits are not queued). */
  | 'not_connected'
  /** The connection dropped before the answer arrived; the request may or may not have been applied. */
  | 'disconnected'
  /** No answer within `requestTimeout`. */
  | 'timeout'
  /** The client was closed. */
  | 'closed'
  /**
   * The CRM backend behind the server refused values of a change (an `entity.rejected` answer):
   * `fields` has its message per field. Final: sending the same change again gets the same answer.
   */
  | 'invalid';

export type RealtimeErrorCode = ErrorCode | ClientErrorCode;

export class RealtimeError extends Error {
  override readonly name = 'RealtimeError';

  constructor(
    readonly code: RealtimeErrorCode,
    message: string,
    /** The room the error is about, when the server named one. */
    readonly room?: string,
    /**
     * `invalid`: the backend's message per field name, for a person. `forbidden` answering a
     * save: the fields the user's field rules refuse (read-only or hidden for them), each with
     * the server's message; absent when the whole record was refused.
     */
    readonly fields?: Readonly<Record<string, string>>,
    /**
     * `rate_limited`, `backend_unavailable`: how long the server said to wait before sending the
     * request again, ms.
     */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}
