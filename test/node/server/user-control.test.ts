/**
 * A backend cutting a user off (`POST /api/users/:id/disconnect`) and telling the server a user's
 * permissions changed (`POST /api/users/:id/permissions-changed`), against one real server:
 * every connection of the user closes at once and the tokens issued until then are refused; a
 * room the user may no longer join is left at once, with the frame a refused join gets.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import type { AuthorizeHook } from '../../../src/server/authorize.js';
import { systemClock } from '../../../src/server/clock.js';
import { silentLogger } from '../../../src/server/log.js';
import { ServerMetrics } from '../../../src/server/metrics.js';
import type { RedisBus } from '../../../src/server/redis/redis-bus.js';
import { SqliteStorage } from '../../../src/server/sqlite-storage.js';
import { UserControl } from '../../../src/server/user-control.js';
import { nextId, TestClient, type Closed } from '../helpers/server-client.js';
import { bob, startHarness, type Harness } from '../helpers/server-harness.js';

const SECRET = 'user-control-test-secret-of-32-bytes-or-more';
const KEY = 'user-control-api-key';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

function start(extra: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  return startHarness({
    auth: { jwtSecret: SECRET, devIdentities: true, revocationTtlS: 3600 },
    apiKeys: [KEY],
    ...extra,
  });
}

/** A token for `sub`, issued now by the harness clock (or without `iat`), valid two hours. */
function token(sub: string, options: { iat?: boolean } = {}): Promise<string> {
  const now = Math.floor(h.clock.now() / 1000);
  let jwt = new SignJWT({ name: sub }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub);
  if (options.iat !== false) jwt = jwt.setIssuedAt(now);
  return jwt.setExpirationTime(now + 7200).sign(new TextEncoder().encode(SECRET));
}

async function connect(jwt: string): Promise<TestClient> {
  const client = await TestClient.connect(h.url, { token: jwt, clientId: nextId('device-') });
  h.clients.push(client);
  return client;
}

/** Says hello with `jwt`; resolves to the error answering it and the close. */
async function refused(jwt: string): Promise<{ code: string; message: string; closed: Closed }> {
  const client = await TestClient.open(h.url);
  h.clients.push(client);
  const id = nextId('hello');
  client.send({ type: 'hello', id, v: 1, clientId: 'device-x', token: jwt });
  const answer = await client.next((f) => 'replyTo' in f && f.replyTo === id);
  assert.equal(answer.type, 'error', JSON.stringify(answer));
  const closed = await client.waitClosed();
  return { code: answer.code, message: answer.message, closed };
}

function api(path: string, body?: unknown, key: string | null = KEY): Promise<Response> {
  const headers: Record<string, string> = {};
  if (key !== null) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`http://127.0.0.1:${h.server.port}${path}`, {
    method: 'POST',
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function ok(response: Promise<Response>): Promise<Record<string, unknown>> {
  const res = await response;
  const text = await res.text();
  assert.equal(res.status, 200, text);
  return JSON.parse(text) as Record<string, unknown>;
}

describe('POST /api/users/:id/disconnect', () => {
  test('closes every connection of the user at once, with invalid_token and 1008; others stay', async () => {
    h = await start();
    const jwt = await token('alice');
    const laptop = await connect(jwt);
    const phone = await connect(jwt);
    const other = await connect(await token('bob'));

    const answer = await ok(api('/api/users/alice/disconnect'));
    assert.equal(answer.user, 'alice');
    assert.equal(answer.connections, 2);
    assert.equal(answer.revokedAt, h.clock.now());
    // Called again before the sockets are gone (a backend retrying): nothing is sent twice.
    assert.equal((await ok(api('/api/users/alice/disconnect'))).connections, 0);

    for (const client of [laptop, phone]) {
      const error = await client.next((f) => f.type === 'error');
      assert.equal(error.type === 'error' && error.code, 'invalid_token');
      assert.equal((await client.waitClosed()).code, 1008);
      assert.equal(client.ofType('error').length, 1);
    }
    await other.sync(); // still open
    assert.equal(h.server.metrics.connectionsEndedByApi, 2);
    assert.equal(h.server.metrics.tokensRevoked, 2); // one per call
  });

  test('refuses the tokens issued until then, and welcomes one issued after', async () => {
    h = await start();
    const old = await token('alice');
    await connect(old);
    await ok(api('/api/users/alice/disconnect', {}));

    const again = await refused(old);
    assert.equal(again.code, 'invalid_token');
    assert.match(again.message, /revoked/);
    assert.equal(again.closed.code, 1008);
    // Issued in the same second as the revocation: it cannot show it came after.
    assert.equal((await refused(await token('alice'))).code, 'invalid_token');
    assert.equal((await refused(await token('alice', { iat: false }))).code, 'invalid_token');
    assert.equal(h.server.metrics.revokedTokensRefused, 3);

    await h.clock.advance(1000);
    await connect(await token('alice')); // signed in again: welcome
    await connect(await token('bob', {})); // nobody else is concerned
  });

  test('refuses a development identity of the user while the revocation is kept', async () => {
    h = await start();
    await h.connect({ id: 'alice', name: 'Alice' });
    await ok(api('/api/users/alice/disconnect'));
    const client = await TestClient.open(h.url);
    h.clients.push(client);
    client.send({
      type: 'hello',
      id: 'h1',
      v: 1,
      clientId: 'd',
      devUser: { id: 'alice', name: 'A' },
    });
    const answer = await client.next((f) => 'replyTo' in f && f.replyTo === 'h1');
    assert.equal(answer.type === 'error' && answer.code, 'invalid_token');
    await h.connect(bob);
  });

  test('forgets the revocation after CRM_REVOCATION_TTL_S', async () => {
    h = await start({ auth: { jwtSecret: SECRET, devIdentities: false, revocationTtlS: 60 } });
    const old = await token('alice');
    await ok(api('/api/users/alice/disconnect'));
    await h.clock.advance(59_000);
    assert.equal((await refused(old)).code, 'invalid_token');
    await h.clock.advance(1_000);
    await connect(old);
  });

  test('is kept in the database over a restart of the process', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crm-revocations-'));
    try {
      const file = join(dir, 'crm.sqlite');
      h = await start({ storage: new SqliteStorage(file) });
      const old = await token('alice');
      await ok(api('/api/users/alice/disconnect'));
      await h.close();
      // The same moment on the new process's clock (both start at the same epoch).
      h = await start({ storage: new SqliteStorage(file) });
      assert.equal((await refused(old)).code, 'invalid_token');
      await h.clock.advance(1000);
      await connect(await token('alice'));
    } finally {
      await h.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('with revokeTokens false only closes: the same token connects again', async () => {
    h = await start();
    const jwt = await token('alice');
    const client = await connect(jwt);
    const answer = await ok(api('/api/users/alice/disconnect', { revokeTokens: false }));
    assert.equal(answer.connections, 1);
    assert.equal(answer.revokedAt, undefined);
    assert.equal((await client.waitClosed()).code, 1008);
    await connect(jwt);
  });

  test('answers a user with no connection, and refuses bad requests', async () => {
    h = await start();
    assert.equal((await ok(api('/api/users/nobody/disconnect'))).connections, 0);
    assert.equal((await api('/api/users/alice/disconnect', undefined, null)).status, 401);
    assert.equal((await api('/api/users/alice/disconnect', { revoke: true })).status, 400);
    assert.equal((await api('/api/users/a%07b/disconnect')).status, 400);
    const metrics = await (await fetch(`http://127.0.0.1:${h.server.port}/metrics`)).text();
    assert.match(metrics, /crm_tokens_revoked_total 1/);
  });
});

describe('POST /api/users/:id/permissions-changed', () => {
  /** The server's own hook: `refused` rooms are refused to alice. */
  function hookRefusing(refused: Set<string>): AuthorizeHook {
    return ({ user, room }) => !(user.id === 'alice' && refused.has(room));
  }

  test('takes the user out of a room now refused: removed forbidden, no more events', async () => {
    const refusedRooms = new Set<string>();
    h = await start({ authorize: hookRefusing(refusedRooms) });
    const alice = await h.connect({ id: 'alice', name: 'Alice' });
    const watcher = await h.connect(bob);
    await alice.join('customer:42');
    await alice.join('customer:7');
    await watcher.join('customer:42');
    await watcher.join('customer:7');

    // Alice's role changed in the CRM: customer 42 is no longer hers.
    refusedRooms.add('customer:42');
    const answer = await ok(api('/api/users/alice/permissions-changed'));
    assert.deepEqual(answer, { user: 'alice', connections: 1, roomsLeft: 1 });

    const error = await alice.next((f) => f.type === 'error');
    assert.deepEqual(error, {
      type: 'error',
      code: 'forbidden',
      message: 'no longer allowed to join this room',
      room: 'customer:42',
      removed: true,
    });
    // Bob sees her go at once (no grace: she did not drop, she was taken out).
    await watcher.next(
      (f) => f.type === 'presence.diff' && f.room === 'customer:42' && f.remove.includes('alice'),
    );
    const before = alice.frames.length;
    await watcher.request({
      type: 'emit',
      id: nextId('e'),
      room: 'customer:42',
      event: 'note',
      payload: 1,
    });
    await watcher.request({
      type: 'emit',
      id: nextId('e'),
      room: 'customer:7',
      event: 'note',
      payload: 2,
    });
    await alice.next((f) => f.type === 'event' && f.room === 'customer:7');
    await alice.sync();
    const after = alice.frames.slice(before);
    assert.ok(!after.some((f) => 'room' in f && f.room === 'customer:42'), JSON.stringify(after));
    assert.equal(h.server.metrics.roomsRevoked, 1);
  });

  test('asks about a watched room as a watcher, and takes it away when watching is refused', async () => {
    let watchers = true;
    h = await start({
      authorize: ({ watch, room }) => watchers || !watch || room !== 'customer:42',
    });
    const alice = await h.connect({ id: 'alice', name: 'Alice' });
    await alice.join('customer:42', { watch: true });
    await alice.join('customer:7', { watch: true });
    watchers = false; // following records one may not be listed on is no longer allowed
    assert.equal((await ok(api('/api/users/alice/permissions-changed'))).roomsLeft, 1);
    const error = await alice.next((f) => f.type === 'error');
    assert.equal(error.type === 'error' && error.room, 'customer:42');
    // Joining as a member (not watching) asks without watch, and is allowed.
    await alice.join('customer:42');
  });

  test("forgets the callback's cached answers and asks again", async () => {
    let allow = true;
    const asked: string[] = [];
    const backend: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const question = JSON.parse(body) as { room: string; action: string };
        asked.push(`${question.action} ${question.room}`);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ allow: allow || question.room !== 'customer:42' }));
      });
    });
    backend.listen(0, '127.0.0.1');
    await once(backend, 'listening');
    try {
      const url = `http://127.0.0.1:${(backend.address() as AddressInfo).port}/authorize`;
      h = await start({ authorizeCallback: { url, cacheMs: 600_000 } });
      const alice = await connect(await token('alice'));
      await alice.join('customer:42');
      const askedAtJoin = asked.length;

      allow = false; // reassigned to someone else
      const answer = await ok(api('/api/users/alice/permissions-changed'));
      assert.equal(answer.roomsLeft, 1);
      assert.ok(asked.length > askedAtJoin, 'the callback was asked again, not its cache');
      const error = await alice.next((f) => f.type === 'error');
      assert.equal(error.type === 'error' && error.code, 'forbidden');
      assert.equal(error.type === 'error' && error.removed, true);
      // A join now is refused too (the cache holds the new answer, not the old).
      const again = await alice.request({ type: 'join', id: nextId('j'), room: 'customer:42' });
      assert.equal(again.type === 'error' && again.code, 'forbidden');
    } finally {
      backend.close();
      backend.closeAllConnections();
    }
  });

  test('a field newly hidden by the callback is left out of what follows', async () => {
    let hidden: string[] = [];
    const backend: Server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ allow: true, fields: { customer: { hidden } } }));
      });
    });
    backend.listen(0, '127.0.0.1');
    await once(backend, 'listening');
    try {
      const url = `http://127.0.0.1:${(backend.address() as AddressInfo).port}/authorize`;
      h = await start({ authorizeCallback: { url, cacheMs: 600_000 } });
      const write = (notes: string) =>
        h.server.entities.update({
          type: 'customer',
          id: '42',
          fields: { name: 'Acme', notes },
          source: 'backend',
          create: true,
        });
      await write('first');
      const alice = await connect(await token('alice'));
      await alice.join('customer:42');

      hidden = ['notes']; // her new role may not read the notes
      assert.equal((await ok(api('/api/users/alice/permissions-changed'))).roomsLeft, 0);
      await write('the secret plan');
      const change = await alice.next((f) => f.type === 'event' && f.event === 'entity.change');
      assert.ok(!JSON.stringify(change).includes('secret plan'), JSON.stringify(change));
    } finally {
      backend.close();
      backend.closeAllConnections();
    }
  });

  test('a field shown again, or made writable, reaches the user without a reconnect', async () => {
    let rules: { hidden?: string[]; readOnly?: string[] } = {
      hidden: ['notes'],
      readOnly: ['tier'],
    };
    const backend: Server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ allow: true, fields: { customer: rules } }));
      });
    });
    backend.listen(0, '127.0.0.1');
    await once(backend, 'listening');
    try {
      const url = `http://127.0.0.1:${(backend.address() as AddressInfo).port}/authorize`;
      h = await start({ authorizeCallback: { url, cacheMs: 600_000 } });
      const write = (notes: string) =>
        h.server.entities.update({
          type: 'customer',
          id: '42',
          fields: { name: 'Acme', notes, tier: 'gold' },
          source: 'backend',
          create: true,
        });
      await write('the plan');
      const alice = await connect(await token('alice'));
      await alice.join('customer:42');
      const get = () =>
        alice.request({
          type: 'entity.get',
          id: nextId('g'),
          entityType: 'customer',
          entityId: '42',
        });
      const before = await get();
      assert.equal(before.type, 'entity.snapshot');
      assert.ok(before.type === 'entity.snapshot' && !('notes' in before.entity.fields));
      assert.deepEqual(before.type === 'entity.snapshot' && before.readOnly, ['tier']);

      rules = {}; // her new role may read the notes and change the tier
      assert.equal((await ok(api('/api/users/alice/permissions-changed'))).roomsLeft, 0);
      // Told which types to read again, then the read has what is visible now.
      const told = await alice.next((f) => f.type === 'entity.rules-changed');
      // The callback decides reads too: the items held are read again as well.
      assert.deepEqual(told, { type: 'entity.rules-changed', types: ['customer'], reads: true });
      const after = await get();
      assert.equal(after.type === 'entity.snapshot' && after.entity.fields.notes, 'the plan');
      assert.equal(after.type === 'entity.snapshot' && after.readOnly, undefined);
      // What follows carries the field, and a save of the tier is taken.
      await write('the new plan');
      const change = await alice.next(
        (f) =>
          f.type === 'event' &&
          f.event === 'entity.change' &&
          JSON.stringify(f).includes('new plan'),
      );
      assert.ok(change);
      const version = after.type === 'entity.snapshot' ? after.entity.version + 1 : 0;
      const saved = await alice.request({
        type: 'entity.update',
        id: nextId('u'),
        mutationId: nextId('mutation-'),
        entityType: 'customer',
        entityId: '42',
        baseVersion: version,
        fields: { tier: 'platinum' },
      });
      assert.equal(saved.type, 'entity.ack', JSON.stringify(saved));

      // Hidden again: told again, and the read leaves it out (the page drops what it held).
      rules = { hidden: ['notes'] };
      await ok(api('/api/users/alice/permissions-changed'));
      await alice.next((f) => f.type === 'entity.rules-changed' && f !== told);
      const hiddenAgain = await get();
      assert.ok(hiddenAgain.type === 'entity.snapshot' && !('notes' in hiddenAgain.entity.fields));
      // No field rule changed: no type to read again (the items, for reads, are).
      const typed = () =>
        alice.ofType('entity.rules-changed').filter((f) => f.types.length > 0).length;
      const count = typed();
      await ok(api('/api/users/alice/permissions-changed'));
      await alice.sync();
      assert.equal(typed(), count);
    } finally {
      backend.close();
      backend.closeAllConnections();
    }
  });

  test('a hook that cannot decide now takes the room away with backend_unavailable', async () => {
    let down = false;
    h = await start({
      authorize: ({ room }) => (down && room === 'customer:42' ? new Promise(() => {}) : true),
      authorizeTimeoutMs: 50,
    });
    const alice = await h.connect({ id: 'alice', name: 'Alice' });
    await alice.join('customer:42');
    down = true;
    let answered = false;
    const answerWhile = ok(api('/api/users/alice/permissions-changed')).finally(
      () => (answered = true),
    );
    // The hook's deadline runs on the server's clock: moved on until the answer comes.
    while (!answered) {
      await h.clock.advance(50);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.equal((await answerWhile).roomsLeft, 1);
    const error = await alice.next((f) => f.type === 'error');
    assert.equal(error.type === 'error' && error.code, 'backend_unavailable');
    assert.equal(error.type === 'error' && error.removed, true);
  });

  test('a hook that decides reads: the client is told to read its items again, which leave out an entity no longer readable', async () => {
    let revoked = false;
    h = await start({
      authorize: ({ room }) => !(revoked && room === 'customer:42'),
    });
    const item = (id: string) =>
      h.server.activity.append({
        kind: 'entity.updated',
        entity: { type: 'customer', id, label: `Customer ${id}` },
        customerId: id,
      });
    await item('42');
    await item('7');
    await h.server.notifications.send({
      target: { user: 'alice' },
      type: 'info',
      priority: 'normal',
      title: 'About 42',
      entity: { type: 'customer', id: '42' },
    });
    await h.server.notifications.send({
      target: { user: 'alice' },
      type: 'info',
      priority: 'normal',
      title: 'Hello',
    });
    const alice = await h.connect({ id: 'alice', name: 'Alice' });
    const feed = async () => {
      const page = await alice.request({
        type: 'activity.list',
        id: nextId('a'),
        feed: { kind: 'global' },
      });
      return page.type === 'activity.page' ? page.items.map((i) => i.entity?.id) : page;
    };
    const notifications = async () => {
      const page = await alice.request({ type: 'notification.list', id: nextId('n') });
      return page.type === 'notification.page'
        ? { titles: page.items.map((n) => n.title), unread: page.unread }
        : page;
    };
    assert.deepEqual(await feed(), ['7', '42']);
    assert.deepEqual(await notifications(), { titles: ['Hello', 'About 42'], unread: 2 });

    revoked = true;
    await ok(api('/api/users/alice/permissions-changed'));
    const told = await alice.next((f) => f.type === 'entity.rules-changed');
    assert.deepEqual(told, { type: 'entity.rules-changed', types: [], reads: true });
    assert.deepEqual(await feed(), ['7']);
    // Not shown, and not counted: the badge counts what the user can open.
    assert.deepEqual(await notifications(), { titles: ['Hello'], unread: 1 });
    const read = await alice.request({ type: 'notification.read', id: nextId('r'), ids: [] });
    assert.equal(read.type === 'notification.read-state' && read.unread, 1);
  });

  test('leaves rooms still allowed alone and answers a user with no connection', async () => {
    h = await start();
    const alice = await h.connect({ id: 'alice', name: 'Alice' });
    await alice.join('customer:42');
    assert.deepEqual(await ok(api('/api/users/alice/permissions-changed')), {
      user: 'alice',
      connections: 1,
      roomsLeft: 0,
    });
    assert.equal((await ok(api('/api/users/nobody/permissions-changed', {}))).connections, 0);
    assert.equal((await api('/api/users/alice/permissions-changed', { x: 1 })).status, 400);
    await alice.sync();
    assert.equal(alice.ofType('error').length, 0);
  });
});

describe('races', () => {
  test('a join whose answer was asked before permissions changed asks again', async () => {
    const refusedRooms = new Set<string>();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let asked: () => void = () => {};
    const joinAsked = new Promise<void>((resolve) => (asked = resolve));
    const ROOM = 'page:/deals'; // names no entity: one question, `join`
    h = await start({
      // The CRM's answer is read when asked and given later (a slow lookup).
      authorize: ({ user, room }) => {
        const ok = !(user.id === 'alice' && refusedRooms.has(room));
        if (room !== ROOM) return ok;
        asked();
        return gate.then(() => ok);
      },
    });
    const alice = await h.connect({ id: 'alice', name: 'Alice' });
    const joining = alice.request({ type: 'join', id: nextId('j'), room: ROOM });
    await joinAsked;
    refusedRooms.add(ROOM);
    await ok(api('/api/users/alice/permissions-changed'));
    release();
    const answer = await joining;
    assert.equal(answer.type === 'error' && answer.code, 'forbidden', JSON.stringify(answer));
  });

  test('a hello whose store read came before a revocation heard from another process is refused', async () => {
    let answerStore: (at: number | undefined) => void = () => {};
    let listener: (message: string) => void = () => {};
    const users = new UserControl({
      clock: systemClock,
      log: silentLogger,
      metrics: new ServerMetrics(),
      revocations: {
        revoke: () => Promise.resolve(),
        revokedAt: () => new Promise<number | undefined>((resolve) => (answerStore = resolve)),
      },
      revocationTtlMs: 3_600_000,
      authorizeCallback: undefined,
      recheckRooms: () => Promise.resolve(0),
      redisBus: {
        onUserCommand: (l: (message: string) => void) => (listener = l),
        publishUserCommand: () => Promise.resolve(),
      } as unknown as RedisBus,
    });
    const issuedAt = Date.now() - 5000;
    const checking = users.refusal({
      ok: true,
      user: { id: 'alice', name: 'Alice' },
      via: 'token',
      issuedAt,
    });
    // The disconnect reaches this process after Redis answered the read, before it arrives.
    listener(
      JSON.stringify({ from: 'other', user: 'alice', kind: 'disconnect', revokedAt: Date.now() }),
    );
    answerStore(undefined);
    assert.match((await checking) ?? '', /revoked/);
  });
});
