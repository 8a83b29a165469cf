/**
 * The HTTP side under hostile or careless clients: connections that never finish a request are
 * closed, every answer carries the security headers, `/metrics` can be locked with a key and
 * `/healthz` says no more than whether the server is up.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { createLogger } from '../../../src/server/log.js';
import { SqliteStorage } from '../../../src/server/sqlite-storage.js';
import { until } from '../helpers/server-client.js';
import { alice, startHarness, type Harness } from '../helpers/server-harness.js';

function get(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

describe('server http hardening', () => {
  let dir: string;
  let h: Harness | undefined;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crm-hardening-'));
    await mkdir(join(dir, 'site'), { recursive: true });
    await writeFile(
      join(dir, 'site', 'index.html'),
      '<!doctype html><title>t</title><script type="module">console.log(1);</script>',
    );
    await writeFile(join(dir, 'site', 'app.js'), 'export {};');
  });
  after(() => rm(dir, { recursive: true, force: true }));
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  test(
    'idle and half-sent HTTP connections are closed once the headers timeout passes',
    { timeout: 20_000 },
    async () => {
      h = await startHarness({ http: { headersTimeoutMs: 300, requestTimeoutMs: 600 } });
      const port = h.server.port;
      const sockets: Socket[] = [];
      for (let i = 0; i < 20; i++) {
        const socket = await openSocket(port);
        // Half the sockets send half a request, the others nothing at all.
        if (i % 2 === 0) socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ');
        sockets.push(socket);
      }
      const closed = sockets.map(
        (socket) =>
          new Promise<void>((resolve) => {
            socket.on('error', () => undefined);
            socket.once('close', () => resolve());
          }),
      );
      // Every one is closed by the server: the test's timeout, not a sleep, bounds the wait.
      await Promise.all(closed);
      // A complete request on a fresh connection is still served.
      assert.equal((await get(port, '/healthz')).status, 200);
    },
  );

  test('an API request failing while the database is unreachable gets 503 and Retry-After, not 500', async () => {
    const storage = new SqliteStorage(':memory:');
    h = await startHarness({ apiKeys: ['hardening-key'], storage });
    const get = () =>
      fetch(`http://127.0.0.1:${h!.server.port}/api/entities/customer/1`, {
        headers: { authorization: 'Bearer hardening-key' },
      });
    assert.equal((await get()).status, 404, 'up: an honest answer');
    // The database goes away: its reads fail and its health says so.
    storage.healthy = () => false;
    storage.getEntity = () => Promise.reject(new Error('connect ECONNREFUSED'));
    const down = await get();
    assert.equal(down.status, 503);
    assert.equal(down.headers.get('retry-after'), '5');
    assert.match(((await down.json()) as { message: string }).message, /database is unavailable/);
    assert.equal(h.server.metrics.handlerFailures, 0);
  });

  test('a client that goes away before its API body arrives is no server failure', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', write: (line) => void lines.push(line) });
    h = await startHarness({ apiKeys: ['hardening-key'], logger });
    let received = false;
    h.server.httpServer.once('request', () => (received = true));
    const socket = await openSocket(h.server.port);
    socket.on('error', () => undefined);
    socket.write(
      'POST /api/activity HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer hardening-key\r\n' +
        'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"kind":',
    );
    // Gone once the server is reading the body.
    await until(() => received, 5_000, 'the request to arrive');
    socket.destroy();
    await until(() => lines.some((l) => l.includes('api request aborted')), 5_000, 'the log line');
    assert.ok(!lines.some((l) => l.includes('api handler failed')), lines.join('\n'));
    assert.equal(h.server.metrics.handlerFailures, 0);
  });

  test('every answer carries nosniff, a referrer policy and a CSP forbidding framing', async () => {
    h = await startHarness({ staticDirs: [join(dir, 'site')], apiKeys: ['k'.repeat(16)] });
    for (const path of ['/healthz', '/metrics', '/missing', '/app.js', '/api/entities/x/y', '/']) {
      const res = await get(h.server.port, path);
      assert.equal(res.headers['x-content-type-options'], 'nosniff', path);
      assert.equal(res.headers['referrer-policy'], 'no-referrer', path);
      const csp = String(res.headers['content-security-policy'] ?? '');
      assert.match(csp, /frame-ancestors 'none'/, path);
      assert.match(csp, /object-src 'none'|default-src 'none'/, path);
      assert.equal(res.headers['x-frame-options'], 'DENY', path);
    }
  });

  test("an HTML page's CSP allows its own scripts and inline modules by hash, nothing else", async () => {
    h = await startHarness({ staticDirs: [join(dir, 'site')] });
    const res = await get(h.server.port, '/');
    const csp = String(res.headers['content-security-policy']);
    const { createHash } = await import('node:crypto');
    const hash = createHash('sha256').update('console.log(1);').digest('base64');
    assert.match(csp, new RegExp(`script-src 'self' 'sha256-${hash.replace(/[+/]/g, '\\$&')}'`));
    assert.doesNotMatch(csp, /'unsafe-eval'/);
    assert.doesNotMatch(/script-src[^;]*/.exec(csp)?.[0] ?? '', /'unsafe-inline'/);
  });

  test('/metrics needs the bearer key when one is set', async () => {
    h = await startHarness({ metricsKey: 'metrics-key-of-some-length' });
    assert.equal((await get(h.server.port, '/metrics')).status, 401);
    const wrong = await get(h.server.port, '/metrics', { authorization: 'Bearer nope' });
    assert.equal(wrong.status, 401);
    const ok = await get(h.server.port, '/metrics', {
      authorization: 'Bearer metrics-key-of-some-length',
    });
    assert.equal(ok.status, 200);
    assert.match(ok.body, /crm_connections/);
  });

  test("/metrics labels a close code a client picks as other, not a series of the client's choosing", async () => {
    h = await startHarness();
    // Sockets that never say hello: no token needed to reach the counter.
    for (const code of [3000, 4001, 4999]) {
      const socket = await h.open();
      socket.ws.close(code);
      await socket.closed;
    }
    const counted = () =>
      [...h!.server.metrics.connectionsClosed.values()].reduce((a, b) => a + b, 0);
    await until(() => counted() === 3, undefined, 'the server saw the three sockets close');
    const body = (await get(h.server.port, '/metrics')).body;
    const series = body
      .split('\n')
      .filter((line) => line.startsWith('crm_connections_closed_total{'));
    assert.deepEqual(series, ['crm_connections_closed_total{code="other"} 3']);
  });

  test('/healthz answers up or down and nothing else', async () => {
    h = await startHarness();
    await h.connect(alice);
    const res = await get(h.server.port, '/healthz');
    assert.deepEqual(JSON.parse(res.body), { ok: true });
  });
});
