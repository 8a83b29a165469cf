import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Membership } from '../../../src/server/rooms.js';
import { fakeSocketConnection, localRooms } from '../helpers/fake-server-socket.js';

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

/** A room registry on an in-memory bus; `batchWrites: false` writes each frame as published. */
function setup(batchWrites = true) {
  const { bus, metrics, rooms } = localRooms({ batchWrites });
  const member = (id: string, ...inRooms: string[]) => {
    // Each write logged as the payloads it carries: `write a+b`.
    const fake = fakeSocketConnection({
      id,
      metrics,
      describe: (data) => payloads(data).join('+'),
    });
    fake.connection.user = { id, name: id };
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
