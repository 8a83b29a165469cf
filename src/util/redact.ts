/**
 * Secrets out of anything that is logged: the debug logs of the browser client and of the server
 * both show whole frames, and a `hello` carries the user's token (a TURN server's `credential`
 * travels too). One rule for both ends, so neither can drift into leaking what the other hides.
 */

/** Field names whose values are never shown: `token`, `accessToken`, `credential`, `password`… */
const SECRET_KEY = /token|credential|password|secret/i;

/** What a secret field's value is replaced with. */
export const REDACTED = '[redacted]';

/** A copy of `value` (parsed JSON) with the value of every secret field replaced, at any depth. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) ? REDACTED : redactSecrets(field);
  }
  return out;
}
