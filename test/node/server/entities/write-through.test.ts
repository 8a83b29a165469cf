/**
 * Write-through to the CRM's backend, against a real backend on node:http (test/services/
 * crm-backend.ts): a save is acknowledged only after the backend accepted it, with what the
 * backend stored (a normalized phone) and nothing before; a refusal comes back as field errors
 * and reaches nobody else; a backend conflict opens the usual conflict; a slow or failing backend
 * applies nothing on the server and a retry with the same mutation id is applied once; an entity
 * the server never saw is read from the backend and cached.
 */
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { FrameOf, ServerFrame } from '../../../../src/protocol/index.js';
import { createServer, type RealtimeServer } from '../../../../src/server/server.js';
import { ConfigError, loadConfig } from '../../../../src/server/config.js';
import { SqliteStorage } from '../../../../src/server/sqlite-storage.js';
import { MemoryOutboxStore, RealtimeClient } from '../../../../src/client/index.js';
import { startCrmBackend, type CrmBackend } from '../../../services/crm-backend.js';
import { nextId, TestClient, until } from '../../helpers/server-client.js';
import { writeGate } from '../../helpers/write-gate.js';
import { realClientOptions } from '../../helpers/real-client.js';
import { ManualClock } from '../../../../src/testing/index.js';
import type { Logger, LogFields } from '../../../../src/server/log.js';

const ada = { id: 'ada', name: 'Ada' };
const bob = { id: 'bob', name: 'Bob' };
const BACKEND_KEY = 'backend-key-0123456789';

describe('write-through to the CRM backend', () => {
  let crm: CrmBackend;
  let server: RealtimeServer;
  let url: string;
  const sockets: TestClient[] = [];
  let n = 0;
  let id: string;

  before(async () => {
    crm = await startCrmBackend();
    server = createServer({
      auth: { devIdentities: true },
      quiet: true,
      entityBackend: { url: crm.url, timeoutMs: 400, key: BACKEND_KEY },
    });
    const { port } = await server.listen(0, '127.0.0.1');
    url = `ws://127.0.0.1:${port}/`;
  });

  after(async () => {
    for (const s of sockets) s.close();
    await server.close();
    await crm.close();
  });

  beforeEach(() => {
    crm.mode = 'ok';
    id = `c${++n}`;
    crm.records.set(`customer:${id}`, {
      name: 'Acme',
      phone: '+1 555-010-0100',
      email: 'a@acme.test',
    });
  });

  async function connect(user: typeof ada): Promise<TestClient> {
    const socket = await TestClient.connect(url, { user, clientId: `${user.id}-${nextId('d')}` });
    sockets.push(socket);
    return socket;
  }

  async function snapshot(socket: TestClient) {
    const reply = await socket.request({
      type: 'entity.get',
      id: nextId('get'),
      entityType: 'customer',
      entityId: id,
    });
    assert.equal(reply.type, 'entity.snapshot', JSON.stringify(reply));
    return (reply as FrameOf<ServerFrame, 'entity.snapshot'>).entity;
  }

  function update(
    socket: TestClient,
    fields: Record<string, string>,
    baseVersion = 1,
    mutationId = nextId('mutation-'),
  ) {
    return socket.request({
      type: 'entity.update',
      id: nextId('upd'),
      mutationId,
      entityType: 'customer',
      entityId: id,
      baseVersion,
      fields,
    });
  }

  it('reads an entity it never saw from the backend once, then from its cache', async () => {
    const a = await connect(ada);
    const gets = () =>
      crm.calls.filter((c) => c.method === 'GET' && c.path === `/entities/customer/${id}`);
    const entity = await snapshot(a);
    assert.deepEqual(entity.fields, crm.records.get(`customer:${id}`));
    assert.equal(entity.version, 1);
    await snapshot(a);
    assert.equal(gets().length, 1, 'the second read comes from the cache');
    assert.equal(gets()[0]!.authorization, `Bearer ${BACKEND_KEY}`);
    assert.ok(await server.entities.get('customer', id), 'cached in storage');
  });

  it('answers not_found for a record the backend does not have', async () => {
    const a = await connect(ada);
    crm.records.delete(`customer:${id}`);
    const reply = await a.request({
      type: 'entity.get',
      id: nextId('get'),
      entityType: 'customer',
      entityId: id,
    });
    assert.equal(reply.type === 'error' && reply.code, 'not_found');
  });

  it('stores and broadcasts what the backend accepted (a normalized phone), only then acks', async () => {
    const a = await connect(ada);
    const b = await connect(bob);
    await snapshot(a);
    await b.join(`customer:${id}`);
    const mutationId = nextId('mutation-');
    const reply = await update(a, { phone: '(555) 010 0123' }, 1, mutationId);
    assert.equal(reply.type, 'entity.ack', JSON.stringify(reply));
    const ack = reply as FrameOf<ServerFrame, 'entity.ack'>;
    assert.equal(ack.entity.fields['phone'], '+1 555-010-0123');
    assert.equal(ack.entity.version, 2);

    const post = crm.calls.find((c) => c.method === 'POST' && c.idempotencyKey === mutationId);
    assert.ok(post, 'the backend got the mutation id as Idempotency-Key');
    assert.deepEqual(post.body, {
      fields: { phone: '(555) 010 0123' },
      base: { phone: '+1 555-010-0100' },
      baseVersion: 1,
      mutationId,
      user: ada,
    });
    const event = await b.next((f) => f.type === 'event' && f.event === 'entity.change');
    assert.equal(
      (event as FrameOf<ServerFrame, 'event'>).payload &&
        JSON.stringify(event).includes('+1 555-010-0123'),
      true,
      'the other member sees the backend’s value',
    );
    assert.ok(!JSON.stringify(b.frames).includes('(555) 010 0123'), 'never the value as typed');
  });

  it('answers entity.rejected with the backend’s field errors; nothing stored or broadcast', async () => {
    const a = await connect(ada);
    const b = await connect(bob);
    await snapshot(a);
    await b.join(`customer:${id}`);
    const reply = await update(a, { phone: '12', name: 'Acme Ltd' });
    assert.equal(reply.type, 'entity.rejected', JSON.stringify(reply));
    assert.deepEqual((reply as FrameOf<ServerFrame, 'entity.rejected'>).errors, {
      phone: 'Enter a phone number with at least 7 digits',
    });
    await b.sync();
    assert.equal(b.ofType('event').length, 0, 'no entity.change reached the other member');
    const stored = await server.entities.get('customer', id);
    assert.equal(stored?.version, 1);
    assert.equal(stored?.fields['name'], 'Acme', 'no field of a refused save is stored');
  });

  it('turns a backend conflict into the usual entity.conflict, with the backend’s value', async () => {
    const a = await connect(ada);
    const b = await connect(bob);
    await snapshot(a);
    await b.join(`customer:${id}`);
    // Someone changed the phone in the CRM itself; the server has not heard of it.
    crm.records.set(`customer:${id}`, {
      ...crm.records.get(`customer:${id}`),
      phone: '+1 555-999-0000',
    });
    const reply = await update(a, { phone: '5550100123' });
    assert.equal(reply.type, 'entity.conflict', JSON.stringify(reply));
    const conflict = reply as FrameOf<ServerFrame, 'entity.conflict'>;
    assert.deepEqual(
      conflict.conflicts.map((c) => [c.field, c.base, c.mine, c.theirs, c.changedBy?.name]),
      [['phone', '+1 555-010-0100', '5550100123', '+1 555-999-0000', 'CRM desk']],
    );
    assert.equal(conflict.current.fields['phone'], '+1 555-999-0000');
    const event = await b.next((f) => f.type === 'event' && f.event === 'entity.change');
    assert.ok(
      JSON.stringify(event).includes('+1 555-999-0000'),
      'everyone sees the backend’s truth',
    );

    // Resolving (a new change on the current version) goes through.
    const resolved = await update(a, { phone: '5550100123' }, conflict.current.version);
    assert.equal(resolved.type, 'entity.ack', JSON.stringify(resolved));
  });

  it('a failing backend: backend_unavailable, nothing applied; the retry applies once', async () => {
    const a = await connect(ada);
    await snapshot(a);
    crm.mode = 'down';
    const mutationId = nextId('mutation-');
    const failed = await update(a, { phone: '5550100177' }, 1, mutationId);
    assert.equal(
      failed.type === 'error' && failed.code,
      'backend_unavailable',
      JSON.stringify(failed),
    );
    assert.equal((await server.entities.get('customer', id))?.version, 1);
    crm.mode = 'ok';
    const retried = await update(a, { phone: '5550100177' }, 1, mutationId);
    assert.equal(retried.type, 'entity.ack', JSON.stringify(retried));
    assert.equal(crm.applied.get(mutationId), 1);
  });

  it('a slow backend: bounded wait, nothing half-applied, the retry carries the same key', async () => {
    const a = await connect(ada);
    const b = await connect(bob);
    await snapshot(a);
    await b.join(`customer:${id}`);
    crm.mode = 'slow';
    const mutationId = nextId('mutation-');
    const timedOut = await update(a, { phone: '5550100188' }, 1, mutationId);
    assert.equal(timedOut.type === 'error' && timedOut.code, 'backend_unavailable');
    assert.match((timedOut as FrameOf<ServerFrame, 'error'>).message, /did not answer/);
    assert.equal((await server.entities.get('customer', id))?.version, 1, 'not stored');
    await b.sync();
    assert.equal(b.ofType('event').length, 0, 'not broadcast');

    // The backend did apply it, late. The client's retry (same id) gets its answer, applied once.
    crm.mode = 'ok';
    crm.release();
    const retried = await update(a, { phone: '5550100188' }, 1, mutationId);
    assert.equal(retried.type, 'entity.ack', JSON.stringify(retried));
    const keys = crm.calls
      .filter((c) => c.idempotencyKey === mutationId)
      .map((c) => c.idempotencyKey);
    assert.deepEqual(keys, [mutationId, mutationId]);
    assert.equal(crm.applied.get(mutationId), 1, 'the backend applied it once');
    assert.equal((await server.entities.get('customer', id))?.fields['phone'], '+1 555-010-0188');

    // And a replay after the ack is answered from the store, without asking the backend again.
    const posts = crm.calls.length;
    const replay = await update(a, { phone: '5550100188' }, 1, mutationId);
    assert.equal(replay.type === 'entity.ack' && replay.duplicate, true, JSON.stringify(replay));
    assert.equal(crm.calls.length, posts);
  });

  describe('the live-data client', () => {
    const clients: RealtimeClient[] = [];
    after(() => clients.forEach((c) => c.close()));

    /** The client's timers run on `clock`: the outbox's "retry later" fires when a test says. */
    function client(
      user: typeof ada,
      store: MemoryOutboxStore,
      clock = new ManualClock(),
    ): RealtimeClient {
      const c = new RealtimeClient(
        realClientOptions(url, {
          devUser: user,
          clientId: `${user.id}-${nextId('dev')}`,
          outbox: store,
          clock,
        }),
      );
      clients.push(c);
      return c;
    }

    it('a refused save is final: rejected with the field messages, never retried', async () => {
      const store = new MemoryOutboxStore();
      const live = client(ada, store).liveData({ entityType: 'customer', entityId: id });
      await until(() => live.status === 'ready', 3000, 'ready');
      const posts = () => crm.calls.filter((c) => c.method === 'POST').length;
      const before = posts();
      const outcome = await live.update({ phone: '12' });
      assert.equal(outcome.state, 'rejected');
      assert.equal(outcome.error?.code, 'invalid');
      assert.deepEqual(outcome.error?.fields, {
        phone: 'Enter a phone number with at least 7 digits',
      });
      assert.equal(posts(), before + 1);
      assert.deepEqual(await store.load(), [], 'not kept in the outbox');
      assert.equal(
        live.data['phone'],
        '+1 555-010-0100',
        'the refused value is not shown as saved',
      );
    });

    it('an unanswered save stays pending in the outbox with the reason, then is applied once', async () => {
      const store = new MemoryOutboxStore();
      const clock = new ManualClock();
      const live = client(ada, store, clock).liveData({ entityType: 'customer', entityId: id });
      await until(() => live.status === 'ready', 3000, 'ready');
      crm.mode = 'down';
      const saved = live.update({ phone: '5550100199' });
      await until(
        () => live.changes.at(-1)?.error?.code === 'backend_unavailable',
        3000,
        'the reason is shown',
      );
      const change = live.changes.at(-1)!;
      assert.equal(change.state, 'pending');
      assert.equal(change.queued, true, 'kept in the outbox');
      crm.mode = 'ok';
      await clock.advance(5000); // the outbox's retry delay
      const outcome = await saved;
      assert.equal(outcome.state, 'confirmed');
      assert.equal(live.data['phone'], '+1 555-010-0199');
      assert.equal(crm.applied.get(outcome.mutationId), 1);
      assert.equal(outcome.error, undefined);
    });
  });
});

describe('write-through: field rules changed after a save was kept', () => {
  const SECRET = 'write-through-field-rules-secret-32-bytes';
  let crm: CrmBackend;
  let server: RealtimeServer;
  let url: string;
  const sockets: TestClient[] = [];
  const gate = writeGate();

  before(async () => {
    crm = await startCrmBackend();
    server = createServer({
      auth: { jwtSecret: SECRET },
      authorize: gate.authorize,
      quiet: true,
      entityBackend: { url: crm.url, timeoutMs: 2000, key: BACKEND_KEY },
    });
    const { port } = await server.listen(0, '127.0.0.1');
    url = `ws://127.0.0.1:${port}/`;
  });

  after(async () => {
    for (const s of sockets) s.close();
    await server.close();
    await crm.close();
  });

  /** Ada, her token's claim allowing writes to customers, with `fields` as her field rules. */
  async function connectAda(fields?: Record<string, { readOnly: string[] }>): Promise<TestClient> {
    const crmClaim = {
      rooms: { 'customer:*': ['join', 'read', 'write'] },
      ...(fields && { fields }),
    };
    const token = await new SignJWT({ name: 'Ada', crm: crmClaim })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('ada')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(SECRET));
    const socket = await TestClient.connect(url, { token, clientId: `ada-${nextId('d')}` });
    sockets.push(socket);
    return socket;
  }

  it('a replay is answered as the duplicate it is, from the cache; a new save is refused before the backend hears of it', async () => {
    crm.records.set('customer:fr1', { name: 'Acme', phone: '+1 555-010-0100' });
    const save = {
      type: 'entity.update',
      mutationId: 'kept-mutation-1',
      entityType: 'customer',
      entityId: 'fr1',
      baseVersion: 1,
      fields: { phone: '(555) 010 0123' },
    } as const;
    const before = await connectAda();
    const kept = await before.request({ ...save, id: nextId('upd') });
    assert.equal(kept.type, 'entity.ack', JSON.stringify(kept));
    before.close(); // its ack lost; then the CRM made phone read-only for Ada
    const after = await connectAda({ customer: { readOnly: ['phone'] } });
    const replay = await after.request({ ...save, id: nextId('upd') });
    assert.equal(replay.type, 'entity.ack', JSON.stringify(replay));
    const ack = replay as FrameOf<ServerFrame, 'entity.ack'>;
    assert.equal(ack.duplicate, true);
    assert.equal(ack.entity.fields['phone'], '+1 555-010-0123');
    const fresh = await after.request({
      ...save,
      id: nextId('upd'),
      mutationId: 'new-mutation-1',
      baseVersion: 2,
    });
    assert.equal(fresh.type === 'error' && fresh.code, 'forbidden', JSON.stringify(fresh));
    assert.deepEqual((fresh as FrameOf<ServerFrame, 'error'>).errors, {
      phone: 'read-only for you',
    });
    const posts = crm.calls.filter((c) => c.method === 'POST').map((c) => c.idempotencyKey);
    assert.deepEqual(posts, ['kept-mutation-1'], 'the backend heard of the first save only');
    assert.equal((await server.entities.get('customer', 'fr1'))?.version, 2);
  });

  it('a save whose replay was refused while it waited on the hook is refused too; the backend never hears of it', async () => {
    crm.records.set('customer:fr2', { name: 'Acme', phone: '+1 555-010-0100' });
    const save = {
      type: 'entity.update',
      mutationId: 'held-mutation-2',
      entityType: 'customer',
      entityId: 'fr2',
      baseVersion: 1,
      fields: { phone: '(555) 010 0123', name: 'Acme SA' },
    } as const;
    const { asked, release } = gate.arm();
    const before = await connectAda();
    const original = before.request({ ...save, id: nextId('upd') });
    await asked;
    // Its link died unnoticed by the server; the replay comes with phone read-only for Ada.
    const after = await connectAda({ customer: { readOnly: ['phone'] } });
    const replay = await after.request({ ...save, id: nextId('upd') });
    assert.equal(replay.type === 'error' && replay.code, 'forbidden', JSON.stringify(replay));
    release();
    const late = await original;
    assert.equal(late.type === 'error' && late.code, 'forbidden', JSON.stringify(late));
    assert.deepEqual((late as FrameOf<ServerFrame, 'error'>).errors, {
      phone: 'read-only for you',
    });
    const posts = crm.calls.filter((c) => c.idempotencyKey === 'held-mutation-2');
    assert.deepEqual(posts, [], 'the backend never heard of it');
    assert.equal(crm.records.get('customer:fr2')?.['phone'], '+1 555-010-0100');
  });
});

describe('write-through: two processes on one database, field rules changed mid-save', () => {
  const SECRET = 'write-through-two-processes-secret-32b';
  let crm: CrmBackend;
  let dir: string;
  const servers: RealtimeServer[] = [];
  const urls: string[] = [];
  const sockets: TestClient[] = [];

  before(async () => {
    crm = await startCrmBackend();
    dir = await mkdtemp(join(tmpdir(), 'crm-write-through-two-'));
    for (let i = 0; i < 2; i++) {
      const server = createServer({
        auth: { jwtSecret: SECRET },
        quiet: true,
        storage: new SqliteStorage(join(dir, 'crm.db')),
        entityBackend: { url: crm.url, timeoutMs: 2000, key: BACKEND_KEY },
      });
      const { port } = await server.listen(0, '127.0.0.1');
      servers.push(server);
      urls.push(`ws://127.0.0.1:${port}/`);
    }
  });

  after(async () => {
    for (const s of sockets) s.close();
    for (const server of servers) await server.close();
    await crm.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Ada on process `at`, with `fields` as her field rules. */
  async function connectAda(
    at: number,
    fields?: Record<string, { readOnly: string[] }>,
  ): Promise<TestClient> {
    const crmClaim = {
      rooms: { 'customer:*': ['join', 'read', 'write'] },
      ...(fields && { fields }),
    };
    const token = await new SignJWT({ name: 'Ada', crm: crmClaim })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('ada')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(SECRET));
    const socket = await TestClient.connect(urls[at]!, { token, clientId: `ada-${nextId('d')}` });
    sockets.push(socket);
    return socket;
  }

  it('a save the backend kept while its replay was refused on another process: the cache reads the CRM again', async () => {
    crm.records.set('customer:tp1', { name: 'Acme', phone: '+1 555-010-0100' });
    const save = {
      type: 'entity.update',
      mutationId: 'kept-and-refused-1',
      entityType: 'customer',
      entityId: 'tp1',
      baseVersion: 1,
      fields: { phone: '(555) 010 0123', name: 'Acme SA' },
    } as const;
    const first = await connectAda(0);
    await first.request({
      type: 'entity.get',
      id: nextId('get'),
      entityType: 'customer',
      entityId: 'tp1',
    });
    // The backend keeps the save; its answer is slow to come back.
    crm.mode = 'slow';
    const original = first.request({ ...save, id: nextId('upd') });
    await crm.holding(1);
    crm.mode = 'ok';
    // Meanwhile the replay reaches the other process, with phone read-only for Ada by then.
    const other = await connectAda(1, { customer: { readOnly: ['phone'] } });
    const replay = await other.request({ ...save, id: nextId('upd') });
    assert.equal(replay.type === 'error' && replay.code, 'forbidden', JSON.stringify(replay));
    crm.release();
    const late = await original;
    assert.equal(late.type === 'error' && late.code, 'forbidden', 'the id keeps its answer');
    // The CRM holds the save: the cache, which everyone reads, must not say otherwise.
    const kept = crm.records.get('customer:tp1')!;
    assert.equal(kept['name'], 'Acme SA');
    const cached = (await servers[0]!.entities.get('customer', 'tp1'))!;
    assert.equal(cached.fields['phone'], kept['phone']);
    assert.equal(cached.fields['name'], 'Acme SA');
  });
});

/** A backend answering what each test scripts, recording what it was asked. */
interface ScriptedAnswer {
  status: number;
  /** Sent as is when a string, as JSON otherwise; none when undefined. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Answer without a `Date` header (a backend with no clock). */
  noDate?: boolean;
}

describe('write-through: a backend answering off the documented format', () => {
  let backend: Server;
  let server: RealtimeServer;
  let url: string;
  let id: string;
  let n = 0;
  const sockets: TestClient[] = [];
  const calls: { method: string; path: string }[] = [];
  const logged: { level: string; msg: string; fields: LogFields | undefined }[] = [];
  /** The record a GET answers with; the answer to a POST. */
  let record: Record<string, unknown>;
  let onPost: ScriptedAnswer;
  let onGet: () => ScriptedAnswer;
  const clock = new ManualClock();

  const logger: Logger = {
    debug: () => {},
    info: () => {},
    warn: (msg, fields) => void logged.push({ level: 'warn', msg, fields }),
    error: (msg, fields) => void logged.push({ level: 'error', msg, fields }),
  };

  before(async () => {
    backend = createHttpServer((req, res) => {
      calls.push({ method: req.method ?? '', path: req.url ?? '' });
      req.resume();
      req.on('end', () => {
        const { status, body, headers, noDate } = req.method === 'GET' ? onGet() : onPost;
        if (noDate) res.sendDate = false;
        if (body === undefined) return void res.writeHead(status, headers).end();
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(typeof body === 'string' ? body : JSON.stringify(body));
      });
    });
    backend.listen(0, '127.0.0.1');
    await new Promise((resolve) => backend.once('listening', resolve));
    const { port: backendPort } = backend.address() as AddressInfo;
    server = createServer({
      auth: { devIdentities: true },
      logger,
      // A server clock months away from this machine's: what the server reads against must be it.
      clock,
      entityBackend: { url: `http://127.0.0.1:${backendPort}`, timeoutMs: 2000, key: BACKEND_KEY },
    });
    const { port } = await server.listen(0, '127.0.0.1');
    url = `ws://127.0.0.1:${port}/`;
  });

  after(async () => {
    for (const s of sockets) s.close();
    await server.close();
    await new Promise((resolve) => backend.close(resolve));
  });

  beforeEach(() => {
    id = `off${++n}`;
    record = { name: 'Acme', phone: '+1 555-010-0100' };
    onGet = () => ({ status: 200, body: { fields: record } });
    onPost = { status: 200 };
    calls.length = 0;
    logged.length = 0;
  });

  async function saveAs(fields: Record<string, string>): Promise<ServerFrame> {
    const socket = await TestClient.connect(url, { user: ada, clientId: nextId('ada-') });
    sockets.push(socket);
    return socket.request({
      type: 'entity.update',
      id: nextId('upd'),
      mutationId: nextId('mutation-'),
      entityType: 'customer',
      entityId: id,
      baseVersion: 1,
      fields,
    });
  }

  const posts = () => calls.filter((c) => c.method === 'POST').length;

  it('a 400 with field errors is a refusal with the backend’s message, not "the CRM did not answer"', async () => {
    onPost = { status: 400, body: { errors: { phone: 'bad' } } };
    const reply = await saveAs({ phone: '12' });
    assert.equal(reply.type, 'entity.rejected', JSON.stringify(reply));
    assert.deepEqual((reply as FrameOf<ServerFrame, 'entity.rejected'>).errors, { phone: 'bad' });
  });

  it('a 204 is an accepted save: stored as sent and acknowledged', async () => {
    onPost = { status: 204 };
    const reply = await saveAs({ phone: '+1 555-010-0999' });
    assert.equal(reply.type, 'entity.ack', JSON.stringify(reply));
    assert.equal((await server.entities.get('customer', id))?.fields['phone'], '+1 555-010-0999');
  });

  it('a 422 whose messages are too long is still a refusal, its messages cut', async () => {
    onPost = {
      status: 422,
      body: { message: 'm'.repeat(600), errors: { phone: 'p'.repeat(501) } },
    };
    const reply = await saveAs({ phone: '12' });
    assert.equal(reply.type, 'entity.rejected', JSON.stringify(reply).slice(0, 200));
    const rejected = reply as FrameOf<ServerFrame, 'entity.rejected'>;
    assert.equal(rejected.message, `${'m'.repeat(499)}…`);
    assert.equal(rejected.errors['phone'], `${'p'.repeat(499)}…`);
  });

  it('a 409 without current values reads the record again and opens the conflict with it', async () => {
    const socket = await TestClient.connect(url, { user: ada, clientId: nextId('ada-') });
    sockets.push(socket);
    await socket.request({
      type: 'entity.get',
      id: nextId('get'),
      entityType: 'customer',
      entityId: id,
    });
    record = { ...record, phone: '+1 555-999-0000' }; // changed in the CRM meanwhile
    onPost = { status: 409 };
    const reply = await saveAs({ phone: '5550100123' });
    assert.equal(reply.type, 'entity.conflict', JSON.stringify(reply));
    const conflict = reply as FrameOf<ServerFrame, 'entity.conflict'>;
    assert.deepEqual(
      conflict.conflicts.map((c) => [c.field, c.mine, c.theirs]),
      [['phone', '5550100123', '+1 555-999-0000']],
    );
    assert.equal((await server.entities.get('customer', id))?.fields['phone'], '+1 555-999-0000');
    assert.deepEqual(
      calls.map((c) => c.method),
      ['GET', 'POST', 'GET'],
    );
  });

  it('a 409 without current values, the record unreadable: backend_unavailable, to retry', async () => {
    await saveAs({ name: 'warm the cache' }); // read once, accepted
    onPost = { status: 409, body: 'Conflict' };
    onGet = () => ({ status: 503 });
    const reply = await saveAs({ phone: '5550100123' });
    assert.equal(
      reply.type === 'error' && reply.code,
      'backend_unavailable',
      JSON.stringify(reply),
    );
  });

  it('a 503 with Retry-After: backend_unavailable naming that wait (retryAfterMs); without, none', async () => {
    onPost = { status: 503, body: 'Maintenance', headers: { 'retry-after': '30' } };
    const named = await saveAs({ phone: '5550100123' });
    assert.equal(
      named.type === 'error' && named.code,
      'backend_unavailable',
      JSON.stringify(named),
    );
    assert.equal(named.type === 'error' && named.retryAfterMs, 30_000);
    onPost = { status: 503, body: 'Maintenance' };
    const unnamed = await saveAs({ phone: '5550100124' });
    assert.equal(unnamed.type === 'error' && unnamed.code, 'backend_unavailable');
    assert.equal(unnamed.type === 'error' && 'retryAfterMs' in unnamed, false);
  });

  it('a Retry-After date from a backend without a Date header is read on the server’s clock', async () => {
    const at = new Date(clock.now() + 30_000).toUTCString();
    onPost = { status: 503, body: 'Maintenance', headers: { 'retry-after': at }, noDate: true };
    const named = await saveAs({ phone: '5550100123' });
    assert.equal(named.type === 'error' && named.retryAfterMs, 30_000, JSON.stringify(named));
  });

  it('a read-through answered 429 with Retry-After names that wait too', async () => {
    onGet = () => ({ status: 429, headers: { 'retry-after': '12' } });
    const reply = await saveAs({ phone: '5550100123' });
    assert.equal(
      reply.type === 'error' && reply.code,
      'backend_unavailable',
      JSON.stringify(reply),
    );
    assert.equal(reply.type === 'error' && reply.retryAfterMs, 12_000);
  });

  it('a 401 (the server’s key refused) keeps the save retryable and logs an error naming the key setting', async () => {
    onPost = { status: 401 };
    const reply = await saveAs({ phone: '5550100123' });
    assert.equal(
      reply.type === 'error' && reply.code,
      'backend_unavailable',
      JSON.stringify(reply),
    );
    const line = logged.find((l) => l.level === 'error');
    assert.ok(line, JSON.stringify(logged));
    assert.match(line.msg, /CRM_ENTITY_BACKEND_KEY/);
    assert.equal(line.fields?.['room'], `customer:${id}`);
    assert.equal(line.fields?.['op'], 'write');
    assert.match(String(line.fields?.['reason']), /401/);
  });

  it('a garbage 2xx body stays backend_unavailable (the save must not be lost)', async () => {
    onPost = { status: 200, body: '<html>saved</html>' };
    const reply = await saveAs({ phone: '5550100123' });
    assert.equal(
      reply.type === 'error' && reply.code,
      'backend_unavailable',
      JSON.stringify(reply),
    );
    assert.equal(logged.find((l) => l.level === 'warn')?.fields?.['op'], 'write');
  });

  // A wrong CRM_ENTITY_BACKEND_URL path makes the backend's framework answer every call with its
  // 404 page: every record "does not exist", every save is dropped as not_found. The answer
  // stays not_found (a backend may well answer a missing record with an HTML 404), but the
  // operator is told where to look.
  it('a GET answered 404 with a page, not JSON, is not_found and a warning naming CRM_ENTITY_BACKEND_URL', async () => {
    onGet = () => ({
      status: 404,
      body: '<!DOCTYPE html><pre>Cannot GET /entities/customer</pre>',
    });
    const reply = await saveAs({ phone: '5550100123' });
    assert.equal(reply.type === 'error' && reply.code, 'not_found', JSON.stringify(reply));
    const line = logged.find((l) => l.level === 'warn');
    assert.equal(line?.fields?.['op'], 'read', JSON.stringify(logged));
    assert.match(String(line?.fields?.['reason']), /CRM_ENTITY_BACKEND_URL/);
  });

  it('a GET answered 404 with JSON is a plain not_found, not logged', async () => {
    onGet = () => ({ status: 404, body: { error: 'not_found' } });
    const reply = await saveAs({ phone: '5550100123' });
    assert.equal(reply.type === 'error' && reply.code, 'not_found', JSON.stringify(reply));
    assert.deepEqual(logged, []);
  });

  it('a save of a record the server holds answered 404 is not_found and a warning naming the causes', async () => {
    onPost = { status: 404, body: {} };
    const reply = await saveAs({ phone: '5550100123' });
    assert.equal(reply.type === 'error' && reply.code, 'not_found', JSON.stringify(reply));
    const line = logged.find((l) => l.level === 'warn');
    assert.equal(line?.fields?.['op'], 'write', JSON.stringify(logged));
    assert.match(
      String(line?.fields?.['reason']),
      /DELETE \/api\/entities.*CRM_ENTITY_BACKEND_URL/,
    );
  });

  it('refuses a change too large for its event before the backend hears of it', async () => {
    // The backend holds 40 KB of notes; a new 30 KB field would make an event over the limit.
    record = { ...record, notes: 'n'.repeat(40_000) };
    const reply = await saveAs({ summary: 's'.repeat(30_000) });
    assert.equal(
      reply.type === 'error' && reply.code,
      'payload_too_large',
      JSON.stringify(reply).slice(0, 300),
    );
    assert.match((reply as FrameOf<ServerFrame, 'error'>).message, /would make an event of/);
    assert.equal(posts(), 0, 'the backend was never asked to apply it');
    assert.equal((await server.entities.get('customer', id))?.version, 1);
  });
});

describe('write-through configuration', () => {
  it('is off by default; the URL comes from CRM_ENTITY_BACKEND_URL or the flag, with its timeout and key', () => {
    assert.equal(loadConfig(['--dev'], {}).entityBackend, undefined);
    assert.deepEqual(
      loadConfig(['--dev'], {
        CRM_ENTITY_BACKEND_URL: 'https://crm.example.com/api',
        CRM_ENTITY_BACKEND_TIMEOUT_MS: '2500',
        CRM_ENTITY_BACKEND_KEY: BACKEND_KEY,
      }).entityBackend,
      { url: 'https://crm.example.com/api', timeoutMs: 2500, key: BACKEND_KEY },
    );
    assert.deepEqual(
      loadConfig(['--dev', '--entity-backend-url', 'http://127.0.0.1:9000'], {
        CRM_ENTITY_BACKEND_URL: 'https://ignored.example.com',
      }).entityBackend,
      { url: 'http://127.0.0.1:9000', timeoutMs: 5000 },
    );
  });

  it('refuses a URL that is not http(s), a timeout under 100 ms and a short key', () => {
    const dev = ['--dev'];
    assert.throws(
      () => loadConfig(dev, { CRM_ENTITY_BACKEND_URL: 'crm.example.com' }),
      ConfigError,
    );
    assert.throws(
      () => loadConfig(dev, { CRM_ENTITY_BACKEND_URL: 'ftp://crm.example.com' }),
      ConfigError,
    );
    const url = { CRM_ENTITY_BACKEND_URL: 'https://crm.example.com' };
    assert.throws(
      () => loadConfig(dev, { ...url, CRM_ENTITY_BACKEND_TIMEOUT_MS: '10' }),
      ConfigError,
    );
    assert.throws(() => loadConfig(dev, { ...url, CRM_ENTITY_BACKEND_KEY: 'short' }), ConfigError);
  });
});
