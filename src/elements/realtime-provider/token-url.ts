/**
 * The provider's declarative token source (`token-url`): a GET of the page's own token endpoint
 * on every (re)connect, so a legacy page needs no script to sign in.
 *
 * - Credentials `same-origin` (fetch's default, stated): the page's session cookie goes to its own
 *   backend, never to another origin an attribute happens to name. A token endpoint on another
 *   origin needs `.getToken` with the page's own `fetch(…, { credentials: 'include' })`.
 * - `cache: 'no-store'`: every connect gets a fresh token, not one an HTTP cache kept.
 * - The body is the token as text, or JSON `{ "token": "…" }` when the response says it is JSON.
 * - 401 and 403 mean the user has no session: retrying cannot help, so it is a refusal
 *   (`invalid_token`) the client stops on, shown as "Sign-in refused" with Retry now. Any other
 *   failure (network, 5xx, an empty body) may pass: the client retries with its backoff, and the
 *   status' `lastError` says what happened. An answer that is not a token (a 404 for a mistyped
 *   path, a 500, an empty body) also warns once in the console: no element shows `lastError`, so
 *   a page author would otherwise see only "Reconnecting" for a mistake retrying cannot mend.
 */
import { RealtimeError } from '../../client/realtime-error.js';
import { warnOnceFor } from '../../util/warn.js';

const warnOnce = warnOnceFor();

type Fetch = typeof globalThis.fetch;

/**
 * `url` as an error message (shown in the connection status) names it: the path alone on the
 * page's own origin, as the page author wrote it, and never the query, which may carry a secret.
 */
function shownUrl(url: string): string {
  try {
    const parsed = new URL(url, globalThis.location?.href);
    const origin = parsed.origin === globalThis.location?.origin ? '' : parsed.origin;
    return origin + parsed.pathname;
  } catch {
    return url;
  }
}

/** Fetch a token from `url`; rejects with an error whose message names the URL and the cause. */
export async function fetchToken(
  rawUrl: string,
  fetchImpl: Fetch = globalThis.fetch,
): Promise<string> {
  const url = shownUrl(rawUrl);
  let response: Response;
  try {
    response = await fetchImpl(rawUrl, {
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { accept: 'application/json, text/plain' },
    });
  } catch (error) {
    throw new Error(`token-url ${url} could not be fetched (${describe(error)})`);
  }
  if (!response.ok) {
    const answer = `token-url ${url} answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
    if (response.status === 401 || response.status === 403) {
      throw new RealtimeError('invalid_token', `${answer}: sign in again`);
    }
    throw noToken(answer);
  }
  const body = await response.text();
  const type = response.headers.get('content-type') ?? '';
  const token = /[/+]json\b/i.test(type) ? tokenOfJson(body) : body.trim();
  if (!token) throw noToken(`token-url ${url} answered without a token`);
  return token;
}

/** An answer that is no token, said once in the console too (no element shows `lastError`). */
function noToken(answer: string): Error {
  warnOnce(answer, `${answer}; retrying`);
  return new Error(answer);
}

function tokenOfJson(body: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && 'token' in parsed) {
      const { token } = parsed as { token: unknown };
      if (typeof token === 'string') return token.trim();
    }
  } catch {
    // Not JSON after all: reported below as "without a token".
  }
  return undefined;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
