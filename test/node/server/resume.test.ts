import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { TestClient } from '../helpers/server-client.js';
import { alice, bob, startHarness, type Harness } from '../helpers/server-harness.js';

const ROOM = 'customer:9';

async function publish(client: TestClient, count: number, from = 0): Promise<void> {
  for (let i = from; i < from + count; i++) {
    await client.request({ type: 'emit', id: `e${i}`, room: ROOM, event: 'n', payload: i });
  }
}

describe('server resume', () => {
  let h: Harness;
  afterEach(() => h.close());

  test('a join with `since` replays exactly the missed events, before `joined`', async () => {
    h = await startHarness({ limits: { replayEvents: 100, maxMessagesPerSecond: 1000 } });
    const publisher = await h.connect(alice);
    await publisher.join(ROOM);
    await publish(publisher, 5);

    const first = await h.connect(bob);
    await first.join(ROOM);
    await publish(publisher, 2, 5);
    const seen = await first.next((f) => f.type === 'event' && f.payload === 6);
    const lastSeq = seen.type === 'event' ? seen.seq : -1;
    first.ws.terminate();

    await publish(publisher, 4, 7); // missed while away: payloads 7..10

    const back = await h.connect(bob);
    const joined = await back.join(ROOM, { since: lastSeq });
    assert.equal(joined.resume, 'replayed');
    assert.equal(joined.missed, 4);
    assert.equal(joined.seq, lastSeq + 4);
    const events = back.ofType('event');
    assert.deepEqual(
      events.map((e) => [e.seq, e.payload]),
      [7, 8, 9, 10].map((p, i) => [lastSeq + 1 + i, p]),
    );
    const order = back.frames.map((f) => f.type).filter((t) => t === 'event' || t === 'joined');
    assert.deepEqual(order, ['event', 'event', 'event', 'event', 'joined']);

    // Live events continue right after.
    await publish(publisher, 1, 11);
    const live = await back.next((f) => f.type === 'event' && f.payload === 11);
    assert.equal(live.type === 'event' && live.seq, joined.seq + 1);
  });

  test('up to date: since = current seq replays nothing', async () => {
    h = await startHarness();
    const a = await h.connect(alice);
    const joined = await a.join(ROOM);
    const again = await (await h.connect(alice)).join(ROOM, { since: joined.seq });
    assert.deepEqual([again.resume, again.missed, again.seq], ['replayed', 0, joined.seq]);
  });

  test('`gap` when more events were missed than the buffer holds', async () => {
    h = await startHarness({ limits: { replayEvents: 3, maxMessagesPerSecond: 1000 } });
    const publisher = await h.connect(alice);
    const start = await publisher.join(ROOM);
    await publish(publisher, 5);
    const late = await h.connect(bob);
    const joined = await late.join(ROOM, { since: start.seq + 1 });
    assert.equal(joined.resume, 'gap');
    assert.equal(joined.missed, 4, 'the server still says how many were lost');
    assert.equal(joined.seq, start.seq + 5);
    assert.equal(late.ofType('event').length, 0, 'a partial replay would hide the gap');

    // The last 3 are still there for someone who missed only those.
    const other = await h.connect(bob);
    const ok = await other.join(ROOM, { since: start.seq + 2 });
    assert.deepEqual([ok.resume, ok.missed], ['replayed', 3]);
  });

  test('`gap` when the missed events are older than the replay window', async () => {
    h = await startHarness({ limits: { replayMillis: 120_000 } });
    const publisher = await h.connect(alice);
    const start = await publisher.join(ROOM);
    await publish(publisher, 2);
    h.clock.advanceSync(120_001);
    const joined = await (await h.connect(bob)).join(ROOM, { since: start.seq });
    assert.equal(joined.resume, 'gap');
  });

  test('`gap` for a resume point this server never issued (e.g. before a restart)', async () => {
    h = await startHarness();
    const a = await h.connect(alice);
    const now = await a.join(ROOM);
    const ahead = await (await h.connect(bob)).join(ROOM, { since: now.seq + 50 });
    assert.equal(ahead.resume, 'gap');
    const behind = await (await h.connect(bob)).join(ROOM, { since: 12 });
    assert.equal(behind.resume, 'gap');
  });

  test('past limits.maxIdleRooms, the room left longest ago is forgotten: resuming it is `gap`', async () => {
    h = await startHarness({ limits: { maxIdleRooms: 2 } });
    const a = await h.connect(alice);
    const seqs = new Map<string, number>();
    for (const room of ['r:1', 'r:2', 'r:3']) {
      seqs.set(room, (await a.join(room)).seq);
      await a.request({ type: 'leave', id: `l-${room}`, room });
    }
    h.clock.advanceSync(1); // a room made again now starts after the old resume points
    assert.equal((await a.join('r:3', { since: seqs.get('r:3') })).resume, 'replayed');
    assert.equal((await a.join('r:1', { since: seqs.get('r:1') })).resume, 'gap');
  });
});
