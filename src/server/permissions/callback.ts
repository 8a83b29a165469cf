/**
 * The authorization callback (`CRM_AUTHORIZE_URL`): the CRM's own backend answers whether a user
 * may do an action on a room, and may add field rules.
 *
 * Request (POST, `Content-Type: application/json`, `Authorization: Bearer <CRM_AUTHORIZE_KEY>`
 * when a key is set):
 * `{ "user": { "id", "name", "avatarUrl"? }, "room": "customer:42", "action": "write",
 *    "entity"?: { "type": "customer", "id": "42" }, "sharesRoom"?: true, "watch"?: true }`
 * Answer: 200 with `{ "allow": true, "fields"?: { "customer": { "readOnly": [...], "hidden": [...] } } }`
 * or `{ "allow": false }`.
 *
 * Answers (allow and deny) are cached per question (user, room, action, entity, `sharesRoom`,
 * `watch`) for `cacheMs`, at most `maxEntries` of them (the oldest go first); a user's entries
 * are dropped when they authenticate again (a new `hello`, e.g. a refreshed token) and when a
 * backend says their permissions changed (`POST /api/users/:id/permissions-changed`). A callback that answers anything else, fails or
 * takes longer than `timeoutMs` cannot decide: the request is refused for now with
 * `backend_unavailable` (`AuthorizationUnavailable`), which clients retry, not `forbidden`, which
 * they take as final; nothing of it is cached (the next request asks again). A 503 or 429 with
 * `Retry-After` names that wait to the client (`retryAfterMs`, at most a minute).
 *
 * Questions that reach the backend are bounded per user (`limit`, see callback-limit.ts): a few on
 * their way at once, and a token bucket; beyond it the request is refused for now with
 * `rate_limited` (`AuthorizationRateLimited`), which clients retry too. Cached answers, and
 * questions sharing one already on its way, are never limited.
 */
import * as z from 'zod/mini';
import { AuthorizationUnavailable, type AuthorizeRequest } from '../authorize.js';
import type { ServerClock } from '../clock.js';
import { shownUrl, type Logger } from '../log.js';
import { CallbackLimit, isAskedByServer, type CallbackLimitOptions } from './callback-limit.js';
import { FieldRulesByType } from './field-policy.js';
import { backendRetryAfter } from '../retry-after.js';

export interface AuthorizeCallbackOptions extends CallbackLimitOptions {
  url: string;
  /** Sent as `Authorization: Bearer <key>` so the backend knows who asks. */
  key?: string | undefined;
  /** How long the backend may take; slower answers deny. Default 2,000 ms. */
  timeoutMs?: number | undefined;
  /** How long an answer is reused. Default 30,000 ms; 0 asks every time. */
  cacheMs?: number | undefined;
  /** Answers kept at most. Default 10,000. */
  maxEntries?: number | undefined;
}

export const DEFAULT_AUTHORIZE_TIMEOUT_MS = 2000;
export const DEFAULT_AUTHORIZE_CACHE_MS = 30_000;
const DEFAULT_MAX_ENTRIES = 10_000;
/** Answers larger than this are not read (and deny). */
const MAX_ANSWER_BYTES = 64 * 1024;

export const CallbackAnswer = z.object({
  allow: z.boolean(),
  fields: z.optional(FieldRulesByType),
});
export type CallbackAnswer = z.infer<typeof CallbackAnswer>;

/**
 * The backend answered, but not as agreed; `answer` (the start of its body) is for the log only,
 * `status` the HTTP status when that was what was wrong.
 */
class BadAnswer extends Error {
  constructor(
    message: string,
    readonly answer?: string,
    readonly status?: number,
    /** The wait a 503 or 429 named (`Retry-After`), bounded. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/**
 * What went wrong, in words fit for the client's message too: fetch's own "fetch failed" names no
 * cause (the socket's error code, ECONNREFUSED or ENOTFOUND, is in its `cause`), and nothing of
 * the backend's answer or of the URL is repeated to clients.
 */
function describeFailure(err: unknown, timeoutMs: number): string {
  if (err instanceof BadAnswer) return err.message;
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return `did not answer within ${timeoutMs} ms`;
  }
  const cause = err instanceof Error ? (err.cause as { code?: unknown } | undefined) : undefined;
  if (typeof cause?.code === 'string') return `could not be reached (${cause.code})`;
  return 'could not be asked';
}

/**
 * The error itself, for the log line of a failure `describeFailure` cannot name, with the URL as
 * `shownUrl` shows it: fetch repeats a URL with credentials in its refusal of it.
 */
function errorDetail(err: unknown, url: string): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split(url).join(shownUrl(url));
}

interface Entry {
  answer: CallbackAnswer;
  until: number;
  userId: string;
}

/** A question on its way to the backend. */
interface Asking {
  readonly answer: Promise<CallbackAnswer>;
  readonly userId: string;
  /** The user authenticated again while it was asked: its answer is not cached. */
  revoked: boolean;
}

export class AuthorizeCallback {
  private readonly cache = new Map<string, Entry>();
  /**
   * Questions on their way, so concurrent identical ones ask once. What a revoke must outlive is
   * only these: a mark on the question, not a count per user, so nothing is kept for the users
   * who ever authenticated.
   */
  private readonly asking = new Map<string, Asking>();
  private readonly timeoutMs: number;
  private readonly cacheMs: number;
  private readonly maxEntries: number;
  /** The per-user bound on questions that reach the backend. */
  readonly limit: CallbackLimit;
  /** Counts for tests and metrics (`limited`: refused by the per-user bound, not asked). */
  readonly counts = { asked: 0, cached: 0, failed: 0, limited: 0 };

  constructor(
    private readonly options: AuthorizeCallbackOptions,
    private readonly clock: ServerClock,
    private readonly log: Logger,
    /** Told of each question refused by the per-user bound (the server's metric). */
    onLimited?: () => void,
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_AUTHORIZE_TIMEOUT_MS;
    this.cacheMs = options.cacheMs ?? DEFAULT_AUTHORIZE_CACHE_MS;
    this.maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    this.limit = new CallbackLimit(options, this.timeoutMs, clock, log, () => {
      this.counts.limited++;
      onLimited?.();
    });
  }

  /** The backend's answer, from the cache while it is fresh. */
  ask(request: AuthorizeRequest): Promise<CallbackAnswer> {
    const key = JSON.stringify([
      request.user.id,
      request.room,
      request.action,
      request.entity?.type,
      request.entity?.id,
      request.sharesRoom,
      request.watch,
    ]);
    const now = this.clock.now();
    const hit = this.cache.get(key);
    if (hit && hit.until > now) {
      this.counts.cached++;
      return Promise.resolve(hit.answer);
    }
    if (hit) this.cache.delete(key);
    // Identical questions share one request within a lane, not across: a user's question never
    // waits in the server's lane (whose entities a notification's sender names), nor the
    // server's in the user's (see callback-limit.ts). At most one request per lane.
    const lane = isAskedByServer() ? 'server' : 'own';
    const askingKey = `${lane}${key}`;
    const pending = this.asking.get(askingKey);
    if (pending) return pending.answer;
    const userId = request.user.id;
    const asking: Asking = {
      answer: this.limit
        .run(userId, () => this.post(request))
        .then((answer) => {
          if (this.cacheMs > 0 && !asking.revoked) this.remember(key, userId, answer);
          return answer;
        })
        .finally(() => {
          if (this.asking.get(askingKey) === asking) this.asking.delete(askingKey);
        }),
      userId,
      revoked: false,
    };
    this.asking.set(askingKey, asking);
    return asking.answer;
  }

  /** Forgets every answer about a user (they authenticated again, or their permissions changed). */
  revokeUser(userId: string): void {
    for (const [key, entry] of this.cache) if (entry.userId === userId) this.cache.delete(key);
    // Questions already asked are answered to whoever waits, but not cached, and a new question
    // asks again.
    for (const [key, asking] of this.asking) {
      if (asking.userId !== userId) continue;
      asking.revoked = true;
      this.asking.delete(key);
    }
  }

  /** Answers cached. */
  get size(): number {
    return this.cache.size;
  }

  /** Questions on their way to the backend. */
  get pending(): number {
    return this.asking.size;
  }

  private remember(key: string, userId: string, answer: CallbackAnswer): void {
    const now = this.clock.now();
    // Answers go in in the order they expire (one `cacheMs` for all, a key asked again goes in
    // anew), so the expired ones are at the front: dropped here, the cache holds the answers of
    // the last `cacheMs`, not those of every user who ever asked, up to `maxEntries`.
    for (const [oldest, entry] of this.cache) {
      if (entry.until > now) break;
      this.cache.delete(oldest);
    }
    this.cache.set(key, { answer, until: now + this.cacheMs, userId });
    while (this.cache.size > this.maxEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
  }

  /**
   * One POST; rejects with `AuthorizationUnavailable` when the backend failed, timed out or
   * answered something else.
   */
  private async post(request: AuthorizeRequest): Promise<CallbackAnswer> {
    this.counts.asked++;
    const body: Record<string, unknown> = {
      user: request.user,
      room: request.room,
      action: request.action,
    };
    if (request.entity) body.entity = request.entity;
    if (request.sharesRoom !== undefined) body.sharesRoom = request.sharesRoom;
    if (request.watch) body.watch = true;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.options.key) headers.authorization = `Bearer ${this.options.key}`;
    try {
      const response = await fetch(this.options.url, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'error',
      });
      const text = await response.text();
      if (!response.ok) {
        throw new BadAnswer(
          `answered HTTP ${response.status}`,
          undefined,
          response.status,
          backendRetryAfter(
            response.status,
            response.headers.get('retry-after'),
            this.clock.now(),
            response.headers.get('date'),
          ),
        );
      }
      if (Buffer.byteLength(text) > MAX_ANSWER_BYTES) {
        throw new BadAnswer('answered more than 64 KiB');
      }
      let parsed: ReturnType<typeof z.safeParse<typeof CallbackAnswer>> | undefined;
      try {
        parsed = z.safeParse(CallbackAnswer, JSON.parse(text));
      } catch {
        parsed = undefined;
      }
      if (!parsed?.success) {
        throw new BadAnswer('answered something other than { allow, fields? }', text.slice(0, 200));
      }
      return parsed.data;
    } catch (err) {
      this.counts.failed++;
      const reason = describeFailure(err, this.timeoutMs);
      const fields = {
        room: request.room,
        action: request.action,
        url: shownUrl(this.options.url),
        reason,
        detail: err instanceof BadAnswer ? err.answer : errorDetail(err, this.options.url),
      };
      if (err instanceof BadAnswer && err.status === 401) {
        // The backend refused the server's own key, not the user: every question will fail
        // until an operator fixes the setting, which the line names (as write-through does).
        this.log.error('authorization callback refused the server key (CRM_AUTHORIZE_KEY)', {
          ...fields,
          reason: this.options.key
            ? 'answered HTTP 401: check that CRM_AUTHORIZE_KEY is the key the backend expects'
            : 'answered HTTP 401: CRM_AUTHORIZE_KEY is not set',
        });
      } else {
        this.log.warn('authorization callback failed: refused for now, clients retry', fields);
      }
      const unavailable = new AuthorizationUnavailable(
        `the CRM's authorization service ${reason}`,
        { cause: err },
      );
      // Nothing is cached: the next request asks again; the client learns when that is worth it.
      if (err instanceof BadAnswer) unavailable.retryAfterMs = err.retryAfterMs;
      throw unavailable;
    }
  }
}
