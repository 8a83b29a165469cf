/**
 * A save sent on a link that died without a close (Wi-Fi gone, a proxy that stopped forwarding)
 * is followed by a probe: the link is given up within `probeTimeout` instead of after the request
 * timeout or the next heartbeat, the save waits as an offline change meanwhile, and it reaches the
 * server once on the next socket. A slow but alive link, a server that answers pings but not the
 * save, and a burst of requests are not mistaken for a dead link.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import {
  MemoryOutboxStore,
  type LiveData,
  type RealtimeClient,
  type RealtimeClientOptions,
} from '../../../../src/client/index.js';
import { DEFAULT_PROBE_TIMEOUT, Heartbeat } from '../../../../src/client/connection/heartbeat.js';
import { createRig, DEMO_USER, ManualClock, type Rig } from '../../../../src/testing/index.js';
import { expectState, stateOf } from '../../helpers/client-status.js';

const bob = { id: 'bob', name: 'Bob' };

function setup(): Rig {
  const rig = createRig();
  rig.server.entities.put({ type: 'customer', id: '42', fields: { name: 'Acme', phone: '100' } });
  return rig;
}

async function formOn(
  rig: Rig,
  options: Partial<RealtimeClientOptions> = {},
): Promise<{ client: RealtimeClient; live: LiveData }> {
  const client = rig.client({ devUser: DEMO_USER, outbox: new MemoryOutboxStore(), ...options });
  const live = client.liveData({ entityType: 'customer', entityId: '42' });
  await until(rig, 'the form loaded', () => live.status === 'ready');
  return { client, live };
}

/** Runs the clock timer by timer until `done()` holds; the fake ms that took. */
async function until(rig: Rig, what: string, done: () => boolean, limit = 120_000) {
  const start = rig.clock.now();
  await rig.clock.flush();
  while (!done()) {
    const next = rig.clock.nextTimerAt();
    assert.ok(next !== undefined && next - start <= limit, `${what} within ${limit} ms`);
    await rig.clock.advance(next - rig.clock.now());
  }
  return rig.clock.now() - start;
}

/** A socket factory on the rig's server whose `entity.update` frames vanish while `lose()`. */
function losingUpdates(rig: Rig, lose: () => boolean): RealtimeClientOptions['socketFactory'] {
  return (url) => {
    const socket = rig.server.socketFactory(url);
    const send = socket.send.bind(socket);
    socket.send = (text) => {
      if (!(lose() && text.includes('"entity.update"'))) send(text);
    };
    return socket;
  };
}

const last = (live: LiveData) => live.changes.at(-1)!;

describe('heartbeat: a probe behind a save', () => {
  it('gives a dead link up within probeTimeout of a save, shows it waiting, and sends it once after', async (t: TestContext) => {
    const rig = setup();
    const { client, live } = await formOn(rig);
    await rig.clock.advance(5_000); // the form has been open a while: the link is quiet
    rig.server.blackhole(true); // the network died; no close came
    const saving = live.update({ phone: '+44 20 7946 0000' });
    assert.equal(last(live).queued, false, '"Saving…" while the link is not known dead');
    // Both moments, from the user's seat: when the link is given up, when the form stops saying
    // "Saving…" for "waiting offline".
    const savedAt = rig.clock.now();
    let waiting: number | undefined;
    const seen = () => {
      if (waiting === undefined && last(live).queued) waiting = rig.clock.now() - savedAt;
      return waiting !== undefined;
    };
    const dead = await until(rig, 'the link declared dead', () => {
      seen();
      return stateOf(client) !== 'open';
    });
    await until(rig, 'the save shown waiting', seen);
    t.diagnostic(`save → link declared dead: ${dead} ms; → shown waiting: ${waiting} ms`);
    assert.ok(dead <= 5_000, `declared dead ${dead} ms after the save, not after 15 s or more`);
    assert.equal(waiting, dead, 'waiting offline as soon as the link is known dead');
    assert.match(expectState(client, 'reconnecting').lastError ?? '', /probe timeout/);
    assert.equal(last(live).state, 'pending', 'never lost');

    rig.server.blackhole(false); // the network is back: the usual backoff brings a new socket
    await until(rig, 'the save confirmed', () => last(live).state === 'confirmed');
    const { mutationId } = await saving;
    assert.deepEqual(
      rig.server.received('entity.update').map((f) => f.mutationId),
      [mutationId],
      'sent again with its mutation id, and arrived once',
    );
    assert.equal(rig.server.entities.get('customer', '42')!.version, 2);
    assert.equal(client.outbox.size, 0);
    rig.close();
  });

  it('probes a link that spoke a moment ago once it has been quiet for a second', async (t: TestContext) => {
    const rig = setup();
    const { client, live } = await formOn(rig);
    await rig.clock.advance(5_000);
    rig.server.entities.remoteUpdate('customer', '42', { name: 'Acme Ltd' }, bob);
    await rig.clock.flush(); // Bob's change arrives: the link just spoke
    rig.server.blackhole(true);
    void live.update({ phone: '200' });
    const dead = await until(rig, 'the link declared dead', () => stateOf(client) !== 'open');
    t.diagnostic(`save → link declared dead: ${dead} ms`);
    assert.ok(dead <= 6_000, `declared dead ${dead} ms after the save`);
    assert.ok(last(live).queued);
    rig.close();
  });

  it('keeps a link that answers the probe, and the request timeout still applies to the save', async () => {
    const rig = setup();
    let losing = false;
    const { client, live } = await formOn(rig, {
      socketFactory: losingUpdates(rig, () => losing),
    });
    await rig.clock.advance(5_000);
    const states: string[] = [];
    client.onStatus((s) => states.push(s.state));
    losing = true; // the server never gets the save, yet answers pings at once
    const saving = live.update({ phone: '300' });
    const waited = await until(rig, 'the save shown waiting', () => last(live).queued);
    assert.equal(waited, 15_000, 'after requestTimeout, as before');
    assert.deepEqual(states, [], 'the socket was never given up');
    assert.ok(rig.server.received('ping').length >= 1, 'the link was probed');
    assert.equal(rig.server.sent('welcome').length, 1);
    losing = false;
    await until(rig, 'the save confirmed', () => last(live).state === 'confirmed');
    assert.equal((await saving).state, 'confirmed');
    assert.equal(rig.server.received('entity.update').length, 1);
    rig.close();
  });

  it('does not give up a slow but alive link whose answers take longer than probeTimeout', async () => {
    const rig = setup();
    rig.server.setLatency(3_000); // 6 s round trips: the handshake shows it
    const { client, live } = await formOn(rig);
    await rig.clock.advance(5_000);
    const states: string[] = [];
    client.onStatus((s) => states.push(s.state));
    const saving = live.update({ phone: '400' });
    await until(rig, 'the save confirmed', () => last(live).state === 'confirmed');
    assert.equal((await saving).state, 'confirmed');
    assert.deepEqual(states, [], 'the slow socket was kept');
    assert.equal(rig.server.sent('welcome').length, 1);
    rig.close();
  });

  it('a link that turns slow is given up once, then kept: the save is applied once', async () => {
    const rig = setup();
    const { client, live } = await formOn(rig);
    await rig.clock.advance(5_000);
    rig.server.setLatency(3_000);
    const saving = live.update({ phone: '500' });
    await until(rig, 'the save confirmed', () => last(live).state === 'confirmed');
    assert.equal((await saving).state, 'confirmed');
    assert.equal(rig.server.sent('welcome').length, 2, 'one new socket, not one per probe');
    assert.equal(stateOf(client), 'open');
    const ids = rig.server.received('entity.update').map((f) => f.mutationId);
    assert.deepEqual(ids, [ids[0], ids[0]], 'sent again with the same id');
    assert.equal(rig.server.entities.get('customer', '42')!.version, 2, 'applied once');
    rig.close();
  });

  it('sends one probe for a burst of requests, and none on a link that just spoke', async () => {
    const rig = setup();
    const { client } = await formOn(rig);
    await rig.clock.advance(5_000);
    const pings = () => rig.server.received('ping').length;
    const before = pings();
    const get = () =>
      client.request({ type: 'entity.get', entityType: 'customer', entityId: '42' });
    await Promise.all([get(), get(), get(), get(), get()]);
    assert.equal(pings() - before, 1, 'one probe for five requests');
    await get(); // the answers just came: the link needs no probe, now or a second later
    await rig.clock.advance(1_000);
    assert.equal(pings() - before, 1);
    rig.close();
  });
});

describe('heartbeat: the probe deadline', () => {
  /** A heartbeat on a manual clock that records the delay of every timer it sets. */
  function heartbeat(probeTimeout?: number) {
    const clock = new ManualClock();
    const delays: number[] = [];
    const dead: string[] = [];
    const timed = Object.assign(Object.create(clock) as ManualClock, {
      setTimeout: (fn: () => void, ms: number) => (delays.push(ms), clock.setTimeout(fn, ms)),
    });
    const h = new Heartbeat({
      clock: timed,
      interval: 30_000,
      timeout: 10_000,
      probeTimeout,
      ping: () => {},
      dead: (reason) => dead.push(reason),
    });
    return { clock, h, delays, dead };
  }

  it('waits twice the slowest round trip, but never past a minute, whatever a pong claims', async () => {
    const { clock, h, delays, dead } = heartbeat();
    h.start(4_000); // a handshake of 4 s
    await clock.advance(5_000);
    h.expectAnswer();
    assert.equal(delays.at(-1), 8_000);
    h.alive();
    h.roundTrip(clock.now()); // a pong carrying t = 0: "an answer after 55 years"
    await clock.advance(5_000);
    h.expectAnswer();
    assert.equal(delays.at(-1), 60_000, 'not a timer that overflows and fires at once');
    assert.deepEqual(dead, []);
  });

  it('takes the default for a probeTimeout that would kill every socket', async () => {
    for (const bad of [0, -1, Number.NaN]) {
      const { clock, h, delays } = heartbeat(bad);
      h.start();
      await clock.advance(5_000);
      h.expectAnswer();
      assert.equal(delays.at(-1), DEFAULT_PROBE_TIMEOUT, String(bad));
    }
  });
});
