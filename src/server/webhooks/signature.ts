/**
 * Webhook signatures: `X-CRM-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`.
 * The timestamp is signed with the body, so a captured delivery cannot be replayed later than the
 * receiver's tolerance; each attempt is signed anew with its own time. The receiver's side, for
 * backends, is the snippet in docs/webhooks.md (a test runs that very snippet).
 */
import { createHmac } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-crm-signature';

/** The `X-CRM-Signature` value for `body` sent at `nowMs`. */
export function signatureHeader(secret: string, body: string, nowMs: number): string {
  const t = Math.floor(nowMs / 1000);
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return `t=${t},v1=${v1}`;
}
