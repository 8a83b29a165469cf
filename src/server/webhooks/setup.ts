/**
 * Builds a server's outbound change delivery over its storage's change log: the pull feed
 * (`GET /api/changes`) always, the webhook worker when a URL is configured, their routes, and the
 * gauges `/metrics` shows. A storage without a change log has neither (and refuses webhooks).
 */
import type { ServerClock } from '../clock.js';
import type { HttpApi } from '../http-api.js';
import type { Logger } from '../log.js';
import type { Storage } from '../storage.js';
import { ChangeFeed } from './change-feed.js';
import { registerChangeRoutes } from './webhook-routes.js';
import { WebhookWorker, type WebhookCounters, type WebhookOptions } from './webhook-worker.js';

export interface ChangeFeedSettings {
  /** Changes older than this many days go (undelivered webhooks stay); 0 keeps them. Default 30. */
  retentionDays?: number | undefined;
  /** How often retention runs. Default one hour. */
  sweepMs?: number | undefined;
}

export interface ChangeDelivery {
  readonly feed: ChangeFeed | undefined;
  readonly worker: WebhookWorker | undefined;
  /** Adds `/api/changes` and the dead-letter routes (when the storage keeps a change log). */
  register(api: HttpApi): void;
  /** Pending and dead deliveries, for `/metrics`; undefined without webhooks. */
  gauges(): { pending: number; dead: number } | undefined;
  close(): Promise<void>;
}

export function createChangeDelivery(deps: {
  storage: Storage;
  clock: ServerClock;
  log: Logger;
  metrics: WebhookCounters;
  webhooks?: WebhookOptions | undefined;
  changeFeed?: ChangeFeedSettings | undefined;
}): ChangeDelivery {
  const { storage, clock, log } = deps;
  const repository = storage.changes;
  if (!repository) {
    if (deps.webhooks) throw new Error('webhooks need a storage that keeps a change log');
    return {
      feed: undefined,
      worker: undefined,
      register: () => {},
      gauges: () => undefined,
      close: () => Promise.resolve(),
    };
  }
  const feed = new ChangeFeed({ repository, clock, log, ...deps.changeFeed });
  const worker = deps.webhooks
    ? new WebhookWorker({ ...deps.webhooks, repository, clock, log, metrics: deps.metrics })
    : undefined;
  return {
    feed,
    worker,
    register: (api) => registerChangeRoutes(api, feed, { repository, worker }),
    gauges: () => worker?.counts,
    async close() {
      feed.close();
      await worker?.close();
    },
  };
}
