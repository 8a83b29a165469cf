/**
 * The nginx configuration of docs/deploy.md ("nginx in front"), as written there, in front of two
 * processes on one Redis and one PostgreSQL: only its addresses and ports become loopback ones
 * and its TLS lines are left out. Through it: the WebSocket (a room's event crosses from a client
 * on one process to a client on the other, with no sticky sessions), the API, `/healthz`,
 * `/metrics` and static files; each client keeps its own address for the failed-handshake
 * throttle (the server trusts only the address nginx connects from, and a client's own
 * `X-Forwarded-For` gets it nothing); and a process shut down as SIGTERM does loses no save, its
 * clients moving to the other process through nginx.
 *
 * Clients reach nginx from distinct loopback addresses (127.0.0.5, 127.0.0.6), nginx reaches the
 * processes from 127.0.0.1: Linux routes all of 127.0.0.0/8 to the loopback interface.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MemoryOutboxStore, RealtimeClient } from '../../../src/client/index.js';
import type { ServerFrame } from '../../../src/protocol/index.js';
import { createLogger } from '../../../src/server/log.js';
import { createServer, type RealtimeServer } from '../../../src/server/server.js';
import { freePort } from '../../services/free-port.js';
import { startNginx, type NginxInstance } from '../../services/nginx.js';
import { startPostgres, type PostgresInstance } from '../../services/postgres.js';
import { startRedis, type RedisInstance } from '../../services/redis.js';
import { realClientOptions } from '../helpers/real-client.js';
import { badHandshake, TestClient, until } from '../helpers/server-client.js';

const API_KEY = 'nginx-test-api-key-0123456789';
const SECRET = 'test-secret-of-sufficient-length-for-hs256';

/**
 * The ```nginx block of docs/deploy.md with its upstream servers and `listen` made loopback ones
 * and its `ssl_*` lines left out. Each replacement must match exactly once, so a change to the
 * documented block that this test does not follow fails here instead of testing something else.
 */
function documentedConfig(upstreamPorts: readonly [number, number], listenPort: number): string {
  const doc = readFileSync(new URL('../../../docs/deploy.md', import.meta.url), 'utf8');
  const blocks = [...doc.matchAll(/^```nginx\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
  assert.equal(blocks.length, 1, 'docs/deploy.md has one nginx configuration');
  let config = blocks[0]!;
  const replace = (from: string | RegExp, to: string): void => {
    const count = [...config.matchAll(new RegExp(from, 'gm'))].length;
    assert.equal(count, 1, `the documented configuration has ${String(from)} once`);
    config = config.replace(new RegExp(from, 'm'), to);
  };
  replace('server 10\\.0\\.0\\.11:8080;', `server 127.0.0.1:${upstreamPorts[0]};`);
  replace('server 10\\.0\\.0\\.12:8080;', `server 127.0.0.1:${upstreamPorts[1]};`);
  replace('listen 443 ssl;', `listen 127.0.0.1:${listenPort};`);
  replace('^\\s*ssl_certificate .*\\n', '');
  replace('^\\s*ssl_certificate_key .*\\n', '');
  const directives = config.replace(/#.*$/gm, '');
  assert.doesNotMatch(
    directives,
    /\bssl\b|10\.0\.0\./,
    'nothing of TLS or the example network left',
  );
  return config;
}

interface Process {
  server: RealtimeServer;
  port: number;
  logs: Record<string, unknown>[];
}

describe('behind nginx, configured as docs/deploy.md says', () => {
  let redis: RedisInstance;
  let postgres: PostgresInstance;
  let nginx: NginxInstance;
  let staticDir: string;
  let base: string;
  const processes: Process[] = [];

  const startProcess = async (databaseUrl: string): Promise<Process> => {
    const logs: Record<string, unknown>[] = [];
    const server = createServer({
      auth: { jwtSecret: SECRET, devIdentities: true },
      logger: createLogger({ write: (line) => void logs.push(JSON.parse(line)) }),
      redisUrl: redis.url,
      databaseUrl,
      apiKeys: [API_KEY],
      staticDirs: [staticDir],
      // The address nginx connects from, as the documentation says to trust; nothing else.
      trustProxy: '127.0.0.1',
      limits: { failedHandshakeBurst: 3, failedHandshakesPerMinute: 6 },
      shutdownReconnectMs: 200,
    });
    const { port } = await server.listen(0, '127.0.0.1');
    return { server, port, logs };
  };

  before(async () => {
    staticDir = mkdtempSync(join(tmpdir(), 'crm-nginx-static-'));
    writeFileSync(join(staticDir, 'page.html'), '<!doctype html><title>crm</title>\n');
    [redis, postgres] = await Promise.all([startRedis(), startPostgres()]);
    const databaseUrl = await postgres.createDatabase('behind_nginx');
    processes.push(await startProcess(databaseUrl));
    processes.push(await startProcess(databaseUrl));
    const listen = await freePort();
    nginx = await startNginx(documentedConfig([processes[0]!.port, processes[1]!.port], listen));
    base = `127.0.0.1:${listen}`;
  });

  after(async () => {
    await Promise.all(processes.map((p) => p.server.close()));
    await nginx?.dispose({ fast: true });
    await Promise.all([redis?.dispose(), postgres?.dispose()]);
    rmSync(staticDir, { recursive: true, force: true });
  });

  test('carries the API, /healthz, /metrics and static files', async () => {
    const health = await fetch(`http://${base}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { ok: true });
    const metrics = await fetch(`http://${base}/metrics`);
    assert.match(await metrics.text(), /^crm_ready 1$/m);
    const put = await fetch(`http://${base}/api/entities/customer/7`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ fields: { name: 'Ada' } }),
    });
    assert.equal(put.status, 201);
    const get = await fetch(`http://${base}/api/entities/customer/7`, {
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    const { entity } = (await get.json()) as { entity: { fields: Record<string, unknown> } };
    assert.equal(entity.fields['name'], 'Ada');
    const page = await fetch(`http://${base}/page.html`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<title>crm<\/title>/);
  });

  test('carries WebSockets to both processes, and a room event between them', async () => {
    // nginx takes turns between the processes; sockets are opened until one is on each.
    const clients: TestClient[] = [];
    try {
      const processOf = (clientId: string): number =>
        processes.findIndex((p) =>
          p.logs.some((line) => line['msg'] === 'connected' && line['client'] === clientId),
        );
      const byProcess = new Map<number, TestClient>();
      for (let i = 0; byProcess.size < 2; i++) {
        assert.ok(i < 10, 'nginx sends sockets to both processes');
        const clientId = `tab-${i}`;
        const client = await TestClient.connect(`ws://${base}/realtime`, {
          user: { id: `user-${i}`, name: `User ${i}` },
          clientId,
        });
        clients.push(client);
        // The welcome is sent right before its log line is written, in the same turn.
        const where = processOf(clientId);
        assert.notEqual(where, -1, 'the connection is logged by a process');
        byProcess.set(where, client);
      }
      const [first, second] = [byProcess.get(0)!, byProcess.get(1)!];
      await first.request({ type: 'join', id: 'j1', room: 'customer:7' });
      await second.request({ type: 'join', id: 'j2', room: 'customer:7' });
      await first.request({
        type: 'emit',
        id: 'e1',
        room: 'customer:7',
        event: 'note',
        payload: { n: 1 },
      });
      const event = await second.next(
        (f: ServerFrame) => f.type === 'event' && f.room === 'customer:7',
      );
      assert.deepEqual(event.type === 'event' && event.payload, { n: 1 });
    } finally {
      for (const client of clients) client.ws.terminate();
    }
  });

  test('each client keeps its own address; its own X-Forwarded-For gets it nothing', async () => {
    const url = `ws://${base}/realtime`;
    // A client presenting bad tokens, writing a new X-Forwarded-For each time to look like many.
    for (let i = 0; i < 3; i++) {
      const spoofed = { 'x-forwarded-for': `203.0.113.${i}` };
      assert.deepEqual(await badHandshake(url, spoofed, '127.0.0.5'), { closed: 1008 });
    }
    assert.deepEqual(
      await badHandshake(url, { 'x-forwarded-for': '203.0.113.99' }, '127.0.0.5'),
      { status: 429 },
      'its allowance is spent, whichever process it reaches and whatever it writes',
    );
    assert.deepEqual(
      await badHandshake(url, {}, '127.0.0.6'),
      { closed: 1008 },
      'another client behind the same nginx still has its own',
    );
    const addresses = new Set(
      processes
        .flatMap((p) => p.logs)
        .filter(
          (line) => line['msg'] === 'handshake refused' || line['msg'] === 'handshake throttled',
        )
        .map((line) => line['address']),
    );
    assert.deepEqual([...addresses].sort(), ['127.0.0.5', '127.0.0.6']);
  });

  test('a process shut down (SIGTERM) loses no save: its clients go on through the other', async () => {
    const url = `ws://${base}/realtime`;
    const clients = [0, 1, 2, 3].map(
      (i) =>
        new RealtimeClient(
          realClientOptions(url, {
            devUser: { id: `saver-${i}`, name: `Saver ${i}` },
            clientId: `saver-device-${i}`,
            outbox: new MemoryOutboxStore(),
            maxReconnectInterval: 500,
          }),
        ),
    );
    const lives = clients.map((client) =>
      client.liveData({ entityType: 'customer', entityId: '7' }),
    );
    try {
      await until(() => lives.every((live) => live.status === 'ready'), 10_000, 'ready');
      const outcomes: { state: string }[][] = clients.map(() => []);
      let stopping = false;
      const loops = lives.map(async (live, i) => {
        for (let n = 1; !stopping; n++) outcomes[i]!.push(await live.update({ [`f${i}`]: n }));
      });
      const confirmed = (i: number): number =>
        outcomes[i]!.filter((o) => o.state === 'confirmed').length;
      await until(() => clients.every((_, i) => confirmed(i) >= 3), 20_000, 'saves before');
      const stopped = processes.shift()!;
      await stopped.server.close();
      const atStop = clients.map((_, i) => confirmed(i));
      await until(
        () => clients.every((_, i) => confirmed(i) >= atStop[i]! + 3),
        20_000,
        'saves after the shutdown',
      );
      stopping = true;
      await Promise.all(loops);
      assert.deepEqual(
        outcomes.flat().filter((o) => o.state !== 'confirmed'),
        [],
        'every save is confirmed',
      );
      const stored = await fetch(`http://${base}/api/entities/customer/7`, {
        headers: { authorization: `Bearer ${API_KEY}` },
      });
      const { entity } = (await stored.json()) as { entity: { fields: Record<string, unknown> } };
      assert.deepEqual(
        clients.map((_, i) => entity.fields[`f${i}`]),
        clients.map((_, i) => outcomes[i]!.length),
        "each client's last save is stored",
      );
    } finally {
      for (const client of clients) client.close();
    }
  });
});
