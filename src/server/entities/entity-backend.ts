/**
 * The CRM's own backend, as write-through sees it (`CRM_ENTITY_BACKEND_URL`): one HTTP call per
 * client save, and one per entity the server has never seen. The exchanges (docs/protocol.md,
 * "Write-through to the CRM backend", has them in full):
 *
 * | call                                   | answers                                                |
 * |----------------------------------------|--------------------------------------------------------|
 * | `GET <url>/entities/<type>/<id>`       | 200 `{ fields }` · 404 (no such record)                |
 * | `POST <url>/entities/<type>/<id>`      | 200 `{ fields? }` accepted (`fields`: the values it    |
 * |   `{ fields, base, baseVersion,`       | stored, e.g. a normalized phone) · 422 `{ errors,      |
 * |   `mutationId, user }`                 | message? }` refused · 409 `{ current, changedBy? }`    |
 * |   header `Idempotency-Key: <mutationId>` | changed meanwhile · 403 forbidden · 404 not found    |
 *
 * Anything else — another status, a body that is not the documented JSON, no answer within the
 * timeout, a refused connection — is `unavailable`: the save may or may not have reached the
 * backend, so the client keeps it and sends it again later with the same mutation id, which the
 * backend recognizes by its `Idempotency-Key` and applies once.
 */
import * as z from 'zod/mini';
import { Fields, FieldErrors, UserProfile } from '../../protocol/index.js';

export interface EntityBackendOptions {
  /** Base URL, e.g. `https://crm.example.com/realtime-api` (no trailing slash needed). */
  url: string;
  /** Longest wait for one answer, headers and body. Default 5000 ms. */
  timeoutMs?: number | undefined;
  /** Sent as `Authorization: Bearer <key>`, so the backend knows the call is the server's. */
  key?: string | undefined;
  /** For tests; default the global `fetch`. */
  fetch?: typeof fetch;
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
  | { kind: 'conflict'; current: Fields; changedBy: UserProfile | undefined }
  | { kind: 'forbidden' }
  | { kind: 'not_found' }
  | { kind: 'unavailable'; reason: string };

export type BackendReadAnswer =
  | { kind: 'found'; fields: Fields }
  | { kind: 'not_found' }
  | { kind: 'unavailable'; reason: string };

const ReadBody = z.object({ fields: Fields });
const AcceptBody = z.object({ fields: z.optional(Fields) });
const RejectBody = z.object({
  errors: z.optional(FieldErrors),
  message: z.optional(z.string().check(z.maxLength(500))),
});
const ConflictBody = z.object({ current: Fields, changedBy: z.optional(UserProfile) });

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
    if (answer.status === 404) return { kind: 'not_found' };
    if (answer.status !== 200) return unexpected(answer.status);
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
    switch (answer.status) {
      case 200:
      case 201: {
        const parsed = z.safeParse(AcceptBody, answer.body ?? {});
        if (!parsed.success) return malformed('POST', parsed.error);
        return { kind: 'accepted', fields: parsed.data.fields ?? {} };
      }
      case 422: {
        const parsed = z.safeParse(RejectBody, answer.body);
        if (!parsed.success) return malformed('POST', parsed.error);
        const { errors = {}, message } = parsed.data;
        if (Object.keys(errors).length === 0 && !message) {
          return { kind: 'unavailable', reason: '422 without errors or message' };
        }
        return { kind: 'rejected', errors, message };
      }
      case 409: {
        const parsed = z.safeParse(ConflictBody, answer.body);
        if (!parsed.success) return malformed('POST', parsed.error);
        return { kind: 'conflict', current: parsed.data.current, changedBy: parsed.data.changedBy };
      }
      case 403:
        return { kind: 'forbidden' };
      case 404:
        return { kind: 'not_found' };
      default:
        return unexpected(answer.status);
    }
  }

  private async call(
    method: 'GET' | 'POST',
    type: string,
    id: string,
    body: unknown,
    idempotencyKey: string | undefined,
  ): Promise<
    { kind: 'answer'; status: number; body: unknown } | { kind: 'unavailable'; reason: string }
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
      if (text.trim() !== '') {
        try {
          parsed = JSON.parse(text);
        } catch {
          return { kind: 'unavailable', reason: `${method} answered ${response.status}, not JSON` };
        }
      }
      return { kind: 'answer', status: response.status, body: parsed };
    } catch (err) {
      const reason = signal.aborted
        ? `no answer within ${this.timeoutMs} ms`
        : `${method} failed: ${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)}`;
      return { kind: 'unavailable', reason };
    }
  }
}

function unexpected(status: number): { kind: 'unavailable'; reason: string } {
  return { kind: 'unavailable', reason: `unexpected status ${status}` };
}

function malformed(
  method: string,
  error: z.core.$ZodError,
): { kind: 'unavailable'; reason: string } {
  return {
    kind: 'unavailable',
    reason: `${method} answer not as documented: ${z.prettifyError(error)}`,
  };
}
