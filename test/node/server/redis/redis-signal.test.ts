/**
 * Call signaling on the Redis bus: an emit addressed to one person (`to`) crosses processes but
 * reaches only that user's connections, on whichever process they are, and is never kept in the
 * room's replay stream (a stale offer or ICE candidate must not be replayed to anyone).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { FrameOf, PresenceState, ServerFrame } from '../../../../src/protocol/index.js';
import { alice, bob, carol } from '../../helpers/server-harness.js';
import { nextId, seesInCall, type TestClient } from '../../helpers/server-client.js';
import { startCluster, type Cluster } from './cluster.js';

type SignalFrame = FrameOf<ServerFrame, 'signal'>;

const signalsOf = (client: TestClient): SignalFrame[] => client.ofType('signal');

const IN_CALL: PresenceState = { status: 'online', activity: { kind: 'viewing' }, inCall: true };

describe('addressed emits (call signals) on the Redis bus', () => {
  let cluster: Cluster;
  let redis: Redis;

  before(async () => {
    cluster = await startCluster(2);
    redis = new Redis(cluster.redis.url);
  });
  after(async () => {
    redis.disconnect();
    await cluster.close();
  });

  /** Alice with two tabs on process 1; Bob and Carol on process 2; all in `room`. */
  async function people(room: string) {
    const [p1, p2] = cluster.nodes;
    const anaTab = await p1!.connect(alice, 'alice-laptop');
    const anaOtherTab = await p1!.connect(alice, 'alice-phone');
    const ben = await p2!.connect(bob);
    const carolOnP2 = await p2!.connect(carol);
    const everyone = [anaTab, anaOtherTab, ben, carolOnP2];
    // Call signals pass only between people both in the room's call (by the server's presence,
    // across processes): everyone joins in the call, and each sees the others in it before any
    // signal, so each process's view of the room has them too.
    const joined = await anaTab.join(room, { presence: IN_CALL });
    for (const client of everyone.slice(1)) await client.join(room, { presence: IN_CALL });
    for (const client of everyone) {
      for (const id of ['alice', 'bob', 'carol']) await seesInCall(client, room, id);
    }
    return { anaTab, anaOtherTab, ben, carol: carolOnP2, everyone, joined };
  }

  /**
   * A broadcast after the signal, from the same sender: it travels the same channel, so once
   * every member has it, a signal that was going to reach them has too.
   */
  async function barrier(sender: TestClient, room: string, everyone: readonly TestClient[]) {
    const ack = await sender.request({
      type: 'emit',
      id: nextId('b'),
      room,
      event: 'typing',
      payload: 'barrier',
    });
    assert.equal(ack.type, 'ack');
    for (const client of everyone) {
      await client.next((f) => f.type === 'event' && f.room === room && f.payload === 'barrier');
    }
    return ack;
  }

  it('delivers an emit addressed to a user on another process to that user only', async () => {
    const room = 'deal:signal-across';
    const { anaTab, anaOtherTab, ben, carol: c, everyone, joined } = await people(room);
    const ack = await anaTab.request({
      type: 'emit',
      id: 'offer-1',
      room,
      event: 'call.offer',
      payload: { sdp: 'v=0' },
      to: 'bob',
    });
    assert.deepEqual(ack, { type: 'ack', replyTo: 'offer-1' }, 'unsequenced: no seq');
    const signal = await ben.next((f) => f.type === 'signal');
    assert.deepEqual(signal, {
      type: 'signal',
      room,
      event: 'call.offer',
      payload: { sdp: 'v=0' },
      from: 'alice',
      to: 'bob',
      at: cluster.clock.now(),
    });
    const broadcast = await barrier(anaTab, room, everyone);
    assert.deepEqual(signalsOf(c), [], 'Carol, on the same process as Bob, never sees it');
    assert.deepEqual(signalsOf(anaTab), [], "not echoed to the sender's tab");
    assert.deepEqual(signalsOf(anaOtherTab), [], "not sent to the sender's other tabs");
    assert.equal(signalsOf(ben).length, 1, 'Bob gets it once');
    // Unsequenced and never kept: the broadcast after it took the next number, and the replay
    // stream holds only that broadcast.
    assert.deepEqual(broadcast, { type: 'ack', replyTo: broadcast.replyTo, seq: joined.seq + 1 });
    const kept = await redis.xrange(`crm:log:${room}`, '-', '+');
    assert.equal(kept.length, 1);
    assert.ok(!kept[0]![1].join('\n').includes('call.offer'), 'the signal is not in the stream');
  });

  it('delivers an emit addressed to a user on the same process to that user only', async () => {
    const room = 'deal:signal-local';
    const { anaTab, anaOtherTab, ben, carol: c, everyone } = await people(room);
    const ack = await ben.request({
      type: 'emit',
      id: 'candidate-1',
      room,
      event: 'call.candidate',
      payload: { candidate: 'candidate:1 1 udp 2122260223 10.0.0.2 5000 typ host' },
      to: 'carol',
    });
    assert.deepEqual(ack, { type: 'ack', replyTo: 'candidate-1' });
    const signal = await c.next((f) => f.type === 'signal');
    assert.equal(signal.type === 'signal' && signal.from, 'bob');
    await barrier(ben, room, everyone);
    assert.equal(signalsOf(c).length, 1, 'Carol gets it once');
    assert.deepEqual(signalsOf(ben), [], 'not echoed to the sender');
    assert.deepEqual(signalsOf(anaTab), [], 'Alice, on the other process, never sees it');
    assert.deepEqual(signalsOf(anaOtherTab), []);
  });

  it('delivers an emit addressed to a user with tabs on both processes to every tab of theirs only', async () => {
    const room = 'deal:signal-tabs';
    const { anaTab, anaOtherTab, ben, carol: c, everyone } = await people(room);
    const anaOnP2 = await cluster.nodes[1]!.connect(alice, 'alice-tablet');
    await anaOnP2.join(room);
    await c.request({
      type: 'emit',
      id: 'answer-1',
      room,
      event: 'call.answer',
      payload: { sdp: 'v=0' },
      to: 'alice',
    });
    await barrier(c, room, [...everyone, anaOnP2]);
    for (const tab of [anaTab, anaOtherTab, anaOnP2]) {
      assert.deepEqual(
        signalsOf(tab).map((s) => [s.from, s.to, s.event]),
        [['carol', 'alice', 'call.answer']],
      );
    }
    assert.deepEqual(signalsOf(ben), []);
    assert.deepEqual(signalsOf(c), []);
  });
});
