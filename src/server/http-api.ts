/**
 * A small JSON API under `/api/` for backends: API-key authentication, routing with `:params`,
 * bounded JSON bodies, and JSON errors. Capabilities add their routes in one line each:
 *
 * ```ts
 * api.route('GET', '/api/entities/:type/:id', async ({ params }) => ({ status: 200, body: … }));
 * ```
 *
 * Every request needs `Authorization: Bearer <key>` with one of the configured keys
 * (`CRM_API_KEYS`), compared in constant time. With no key configured, the API answers 401 to
 * everything. Errors are `{ "error": "<code>", "message": "…", …details }` with the HTTP status:
 * 400 bad input (including JSON nested deeper than 64 levels or a `__proto__` key), 401 no or bad key, 404 unknown route or resource, 405 wrong method, 409 conflict,
 * 413 body over the limit (256 KiB), 415 a body that is not JSON, 500 a server failure.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import * as z from 'zod/mini';
import { jsonShapeProblem, LIMITS } from '../protocol/index.js';
import { errorFields, type Logger } from './log.js';
import { RedisUnavailableError } from './redis/redis-connection.js';
import type { InFlight } from './in-flight.js';

export type ApiMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ApiRequest {
  method: ApiMethod;
  /** The path without the query string. */
  path: string;
  /** Values of the route's `:name` segments, URI-decoded. */
  params: Record<string, string>;
  query: URLSearchParams;
  /** The parsed JSON body; undefined when the request had none. */
  body: unknown;
  headers: IncomingHttpHeaders;
}

export interface ApiResponse {
  status: number;
  /** Serialized as JSON; omitted for 204. */
  body?: unknown;
  headers?: Record<string, string>;
}

export type ApiHandler = (request: ApiRequest) => ApiResponse | Promise<ApiResponse>;

/** Thrown by handlers (or `validate`) to answer with a JSON error. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** Parses `value` with a schema or throws a 400 `bad_request` naming what was wrong. */
export function validate<T>(schema: z.ZodMiniType<T>, value: unknown, what: string): T {
  const result = z.safeParse(schema, value);
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, 5).map(describeIssue);
  throw new ApiError(400, 'bad_request', `invalid ${what}: ${issues.join('; ')}`, { issues });
}

type Issue = z.core.$ZodIssue;

/** One readable line per issue (zod/mini carries no English messages of its own). */
function describeIssue(issue: Issue): string {
  const at = issue.path.length > 0 ? issue.path.map(String).join('.') : '(value)';
  switch (issue.code) {
    case 'invalid_type':
      return `${at}: expected ${issue.expected}`;
    case 'unrecognized_keys':
      return `${at}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
    case 'too_small':
      return `${at}: must be at least ${String(issue.minimum)}`;
    case 'too_big':
      return `${at}: must be at most ${String(issue.maximum)}`;
    case 'invalid_format':
      return `${at}: does not match ${issue.pattern ?? issue.format}`;
    case 'invalid_key':
      return `${at}: invalid name (${issue.issues.map(describeIssue).join(', ')})`;
    case 'invalid_value':
      return `${at}: must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'not_multiple_of':
      return `${at}: must be a multiple of ${String(issue.divisor)}`;
    default:
      return `${at}: invalid`;
  }
}

export interface HttpApiOptions {
  /** Accepted API keys. Empty: every request is refused with 401. */
  keys: readonly string[];
  log: Logger;
  /** Largest request body. Default 256 KiB. */
  maxBodyBytes?: number;
  /** Requests under way, awaited by shutdown before the storage closes. */
  inFlight?: InFlight;
  /**
   * Why requests cannot be served right now (the database is unreachable); undefined when they
   * can. A request that fails meanwhile is answered 503 with `Retry-After`, not 500: the backend
   * retries later instead of reporting a bug.
   */
  unavailable?: () => string | undefined;
}

interface Route {
  method: ApiMethod;
  /** Literal segments, or `:name` for a parameter. */
  segments: string[];
  handler: ApiHandler;
  /** A request without a body is let through (its `body` undefined) instead of refused. */
  bodyOptional: boolean;
}

export interface RouteOptions {
  /** A POST, PUT or PATCH may come without a body (a command whose settings all have defaults). */
  bodyOptional?: boolean;
}

const PREFIX = '/api';
const METHODS_WITH_BODY = new Set<ApiMethod>(['POST', 'PUT', 'PATCH']);

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(text);
}

export class HttpApi {
  readonly maxBodyBytes: number;
  private readonly keyDigests: Buffer[];
  private readonly routes: Route[] = [];

  constructor(private readonly options: HttpApiOptions) {
    this.maxBodyBytes = options.maxBodyBytes ?? 256 * 1024;
    // Digests have one length whatever the key's, so the comparison leaks nothing about it.
    this.keyDigests = options.keys.filter((k) => k.length > 0).map(digest);
  }

  /** Whether any key is configured (without one, every request gets 401). */
  get enabled(): boolean {
    return this.keyDigests.length > 0;
  }

  /** Adds a route; `pattern` starts with `/api/` and may hold `:name` segments. */
  route(method: ApiMethod, pattern: string, handler: ApiHandler, options: RouteOptions = {}): this {
    if (!pattern.startsWith(`${PREFIX}/`)) throw new Error(`API routes live under ${PREFIX}/`);
    const segments = pattern.split('/').slice(1);
    this.routes.push({ method, segments, handler, bodyOptional: options.bodyOptional === true });
    return this;
  }

  /** Whether a request path belongs to the API. */
  owns(path: string): boolean {
    return path === PREFIX || path.startsWith(`${PREFIX}/`);
  }

  /** Answers a request whose path the API owns. Never throws. */
  handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const work = this.answer(req, res, path);
    return this.options.inFlight ? this.options.inFlight.track(work) : work;
  }

  private async answer(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    try {
      await this.dispatch(req, res, path);
    } catch (err) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof ApiError) {
        sendJson(res, err.status, { error: err.code, message: err.message, ...err.details });
        return;
      }
      if (!req.complete && (err as NodeJS.ErrnoException).code === 'ECONNRESET') {
        // The client went away before its body arrived: nothing failed here, nothing to answer.
        this.options.log.debug('api request aborted', { method: req.method, path });
        res.destroy();
        return;
      }
      // Redis refusing a write this request needed (a change's mark before its commit, at
      // maxmemory) is as passing as Redis being away: nothing was done, retry later.
      const down =
        this.options.unavailable?.() ??
        (err instanceof RedisUnavailableError ? 'the realtime service is unavailable' : undefined);
      if (down !== undefined) {
        this.options.log.warn('api request failed: service unavailable', {
          method: req.method,
          path,
          reason: down,
        });
        res.setHeader('retry-after', '5');
        sendJson(res, 503, { error: 'unavailable', message: `${down}; retry later` });
        return;
      }
      this.options.log.error('api handler failed', {
        method: req.method,
        path,
        ...errorFields(err),
      });
      sendJson(res, 500, { error: 'internal', message: 'the server failed; retry later' });
    }
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (!this.authorized(req.headers.authorization)) {
      // Drop whatever body was sent without reading it.
      res.setHeader('connection', 'close');
      sendJson(
        res,
        401,
        {
          error: 'unauthorized',
          message: this.enabled
            ? 'send Authorization: Bearer <API key>'
            : 'the HTTP API is disabled: no API key is configured (CRM_API_KEYS)',
        },
        { 'www-authenticate': 'Bearer realm="crm-realtime"' },
      );
      return;
    }
    const segments = path.split('/').slice(1);
    const matching = this.routes
      .map((route) => ({ route, params: match(route.segments, segments) }))
      .filter((m): m is { route: Route; params: Record<string, string> } => m.params !== null);
    if (matching.length === 0) throw new ApiError(404, 'not_found', `no API route ${path}`);
    const found = matching.find((m) => m.route.method === req.method);
    if (!found) {
      const allow = [...new Set(matching.map((m) => m.route.method))].join(', ');
      throw new ApiError(405, 'method_not_allowed', `${req.method} is not allowed here`, {
        allow,
      });
    }
    const method = found.route.method;
    const body = METHODS_WITH_BODY.has(method)
      ? await this.readBody(req, res, found.route.bodyOptional)
      : undefined;
    const query = new URLSearchParams((req.url ?? '').split('?')[1]?.split('#')[0] ?? '');
    const answer = await found.route.handler({
      method,
      path,
      params: found.params,
      query,
      body,
      headers: req.headers,
    });
    sendJson(res, answer.status, answer.status === 204 ? undefined : answer.body, answer.headers);
  }

  /** Constant time in the key: every configured key is compared, whatever matched before. */
  private authorized(header: string | undefined): boolean {
    if (!this.enabled || header === undefined) return false;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) return false;
    const presented = digest(match[1]!);
    let ok = false;
    for (const key of this.keyDigests) ok = timingSafeEqual(key, presented) || ok;
    return ok;
  }

  private async readBody(
    req: IncomingMessage,
    res: ServerResponse,
    optional = false,
  ): Promise<unknown> {
    const limit = this.maxBodyBytes;
    const tooLarge = (): ApiError => {
      // The rest of the body is not read: close the connection after the answer.
      res.setHeader('connection', 'close');
      return new ApiError(413, 'payload_too_large', `the body exceeds ${limit} bytes`, { limit });
    };
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > limit) throw tooLarge();
    const type = req.headers['content-type'];
    if (type !== undefined && !/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(type)) {
      res.setHeader('connection', 'close');
      throw new ApiError(415, 'unsupported_media_type', 'send the body as application/json');
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.byteLength;
      if (size > limit) throw tooLarge();
      chunks.push(chunk);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    if (text.trim() === '') {
      if (optional) return undefined;
      throw new ApiError(400, 'bad_request', 'a JSON body is required');
    }
    let body: unknown;
    try {
      body = JSON.parse(text) as unknown;
    } catch {
      throw new ApiError(400, 'bad_json', 'the body is not valid JSON');
    }
    // Before any validation: schemas recurse, and SQLite's JSON refuses depth over 1,000 later.
    const problem = jsonShapeProblem(body, LIMITS.maxJsonDepth);
    if (problem !== undefined) throw new ApiError(400, 'bad_request', `invalid body: ${problem}`);
    return body;
  }
}

/** Route parameters when `path` matches the pattern's segments, else null. */
function match(pattern: readonly string[], path: readonly string[]): Record<string, string> | null {
  if (pattern.length !== path.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const want = pattern[i]!;
    const got = path[i]!;
    if (want.startsWith(':')) {
      if (got === '') return null;
      let value: string;
      try {
        value = decodeURIComponent(got);
      } catch {
        throw new ApiError(400, 'bad_request', 'the path is not valid URI encoding');
      }
      params[want.slice(1)] = value;
    } else if (want !== got) {
      return null;
    }
  }
  return params;
}
