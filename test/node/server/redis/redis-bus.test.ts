/**
 * The Redis bus across processes: one sequence per room, resume on any process, one subscription
 * per room per process, and frames framed once per process.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { FrameOf, ServerFrame } from '../../../../src/protocol/index.js';
import { alice, bob, carol } from '../../helpers/server-harness.js';
import { nextId, until } from '../../helpers/server-client.js';
import { startCluster, type Cluster } from './cluster.js';

type EventFrame = FrameOf<ServerFrame, 'event'>;

const eventsOf = (frames: readonly ServerFrame[], room: string): EventFrame[] =>
  frames.filter((f): f is EventFrame => f.type === 'event' && f.room === room);

describe('Redis bus across processes', () => {
  let cluster: Cluster;
  let redis: Redis;

  before(async () => {
    cluster = await startCluster(3);
    redis = new Redis(cluster.redis.url);
  });
  after(async () => {
    redis.disconnect();
    await cluster.close();
  });

  it('sequences a room across processes: every member sees every event once, in order, no gap', async () => {
    const room = 'deal:seq';
    const [p1, p2, p3] = cluster.nodes;
    const a = await p1!.connect(alice);
    const b = await p2!.connect(bob);
    const c = await p3!.connect(carol);
    const joined = await Promise.all([a.join(room), b.join(room), c.join(room)]);
    const start = Math.max(...joined.map((j) => j.seq));
    // Two processes publishing at once, interleaved: the sequence is still one.
    const perSender = 40;
    const sends: Promise<ServerFrame>[] = [];
    for (let i = 0; i < perSender; i++) {
      sends.push(a.request({ type: 'emit', id: nextId('e'), room, event: 'n', payload: `a${i}` }));
      sends.push(b.request({ type: 'emit', id: nextId('e'), room, event: 'n', payload: `b${i}` }));
    }
    const acks = await Promise.all(sends);
    const seqs = acks.map((ack) => (ack.type === 'ack' ? ack.seq : -1)).sort((x, y) => x! - y!);
    assert.equal(new Set(seqs).size, 2 * perSender, 'every event got its own number');
    assert.equal(seqs[0], start + 1);
    assert.equal(seqs.at(-1), start + 2 * perSender);
    for (const client of [a, b, c]) {
      await until(() => eventsOf(client.frames, room).length === 2 * perSender, 5000, 'all events');
      const got = eventsOf(client.frames, room).map((e) => e.seq);
      assert.deepEqual(
        got,
        Array.from({ length: 2 * perSender }, (_, i) => start + 1 + i),
        'contiguous, in order',
      );
    }
    const first = eventsOf(c.frames, room).find((e) => e.payload === 'a0');
    assert.equal(first?.from, 'alice');
    assert.equal(first?.at, cluster.clock.now());
  });

  it('resumes on another process with a replay of what was missed', async () => {
    const room = 'deal:resume';
    const [p1, p2, p3] = cluster.nodes;
    const a = await p1!.connect(alice, 'alice-laptop');
    const joined = await a.join(room);
    const b = await p2!.connect(bob);
    await b.join(room);
    const payload = (i: number) => ({ i });
    for (let i = 1; i <= 3; i++) {
      if (i === 2) a.ws.terminate(); // alice drops mid-stream
      await b.request({ type: 'emit', id: nextId('e'), room, event: 'n', payload: payload(i) });
    }
    const seen = eventsOf(a.frames, room).map((e) => e.seq);
    const since = seen.at(-1) ?? joined.seq;
    const back = await p3!.connect(alice, 'alice-laptop');
    const rejoined = await back.join(room, { since });
    assert.equal(rejoined.resume, 'replayed');
    assert.equal(rejoined.missed, joined.seq + 3 - since);
    const replayed = eventsOf(back.frames, room);
    assert.deepEqual(
      replayed.map((e) => e.seq),
      Array.from({ length: rejoined.missed }, (_, i) => since + 1 + i),
    );
    assert.deepEqual(replayed.at(-1)?.payload, payload(3));
    // Replayed events come before `joined`.
    const joinedAt = back.frames.indexOf(rejoined);
    assert.ok(replayed.every((e) => back.frames.indexOf(e) < joinedAt));
  });

  it('answers gap for a since from before the window, and for one from another run of the room', async () => {
    const room = 'deal:gap';
    const p1 = cluster.nodes[0]!;
    const a = await p1.connect(alice);
    const joined = await a.join(room);
    const stranger = await p1.connect(bob);
    const answer = await stranger.join(room, { since: joined.seq - 1_000_000 });
    assert.equal(answer.resume, 'gap');
    assert.equal(answer.missed, 0);
  });

  it('fills the events a process missed while its subscriber reconnected, in order, from the stream', async () => {
    const room = 'deal:refill';
    const [p1, p2] = cluster.nodes;
    const member = await p1!.connect(alice);
    const joined = await member.join(room);
    const publisher = await p2!.connect(bob);
    await publisher.join(room);
    // Every subscriber connection is cut; events published meanwhile never reach p1 by pub/sub.
    await redis.client('KILL', 'TYPE', 'PUBSUB');
    const acks = await Promise.all(
      [1, 2, 3, 4, 5].map((i) =>
        publisher.request({ type: 'emit', id: nextId('e'), room, event: 'n', payload: i }),
      ),
    );
    assert.ok(acks.every((a) => a.type === 'ack'));
    await until(() => eventsOf(member.frames, room).length === 5, 5000, 'all five events');
    assert.deepEqual(
      eventsOf(member.frames, room).map((e) => e.seq),
      [1, 2, 3, 4, 5].map((i) => joined.seq + i),
    );
    await member.sync(); // still connected: nothing had to be re-synced
  });

  it('holds one subscription per room per process, however many members it has', async () => {
    const room = 'deal:subs';
    const [p1, p2] = cluster.nodes;
    const channel = `crm:room:${room}`;
    const numsub = async (): Promise<number> => {
      const reply = (await redis.pubsub('NUMSUB', channel)) as [string, number];
      return Number(reply[1]);
    };
    const onP1 = await Promise.all(
      [1, 2, 3, 4, 5].map((i) => p1!.connect({ id: `u${i}`, name: `U${i}` })),
    );
    for (const client of onP1) await client.join(room);
    const onP2 = await Promise.all([6, 7].map((i) => p2!.connect({ id: `u${i}`, name: `U${i}` })));
    for (const client of onP2) await client.join(room);
    assert.equal(await numsub(), 2, 'one per process');
    for (const client of onP2) {
      await client.request({ type: 'leave', id: nextId('l'), room });
    }
    // Unsubscribing follows the last local leave; wait for Redis to count it.
    let subs = -1;
    const deadline = Date.now() + 3000;
    while (subs !== 1 && Date.now() < deadline) subs = await numsub();
    assert.equal(subs, 1, 'p2 no longer subscribed once its members left');
  });
});
