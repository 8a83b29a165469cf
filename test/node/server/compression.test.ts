import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { constants, inflateRawSync } from 'node:zlib';
import { WebSocket, type ClientOptions } from 'ws';
import { PreparedFrame } from '../../../src/server/wire.js';
import { alice, bob, carol, startHarness, type Harness } from '../helpers/server-harness.js';
import { nextId, TestClient } from '../helpers/server-client.js';

/** The frames a client's TCP socket received, as the server wrote them (RSV1 = compressed). */
interface WireFrame {
  compressed: boolean;
  /** Payload bytes on the wire. */
  bytes: number;
}

/** Records the server's frames below ws, from the raw bytes of the client's socket. */
function tapWire(ws: WebSocket): WireFrame[] {
  const frames: WireFrame[] = [];
  let pending = Buffer.alloc(0);
  const socket = (ws as unknown as { _socket: Socket })._socket;
  socket.prependListener('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    for (;;) {
      if (pending.length < 2) return;
      let length = pending[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (pending.length < 4) return;
        length = pending.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (pending.length < 10) return;
        length = pending.readUInt32BE(6);
        offset = 10;
      }
      if (pending.length < offset + length) return;
      const opcode = pending[0]! & 0x0f;
      if (opcode === 0x01) frames.push({ compressed: (pending[0]! & 0x40) !== 0, bytes: length });
      pending = pending.subarray(offset + length);
    }
  });
  return frames;
}

/** Opens a socket and returns the server's `Sec-WebSocket-Extensions` answer with it. */
async function handshake(
  url: string,
  options: ClientOptions,
): Promise<{ ws: WebSocket; extensions: string | undefined }> {
  const ws = new WebSocket(url, options);
  const upgraded = once(ws, 'upgrade') as Promise<[IncomingMessage]>;
  const opened = once(ws, 'open');
  const [response] = await upgraded;
  await opened;
  const header = response.headers['sec-websocket-extensions'];
  ws.close();
  return { ws, extensions: Array.isArray(header) ? header.join(', ') : header };
}

/** A JSON payload of about `bytes` bytes that compresses well, as CRM records do. */
function payloadOf(bytes: number): { rows: { name: string; stage: string }[] } {
  const rows: { name: string; stage: string }[] = [];
  while (JSON.stringify({ rows }).length < bytes) {
    rows.push({ name: `Customer ${rows.length}`, stage: 'qualified' });
  }
  return { rows };
}

describe('permessage-deflate, off (the default)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  test('a client offering deflate gets no extension in the handshake', async () => {
    const { ws, extensions } = await handshake(h.url, { perMessageDeflate: true });
    assert.equal(extensions, undefined);
    assert.equal(ws.extensions, '');
  });
});

describe('permessage-deflate, on with a threshold', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ compression: { enabled: true, threshold: 1024 } });
  });
  after(() => h.close());

  test('is negotiated, without server context takeover', async () => {
    const { ws, extensions } = await handshake(h.url, { perMessageDeflate: true });
    assert.match(extensions ?? '', /^permessage-deflate/);
    assert.match(extensions ?? '', /server_no_context_takeover/);
    assert.equal(ws.extensions, 'permessage-deflate');
  });

  test('a client that does not offer it gets plain frames', async () => {
    const { extensions } = await handshake(h.url, { perMessageDeflate: false });
    assert.equal(extensions, undefined);
  });

  test('broadcasts at or above the threshold go compressed, smaller ones plain', async () => {
    const sender = await h.connect(alice);
    const deflating = await TestClient.connect(h.url, { user: bob }, { perMessageDeflate: true });
    h.clients.push(deflating);
    const wire = tapWire(deflating.ws);
    await sender.join('room:wire');
    await deflating.join('room:wire');
    await deflating.sync();
    wire.length = 0;
    const big = payloadOf(4000);
    const small = { note: 'hello' };
    await sender.request({
      type: 'emit',
      id: nextId(),
      room: 'room:wire',
      event: 'big',
      payload: big,
    });
    await sender.request({
      type: 'emit',
      id: nextId(),
      room: 'room:wire',
      event: 's',
      payload: small,
    });
    await deflating.next((f) => f.type === 'event' && f.event === 's');
    const bigEvent = deflating.ofType('event').find((e) => e.event === 'big');
    assert.deepEqual(bigEvent?.payload, big, 'the compressed event arrives whole');
    const bigText = Buffer.byteLength(JSON.stringify(bigEvent));
    const [bigWire, smallWire] = wire;
    assert.equal(bigWire?.compressed, true, 'the 4 KB event is compressed');
    assert.ok(bigWire.bytes < bigText / 3, `${bigWire.bytes} wire bytes for ${bigText}`);
    assert.equal(smallWire?.compressed, false, 'the small event is not');
  });

  test('a single reply above the threshold goes compressed too, after what came before it', async () => {
    await h.server.entities.update({
      type: 'customer',
      id: 'big',
      fields: payloadOf(3000),
      source: 'backend',
      create: true,
    });
    const client = await TestClient.connect(h.url, { user: carol }, { perMessageDeflate: true });
    h.clients.push(client);
    const wire = tapWire(client.ws);
    const id = nextId();
    client.send({ type: 'ping', t: 1 });
    client.send({ type: 'entity.get', id, entityType: 'customer', entityId: 'big' });
    const snapshot = await client.next((f) => f.type === 'entity.snapshot' && f.replyTo === id);
    assert.equal(snapshot.type === 'entity.snapshot' && snapshot.entity.id, 'big');
    assert.deepEqual(
      wire.map((f) => f.compressed),
      [false, true],
      'the small pong plain, then the snapshot compressed, in order',
    );
  });

  test('a client with and one without compression get identical frames', async () => {
    const sender = await h.connect({ id: 'dora', name: 'Dora' });
    const plain = await TestClient.connect(
      h.url,
      { user: { id: 'eve', name: 'Eve' } },
      { perMessageDeflate: false },
    );
    const deflating = await TestClient.connect(
      h.url,
      { user: { id: 'finn', name: 'Finn' } },
      { perMessageDeflate: true },
    );
    h.clients.push(plain, deflating);
    assert.equal(plain.ws.extensions, '');
    assert.equal(deflating.ws.extensions, 'permessage-deflate');
    await sender.join('room:same');
    await plain.join('room:same');
    await deflating.join('room:same');
    for (const size of [50, 1023, 1024, 5000, 60_000]) {
      const payload = payloadOf(size);
      await sender.request({
        type: 'emit',
        id: nextId(),
        room: 'room:same',
        event: `e${size}`,
        payload,
      });
    }
    const last = (f: { type: string; event?: string }) =>
      f.type === 'event' && f.event === 'e60000';
    await plain.next(last);
    await deflating.next(last);
    const events = (c: TestClient) => c.ofType('event').filter((e) => e.room === 'room:same');
    assert.equal(events(plain).length, 5);
    assert.deepEqual(events(deflating), events(plain));
    assert.deepEqual(deflating.invalid, []);
  });

  test('the frame size limit applies to the inflated size', async () => {
    const client = await TestClient.connect(h.url, { user: alice }, { perMessageDeflate: true });
    h.clients.push(client);
    // ~100 KB of JSON that deflates to a few hundred bytes: over the 64 KiB protocol limit,
    // under the socket's hard limit, so it is refused with an error and the socket stays open.
    const id = nextId();
    client.send({ type: 'emit', id, room: 'room:x', event: 'e', payload: 'a'.repeat(100_000) });
    const refused = await client.next((f) => f.type === 'error' && f.code === 'frame_too_large');
    assert.equal(refused.type, 'error');
    await client.sync();
  });

  test('a zip bomb is cut off as it inflates, with 1009', async () => {
    const client = await TestClient.connect(h.url, { user: bob }, { perMessageDeflate: true });
    h.clients.push(client);
    // 16 MB of zeros deflate to about 16 KB on the wire.
    client.sendRaw(Buffer.alloc(16 * 1024 * 1024, 0x20).toString());
    const closed = await client.waitClosed(5000);
    assert.equal(closed.code, 1009);
    const other = await h.connect({ id: 'gus', name: 'Gus' });
    await other.sync(); // the server is fine
  });
});

describe('PreparedFrame.deflated', () => {
  test('is one RFC 7692 message that inflates back to the payload', () => {
    const prepared = PreparedFrame.fromJson(JSON.stringify(payloadOf(3000)));
    const frame = prepared.deflated();
    assert.equal(frame[0], 0xc1, 'FIN, RSV1, text');
    const length = frame[1]! < 126 ? frame[1]! : frame.readUInt16BE(2);
    const body = frame.subarray(frame[1]! < 126 ? 2 : 4);
    assert.equal(body.length, length);
    const inflated = inflateRawSync(Buffer.concat([body, Buffer.from([0, 0, 0xff, 0xff])]), {
      finishFlush: constants.Z_SYNC_FLUSH,
    });
    assert.deepEqual(inflated, prepared.payload);
    assert.equal(prepared.deflated(), frame, 'made once, then reused');
  });
});
