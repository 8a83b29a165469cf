import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { readiness } from '../helpers/metrics.js';
import { alice, startHarness, type Harness } from '../helpers/server-harness.js';

/** A raw GET that does not normalize the path (fetch would resolve `..`). */
function get(
  port: number,
  path: string,
): Promise<{ status: number; type: string; body: string; location?: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          type: String(res.headers['content-type'] ?? ''),
          body,
          ...(res.headers.location ? { location: res.headers.location } : {}),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('server http', () => {
  let dir: string;
  let h: Harness;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crm-static-'));
    await mkdir(join(dir, 'demo', 'pages'), { recursive: true });
    await mkdir(join(dir, 'dist', 'kit'), { recursive: true });
    await writeFile(join(dir, 'demo', 'index.html'), '<!doctype html><title>demo</title>');
    await writeFile(join(dir, 'demo', 'pages', 'index.html'), 'pages');
    await writeFile(join(dir, 'demo', '.env'), 'SECRET=1');
    await writeFile(join(dir, 'dist', 'kit', 'define.js'), 'export {};');
    await writeFile(join(dir, 'dist', 'index.html'), 'shadowed by demo');
    await writeFile(join(dir, 'outside.txt'), 'outside');
    await symlink(join(dir, 'outside.txt'), join(dir, 'demo', 'escape.txt'));
  });
  after(() => rm(dir, { recursive: true, force: true }));
  afterEach(() => h.close());

  test('/healthz reports ok; counts are for /metrics', async () => {
    h = await startHarness();
    await h.connect(alice);
    const res = await get(h.server.port, '/healthz');
    assert.equal(res.status, 200);
    assert.match(res.type, /application\/json/);
    const body = JSON.parse(res.body) as Record<string, unknown>;
    assert.deepEqual(body, { ok: true });
  });

  test('/metrics speaks Prometheus text with connections, frames and errors by code', async () => {
    h = await startHarness();
    const a = await h.connect(alice);
    await a.join('r:1');
    a.sendRaw('nope');
    await a.next((f) => f.type === 'error');
    const res = await get(h.server.port, '/metrics');
    assert.equal(res.status, 200);
    assert.match(res.type, /^text\/plain; version=0\.0\.4/);
    assert.match(res.body, /^# TYPE crm_connections gauge$/m);
    assert.match(res.body, /^crm_connections 1$/m);
    assert.match(res.body, /^crm_rooms 1$/m);
    assert.match(res.body, /^crm_errors_total\{code="bad_frame"\} 1$/m);
    assert.match(res.body, /^crm_frames_in_total 3$/m);
    assert.match(res.body, /^crm_broadcast_deliveries_total \d+$/m);
  });

  test('/metrics says whether the database is up and the process ready, as /healthz decides', async () => {
    h = await startHarness();
    const base = `127.0.0.1:${h.server.port}`;
    const res = await get(h.server.port, '/metrics');
    assert.match(res.body, /^# TYPE crm_ready gauge$/m);
    assert.match(res.body, /^# TYPE crm_dependency_up gauge$/m);
    // The redis series only when Redis is configured (the suite's Redis run configures it).
    const onRedis = process.env.CRM_TEST_REDIS === '1';
    assert.deepEqual(await readiness(base), {
      ready: 1,
      database: 1,
      redis: onRedis ? 1 : undefined,
    });
    assert.equal((await get(h.server.port, '/healthz')).status, 200);
  });

  test('/metrics counts entity writes by outcome, deletions, notifications and activity', async () => {
    h = await startHarness();
    const entities = h.server.entities;
    const base = { type: 'customer', id: '42', source: 'backend' as const };
    await entities.update({ ...base, fields: { name: 'Acme' }, create: true });
    await entities.update({ ...base, fields: { name: 'Acme' } }); // nothing changes
    const write = {
      ...base,
      fields: { name: 'Acme Ltd' },
      baseVersion: 1,
      source: 'client' as const,
    };
    await entities.update({ ...write, mutationId: 'mutation-1', by: alice });
    await entities.update({ ...write, mutationId: 'mutation-1', by: alice }); // replayed
    await entities.update({
      ...write,
      fields: { name: 'Other' },
      mutationId: 'mutation-2',
      by: alice,
    });
    await entities.update({ ...base, id: '404', fields: { name: 'x' } });
    await h.server.notifications.send({
      target: { user: 'bob' },
      type: 'info',
      priority: 'normal',
      title: 'Hi',
    });
    await h.server.activity.append({ kind: 'call.logged', summary: 'Called' });
    await entities.update({ ...base, id: '7', fields: { name: 'Gone' }, create: true });
    assert.equal(await entities.delete('customer', '7'), true);
    assert.equal(await entities.delete('customer', '7'), false); // already gone: not counted
    const res = await get(h.server.port, '/metrics');
    const metric = (line: string) => assert.match(res.body, new RegExp(`^${line}$`, 'm'), line);
    metric('# TYPE crm_entity_writes_total counter');
    metric('crm_entity_writes_total\\{outcome="applied"\\} 3');
    metric('crm_entity_writes_total\\{outcome="unchanged"\\} 1');
    metric('crm_entity_writes_total\\{outcome="duplicate"\\} 1');
    metric('crm_entity_writes_total\\{outcome="conflict"\\} 1');
    metric('crm_entity_writes_total\\{outcome="not_found"\\} 1');
    metric('crm_entities_deleted_total 1');
    metric('crm_notifications_sent_total 1');
    metric('crm_notification_recipients_total 1');
    // Each applied write appended an activity item too, beside the one appended directly.
    metric('crm_activity_appended_total 4');
  });

  test('allowed origins: a page from another origin may not open a WebSocket', async () => {
    h = await startHarness({ allowedOrigins: ['https://crm.example.com'] });
    const open = (origin?: string) =>
      new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(h.url, origin ? { origin } : {});
        ws.on('open', () => {
          ws.close();
          resolve(101);
        });
        ws.on('unexpected-response', (_req, res) => {
          resolve(res.statusCode ?? 0);
          ws.terminate();
        });
        ws.on('error', reject);
      });
    assert.equal(await open('https://evil.example'), 403);
    assert.equal(await open('https://crm.example.com.evil.example'), 403);
    assert.equal(await open('https://crm.example.com'), 101);
    assert.equal(
      await open('https://CRM.example.com:443'),
      101,
      'the same origin, spelled otherwise',
    );
    assert.equal(await open(), 101, 'no Origin: not a browser');
    // Without the list, any origin may connect (tokens authenticate, not cookies).
    await h.close();
    h = await startHarness();
    assert.equal(await open('https://evil.example'), 101);
  });

  test('static files: first root wins, content types, directory index', async () => {
    h = await startHarness({ staticDirs: [join(dir, 'demo'), join(dir, 'dist')] });
    const port = h.server.port;
    const index = await get(port, '/');
    assert.equal(index.status, 200);
    assert.equal(index.type, 'text/html; charset=utf-8');
    assert.match(index.body, /<title>demo<\/title>/);
    const kit = await get(port, '/kit/define.js');
    assert.equal(kit.status, 200);
    assert.equal(kit.type, 'text/javascript; charset=utf-8');
    const redirect = await get(port, '/pages');
    assert.deepEqual([redirect.status, redirect.location], [301, '/pages/']);
    assert.equal((await get(port, '/pages/')).body, 'pages');
    assert.equal((await get(port, '//evil.example')).status, 404);
    assert.equal((await get(port, '/missing.js')).status, 404);
  });

  test('static files: no path traversal, no dot-files, no symlinks out of the root', async () => {
    h = await startHarness({ staticDirs: [join(dir, 'demo')] });
    const port = h.server.port;
    for (const path of [
      '/../outside.txt',
      '/..%2foutside.txt',
      '/%2e%2e/outside.txt',
      '/pages/../../outside.txt',
      '/..\\outside.txt',
      '/.env',
      '/escape.txt',
      '/%00',
    ]) {
      const res = await get(port, path);
      assert.equal(res.status, 404, path);
      assert.doesNotMatch(res.body, /outside|SECRET/, path);
    }
  });
});
