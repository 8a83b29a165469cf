/**
 * Resuming across a restart: room sequence numbers start from the room's creation time,
 * so a `since` from before a restart lies below the new range. The server cannot know how many
 * events it missed; the documented answer is `gap` with `missed: 0`, not the milliseconds the
 * restart took (clients were told ~6,000 events were missed when none were sent).
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { alice, bob, startHarness, type Harness } from '../helpers/server-harness.js';

const ROOM = 'customer:9';
const RESTART_MS = 6_000;

describe('server resume after a restart', () => {
  const harnesses: Harness[] = [];
  afterEach(async () => {
    for (const h of harnesses.splice(0)) await h.close();
  });

  test('a client rejoining a restarted server gets gap with 0 missed', async () => {
    const before = await startHarness();
    harnesses.push(before);
    const publisher = await before.connect(alice);
    const joined = await publisher.join(ROOM);
    for (let i = 0; i < 3; i++) {
      await publisher.request({ type: 'emit', id: `e${i}`, room: ROOM, event: 'n', payload: i });
    }
    const since = joined.seq + 3;
    await before.close();

    // The same server started again 6 s later: rooms and their sequences are memory.
    const after = await startHarness();
    harnesses.push(after);
    after.clock.advanceSync(RESTART_MS);
    const rejoined = await (await after.connect(alice)).join(ROOM, { since });
    assert.equal(rejoined.resume, 'gap');
    assert.equal(rejoined.missed, 0);
    assert.ok(rejoined.seq > since, 'the new range starts above the old one');
    // Events published after the restart are counted like any other missed events.
    const b = await after.connect(bob);
    await b.join(ROOM);
    for (let i = 0; i < 2; i++) {
      const ack = await b.request({
        type: 'emit',
        id: `f${i}`,
        room: ROOM,
        event: 'n',
        payload: i,
      });
      assert.equal(ack.type, 'ack', JSON.stringify(ack));
    }
    const replay = await (await after.connect(alice)).join(ROOM, { since: rejoined.seq });
    assert.equal(replay.resume, 'replayed');
    assert.equal(replay.missed, 2);
  });
});
