/**
 * Security headers on every HTTP answer, and the Content-Security-Policy of served HTML pages.
 *
 * Non-HTML answers (JSON, metrics, scripts, styles, images) get a policy that allows nothing:
 * opened directly they cannot run or load anything. HTML pages get a strict policy: scripts only
 * from this origin plus the page's own inline `<script>` blocks, allowed by their SHA-256 hash,
 * which the server computes from the file it serves (so editing a page cannot silently break or
 * widen its policy); no `eval`, no plugins, no `<base>`, no framing by other sites. Style
 * attributes stay allowed: the kit's templates use a few, and styles cannot run code.
 */
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';

/** The policy of everything that is not an HTML page. */
export const NON_HTML_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/**
 * The policy of a served script. A page's `<script>` follows the page's policy and ignores this
 * one; it applies only where the script runs as a worker, whose policy is that of its own file.
 * The shared connection's `SharedWorker` opens the tabs' socket to this server, so a script may
 * connect to this origin (`'self'` covers ws:// and wss:// to it), and nothing else: a worker
 * under `default-src 'none'` has its socket refused and never connects.
 */
export const SCRIPT_CSP =
  "default-src 'none'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'";

/** Headers set on every answer before the route writes its own. */
export function setSecurityHeaders(res: ServerResponse): void {
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  // Old browsers without `frame-ancestors` understand this one.
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('content-security-policy', NON_HTML_CSP);
}

/** The text of each inline `<script>` (no `src`) of a page, as the browser hashes it. */
export function inlineScripts(html: string): string[] {
  const scripts: string[] = [];
  const pattern = /<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi;
  for (const match of html.matchAll(pattern)) {
    const attributes = match[1] ?? '';
    if (/\bsrc\s*=/i.test(attributes)) continue;
    scripts.push(match[2] ?? '');
  }
  return scripts;
}

/** The Content-Security-Policy of an HTML page with these inline scripts. */
export function htmlPolicy(html: string): string {
  const hashes = inlineScripts(html).map(
    (text) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`,
  );
  return [
    "default-src 'self'",
    ['script-src', "'self'", ...new Set(hashes)].join(' '),
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    // `'self'` covers ws:// and wss:// to this host in CSP Level 3 browsers.
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
