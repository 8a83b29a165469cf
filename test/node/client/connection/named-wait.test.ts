/**
 * A join refused for now names how long to wait (`retryAfterMs`). The client waits that long,
 * but no longer than the longest wait the protocol names (a minute): a server naming an hour
 * would hold the room empty that long, and one naming more than a timer takes (24.8 days) would
 * have the join sent again at once, over and over.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_BACKEND_RETRY_AFTER_MS } from '../../../../src/protocol/constants.js';
import { createRig } from '../../../../src/testing/index.js';

const ROOM = 'customer:42';

/**
 * A rig whose client's first join of the room is refused `backend_unavailable` naming
 * `retryAfterMs` (the server holds the join; the refusal answers it).
 */
async function refusedJoin(retryAfterMs: number) {
  const rig = createRig();
  const client = rig.client();
  let joins = 0;
  const held = rig.server.hold((frame) => frame.type === 'join' && joins++ === 0);
  client.joinRoom(ROOM);
  await rig.clock.flush();
  const [join] = rig.server.received('join');
  assert.ok(join);
  rig.server.sendRaw(
    JSON.stringify({
      type: 'error',
      replyTo: join.id,
      code: 'backend_unavailable',
      message: 'the CRM did not answer',
      room: ROOM,
      retryAfterMs,
    }),
  );
  await rig.clock.flush();
  return { rig, client, held };
}

describe('a join refused for now with a named wait', () => {
  for (const named of [3_600_000, 2 ** 31, 1e12]) {
    it(`naming ${named} ms, it is joined again after at most a minute`, async () => {
      const { rig, held } = await refusedJoin(named);
      await rig.clock.advance(MAX_BACKEND_RETRY_AFTER_MS - 1);
      assert.equal(rig.server.received('join').length, 1, 'not before the wait');
      await rig.clock.advance(1);
      assert.equal(rig.server.received('join').length, 2, 'joined again after a minute');
      assert.equal(held.size, 1);
      rig.close();
    });
  }
});

describe('a join refused for now, then a reconnect', () => {
  it('the reconnect joins the room, and the refused join is not sent again after', async () => {
    const { rig, client } = await refusedJoin(20_000);
    rig.server.dropConnections();
    await rig.clock.advance(1000);
    await rig.clock.flush();
    assert.equal(client.status.state, 'open');
    assert.equal(rig.server.received('join').length, 2, 'the reconnect joined it');
    assert.ok(client.lastSeq(ROOM) !== undefined, 'joined');
    await rig.clock.advance(20_000);
    assert.equal(rig.server.received('join').length, 2, 'no join of the refused one after');
    rig.close();
  });
});
