/**
 * The CRM's own backend, as write-through sees it (`CRM_ENTITY_BACKEND_URL`): one HTTP call per
 * client save, and one per entity the server has never seen. The exchanges (docs/protocol.md,
 * "Write-through to the CRM backend", has them in full):
 *
 * | call                                   | answers                                                |
 * |----------------------------------------|--------------------------------------------------------|
 * | `GET <url>/entities/<type>/<id>`       | 200 `{ fields }` · 404 (no such record)                |
 * | `POST <url>/entities/<type>/<id>`      | 2xx `{ fields? }` or no body: accepted (`fields`: the  |
 * |   `{ fields, base, baseVersion,`       | values it stored, e.g. a normalized phone) · 400/422   |
 * |   `mutationId, user }`                 | `{ errors?, message? }` refused · 409 `{ current,      |
 * |   header `Idempotency-Key: <mutationId>` | changedBy? }` changed meanwhile · 403 · 404          |
 *
 * A backend speaks in its own dialect, so what it says is read leniently wherever its meaning is
 * clear from the status: a refusal stays a refusal whatever its body (messages too long are cut,
 * errors naming no field of the save become the message), and a 409 without usable `current` is
 * still a conflict (`current` undefined: write-through reads the record). Only where the meaning
 * is not clear — a 2xx whose body is not the documented JSON (HTML, cut short, wrong types: an
 * accepted save whose stored values cannot be known), another status, no answer within the
 * timeout, a refused connection — is the answer `unavailable` (with `retryAfterMs` when a 503 or
 * 429 said when to come back, `Retry-After`): the save may or may not have reached the backend,
 * so the client keeps it and sends it again later with the same mutation id, which the backend
 * recognizes by its `Idempotency-Key` and applies once. A 401 is `unavailable`
 * too, marked `misconfigured`: the backend refused the server's own key (`CRM_ENTITY_BACKEND_KEY`),
 * which an operator fixes, and the queued saves must survive until then.
 */
import * as z from 'zod/mini';
import { Fields, UserProfile, type FieldErrors } from '../../protocol/index.js';
import { backendRetryAfter } from '../retry-after.js';

export interface EntityBackendOptions {
  /** Base URL, e.g. `https://crm.example.com/realtime-api` (no trailing slash needed). */
  url: string;
  /** Longest wait for one answer, headers and body. Default 5000 ms. */
  timeoutMs?: number | undefined;
  /** Sent as `Authorization: Bearer <key>`, so the backend knows the call is the server's. */
  key?: string | undefined;
  /** For tests; default the global `fetch`. */
  fetch?: typeof fetch;
  /**
   * The time a `Retry-After` date is read against when the answer has no `Date` header (epoch
   * ms); the server passes its clock. Default `Date.now`.
   */
  now?: () => number;
}

export interface BackendWrite {
  type: string;
  id: string;
  fields: Fields;
  /** The values of the written fields at the version the user saw (a compare-and-set base). */
  base: Fields;
  baseVersion: number;
  mutationId: string;
  user: UserProfile;
}

export type BackendWriteAnswer =
  | { kind: 'accepted'; fields: Fields }
  | { kind: 'rejected'; errors: FieldErrors; message: string | undefined }
  /** `current` undefined: the 409 did not say what the backend holds (no usable `current`). */
  | { kind: 'conflict'; current: Fields | undefined; changedBy: UserProfile | undefined }
  | { kind: 'forbidden' }
  | { kind: 'not_found' }
  | BackendUnavailable;

export type BackendReadAnswer =
  | { kind: 'found'; fields: Fields }
  /**
   * `page`: the 404 came with a body that is not JSON (an HTML "Not Found" page), which is what a
   * server answers for a path it has no route for: `CRM_ENTITY_BACKEND_URL` may name the wrong path.
   */
  | { kind: 'not_found'; page?: true }
  | BackendUnavailable;

export interface BackendUnavailable {
  kind: 'unavailable';
  reason: string;
  /** The backend refused the server's own key (401): an operator's setting to fix, not an outage. */
  misconfigured?: true;
  /**
   * When the backend said it takes requests again: the `Retry-After` of its 503 or 429, in ms
   * from its answer, bounded (see `backendRetryAfter`). Passed on to the client as `retryAfterMs`.
   */
  retryAfterMs?: number;
}

const ReadBody = z.object({ fields: Fields });
const AcceptBody = z.object({ fields: z.optional(Fields) });

/** The longest message `entity.rejected` carries, for the whole change and for each field. */
export const MAX_REFUSAL_MESSAGE = 500;
/** A refusal's message when the backend gave none that fits the change. */
export const GENERIC_REFUSAL = 'the CRM refused the change';
/** A field's message when the backend named the field without a readable message. */
export const GENERIC_FIELD_REFUSAL = 'the CRM refused this value';

/** The default timeout: a person waits for the save, so it stays short. */
export const DEFAULT_BACKEND_TIMEOUT_MS = 5000;

export class EntityBackend {
  readonly timeoutMs: number;
  private readonly base: string;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: EntityBackendOptions) {
    this.base = options.url.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? DEFAULT_BACKEND_TIMEOUT_MS;
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /** The record as the backend has it, for an entity the server has never seen. */
  async read(type: string, id: string): Promise<BackendReadAnswer> {
    const answer = await this.call('GET', type, id, undefined, undefined);
    if (answer.kind === 'unavailable') return answer;
    if (answer.status === 404)
      return answer.notJson ? { kind: 'not_found', page: true } : { kind: 'not_found' };
    if (answer.status === 401) return this.keyRefused('GET');
    if (answer.status !== 200) return unexpected(answer.status, answer.retryAfterMs);
    if (answer.notJson) return notJson('GET', answer.status);
    const body = z.safeParse(ReadBody, answer.body);
    return body.success
      ? { kind: 'found', fields: body.data.fields }
      : malformed('GET', body.error);
  }

  /** Ask the backend to apply a client's save. */
  async write(write: BackendWrite): Promise<BackendWriteAnswer> {
    const body = {
      fields: write.fields,
      base: write.base,
      baseVersion: write.baseVersion,
      mutationId: write.mutationId,
      user: write.user,
    };
    const answer = await this.call('POST', write.type, write.id, body, write.mutationId);
    if (answer.kind === 'unavailable') return answer;
    const { status } = answer;
    if (status >= 200 && status < 300) {
      // Accepted, with or without a body (204). A body that is there but not the documented JSON
      // leaves what the backend stored unknown: not stored here, and the client's retry (same
      // key) gets the backend's first answer again, by then perhaps readable.
      if (answer.notJson) return notJson('POST', status);
      const parsed = z.safeParse(AcceptBody, answer.body ?? {});
      if (!parsed.success) return malformed('POST', parsed.error);
      return { kind: 'accepted', fields: parsed.data.fields ?? {} };
    }
    switch (status) {
      case 400:
      case 422:
        // A validation refusal, whichever of the two the backend's framework uses: final.
        return refusalOf(answer.body, write.fields);
      case 409:
        return conflictOf(answer.body);
      case 401:
        return this.keyRefused('POST');
      case 403:
        return { kind: 'forbidden' };
      case 404:
        return { kind: 'not_found' };
      default:
        return unexpected(status, answer.retryAfterMs);
    }
  }

  /** A 401 is about the server's own credentials, never the user's: the operator's to fix. */
  private keyRefused(method: string): BackendUnavailable {
    const key = this.options.key
      ? 'check that CRM_ENTITY_BACKEND_KEY is the key the backend expects'
      : 'CRM_ENTITY_BACKEND_KEY is not set';
    return {
      kind: 'unavailable',
      reason: `${method} answered 401: the backend refused the server's key; ${key}`,
      misconfigured: true,
    };
  }

  private async call(
    method: 'GET' | 'POST',
    type: string,
    id: string,
    body: unknown,
    idempotencyKey: string | undefined,
  ): Promise<
    | {
        kind: 'answer';
        status: number;
        /** The JSON body; undefined when there is none, or it is not JSON (`notJson`). */
        body: unknown;
        notJson: boolean;
        /** The wait a 503 or 429 named (`Retry-After`), bounded. */
        retryAfterMs: number | undefined;
      }
    | BackendUnavailable
  > {
    const url = `${this.base}/entities/${encodeURIComponent(type)}/${encodeURIComponent(id)}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
    if (this.options.key) headers['authorization'] = `Bearer ${this.options.key}`;
    // One deadline for the whole exchange, body included: a backend that sends headers and then
    // stalls must not hold the save (and the entity's queue) any longer than one that is silent.
    const signal = AbortSignal.timeout(this.timeoutMs);
    try {
      const response = await this.fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
        redirect: 'error',
      });
      const text = await response.text();
      let parsed: unknown;
      let notJson = false;
      if (text.trim() !== '') {
        try {
          parsed = JSON.parse(text);
        } catch {
          // The status may say enough on its own (a refusal's HTML page): the caller decides.
          notJson = true;
        }
      }
      const retryAfterMs = backendRetryAfter(
        response.status,
        response.headers.get('retry-after'),
        (this.options.now ?? Date.now)(),
        response.headers.get('date'),
      );
      return { kind: 'answer', status: response.status, body: parsed, notJson, retryAfterMs };
    } catch (err) {
      const reason = signal.aborted
        ? `no answer within ${this.timeoutMs} ms`
        : `${method} failed: ${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)}`;
      return { kind: 'unavailable', reason };
    }
  }
}

function unexpected(status: number, retryAfterMs: number | undefined): BackendUnavailable {
  const answer: BackendUnavailable = { kind: 'unavailable', reason: `unexpected status ${status}` };
  if (retryAfterMs !== undefined) answer.retryAfterMs = retryAfterMs;
  return answer;
}

function notJson(method: string, status: number): BackendUnavailable {
  return { kind: 'unavailable', reason: `${method} answered ${status}, not JSON` };
}

function malformed(method: string, error: z.core.$ZodError): BackendUnavailable {
  return {
    kind: 'unavailable',
    reason: `${method} answer not as documented: ${z.prettifyError(error)}`,
  };
}

/**
 * A 400 or 422, read as the refusal it is whatever its body: `errors` naming fields of the save
 * become their messages (an object of strings or of string lists, or an array of strings or of
 * `{ field?, message | detail }`); errors naming no field of the save, the backend's `message`
 * first, become the message of the whole change, else a generic one. Messages longer than the
 * protocol carries are cut with an ellipsis rather than losing the refusal.
 */
function refusalOf(body: unknown, sent: Fields): Extract<BackendWriteAnswer, { kind: 'rejected' }> {
  const errors: FieldErrors = {};
  const others: string[] = [];
  const note = (key: string | undefined, text: string | undefined): void => {
    if (key !== undefined && Object.prototype.hasOwnProperty.call(sent, key)) {
      errors[key] = truncate(text ?? GENERIC_FIELD_REFUSAL);
    } else if (text !== undefined) {
      others.push(key === undefined ? text : `${key}: ${text}`);
    }
  };
  const object = isRecord(body) ? body : {};
  const listed = object['errors'];
  if (Array.isArray(listed)) {
    for (const item of listed) {
      if (isRecord(item)) {
        const field = typeof item['field'] === 'string' ? item['field'] : undefined;
        note(field, textOf(item['message']) ?? textOf(item['detail']));
      } else {
        note(undefined, textOf(item));
      }
    }
  } else if (isRecord(listed)) {
    for (const [key, value] of Object.entries(listed)) note(key, textOf(value));
  }
  const message = textOf(object['message']) ?? (others.length > 0 ? others.join('; ') : undefined);
  if (message !== undefined) return { kind: 'rejected', errors, message: truncate(message) };
  return {
    kind: 'rejected',
    errors,
    message: Object.keys(errors).length > 0 ? undefined : GENERIC_REFUSAL,
  };
}

/** A 409, with the backend's values when it gave usable ones (and who changed them, if valid). */
function conflictOf(body: unknown): Extract<BackendWriteAnswer, { kind: 'conflict' }> {
  const object = isRecord(body) ? body : {};
  const current = z.safeParse(Fields, object['current']);
  const changedBy = z.safeParse(UserProfile, object['changedBy']);
  return {
    kind: 'conflict',
    // An empty `current` says nothing about what changed: as good as none.
    current: current.success && Object.keys(current.data).length > 0 ? current.data : undefined,
    changedBy: changedBy.success ? changedBy.data : undefined,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A message for a person: a non-blank string, or a list of them (joined). */
function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
  if (Array.isArray(value)) {
    const parts = value.flatMap((part) => {
      const text = typeof part === 'string' ? textOf(part) : undefined;
      return text === undefined ? [] : [text];
    });
    return parts.length > 0 ? parts.join('; ') : undefined;
  }
  return undefined;
}

/** At most `MAX_REFUSAL_MESSAGE` characters, the last an ellipsis when cut. */
function truncate(text: string): string {
  if (text.length <= MAX_REFUSAL_MESSAGE) return text;
  let cut = text.slice(0, MAX_REFUSAL_MESSAGE - 1);
  // Never half of a surrogate pair (an emoji) before the ellipsis.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}
