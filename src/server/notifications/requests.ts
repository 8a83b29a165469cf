/**
 * Shared by the notification and activity requests: asking the authorization hook, and answering
 * a request whatever happens.
 */
import { CursorError } from '../activity/cursor.js';
import { AuthorizationUnavailable, sendRefusal, type AuthorizeRequest } from '../authorize.js';
import type { Connection } from '../connection.js';
import { errorFields, type Logger } from '../log.js';
import type { ServerMetrics } from '../metrics.js';

/** What answering a request needs of the server. */
export interface RequestDeps {
  readonly log: Logger;
  readonly metrics: ServerMetrics;
}

/**
 * Runs an authorization check; true when allowed. Otherwise answers the request (`forbidden`
 * with `message`, or `backend_unavailable` when the hook could not decide now: see `sendRefusal`)
 * and resolves false. A hook that throws or rejects otherwise means no.
 */
export async function permitted(
  ctx: RequestDeps,
  connection: Connection,
  refusal: { message: string; replyTo: string | undefined; room: string },
  action: AuthorizeRequest['action'],
  decide: () => boolean | Promise<boolean>,
): Promise<boolean> {
  const { message, replyTo, room } = refusal;
  let failure: unknown;
  try {
    if ((await decide()) === true) return true;
  } catch (err) {
    if (!(err instanceof AuthorizationUnavailable)) {
      ctx.log.error('authorize hook failed', { room, action, ...errorFields(err) });
    }
    failure = err;
  }
  sendRefusal(connection, failure, message, { replyTo, room });
  return false;
}

/**
 * Runs a request's work; a bad cursor is the client's `bad_frame`, anything else an `internal`
 * error that still answers the request (so the client does not wait for its timeout).
 */
export async function answering(
  ctx: RequestDeps,
  connection: Connection,
  replyTo: string | undefined,
  work: () => Promise<void>,
): Promise<void> {
  try {
    await work();
  } catch (err) {
    if (err instanceof CursorError) {
      connection.sendError('bad_frame', err.message, { replyTo });
      return;
    }
    ctx.metrics.handlerFailures++;
    ctx.log.error('request failed', { conn: connection.id, ...errorFields(err) });
    connection.sendError('internal', 'the server failed; try again', { replyTo });
  }
}
