/**
 * HTTP API for backends (API key, see `http-api.ts`):
 *
 * - `POST /api/notifications`: a `NotificationInput`, optionally `from` (a `UserProfile` shown as
 *   the sender). Stored for its recipients and delivered live, by the same rules as a client's.
 *   201 `{ notification, recipients }` (how many people it went to).
 * - `GET /api/notifications?user=<id>&before=<cursor>&limit=<1–100>`: that user's history, newest
 *   first, with their read state: 200 `{ items, nextCursor?, unread, unreadUpTo }`.
 */
import * as z from 'zod/mini';
import { NotificationInput, UserId, UserProfile } from '../../protocol/index.js';
import { CursorError } from '../activity/cursor.js';
import { ApiError, validate, type HttpApi } from '../http-api.js';
import type { NotificationService } from './notification-service.js';

/** No keys beyond these: an unknown one is refused with its name, not dropped (see activity). */
const Body = z.strictObject({ ...NotificationInput.shape, from: z.optional(UserProfile) });

/** An integer query parameter within bounds, or the fallback when absent. */
export function limitParam(query: URLSearchParams, max: number, fallback: number): number {
  const raw = query.get('limit');
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new ApiError(400, 'bad_request', `limit must be an integer from 1 to ${max}`);
  }
  return value;
}

/** The `before` cursor parameter, if any. */
export function cursorParam(query: URLSearchParams): string | undefined {
  const raw = query.get('before');
  if (raw === null || raw === '') return undefined;
  if (raw.length > 128) throw new ApiError(400, 'bad_request', 'before is not a cursor');
  return raw;
}

/** Turns a cursor the client did not get from us into a 400. */
export async function withCursor<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof CursorError) throw new ApiError(400, 'bad_cursor', err.message);
    throw err;
  }
}

export function registerNotificationRoutes(api: HttpApi, notifications: NotificationService): void {
  api.route('POST', '/api/notifications', async ({ body }) => {
    const { from, ...input } = validate(Body, body, 'notification');
    const sent = await notifications.send(input, from);
    return {
      status: 201,
      body: { notification: sent.notification, recipients: sent.recipients.length },
    };
  });

  api.route('GET', '/api/notifications', async ({ query }) => {
    const user = validate(UserId, query.get('user') ?? undefined, 'user (?user=<id>)');
    const page = await withCursor(() =>
      notifications.list(user, cursorParam(query), limitParam(query, 100, 20)),
    );
    return { status: 200, body: page };
  });
}
