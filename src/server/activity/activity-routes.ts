/**
 * HTTP API for backends (API key, see `http-api.ts`):
 *
 * - `POST /api/activity`: an `ActivityInput` (e.g. `{ kind: "call.logged", customerId: "42",
 *   actor, summary }`), appended with the server's time and published live. 201 `{ item }`.
 * - `GET /api/activity?feed=global|user:<id>|customer:<id>&before=<cursor>&limit=<1–200>` and
 *   optional `kinds=a,b` and `actors=x,y`: a feed's page, newest first: 200 `{ items, nextCursor? }`.
 */
import * as z from 'zod/mini';
import { ActivityFilter, ActivityInput, FeedRef } from '../../protocol/index.js';
import { ApiError, validate, type HttpApi } from '../http-api.js';
import { cursorParam, limitParam, withCursor } from '../notifications/notification-routes.js';
import type { ActivityService } from './activity-service.js';

/** `global`, `user:<id>` or `customer:<id>` as a feed reference. */
/**
 * What a backend posts, with no keys beyond the protocol's: a misspelt or unsupported key (`at`,
 * `customer_id`) is refused with its name rather than dropped, so the backend learns it was not
 * taken, as entity writes do.
 */
const ApiActivityInput = z.strictObject(ActivityInput.shape);

export function parseFeed(raw: string | null): FeedRef {
  const text = raw ?? 'global';
  const colon = text.indexOf(':');
  const kind = colon < 0 ? text : text.slice(0, colon);
  const id = colon < 0 ? '' : text.slice(colon + 1);
  const candidate =
    kind === 'global' && colon < 0
      ? { kind }
      : kind === 'user'
        ? { kind, userId: id }
        : kind === 'customer'
          ? { kind, entityId: id }
          : undefined;
  const parsed = candidate && z.safeParse(FeedRef, candidate);
  if (!parsed?.success) {
    throw new ApiError(400, 'bad_request', 'feed must be global, user:<id> or customer:<id>');
  }
  return parsed.data;
}

function listParam(query: URLSearchParams, name: string): string[] | undefined {
  const raw = query.get(name);
  if (raw === null || raw.trim() === '') return undefined;
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function registerActivityRoutes(api: HttpApi, activity: ActivityService): void {
  api.route('POST', '/api/activity', async ({ body }) => {
    const item = await activity.append(validate(ApiActivityInput, body, 'activity'));
    return { status: 201, body: { item } };
  });

  api.route('GET', '/api/activity', async ({ query }) => {
    const feed = parseFeed(query.get('feed'));
    const filter = validate(
      ActivityFilter,
      { kinds: listParam(query, 'kinds'), actors: listParam(query, 'actors') },
      'filter (kinds, actors)',
    );
    const page = await withCursor(() =>
      activity.list(feed, filter, cursorParam(query), limitParam(query, 200, 50)),
    );
    return { status: 200, body: page };
  });
}
