/**
 * Delivers the change log to `CRM_WEBHOOK_URL`: one signed JSON POST per change (see
 * docs/webhooks.md for the body and headers).
 *
 * - Durable: the worker holds no queue of its own. It reads pending deliveries from the change log,
 *   where the storage wrote them in each change's transaction, and stores every attempt's outcome,
 *   so a restart resumes where the last process stopped (at-least-once: a delivery cut off by a
 *   crash after the receiver got it is sent again with the same `X-CRM-Delivery` id).
 * - In order per entity: only the oldest pending delivery of an entity is attempted (the log's
 *   `pendingHeads`); the next waits until it is delivered or dead. Different entities go in
 *   parallel, up to `concurrency`, and do not wait for each other: when the oldest heads all
 *   wait for retries (a receiver that refuses some entities, or every notification), the heads
 *   after them that are due are looked up too, so a hundred failing entities cannot hold up the
 *   rest for the hour their retries take.
 * - Bounded: an attempt not answered (2xx) within `timeoutMs` fails; failures are retried after
 *   `backoffMs`, doubled per failure up to `maxBackoffMs`; after `maxAttempts` the delivery is
 *   dead, listed by the API and retried only on request.
 * - Timers run on the server's clock, so tests step through backoff without waiting.
 */
import { every, MAX_TIMER_MS, type ServerClock } from '../clock.js';
import { errorFields, type Logger } from '../log.js';
import { encodeCursor } from '../activity/cursor.js';
import { changeJson, type ChangeLogRepository, type DeliveryRecord } from './change-log.js';
import { signatureHeader } from './signature.js';

export interface WebhookOptions {
  /** Where deliveries are POSTed (`CRM_WEBHOOK_URL`). */
  url: string;
  /** HMAC-SHA256 key of the signature (`CRM_WEBHOOK_SECRET`). */
  secret: string;
  /** Attempts before a delivery is dead. Default 12 (about 68 minutes of retries). */
  maxAttempts?: number | undefined;
  /** An attempt not answered within this many ms fails. Default 10 000. */
  timeoutMs?: number | undefined;
  /** Delay before the first retry; doubled per failure. Default 2 000. */
  backoffMs?: number | undefined;
  /** Longest delay between two attempts. Default one hour. */
  maxBackoffMs?: number | undefined;
  /** Deliveries in flight at once (of different entities). Default 4. */
  concurrency?: number | undefined;
  /** How often the log is looked at besides after local writes (other processes). Default 5 s. */
  pollMs?: number | undefined;
}

/** What the worker counts (the server's `/metrics`). */
export interface WebhookCounters {
  webhooksDelivered: number;
  webhookAttemptsFailed: number;
  webhooksDead: number;
}

export const WEBHOOK_DEFAULTS = {
  maxAttempts: 12,
  timeoutMs: 10_000,
  backoffMs: 2_000,
  maxBackoffMs: 3_600_000,
  concurrency: 4,
  pollMs: 5_000,
} as const;

/** The shortest secret accepted, as for `CRM_WEBHOOK_SECRET` (and API keys). */
export const MIN_WEBHOOK_SECRET_LENGTH = 16;

/** Pending heads read per look: more than enough to keep `concurrency` busy. */
const HEADS_PER_LOOK = 100;

/** The cursor of a change: its `seq` in the log, opaque to clients. */
export function changeCursor(seq: number): string {
  return encodeCursor('c', seq);
}

export class WebhookWorker {
  readonly maxAttempts: number;
  readonly timeoutMs: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly concurrency: number;
  /** Deliveries in flight, by `seq`, with the abort of their request. */
  private readonly inFlight = new Map<number, AbortController>();
  /** The entities of the deliveries in flight: one delivery of an entity at a time. */
  private readonly entitiesInFlight = new Set<string>();
  private readonly settled = new Set<Promise<void>>();
  private looking = false;
  private lookAgain = false;
  private wakeTimer: unknown;
  private wakeAt = Infinity;
  private closed = false;
  /**
   * What the last look past the first page of heads found: no head above the first page and up
   * to `upTo` is due before `until`. Appends then walk only the rows after `upTo`, so a log full
   * of deliveries waiting for retries is not walked again after every write; forgotten when a
   * delivery ends (the next of its entity becomes a head), on every poll and on retries.
   */
  private beyond: { upTo: number; until: number } | undefined;
  /**
   * Until when no attempt starts, after one whose outcome could not be stored (a full disk): its
   * delivery is still pending as stored, and sending it again at once would repeat the request to
   * the receiver in a loop, as fast as it answers, until the database takes writes again.
   */
  private pausedUntil = -Infinity;
  private readonly stopPoll: () => void;
  private readonly unsubscribe: () => void;
  /** Gauges for `/metrics`, refreshed after every look and attempt. */
  counts = { pending: 0, dead: 0 };

  constructor(
    private readonly options: WebhookOptions & {
      repository: ChangeLogRepository;
      clock: ServerClock;
      log: Logger;
      metrics: WebhookCounters;
    },
  ) {
    this.maxAttempts = options.maxAttempts ?? WEBHOOK_DEFAULTS.maxAttempts;
    this.timeoutMs = options.timeoutMs ?? WEBHOOK_DEFAULTS.timeoutMs;
    this.backoffMs = options.backoffMs ?? WEBHOOK_DEFAULTS.backoffMs;
    this.maxBackoffMs = options.maxBackoffMs ?? WEBHOOK_DEFAULTS.maxBackoffMs;
    this.concurrency = options.concurrency ?? WEBHOOK_DEFAULTS.concurrency;
    // An empty or short key (a script passing an unset variable) would sign every delivery with
    // something anyone can guess; the environment's loader refuses it, and so does code.
    if (typeof options.secret !== 'string' || options.secret.length < MIN_WEBHOOK_SECRET_LENGTH) {
      throw new RangeError(
        `webhooks.secret must have at least ${MIN_WEBHOOK_SECRET_LENGTH} characters`,
      );
    }
    // A timer beyond the longest Node keeps fires at once: every attempt would time out before
    // the receiver could answer, or every retry would come due at once.
    for (const [name, ms] of [
      ['timeoutMs', this.timeoutMs],
      ['backoffMs', this.backoffMs],
      ['maxBackoffMs', this.maxBackoffMs],
    ] as const) {
      if (!(ms >= 1 && ms <= MAX_TIMER_MS)) {
        throw new RangeError(`webhooks.${name} must be from 1 to ${MAX_TIMER_MS} ms, got ${ms}`);
      }
    }
    options.repository.trackDeliveries(true);
    this.unsubscribe = options.repository.onAppend(() => this.kick());
    this.stopPoll = every(options.clock, options.pollMs ?? WEBHOOK_DEFAULTS.pollMs, () =>
      this.rescan(),
    );
    // Deliveries left pending by the previous process resume now.
    this.kick();
  }

  /** The delay after the `attempts`-th failure. */
  backoff(attempts: number): number {
    return Math.min(this.maxBackoffMs, this.backoffMs * 2 ** Math.max(0, attempts - 1));
  }

  /**
   * Looks at the whole log again soon, not only at rows appended since the last look (dead
   * letters made pending again, deliveries erased with their entity, another process's changes).
   */
  rescan(): void {
    this.beyond = undefined;
    this.kick();
  }

  /** Looks for due deliveries soon (coalesced: one look at a time, one more if asked meanwhile). */
  kick(): void {
    if (this.closed) return;
    if (this.looking) {
      this.lookAgain = true;
      return;
    }
    this.looking = true;
    void this.look().finally(() => {
      this.looking = false;
      if (this.lookAgain) {
        this.lookAgain = false;
        this.kick();
      }
    });
  }

  private async look(): Promise<void> {
    const { repository, clock, log } = this.options;
    try {
      // A delivery in flight when the heads were read may finish before they arrive: its row is
      // then stale here (its finish asks for another look, which reads it fresh).
      const busy = new Set(this.inFlight.keys());
      if (clock.now() < this.pausedUntil) {
        this.wakeUpAt(this.pausedUntil);
        return;
      }
      // Another process delivers for now; this one polls, and takes over when that one dies.
      if (repository.mayDeliver && !(await repository.mayDeliver())) {
        this.counts = await repository.deliveryCounts();
        return;
      }
      const heads = await repository.pendingHeads(HEADS_PER_LOOK);
      const now = clock.now();
      let wake = Infinity;
      for (const delivery of heads) {
        if (this.closed) return;
        if (this.isBusy(delivery, busy)) continue;
        const due = delivery.nextAttemptAt ?? now;
        if (due > now) {
          wake = Math.min(wake, due);
          continue;
        }
        if (this.inFlight.size >= this.concurrency) break;
        this.start(delivery);
      }
      if (heads.length === HEADS_PER_LOOK && this.inFlight.size < this.concurrency) {
        wake = Math.min(wake, await this.lookBeyond(heads.at(-1)!.seq, now, busy));
      }
      this.wakeUpAt(wake);
      this.counts = await repository.deliveryCounts();
    } catch (err) {
      log.error('webhook deliveries could not be read', errorFields(err));
    }
  }

  /**
   * Starts the due heads above `after` (the first page's last), which the first page left out
   * because its heads all wait; resolves to when to look again for them.
   */
  private async lookBeyond(after: number, now: number, busy: Set<number>): Promise<number> {
    const { repository } = this.options;
    const known = this.beyond !== undefined && now < this.beyond.until ? this.beyond : undefined;
    // Read before the heads: a row appended meanwhile is above it and walked next time.
    const lastSeq = await repository.lastSeq();
    const due = await repository.pendingHeads(HEADS_PER_LOOK, {
      after: Math.max(after, known?.upTo ?? 0),
      dueBy: now,
    });
    for (const delivery of due) {
      if (this.closed || this.inFlight.size >= this.concurrency) break;
      if (this.isBusy(delivery, busy)) continue;
      this.start(delivery);
    }
    const left = due.some((d) => !this.isBusy(d, busy));
    if (left || due.length === HEADS_PER_LOOK) {
      // Due deliveries wait for a free slot: the next look walks again (an attempt's end kicks).
      this.beyond = undefined;
      return Infinity;
    }
    // Nothing due up to `lastSeq` but what is in flight (whose end forgets this, or brings its
    // retry's time into `until`): appends need only walk the rows after it, until a retry there
    // falls due.
    const until = known?.until ?? (await repository.nextAttemptAfter(now)) ?? Infinity;
    this.beyond = { upTo: Math.max(lastSeq, known?.upTo ?? 0), until };
    return until;
  }

  /**
   * Whether `delivery` is in flight, or another of its entity is: a dead letter made pending
   * again is its entity's head while a newer delivery of the entity may still be in flight.
   */
  private isBusy(delivery: DeliveryRecord, busy: Set<number>): boolean {
    if (busy.has(delivery.seq) || this.inFlight.has(delivery.seq)) return true;
    return delivery.entity !== undefined && this.entitiesInFlight.has(entityKey(delivery.entity));
  }

  /** Keeps one timer, for the earliest retry that is due later. */
  private wakeUpAt(at: number): void {
    if (at === this.wakeAt || this.closed) return;
    const { clock } = this.options;
    if (this.wakeTimer !== undefined) clock.clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    this.wakeAt = at;
    if (at === Infinity) return;
    this.wakeTimer = clock.setTimeout(
      () => {
        this.wakeTimer = undefined;
        this.wakeAt = Infinity;
        this.kick();
      },
      Math.max(0, at - clock.now()),
    );
  }

  private start(delivery: DeliveryRecord): void {
    const abort = new AbortController();
    this.inFlight.set(delivery.seq, abort);
    const entity = delivery.entity ? entityKey(delivery.entity) : undefined;
    if (entity !== undefined) this.entitiesInFlight.add(entity);
    const run = this.attempt(delivery, abort)
      .catch((err: unknown) => {
        this.pausedUntil = this.options.clock.now() + this.backoffMs;
        this.options.log.error('webhook attempt not recorded', {
          delivery: delivery.id,
          retryInMs: this.backoffMs,
          ...errorFields(err),
        });
      })
      .finally(() => {
        this.inFlight.delete(delivery.seq);
        if (entity !== undefined) this.entitiesInFlight.delete(entity);
        this.settled.delete(run);
        this.kick();
      });
    this.settled.add(run);
  }

  private async attempt(delivery: DeliveryRecord, abort: AbortController): Promise<void> {
    const { url, secret, clock, repository, metrics, log } = this.options;
    // Stored JSON serializes the same way every time: one body, whatever the attempt.
    const body = JSON.stringify(changeJson(delivery, changeCursor(delivery.seq)));
    const attempts = delivery.attempts + 1;
    let timedOut = false;
    const timer = clock.setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, this.timeoutMs);
    let error: string | undefined;
    try {
      const response = await fetch(url, {
        method: 'POST',
        body,
        signal: abort.signal,
        redirect: 'manual',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'crm-realtime-webhooks',
          'x-crm-delivery': delivery.id,
          'x-crm-event': delivery.kind,
          'x-crm-attempt': String(attempts),
          'x-crm-signature': signatureHeader(secret, body, clock.now()),
        },
      });
      // The answer's body means nothing to us; drop it so the connection can be reused.
      await response.body?.cancel().catch(() => {});
      if (response.status < 200 || response.status > 299) error = `HTTP ${response.status}`;
    } catch (err) {
      if (timedOut) error = `no answer within ${this.timeoutMs} ms`;
      else if (this.closed)
        return; // cut off by shutdown: not an attempt; the next start resends
      else error = describeFailure(err);
    } finally {
      clock.clearTimeout(timer);
    }
    const at = clock.now();
    if (error === undefined) {
      await repository.recordAttempt(delivery.seq, { state: 'delivered', attempts, at });
      metrics.webhooksDelivered += 1;
      // The entity's next delivery, wherever it lies in the log, is its head now.
      this.beyond = undefined;
      return;
    }
    metrics.webhookAttemptsFailed += 1;
    if (attempts >= this.maxAttempts) {
      await repository.recordAttempt(delivery.seq, { state: 'dead', attempts, at, error });
      metrics.webhooksDead += 1;
      this.beyond = undefined;
      log.warn('webhook delivery dead', { delivery: delivery.id, attempts, error });
      return;
    }
    const nextAttemptAt = at + this.backoff(attempts);
    await repository.recordAttempt(delivery.seq, {
      state: 'pending',
      attempts,
      at,
      error,
      nextAttemptAt,
    });
    // Its retry may fall due before anything the last look past the first page saw.
    if (this.beyond) this.beyond.until = Math.min(this.beyond.until, nextAttemptAt);
    log.info('webhook delivery failed; will retry', { delivery: delivery.id, attempts, error });
  }

  /**
   * Stops delivering: no new attempts; requests in flight are cut off and not counted, so the
   * next start sends them again with the same delivery id.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopPoll();
    this.unsubscribe();
    if (this.wakeTimer !== undefined) this.options.clock.clearTimeout(this.wakeTimer);
    for (const abort of this.inFlight.values()) abort.abort();
    await Promise.all([...this.settled]);
  }
}

function entityKey(entity: { type: string; id: string }): string {
  return JSON.stringify([entity.type, entity.id]);
}

/** A failed request's reason, with the network error's code when there is one. */
function describeFailure(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (cause && typeof cause.code === 'string') return `request failed: ${cause.code}`;
  if (cause && typeof cause.message === 'string') return `request failed: ${cause.message}`;
  return `request failed: ${err instanceof Error ? err.message : String(err)}`;
}
