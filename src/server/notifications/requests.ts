/**
 * Shared by the notification and activity requests: asking the authorization hook, and answering
 * a request whatever happens.
 */
import { CursorError } from '../activity/cursor.js';
import type { AuthorizeRequest } from '../authorize.js';
import type { Connection } from '../connection.js';
import { errorFields, type Logger } from '../log.js';
import type { ServerMetrics } from '../metrics.js';

/** What answering a request needs of the server. */
export interface RequestDeps {
  readonly log: Logger;
  readonly metrics: ServerMetrics;
}

/** Runs an authorization check; a hook that throws or rejects means no. */
export async function permitted(
  ctx: RequestDeps,
  room: string,
  action: AuthorizeRequest['action'],
  decide: () => boolean | Promise<boolean>,
): Promise<boolean> {
  try {
    return (await decide()) === true;
  } catch (err) {
    ctx.log.error('authorize hook failed', { room, action, ...errorFields(err) });
    return false;
  }
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
