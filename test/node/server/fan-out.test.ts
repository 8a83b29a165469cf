import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Connection } from '../../../src/server/connection.js';
import { LocalBus } from '../../../src/server/local-bus.js';
import { ServerMetrics } from '../../../src/server/metrics.js';
import { Membership, RoomRegistry } from '../../../src/server/rooms.js';
import type { ServerSocket } from '../../../src/server/server-socket.js';
import { ManualClock } from '../../../src/testing/manual-clock.js';

/** The payloads of the unmasked text frames in `data`, in order. */
function payloads(data: Buffer): string[] {
  const out: string[] = [];
  for (let at = 0; at < data.length;) {
    let length = data[at + 1]! & 0x7f;
    let offset = 2;
    if (length === 126) {
      length = data.readUInt16BE(at + 2);
      offset = 4;
    }
    const frame = JSON.parse(data.subarray(at + offset, at + offset + length).toString()) as {
      payload?: unknown;
      type: string;
    };
    out.push(String(frame.payload ?? frame.type));
    at += offset + length;
  }
  return out;
}

/** A connection over a fake socket that logs each system-call-sized write: `write a+b`. */
function fakeConnection(id: string, metrics: ServerMetrics) {
  const log: string[] = [];
  const socket = {
    destroyed: false,
    writableLength: 0,
    cork: () => log.push('cork'),
    uncork: () => log.push('uncork'),
    write: (data: Buffer) => {
      log.push(`write ${payloads(data).join('+')}`);
      return true;
    },
  };
  const ws = {
    open: true,
    extensions: '',
    _socket: socket,
    bufferedAmount: 0,
    send: (text: string) => log.push(`send ${(JSON.parse(text) as { type: string }).type}`),
  };
  const limits = { maxMessagesPerSecond: 10, maxBufferedBytes: 1 << 20, preframedWrites: true };
  const connection = new Connection(
    id,
    ws as unknown as ServerSocket,
    limits,
    metrics,
    0,
    () => {},
    undefined,
  );
  connection.user = { id, name: id };
  return { connection, log };
}

/** A room registry on an in-memory bus; `batchWrites: false` writes each frame as published. */
function setup(batchWrites = true) {
  const bus = new LocalBus({
    clock: new ManualClock(),
    replayEvents: 100,
    replayMillis: 60_000,
    maxFrameBytes: 65_536,
  });
  const metrics = new ServerMetrics();
  const rooms = new RoomRegistry(bus, metrics, 100, batchWrites);
  const member = (id: string, ...inRooms: string[]) => {
    const fake = fakeConnection(id, metrics);
    for (const room of inRooms) {
      const membership = new Membership(fake.connection, room, '');
      rooms.add(membership);
      rooms.open(membership);
    }
    return fake;
  };
  const emit = (room: string, payload: string) => bus.publish(room, { event: 'x', payload });
  /** Lets the current run end (the microtask that writes what waits). */
  const runEnds = () => new Promise<void>((resolve) => setImmediate(resolve));
  return { bus, metrics, member, emit, runEnds };
}

describe('fan-out: frames of one run leave together', () => {
  test('frames published in one run reach each member in one write, in order', async () => {
    const { member, emit, runEnds, metrics } = setup();
    const a = member('a', 'r');
    const b = member('b', 'r');
    void emit('r', 'e1');
    void emit('r', 'e2');
    void emit('r', 'e3');
    assert.deepEqual(a.log, [], 'nothing is written before the run ends');
    await runEnds();
    assert.deepEqual(a.log, ['write e1+e2+e3']);
    assert.deepEqual(b.log, ['write e1+e2+e3']);
    assert.equal(metrics.broadcastDeliveries, 6);
  });

  test('a frame published in a later run is a write of its own', async () => {
    const { member, emit, runEnds } = setup();
    const a = member('a', 'r');
    await emit('r', 'e1');
    await runEnds();
    await emit('r', 'e2');
    await runEnds();
    assert.deepEqual(a.log, ['write e1', 'write e2']);
  });

  test('a frame sent to one member between two publishes keeps its place', async () => {
    const { member, emit, runEnds } = setup();
    const a = member('a', 'r');
    const b = member('b', 'r');
    void emit('r', 'e1');
    a.connection.send({ type: 'bye', reason: 'shutdown', reconnectMs: 1 });
    void emit('r', 'e2');
    await runEnds();
    assert.deepEqual(a.log, ['write e1', 'send bye', 'write e2']);
    assert.deepEqual(b.log, ['write e1+e2'], 'the others still get the run in one write');
  });

  test('frames published from promise callbacks of the same run join it', async () => {
    const { member, emit, runEnds } = setup();
    const a = member('a', 'r');
    // A session handles a socket's next frame once the previous handler's promise settles.
    void emit('r', 'e1').then(() => emit('r', 'e2').then(() => emit('r', 'e3')));
    await runEnds();
    assert.deepEqual(a.log, ['write e1+e2+e3']);
  });

  test('a member written to twice during a run gets each frame once, in order', async () => {
    const { member, emit, runEnds, metrics } = setup();
    const a = member('a', 'r');
    const b = member('b', 'r');
    void emit('r', 'e1');
    a.connection.send({ type: 'bye', reason: 'shutdown', reconnectMs: 1 });
    void emit('r', 'e2');
    a.connection.sendError('internal', 'x');
    void emit('r', 'e3');
    await runEnds();
    assert.deepEqual(a.log, ['write e1', 'send bye', 'write e2', 'send error', 'write e3']);
    assert.deepEqual(b.log, ['write e1+e2+e3']);
    assert.equal(metrics.broadcastDeliveries, 6);
  });

  test('frames of two rooms, interleaved, reach a member of both in the order sent', async () => {
    const { member, emit, runEnds } = setup();
    const both = member('both', 'r1', 'r2');
    const one = member('one', 'r1');
    void emit('r1', 'a1');
    void emit('r1', 'a2');
    void emit('r2', 'b1');
    void emit('r1', 'a3');
    await runEnds();
    assert.deepEqual(both.log, ['write a1+a2', 'write b1', 'write a3']);
    assert.deepEqual(one.log, ['write a1+a2', 'write a3']);
  });

  test('a signal to one member follows what was sent before it, and only it sees it', async () => {
    const { bus, member, emit, runEnds } = setup();
    const a = member('a', 'r');
    const b = member('b', 'r');
    void emit('r', 'e1');
    void bus.broadcast('r', {
      type: 'signal',
      room: 'r',
      event: 'offer',
      payload: 'psst',
      from: 'a',
      to: 'b',
      at: 0,
    });
    void emit('r', 'e2');
    await runEnds();
    assert.deepEqual(a.log, ['write e1', 'write e2']);
    assert.deepEqual(b.log, ['write e1', 'write psst', 'write e2']);
  });

  test('a member that closed meanwhile gets nothing of the run, and is not counted', async () => {
    const { member, emit, runEnds, metrics } = setup();
    const a = member('a', 'r');
    const b = member('b', 'r');
    void emit('r', 'e1');
    void emit('r', 'e2');
    (b.connection.ws as unknown as { open: boolean }).open = false;
    await runEnds();
    assert.deepEqual(a.log, ['write e1+e2']);
    assert.deepEqual(b.log, []);
    assert.equal(metrics.broadcastDeliveries, 2);
  });
});

describe('fan-out without batching', () => {
  test('each frame is written as it is published', async () => {
    const { metrics, member, emit } = setup(false);
    const a = member('a', 'r');
    void emit('r', 'e1');
    assert.deepEqual(a.log, ['write e1']);
    void emit('r', 'e2');
    assert.deepEqual(a.log, ['write e1', 'write e2']);
    assert.equal(metrics.broadcastDeliveries, 2);
  });
});
