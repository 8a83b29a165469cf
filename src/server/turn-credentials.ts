/**
 * Short-lived TURN credentials, minted per user on each `call.config`, so a TURN server's password
 * is never handed out and a credential someone copied stops working on its own.
 *
 * The scheme is the one TURN servers share for this (coturn's `use-auth-secret` with
 * `static-auth-secret`, eturnal, Janus, …): the username is `<expiry, Unix seconds>:<user id>` and
 * the password is base64(HMAC-SHA1(secret, username)). The TURN server holds the same secret,
 * recomputes the password from the username and refuses it after the expiry, so nothing is stored
 * and the user id shows in its logs.
 */
import { createHmac } from 'node:crypto';
import type { IceServer } from '../protocol/index.js';

/** TURN servers that take time-limited credentials made from a shared secret. */
export interface TurnOptions {
  /** `turn:` / `turns:` URLs of the TURN server (one server, several transports or ports). */
  urls: readonly string[];
  /** The secret the TURN server holds (coturn: `static-auth-secret`). */
  secret: string;
  /**
   * How long a credential is valid. The TURN server checks it when a call's relay is allocated and
   * each time it is refreshed, so it outlasts the longest call. Default 24 hours.
   */
  ttlMs?: number | undefined;
}

export const DEFAULT_TURN_TTL_MS = 86_400_000;

/** The shortest secret accepted: anyone who guesses it can relay through the TURN server. */
export const MIN_TURN_SECRET_LENGTH = 16;

/**
 * Why `options` cannot make working credentials (`names` says what the caller calls each part),
 * or undefined. Checked at start, so a typo fails the start instead of every call's relay.
 */
export function turnOptionsProblem(
  options: TurnOptions,
  names = { urls: 'turn.urls', secret: 'turn.secret', ttlMs: 'turn.ttlMs' },
): string | undefined {
  if (!Array.isArray(options.urls) || options.urls.length === 0 || options.urls.length > 16) {
    return `${names.urls} must list 1 to 16 TURN URLs`;
  }
  const bad = options.urls.find(
    (url) => typeof url !== 'string' || !/^turns?:[^\s]{1,500}$/.test(url),
  );
  if (bad !== undefined) {
    return `${names.urls}: each URL must start with turn: or turns: (got ${JSON.stringify(bad)})`;
  }
  if (typeof options.secret !== 'string' || options.secret.length < MIN_TURN_SECRET_LENGTH) {
    return `${names.secret} must have at least ${MIN_TURN_SECRET_LENGTH} characters`;
  }
  const ttl = options.ttlMs;
  if (ttl !== undefined && (!Number.isInteger(ttl) || ttl < 60_000)) {
    return `${names.ttlMs} must be an integer of at least 60000 (one minute)`;
  }
  return undefined;
}

/** The TURN server entry for `userId` at `now` (epoch ms). */
export function turnServer(options: TurnOptions, userId: string, now: number): IceServer {
  const expires = Math.floor((now + (options.ttlMs ?? DEFAULT_TURN_TTL_MS)) / 1000);
  const username = `${expires}:${userId}`;
  const credential = createHmac('sha1', options.secret).update(username).digest('base64');
  return { urls: [...options.urls], username, credential };
}
