/**
 * A backend's notification to a room or an entity, sent through whichever process the balancer
 * picked: it reaches the people in that room on every process, even when the process that took
 * the request has no member there (and so no view of the room's presence).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { alice, bob } from '../../helpers/server-harness.js';
import { startCluster, type Cluster } from './cluster.js';

const KEY = 'test-key-0123456789abcdef';

describe('notifications to a room or an entity across processes', () => {
  let cluster: Cluster;

  before(async () => {
    cluster = await startCluster(2, { apiKeys: [KEY] });
  });
  after(() => cluster.close());

  for (const [name, target] of [
    ['a room', { room: 'customer:42' }],
    ['an entity', { entity: { type: 'customer', id: '42' } }],
  ] as const) {
    it(`to ${name}, sent through a process with no member in it, reaches the members elsewhere`, async () => {
      const [p1, p2] = cluster.nodes;
      const ana = await p1!.connect(alice);
      const ben = await p1!.connect(bob);
      // Notifications arrive in each user's own room, as the browser client joins it.
      await ana.join('user:alice');
      await ben.join('user:bob');
      await ana.join('customer:42');
      await ben.join('customer:42');
      const title = `Renewal due (${name})`;
      const response = await fetch(`http://127.0.0.1:${p2!.server.port}/api/notifications`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ target, title }),
      });
      assert.equal(response.status, 201);
      const body = (await response.json()) as { recipients: number };
      assert.equal(body.recipients, 2);
      for (const client of [ana, ben]) {
        await client.next(
          (f) =>
            f.type === 'event' &&
            f.event === 'notification' &&
            (f.payload as { title?: string }).title === title,
        );
      }
      ana.ws.terminate();
      ben.ws.terminate();
    });
  }
});
