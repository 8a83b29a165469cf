/**
 * `waitFor`: resolves with the check's value once it is truthy and the check no longer throws;
 * checks again as soon as a fake server delivers a frame;
 * moves a rig's ManualClock when given it; and rejects at its deadline, naming what it waited for
 * and the check's last error, with the timers faked too (its deadline is in real time).
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it, mock } from 'node:test';
import {
  FakeServer,
  connectFake,
  createRig,
  flushMicrotasks,
  waitFor,
  type Rig,
} from '../../../src/testing/index.js';

const ROOM = 'customer:42';
const bo = { id: 'bo', name: 'Bo' };

const closing: (() => void)[] = [];
afterEach(() => {
  mock.timers.reset();
  closing.splice(0).forEach((close) => close());
});

/** A fake server on real timers and a client on it, closed after the test. */
function realTime() {
  const server = new FakeServer({ graceMs: 0 });
  const client = connectFake(server, { devUser: { id: 'ada', name: 'Ada' } });
  closing.push(() => {
    client.close();
    server.close();
  });
  return { server, client };
}

function rig(): Rig {
  const made = createRig();
  closing.push(() => made.close());
  return made;
}

describe('waitFor', () => {
  it("resolves with the check's value once it is truthy", async () => {
    const { server, client } = realTime();
    const presence = client.presence(ROOM);
    server.addPerson(ROOM, bo);
    const person = await waitFor(() => presence.snapshot().people.find((p) => p.user.id === 'bo'));
    assert.equal(person.user.name, 'Bo');
  });

  it('resolves once a check that asserts no longer throws', async () => {
    const { client } = realTime();
    const value = await waitFor(() => {
      assert.equal(client.status.state, 'open');
      return client.user?.id;
    });
    assert.equal(value, 'ada');
  });

  it('checks again as soon as a fake server delivers a frame, not at its next timer tick', async () => {
    // The server on a manual clock with latency: frames arrive when the test moves that clock,
    // while the wait itself runs on real time.
    const r = rig();
    r.server.setLatency(10);
    const client = r.client();
    client.joinRoom(ROOM);
    await r.clock.advance(100);
    const seen: unknown[] = [];
    client.on('note', (m) => seen.push(m.payload));
    let resolved = false;
    const waiting = waitFor(() => seen.length === 1).then(() => (resolved = true));
    await flushMicrotasks();
    r.server.broadcast(ROOM, 'note', 'hello');
    await r.clock.advance(10); // delivered: the wait checks before this returns
    assert.equal(resolved, true);
    await waiting;
  });

  it('moves a ManualClock when given one, 16 ms at a time, and stops when the state holds', async () => {
    const r = rig();
    const client = r.client();
    await waitFor(() => client.status.state === 'open');
    r.server.dropConnections();
    const dropped = r.clock.now();
    await waitFor(() => client.status.state === 'reconnecting');
    const reconnected = await waitFor(() => client.status.state === 'open', { clock: r.clock });
    assert.equal(reconnected, true);
    // The retry comes after half of the first backoff (the rig's jitter is 0.5): 500 ms.
    const waited = r.clock.now() - dropped;
    assert.ok(waited >= 500 && waited < 500 + 16, `${waited} ms of the clock`);
  });

  it('rejects at its deadline, naming what it waited for and the last error', async () => {
    const started = Date.now();
    const error = await waitFor(
      () => {
        throw new Error('not yet');
      },
      { what: 'the save to be confirmed', timeout: 50 },
    ).then(
      () => assert.fail('resolved'),
      (e: unknown) => e as Error,
    );
    assert.match(error.message, /the save to be confirmed did not hold within 50 ms/);
    assert.match(error.message, /threw Error: not yet/);
    assert.equal((error.cause as Error).message, 'not yet');
    assert.ok(Date.now() - started < 1000);
  });

  it('names the check by its source and tells its last value when it names nothing else', async () => {
    let count = 0;
    await assert.rejects(
      waitFor(() => count++ < 0 && 'never', { timeout: 20 }),
      /waitFor: \(\) ?=> ?count\+\+ ?< ?0 ?&& ?["']never["'] did not hold within 20 ms; the check returned false/,
    );
  });

  it('with a clock, the deadline is in its time', async () => {
    const r = rig();
    const before = r.clock.now();
    await assert.rejects(
      waitFor(() => false, { clock: r.clock, timeout: 1000, what: 'nothing' }),
      /nothing did not hold within 1000 ms of its clock/,
    );
    assert.equal(r.clock.now() - before, 1008); // 63 steps of 16 ms
  });

  it('does not hang with the timers faked: the deadline is in real time', async () => {
    mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'setImmediate', 'Date'] });
    const started = performance.now();
    await assert.rejects(
      waitFor(() => false, { timeout: 50, what: 'nothing' }),
      /within 50 ms/,
    );
    assert.ok(performance.now() - started < 1000);
  });

  it('with the timers faked, a fake server on them still answers what needs no time', async () => {
    mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'setImmediate', 'Date'] });
    const { server, client } = realTime();
    const presence = client.presence(ROOM);
    server.addPerson(ROOM, bo);
    await waitFor(() => presence.snapshot().people.some((p) => p.user.id === 'bo'));
    assert.equal(client.status.state, 'open');
  });
});
