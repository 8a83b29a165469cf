/**
 * The plain HTTP side: `/healthz`, `/metrics`, the JSON API under `/api/` and static files.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpApi } from './http-api.js';
import type { Logger } from './log.js';
import { errorFields } from './log.js';
import { setSecurityHeaders } from './security-headers.js';
import type { StaticFiles } from './static-files.js';

export interface HttpRoutes {
  /** Up or down, nothing more: `/healthz` is public, so it names no counts, versions or users. */
  health(): { ok: boolean };
  metrics(): string;
  /**
   * The bearer key `/metrics` requires (`CRM_METRICS_KEY`); undefined: `/metrics` is open, for
   * a scraper on a private network.
   */
  metricsKey?: string | undefined;
  /**
   * Why the API cannot take writes right now (Redis down in a multi-process deployment);
   * undefined when it can. Writes then get 503 with `Retry-After`; reads still work.
   */
  unavailable?: () => string | undefined;
}

/** Compares in constant time, so the answer's timing does not reveal how much of a key matched. */
function sameKey(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function sendText(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(body);
}

export function createRequestHandler(
  routes: HttpRoutes,
  files: StaticFiles | undefined,
  log: Logger,
  api?: HttpApi,
): (req: IncomingMessage, res: ServerResponse) => void {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    setSecurityHeaders(res);
    // The raw request target, not `new URL()`: that would read `//host/x` as another host.
    const path = (req.url ?? '/').split(/[?#]/, 1)[0] ?? '/';
    if (!path.startsWith('/')) {
      sendText(res, 400, 'text/plain; charset=utf-8', 'bad request\n');
      return;
    }
    if (path === '/healthz') {
      const health = routes.health();
      sendText(res, health.ok ? 200 : 503, 'application/json', JSON.stringify(health));
      return;
    }
    if (path === '/metrics') {
      const key = routes.metricsKey;
      if (key !== undefined) {
        const header = req.headers.authorization ?? '';
        const given = /^Bearer (.+)$/i.exec(header)?.[1] ?? '';
        if (!sameKey(given, key)) {
          res.setHeader('www-authenticate', 'Bearer realm="metrics"');
          sendText(res, 401, 'text/plain; charset=utf-8', 'unauthorized\n');
          return;
        }
      }
      sendText(res, 200, 'text/plain; version=0.0.4; charset=utf-8', routes.metrics());
      return;
    }
    if (api?.owns(path)) {
      const down =
        req.method === 'GET' || req.method === 'HEAD' ? undefined : routes.unavailable?.();
      if (down !== undefined) {
        log.warn('api write refused: service unavailable', { path, reason: down });
        res.setHeader('retry-after', '5');
        sendText(
          res,
          503,
          'application/json',
          JSON.stringify({ error: 'unavailable', message: `${down}; retry later` }),
        );
        return;
      }
      await api.handle(req, res, path);
      return;
    }
    if (files && (await files.serve(req, res, path))) return;
    sendText(res, 404, 'text/plain; charset=utf-8', 'not found\n');
  };
  return (req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.error('http handler failed', { url: req.url, ...errorFields(err) });
      if (!res.headersSent) sendText(res, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else res.destroy();
    });
  };
}
