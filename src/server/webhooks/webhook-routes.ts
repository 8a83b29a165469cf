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
 *   pending again with a fresh count of attempts: 200 `{ retried: ["…"], count }` (ids that were
 *   dead) for ids, `{ count }` for all (a backlog of dead letters can be far too many ids for one
 *   answer).
 * - `POST /api/webhooks/dead-letters/discard`, the same bodies: gives them up for good (no longer
 *   listed, retried or counted; their changes stay in `/api/changes` until its retention):
 *   200 `{ discarded: ["…"], count }` or `{ count }`.
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

  // Retry and discard take the same bodies and answer alike; ids that were not dead are ignored.
  const settle = (path: string, verb: 'retried' | 'discarded') =>
    api.route('POST', `/api/webhooks/dead-letters/${path}`, async ({ body }) => {
      const worker = webhooks();
      const request = validate(RetryBody, body, `${path} ({ "ids": [...] } or { "all": true })`);
      const ids = 'all' in request ? 'all' : request.ids;
      const { repository } = deliveries;
      const settled = await (verb === 'retried'
        ? repository.retryDead(ids)
        : repository.discardDead(ids));
      // Counts (and, for a retry, what is due) change at once, not at the next look.
      worker.rescan();
      const count = settled.length;
      return { status: 200, body: ids === 'all' ? { count } : { [verb]: settled, count } };
    });
  settle('retry', 'retried');
  settle('discard', 'discarded');
}
