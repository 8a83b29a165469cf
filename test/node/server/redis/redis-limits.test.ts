/**
 * Which limits hold per connection and which for the whole deployment, with one person's tabs on
 * two processes of one Redis (docs/deploy.md, "Limits: per connection or per user"): the frame
 * rate and the rooms per connection are a connection's own, wherever the person's other tabs are,
 * so one tab at its limit neither spends nor stops another's budget on another process.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { alice } from '../../helpers/server-harness.js';
import { nextId, until } from '../../helpers/server-client.js';
import { startCluster, type Cluster } from './cluster.js';

describe('per-connection limits with a person on two processes', () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await startCluster(2, {
      limits: { maxMessagesPerSecond: 10, maxRoomsPerConnection: 3 },
    });
  });
  after(() => cluster.close());

  it('limits the frame rate of each tab, not of the person', async () => {
    const [p1, p2] = cluster.nodes;
    const tab1 = await p1!.connect(alice, 'alice-laptop');
    const tab2 = await p2!.connect(alice, 'alice-laptop');
    cluster.clock.advance(1000); // both buckets full after the hellos
    for (let i = 0; i < 15; i++) tab1.send({ type: 'ping', t: i });
    await until(
      () => tab1.frames.filter((f) => f.type === 'pong' || f.type === 'error').length >= 15,
    );
    assert.equal(tab1.ofType('pong').length, 10);
    assert.equal(tab1.ofType('error').filter((e) => e.code === 'rate_limited').length, 5);
    // The other tab, on the other process, still has its whole second's worth.
    for (let i = 0; i < 10; i++) tab2.send({ type: 'ping', t: i });
    await until(() => tab2.ofType('pong').length + tab2.ofType('error').length >= 10);
    assert.equal(tab2.ofType('pong').length, 10);
    assert.equal(tab2.ofType('error').length, 0);
  });

  it('counts the rooms of each connection, not of the person', async () => {
    cluster.clock.advance(1000);
    const [p1, p2] = cluster.nodes;
    const tab1 = await p1!.connect(alice, 'alice-desk');
    const tab2 = await p2!.connect(alice, 'alice-desk');
    for (const room of ['deal:1', 'deal:2', 'deal:3']) await tab1.join(room);
    const over = await tab1.request({ type: 'join', id: nextId('j'), room: 'deal:4' });
    assert.equal(over.type === 'error' && over.code, 'too_many_rooms', JSON.stringify(over));
    // The person's other connection joins the same rooms, and one more, on its own count.
    for (const room of ['deal:1', 'deal:2', 'deal:4']) await tab2.join(room);
    // Leaving one on the first connection frees a place there, whatever the second holds.
    const left = await tab1.request({ type: 'leave', id: nextId('l'), room: 'deal:3' });
    assert.equal(left.type, 'left', JSON.stringify(left));
    const joined = await tab1.request({ type: 'join', id: nextId('j'), room: 'deal:4' });
    assert.equal(joined.type, 'joined', JSON.stringify(joined));
  });
});
