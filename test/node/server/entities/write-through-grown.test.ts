/**
 * A save the CRM backend kept, answered with values it grew past what one frame carries (an
 * appended audit trail, a rendered template): the save succeeded, so the saver is acknowledged,
 * never refused, and the cache and the room follow the CRM. An event too large goes without
 * `previous`; an ack too large goes `partial`, and the client reads the entity again. A record
 * larger than any frame is refused to readers `payload_too_large`, never sent as a frame the
 * client would drop.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  ACCEPTS_PARTIAL_ACK,
  LIMITS,
  type Entity,
  type FrameOf,
  type ServerFrame,
} from '../../../../src/protocol/index.js';
import { createServer, type RealtimeServer } from '../../../../src/server/server.js';
import type { Logger, LogFields } from '../../../../src/server/log.js';
import { MemoryOutboxStore, RealtimeClient } from '../../../../src/client/index.js';
import { nextId, TestClient, until } from '../../helpers/server-client.js';
import { growingBackend, type GrowingBackend } from '../../helpers/growing-backend.js';
import { realClientOptions } from '../../helpers/real-client.js';

const ada = { id: 'ada', name: 'Ada' };
const bob = { id: 'bob', name: 'Bob' };

describe('write-through: a save the CRM grew past the frame limit', () => {
  let backend: GrowingBackend;
  let server: RealtimeServer;
  let url: string;
  let id: string;
  let n = 0;
  const sockets: TestClient[] = [];
  const clients: RealtimeClient[] = [];
  const logged: { level: string; msg: string; fields: LogFields | undefined }[] = [];

  const logger: Logger = {
    debug: () => {},
    info: () => {},
    warn: (msg, fields) => void logged.push({ level: 'warn', msg, fields }),
    error: (msg, fields) => void logged.push({ level: 'error', msg, fields }),
  };

  before(async () => {
    backend = await growingBackend();
    server = createServer({
      auth: { devIdentities: true },
      logger,
      entityBackend: { url: backend.url, timeoutMs: 2000 },
    });
    const { port } = await server.listen(0, '127.0.0.1');
    url = `ws://127.0.0.1:${port}/`;
  });

  after(async () => {
    for (const c of clients) c.close();
    for (const s of sockets) s.close();
    await server.close();
    await backend.close();
  });

  beforeEach(() => {
    id = `grown${++n}`;
    // 30 KB of notes: a save of a few characters fits, and so would its event.
    backend.records.set(`customer/${id}`, { name: 'Acme', notes: 'o'.repeat(30_000) });
    backend.grow = () => ({});
    backend.posts = 0;
    logged.length = 0;
  });

  /** As the kit's client does, the socket's hello names `partial-ack`. */
  async function connect(user: typeof ada): Promise<TestClient> {
    const socket = await TestClient.connect(url, {
      user,
      clientId: nextId(`${user.id}-`),
      accepts: [ACCEPTS_PARTIAL_ACK],
    });
    sockets.push(socket);
    return socket;
  }

  function save(socket: TestClient, fields: Record<string, string>): Promise<ServerFrame> {
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

  function read(socket: TestClient): Promise<ServerFrame> {
    return socket.request({
      type: 'entity.get',
      id: nextId('get'),
      entityType: 'customer',
      entityId: id,
    });
  }

  function client(user: typeof ada, store: MemoryOutboxStore): RealtimeClient {
    const c = new RealtimeClient(
      realClientOptions(url, { devUser: user, clientId: nextId(`${user.id}-`), outbox: store }),
    );
    clients.push(c);
    return c;
  }

  it('acknowledges the kept save with the backend’s values; the room gets them without `previous`', async () => {
    // 40 KB of notes replacing 30 KB: the event (entity + previous values) is over the limit,
    // the entity alone is not.
    const grown = 'N'.repeat(40_000);
    backend.grow = () => ({ notes: grown });
    const a = await connect(ada);
    const b = await connect(bob);
    await b.join(`customer:${id}`);
    const reply = await save(a, { notes: 'typed' });
    assert.equal(reply.type, 'entity.ack', JSON.stringify(reply).slice(0, 300));
    const ack = reply as FrameOf<ServerFrame, 'entity.ack'>;
    assert.equal(ack.partial, undefined);
    assert.equal(ack.entity.version, 2);
    assert.equal(ack.entity.fields['notes'], grown, 'the backend’s value, not the typed one');
    assert.equal(backend.posts, 1);

    const event = (await b.next(
      (f) => f.type === 'event' && f.event === 'entity.change',
    )) as FrameOf<ServerFrame, 'event'>;
    const change = event.payload as { entity: Entity; previous: object; previousOmitted?: true };
    assert.equal(change.entity.version, 2);
    assert.equal(change.entity.fields['notes'], grown);
    assert.deepEqual(change.previous, {});
    assert.equal(change.previousOmitted, true);
    assert.ok(b.largestFrame <= LIMITS.maxFrameBytes, `${b.largestFrame} bytes`);

    assert.equal((await server.entities.get('customer', id))?.fields['notes'], grown);
    const snapshot = await read(b);
    assert.equal(snapshot.type, 'entity.snapshot');
    assert.equal((snapshot as FrameOf<ServerFrame, 'entity.snapshot'>).entity.version, 2);
  });

  it('acknowledges it `partial` when the entity is over a frame; reads answer payload_too_large', async () => {
    backend.grow = () => ({ notes: 'N'.repeat(70_000) });
    const a = await connect(ada);
    const b = await connect(bob);
    await b.join(`customer:${id}`);
    const reply = await save(a, { notes: 'typed' });
    assert.equal(reply.type, 'entity.ack', JSON.stringify(reply).slice(0, 300));
    const ack = reply as FrameOf<ServerFrame, 'entity.ack'>;
    assert.equal(ack.partial, true);
    assert.equal(ack.entity.version, 2);
    assert.deepEqual(ack.entity.fields, {});
    assert.ok(a.largestFrame <= LIMITS.maxFrameBytes, `${a.largestFrame} bytes`);
    assert.equal((await server.entities.get('customer', id))?.version, 2, 'the cache follows');

    const again = await read(a);
    assert.equal(again.type === 'error' && again.code, 'payload_too_large', JSON.stringify(again));
    await b.sync();
    assert.equal(
      b.frames.filter((f) => f.type === 'event' && f.event === 'entity.change').length,
      0,
      'no event a client would drop',
    );
    assert.ok(b.largestFrame <= LIMITS.maxFrameBytes);
    assert.ok(logged.some((l) => l.level === 'error' && /too large to send/.test(l.msg)));
  });

  describe('the live-data client', () => {
    it('ends confirmed with the backend’s values: nothing pending, nothing to send again', async () => {
      const grown = 'N'.repeat(40_000);
      backend.grow = () => ({ notes: grown });
      const store = new MemoryOutboxStore();
      const live = client(ada, store).liveData({ entityType: 'customer', entityId: id });
      await until(() => live.status === 'ready', 3000, 'ready');
      const outcome = await live.update({ notes: 'typed' });
      assert.equal(outcome.state, 'confirmed', JSON.stringify(outcome.error));
      assert.equal(live.data['notes'], grown);
      assert.equal(live.version, 2);
      await until(() => live.changes.every((c) => c.state !== 'pending'), 3000, 'settled');
      await until(() => store.size === 0, 3000, 'out of the outbox');
      assert.equal(backend.posts, 1, 'sent once');
    });

    it('reads the entity again after a `partial` ack, and ends with the backend’s values', async () => {
      // Grown to just under a frame as a snapshot: the ack, a little longer, does not fit.
      let grown = '';
      backend.grow = () => {
        const probe: Entity = {
          type: 'customer',
          id,
          version: 2,
          fields: { name: 'Acme', notes: '' },
          updatedAt: Date.now(),
          updatedBy: ada,
        };
        const empty = JSON.stringify({ type: 'entity.snapshot', replyTo: '', entity: probe });
        grown = 'N'.repeat(LIMITS.maxFrameBytes - Buffer.byteLength(empty) - 24);
        return { notes: grown };
      };
      const store = new MemoryOutboxStore();
      const live = client(ada, store).liveData({ entityType: 'customer', entityId: id });
      await until(() => live.status === 'ready', 3000, 'ready');
      const outcome = await live.update({ notes: 'typed' });
      assert.equal(outcome.state, 'confirmed', JSON.stringify(outcome.error));
      const stored = (await server.entities.get('customer', id))!;
      const ackBytes = Buffer.byteLength(
        JSON.stringify({
          type: 'entity.ack',
          replyTo: 'r1',
          mutationId: outcome.mutationId,
          entity: stored,
          duplicate: false,
        }),
      );
      assert.ok(ackBytes > LIMITS.maxFrameBytes, `the ack (${ackBytes} bytes) did not fit`);
      await until(() => live.data['notes'] === grown, 3000, 'the backend’s values, read again');
      assert.equal(live.status, 'ready');
      assert.equal(live.version, 2);
      await until(() => store.size === 0, 3000, 'out of the outbox');
      assert.equal(backend.posts, 1, 'sent once');
    });
  });
});
