/**
 * A record deleted through one process reaches the members of its room on every process of the
 * deployment (the Redis bus), as a sequenced event: one that resumes through another process
 * gets it replayed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCluster, type Cluster } from './cluster.js';

const ada = { id: 'ada', name: 'Ada' };
const bob = { id: 'bob', name: 'Bob' };

describe('entity.deleted across processes (Redis)', () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await startCluster(2);
  });
  after(() => cluster.close());

  it('a delete on one process is told to members on the other, and replayed on resume', async () => {
    const [a, b] = cluster.nodes;
    await a!.server.entities.update({
      type: 'customer',
      id: '42',
      fields: { name: 'Acme' },
      source: 'backend',
      create: true,
    });
    const member = await b!.connect(ada);
    const joined = await member.join('customer:42');
    assert.equal(await a!.server.entities.delete('customer', '42'), true);
    const event = await member.next((f) => f.type === 'event' && f.event === 'entity.deleted');
    assert.ok(event.type === 'event');
    assert.equal(event.seq, joined.seq + 1);
    assert.deepEqual(event.payload, { type: 'customer', id: '42', at: cluster.clock.now() });
    // Away when it happened, back through the process that deleted it: replayed.
    const back = await a!.connect(bob);
    const resumed = await back.join('customer:42', { since: joined.seq });
    assert.equal(resumed.resume, 'replayed');
    assert.ok(back.frames.some((f) => f.type === 'event' && f.event === 'entity.deleted'));
  });
});
