/**
 * Redis going away and coming back: new work fails with an error frame or a 503 and a log line,
 * the process stays up, and it recovers by itself when Redis returns.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis, type Command } from 'ioredis';
import type { LogFields } from '../../../../src/server/log.js';
import { createServer, type CreateServerOptions } from '../../../../src/server/server.js';
import { startRedis } from '../../../services/redis.js';
import { readiness } from '../../helpers/metrics.js';
import { alice, bob } from '../../helpers/server-harness.js';
import { nextId, TestClient, upgradeStatus } from '../../helpers/server-client.js';
import { ManualClock } from '../../../../src/testing/manual-clock.js';

const API_KEY = 'test-api-key-0123456789';

/**
 * A server on a Redis of its own (a manual clock; no heartbeat within a test), its clients, and a
 * wait for /healthz: each block below starts one and takes Redis away under it.
 */
async function serverOnRedis(options: Partial<CreateServerOptions> = {}) {
  const redis = await startRedis();
  const clock = new ManualClock();
  const server = createServer({
    auth: { devIdentities: true },
    clock,
    heartbeatMs: 3_600_000,
    shutdownTimeoutMs: 500,
    redisUrl: redis.url,
    redisHeartbeatMs: 100,
    ...options,
  });
  const { port } = await server.listen(0, '127.0.0.1');
  const base = `127.0.0.1:${port}`;
  const clients: TestClient[] = [];
  const health = async (): Promise<number> => (await fetch(`http://${base}/healthz`)).status;
  return {
    redis,
    clock,
    base,
    health,
    async connect(user = alice): Promise<TestClient> {
      const client = await TestClient.connect(`ws://${base}/realtime`, { user });
      clients.push(client);
      return client;
    },
    upgradeStatus: () => upgradeStatus(`ws://${base}/realtime`),
    async waitHealth(status: number): Promise<void> {
      // A hang limit, not a speed check: Redis reconnects with backoff on a busy machine too.
      const deadline = Date.now() + 30_000;
      let last = 0;
      while ((last = await health()) !== status && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.equal(last, status, `/healthz answers ${status}`);
    },
    async dispose(): Promise<void> {
      for (const c of clients) c.ws.terminate();
      await server.close();
      await redis.dispose();
    },
  };
}

describe('Redis down, then back', () => {
  let s: Awaited<ReturnType<typeof serverOnRedis>>;
  const lines: { level: string; msg: string; fields?: LogFields | undefined }[] = [];
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown): void => void rejections.push(reason);

  before(async () => {
    process.on('unhandledRejection', onRejection);
    const logTo =
      (level: string) =>
      (msg: string, fields?: LogFields): void =>
        void lines.push({ level, msg, fields });
    s = await serverOnRedis({
      apiKeys: [API_KEY],
      logger: { debug: () => {}, info: logTo('info'), warn: logTo('warn'), error: logTo('error') },
    });
  });
  after(async () => {
    process.off('unhandledRejection', onRejection);
    await s.dispose();
  });

  it('fails new work clearly while Redis is down, stays up, and recovers when it returns', async () => {
    const room = 'customer:7';
    const member = await s.connect();
    const joined = await member.join(room);
    assert.equal(await s.health(), 200);
    const created = await fetch(`http://${s.base}/api/entities/customer/7`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ fields: { name: 'Acme' } }),
    });
    assert.equal(created.status, 201);

    assert.deepEqual(await readiness(s.base), { ready: 1, database: 1, redis: 1 });

    // Connected before the outage; its join comes during it.
    const newcomer = await s.connect(bob);

    await s.redis.stop();
    await s.waitHealth(503);
    // `/metrics` says which dependency is down, from the same checks as `/healthz`.
    assert.deepEqual(await readiness(s.base), { ready: 0, database: 1, redis: 0 });
    // A new socket is refused 503, as `/healthz` answers: a load balancer that retries on 503
    // hands it to a process that can serve it, and a client with none shows "reconnecting".
    assert.deepEqual(await s.upgradeStatus(), { status: 503, retryAfter: '5' });

    // A save is refused, not stored unannounced: the client keeps it and sends it again.
    const save = {
      type: 'entity.update',
      mutationId: 'mutation-during-outage',
      entityType: 'customer',
      entityId: '7',
      baseVersion: 1,
      fields: { name: 'Acme Ltd' },
    } as const;
    const refusedSave = await member.request({ ...save, id: nextId('u') });
    assert.equal(refusedSave.type === 'error' && refusedSave.code, 'internal');
    assert.match(
      refusedSave.type === 'error' ? refusedSave.message : '',
      /change not saved: .*unavailable/,
    );
    // So is a notification, which would be stored and reach nobody live.
    const notify = await member.request({
      type: 'emit',
      id: nextId('n'),
      room,
      event: 'notification',
      payload: { target: { room }, title: 'Call back' },
    });
    assert.match(
      notify.type === 'error' ? notify.message : '',
      /notification not sent: .*unavailable/,
    );

    // An emit gets an error frame that says why; the socket stays open.
    const emit = await member.request({
      type: 'emit',
      id: nextId('e'),
      room,
      event: 'n',
      payload: 1,
    });
    assert.equal(emit.type, 'error');
    assert.match(emit.type === 'error' ? emit.message : '', /unavailable/);
    // So does an addressed one (a call's signal), answering its request rather than failing.
    const addressed = await member.request({
      type: 'emit',
      id: nextId('s'),
      room,
      event: 'cursor',
      payload: 1,
      to: 'alice',
    });
    assert.equal(addressed.type === 'error' && addressed.code, 'internal');
    assert.match(
      addressed.type === 'error' ? addressed.message : '',
      /signal not sent: .*unavailable/,
    );
    assert.ok(!lines.some((l) => l.msg === 'frame handler failed'), 'no handler failed');
    // A join too.
    const refused = await newcomer.request({ type: 'join', id: nextId('j'), room });
    assert.equal(refused.type, 'error');
    assert.match(
      refused.type === 'error' ? refused.message : '',
      /could not join the room: .*unavailable/,
    );
    // An HTTP API write: 503 with Retry-After; the process still answers everything else.
    const put = await fetch(`http://${s.base}/api/entities/customer/7`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ fields: { name: 'Acme' } }),
    });
    assert.equal(put.status, 503);
    assert.ok(put.headers.get('retry-after'));
    await member.sync();
    assert.ok(
      lines.some((l) => l.level === 'error' && /redis/i.test(l.msg)),
      'a log line says so',
    );

    // Time passes while Redis is away (sequences restart from the clock).
    s.clock.advanceSync(60_000);
    await s.redis.restart();
    await s.waitHealth(200);
    assert.deepEqual(await readiness(s.base), { ready: 1, database: 1, redis: 1 });
    assert.equal((await s.upgradeStatus()).status, 101, 'new sockets are taken again');
    // A recovery is good news: logged at info, so a log-based alert on warnings does not fire.
    const recovered = lines.filter((l) => l.msg === 'redis available again');
    assert.ok(recovered.length > 0, 'the recovery is logged');
    assert.deepEqual(new Set(recovered.map((l) => l.level)), new Set(['info']));

    // New work goes through again on its own …
    const again = await newcomer.join(room);
    const ack = await newcomer.request({
      type: 'emit',
      id: nextId('e'),
      room,
      event: 'n',
      payload: 2,
    });
    assert.equal(ack.type, 'ack');
    // … and the member who was in the room when Redis restarted empty cannot have its missed
    // events replayed: it is told to resume, and its resume says `gap` so it re-syncs.
    const closed = await member.waitClosed(5000);
    assert.equal(closed.code, 1001);
    const back = await s.connect();
    const resumed = await back.join(room, { since: joined.seq });
    assert.equal(resumed.resume, 'gap');
    assert.equal(resumed.seq, again.seq + 1);
    // Nothing of the refused save was stored; sent again, it applies once and is announced.
    const stored = await fetch(`http://${s.base}/api/entities/customer/7`, {
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    const { entity } = (await stored.json()) as { entity: { version: number; fields: object } };
    assert.deepEqual([entity.version, entity.fields], [1, { name: 'Acme' }]);
    const announced = newcomer.upcoming((f) => f.type === 'event' && f.event === 'entity.change');
    const saved = await back.request({ ...save, id: nextId('u') });
    assert.equal(saved.type === 'entity.ack' && saved.entity.version, 2);
    await announced;
    assert.deepEqual(rejections, [], 'no unhandled rejection');
  });
});

describe('Redis back: a join made while a room recovers', () => {
  let s: Awaited<ReturnType<typeof serverOnRedis>>;
  const sendCommand = Redis.prototype.sendCommand;
  /** The next command that `matches` is held until `release()`; `caught` resolves when it is. */
  let gate:
    | { matches: (command: Command) => boolean; caught: () => void; released: Promise<void> }
    | undefined;

  before(async () => {
    s = await serverOnRedis({ quiet: true });
    // The server's Redis connections live in this process: a command can be held on its way out,
    // which puts the recovery of a room and a join in a chosen order.
    Redis.prototype.sendCommand = function (this: Redis, command: Command, stream?: never) {
      const held = gate;
      if (held?.matches(command)) {
        gate = undefined;
        held.caught();
        return held.released.then(() => sendCommand.call(this, command, stream));
      }
      return sendCommand.call(this, command, stream);
    } as typeof sendCommand;
  });
  after(async () => {
    Redis.prototype.sendCommand = sendCommand;
    await s.dispose();
  });

  /** Holds the next read of `room`'s position (the resume script: keys `seq:<room>`, `log:<room>`). */
  const holdNextResume = (room: string): { caught: Promise<void>; release: () => void } => {
    let caught!: () => void;
    let release!: () => void;
    const isCaught = new Promise<void>((resolve) => (caught = resolve));
    gate = {
      matches: (command) =>
        command.name === 'evalsha' &&
        Number(command.args[1]) === 2 &&
        command.args[2] === `crm:seq:${room}`,
      caught,
      released: new Promise<void>((resolve) => (release = resolve)),
    };
    return { caught: isCaught, release };
  };

  it('answers it once the room is filled or interrupted, and does not tell its member to resume', async () => {
    const room = 'customer:8';
    const member = await s.connect();
    await member.join(room);

    await s.redis.stop();
    await s.waitHealth(503);
    s.clock.advanceSync(60_000);
    // Redis returns empty: the room's missed events are gone, so its members must resume. The
    // room's recovery reads the room's position; it is held there.
    const recovery = holdNextResume(room);
    await s.redis.restart();
    await recovery.caught;
    await s.waitHealth(200);

    // A newcomer joins while the room recovers: it is a member (its presence is announced) with
    // its join in flight.
    const newcomer = await s.connect(bob);
    const join = newcomer.request({ type: 'join', id: nextId('j'), room });
    await member.next(
      (f) => f.type === 'presence.diff' && f.upsert.some((p) => p.user.id === bob.id),
    );
    recovery.release();

    // The member from before the outage is told to resume …
    assert.equal((await member.waitClosed(5000)).code, 1001);
    // … the newcomer is answered from the recovered room and stays: its events go through.
    const joined = await join;
    assert.equal(joined.type, 'joined');
    const ack = await newcomer.request({
      type: 'emit',
      id: nextId('e'),
      room,
      event: 'n',
      payload: 1,
    });
    assert.equal(ack.type, 'ack');
    assert.equal(
      ack.type === 'ack' ? ack.seq : undefined,
      joined.type === 'joined' ? joined.seq + 1 : NaN,
    );
  });
});
