/**
 * HTTP API for backends (API key, see `http-api.ts`; JSON in docs/webhooks.md):
 *
 * - `GET /api/changes?after=<cursor>&limit=<1–1000>`: changes in commit order after the cursor
 *   (from the oldest kept without one): 200 `{ items, nextCursor, more }`; an unknown cursor 400
 *   `bad_cursor`.
 * - `GET /api/webhooks/dead-letters?after=<cursor>&limit=<1–1000>`: deliveries that used up their
 *   attempts, oldest first: 200 `{ items, nextCursor }` (each item a change plus `attempts`,
 *   `lastError`, `lastAttemptAt`).
 * - `POST /api/webhooks/dead-letters/retry` `{ "ids": ["…"] }` or `{ "all": true }`: makes them
 *   pending again with a fresh count of attempts: 200 `{ retried: ["…"] }` (ids that were dead).
 *
 * Without a webhook URL the dead-letter routes answer 409 `webhooks_off`.
 */
import * as z from 'zod/mini';
import { ApiError, validate, type HttpApi } from '../http-api.js';
import { limitParam, withCursor } from '../notifications/notification-routes.js';
import type { ChangeLogRepository } from './change-log.js';
import { changeJson } from './change-log.js';
import { seqOfCursor, type ChangeFeed } from './change-feed.js';
import { changeCursor, type WebhookWorker } from './webhook-worker.js';

const RetryBody = z.union([
  z.strictObject({
    ids: z.array(z.string().check(z.minLength(1), z.maxLength(64))).check(z.maxLength(1000)),
  }),
  z.strictObject({ all: z.literal(true) }),
]);

function afterParam(query: URLSearchParams): string | undefined {
  const raw = query.get('after');
  return raw === null || raw === '' ? undefined : raw;
}

export function registerChangeRoutes(
  api: HttpApi,
  feed: ChangeFeed,
  deliveries: { repository: ChangeLogRepository; worker: WebhookWorker | undefined },
): void {
  api.route('GET', '/api/changes', async ({ query }) => {
    const page = await withCursor(() => feed.page(afterParam(query), limitParam(query, 1000, 100)));
    return { status: 200, body: page };
  });

  const webhooks = (): WebhookWorker => {
    if (deliveries.worker) return deliveries.worker;
    throw new ApiError(409, 'webhooks_off', 'no webhook is configured (CRM_WEBHOOK_URL)');
  };

  api.route('GET', '/api/webhooks/dead-letters', async ({ query }) => {
    webhooks();
    const limit = limitParam(query, 1000, 100);
    const after = afterParam(query);
    const rows = await withCursor(async () =>
      deliveries.repository.deadLetters(after === undefined ? 0 : seqOfCursor(after), limit + 1),
    );
    const more = rows.length > limit;
    if (more) rows.length = limit;
    const items = rows.map((row) => ({
      ...changeJson(row, changeCursor(row.seq)),
      attempts: row.attempts,
      lastError: row.lastError ?? null,
      lastAttemptAt: row.lastAttemptAt ?? null,
    }));
    const body: Record<string, unknown> = { items };
    if (more) body.nextCursor = items.at(-1)!.cursor;
    return { status: 200, body };
  });

  api.route('POST', '/api/webhooks/dead-letters/retry', async ({ body }) => {
    const worker = webhooks();
    const request = validate(RetryBody, body, 'retry ({ "ids": [...] } or { "all": true })');
    const retried = await deliveries.repository.retryDead('all' in request ? 'all' : request.ids);
    worker.rescan();
    return { status: 200, body: { retried } };
  });
}
