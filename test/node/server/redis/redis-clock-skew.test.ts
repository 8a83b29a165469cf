/**
 * Two processes on one Redis whose clocks disagree: the replay window's ages are read on Redis's
 * clock, so a client resuming on either process after a short drop is replayed what the other
 * published, and events still age out of the window as time passes.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { DEFAULT_LIMITS } from '../../../../src/server/config.js';
import { ManualClock } from '../../../../src/testing/manual-clock.js';
import { alice, bob } from '../../helpers/server-harness.js';
import { nextId } from '../../helpers/server-client.js';
import { startCluster, type Cluster } from './cluster.js';
import type { Logger, LogFields } from '../../../../src/server/log.js';
import { createServer, type RealtimeServer } from '../../../../src/server/server.js';
import { startRedis, type RedisInstance } from '../../../services/redis.js';
import { listenPort } from '../../../services/free-port.js';
import { TestClient } from '../../helpers/server-client.js';
import { sharedStorage } from './cluster.js';

/** 2½ minutes: more than the replay window (2 minutes). */
const AHEAD_MS = 150_000;

/**
 * A manual clock that can also be set, as NTP steps a machine's clock: `elapsed` (time that
 * passed) moves with `advanceSync`, not with `set`.
 */
class SettableClock extends ManualClock {
  private steps = 0;
  elapsed(): number {
    return this.now() - this.steps;
  }
  set(by: number): void {
    this.steps += by;
    this.advanceSync(by);
  }
}

describe('processes whose clocks disagree, on one Redis', () => {
  let cluster: Cluster | undefined;
  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
  });

  it('a resume on the process whose clock runs ahead replays what the other just published', async () => {
    cluster = await startCluster(1);
    const onTime = cluster.nodes[0]!;
    const aheadClock = new ManualClock(cluster.clock.now() + AHEAD_MS);
    const ahead = await cluster.add({ clock: aheadClock });
    const room = 'deal:skew';
    const writer = await onTime.connect(alice);
    await writer.join(room);
    const reader = await ahead.connect(bob, 'bob-laptop');
    const joined = await reader.join(room);
    reader.ws.terminate();

    const emit = async (payload: { text: string }): Promise<number> => {
      const ack = await writer.request({
        type: 'emit',
        id: nextId('e'),
        room,
        event: 'note',
        payload,
      });
      assert.equal(ack.type, 'ack', JSON.stringify(ack));
      return (ack as { seq: number }).seq;
    };
    const seq = await emit({ text: 'while Bob was away' });
    const back = await ahead.connect(bob, 'bob-laptop');
    const resumed = await back.join(room, { since: joined.seq });
    assert.equal(resumed.resume, 'replayed', JSON.stringify(resumed));
    assert.deepEqual(
      back.ofType('event').map((e) => e.seq),
      [seq],
    );

    // The window still ages: past it, on either clock, the event is too old to replay.
    cluster.clock.advanceSync(DEFAULT_LIMITS.replayMillis + 1);
    aheadClock.advanceSync(DEFAULT_LIMITS.replayMillis + 1);
    const late = await ahead.connect(bob, 'bob-phone');
    assert.equal((await late.join(room, { since: joined.seq })).resume, 'gap');
    const lateOnTime = await onTime.connect(bob, 'bob-tablet');
    assert.equal((await lateOnTime.join(room, { since: joined.seq })).resume, 'gap');
  });

  it('a process whose clock is set (an NTP step) measures its offset again: no gap after it', async () => {
    cluster = await startCluster(1);
    const onTime = cluster.nodes[0]!;
    // Started with its clock 2½ minutes behind, then corrected while it runs.
    const behindClock = new SettableClock(cluster.clock.now() - AHEAD_MS);
    const behind = await cluster.add({ clock: behindClock });
    const room = 'deal:stepped';
    const writer = await onTime.connect(alice);
    await writer.join(room);
    const reader = await behind.connect(bob, 'bob-laptop');
    const joined = await reader.join(room);
    reader.ws.terminate();
    behindClock.set(AHEAD_MS);

    const ack = await writer.request({
      type: 'emit',
      id: nextId('e'),
      room,
      event: 'note',
      payload: { text: 'while Bob was away' },
    });
    assert.equal(ack.type, 'ack', JSON.stringify(ack));
    const back = await behind.connect(bob, 'bob-laptop');
    const resumed = await back.join(room, { since: joined.seq });
    assert.equal(resumed.resume, 'replayed', JSON.stringify(resumed));
    assert.deepEqual(
      back.ofType('event').map((e) => e.seq),
      [(ack as { seq: number }).seq],
    );
  });

  it('the offset is measured again after an hour: a clock that drifted ahead leaves no gap', async () => {
    cluster = await startCluster(1);
    const onTime = cluster.nodes[0]!;
    const driftingClock = new SettableClock(cluster.clock.now());
    const drifting = await cluster.add({ clock: driftingClock });
    const room = 'deal:drift';
    const writer = await onTime.connect(alice);
    await writer.join(room);
    const reader = await drifting.connect(bob, 'bob-laptop');
    const joined = await reader.join(room);
    reader.ws.terminate();
    // An hour and a bit by this process's own reckoning, which Redis's clock did not see pass.
    driftingClock.advanceSync(3_600_000 + AHEAD_MS);

    const ack = await writer.request({
      type: 'emit',
      id: nextId('e'),
      room,
      event: 'note',
      payload: { text: 'while Bob was away' },
    });
    assert.equal(ack.type, 'ack', JSON.stringify(ack));
    const back = await drifting.connect(bob, 'bob-laptop');
    const resumed = await back.join(room, { since: joined.seq });
    assert.equal(resumed.resume, 'replayed', JSON.stringify(resumed));
  });

  it('a Redis that refuses TIME: replay ages on the process clock, as before, and a warning', async () => {
    const redis: RedisInstance = await startRedis({ args: ['--rename-command', 'TIME', '""'] });
    const warned: { msg: string; fields: LogFields | undefined }[] = [];
    const logger: Logger = {
      debug: () => {},
      info: () => {},
      warn: (msg, fields) => void warned.push({ msg, fields }),
      error: () => {},
    };
    let server: RealtimeServer | undefined;
    try {
      server = createServer({
        auth: { devIdentities: true },
        logger,
        clock: new ManualClock(),
        heartbeatMs: 3_600_000,
        shutdownTimeoutMs: 500,
        redisUrl: redis.url,
        storage: await sharedStorage(),
      });
      const { port } = await server.listen(await listenPort(), '127.0.0.1');
      const url = `ws://127.0.0.1:${port}/realtime`;
      const room = 'deal:no-time';
      const writer = await TestClient.connect(url, { user: alice });
      await writer.join(room);
      const reader = await TestClient.connect(url, { user: bob, clientId: 'bob-laptop' });
      const joined = await reader.join(room);
      reader.ws.terminate();
      const ack = await writer.request({
        type: 'emit',
        id: nextId('e'),
        room,
        event: 'note',
        payload: { text: 'while Bob was away' },
      });
      assert.equal(ack.type, 'ack', JSON.stringify(ack));
      const back = await TestClient.connect(url, { user: bob, clientId: 'bob-laptop' });
      assert.equal((await back.join(room, { since: joined.seq })).resume, 'replayed');
      assert.deepEqual(
        warned.map((w) => w.msg).filter((m) => m.includes('TIME')),
        ['redis refused TIME: replay ages use this process clock'],
      );
      for (const c of [writer, back]) c.ws.terminate();
    } finally {
      await server?.close();
      await redis.dispose();
    }
  });
});
