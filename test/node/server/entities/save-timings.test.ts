/**
 * How long clients' saves take on the server: the `crm_entity_save_seconds` histogram on
 * `/metrics`, and the `crm-realtime:entity.save` diagnostics channel with each save's times.
 */
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, describe, test } from 'node:test';
import type { SaveTiming } from '../../../../src/server/entities/entity-handlers.js';
import { nextId, updateCustomer } from '../../helpers/server-client.js';
import { alice, bob, startHarness, type Harness } from '../../helpers/server-harness.js';

const ROOM = 'customer:42';

/** Collects what the channel publishes until the returned function is called. */
function listen(): { timings: SaveTiming[]; stop(): void } {
  const timings: SaveTiming[] = [];
  const onMessage = (message: unknown) => timings.push(message as SaveTiming);
  subscribe('crm-realtime:entity.save', onMessage);
  return { timings, stop: () => unsubscribe('crm-realtime:entity.save', onMessage) };
}

async function metrics(h: Harness): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${h.server.port}/metrics`);
  return res.text();
}

describe('server entities: save timings', () => {
  let h: Harness;
  let channel: ReturnType<typeof listen> | undefined;
  afterEach(async () => {
    channel?.stop();
    channel = undefined;
    await h.close();
  });

  async function seeded(options: Parameters<typeof startHarness>[0] = {}): Promise<void> {
    h = await startHarness(options);
    const outcome = await h.server.entities.update({
      type: 'customer',
      id: '42',
      fields: { name: 'Acme', phone: '100' },
      source: 'backend',
      create: true,
    });
    assert.equal(outcome.kind, 'applied');
  }

  test('each applied save is published with its arrival, publish and answer times', async () => {
    await seeded();
    channel = listen();
    const a = await h.connect(alice);
    const b = await h.connect(bob);
    await b.join(ROOM);
    const ack = await updateCustomer(a, { phone: '200' }, 1, 'mutation-t1');
    assert.equal(ack.type, 'entity.ack');
    const replayed = await updateCustomer(a, { phone: '200' }, 1, 'mutation-t1');
    assert.equal(replayed.type, 'entity.ack');
    // A conflict is answered, not applied: not timed as a save.
    assert.equal(
      (await updateCustomer(a, { phone: '300' }, 1, 'mutation-t2')).type,
      'entity.conflict',
    );

    assert.equal(channel.timings.length, 2);
    const [first, again] = channel.timings as [SaveTiming, SaveTiming];
    assert.equal(first.entityType, 'customer');
    assert.equal(first.entityId, '42');
    assert.equal(first.mutationId, 'mutation-t1');
    assert.equal(first.userId, 'alice');
    assert.equal(first.duplicate, false);
    assert.ok(first.publishedAt !== undefined, 'the change was published');
    assert.ok(first.arrivedAt <= first.publishedAt && first.publishedAt <= first.answeredAt);
    assert.equal(again.duplicate, true);
    assert.equal(again.publishedAt, undefined);
    assert.ok(again.arrivedAt <= again.answeredAt);
    // The change the timing says was published reached the other member.
    await b.next((f) => f.type === 'event' && f.event === 'entity.change');
  });

  test('a save that waited behind an earlier frame is timed from its arrival', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let heldAt = 0;
    await seeded({
      authorize: async ({ action }) => {
        if (action === 'read' && heldAt === 0) {
          heldAt = performance.now();
          await held;
        }
        return true;
      },
    });
    channel = listen();
    const a = await h.connect(alice);
    // The read's authorization holds the connection's frames; the save queues behind it.
    a.send({ type: 'entity.get', id: nextId('g'), entityType: 'customer', entityId: '42' });
    const saved = updateCustomer(a, { phone: '200' }, 1, 'mutation-t3');
    await a.wsRoundTrip(); // the save has reached the server
    const releasedAt = performance.now();
    release();
    assert.equal((await saved).type, 'entity.ack');
    const [timing] = channel.timings as [SaveTiming];
    assert.ok(heldAt > 0, 'the read was held');
    assert.ok(timing.arrivedAt < releasedAt, `arrived ${timing.arrivedAt}, released ${releasedAt}`);
    assert.ok(timing.answeredAt > releasedAt);
  });

  test('/metrics has a histogram of applied saves, cumulative, with its sum and count', async () => {
    await seeded();
    const a = await h.connect(alice);
    for (const [i, phone] of ['200', '300', '400'].entries()) {
      assert.equal(
        (await updateCustomer(a, { phone }, i + 1, `mutation-m${i}`)).type,
        'entity.ack',
      );
    }
    assert.equal(
      (await updateCustomer(a, { phone: '9' }, 1, 'mutation-mx')).type,
      'entity.conflict',
    );
    const body = await metrics(h);
    assert.match(body, /^# TYPE crm_entity_save_seconds histogram$/m);
    assert.match(body, /^crm_entity_save_seconds_count 3$/m);
    assert.match(body, /^crm_entity_save_seconds_bucket\{le="\+Inf"\} 3$/m);
    const buckets = [...body.matchAll(/^crm_entity_save_seconds_bucket\{le="([^"]+)"\} (\d+)$/gm)];
    assert.ok(buckets.length > 2);
    const counts = buckets.map((m) => Number(m[2]));
    assert.deepEqual(
      counts,
      [...counts].sort((x, y) => x - y),
      'cumulative counts never decrease',
    );
    const sum = Number(/^crm_entity_save_seconds_sum (\S+)$/m.exec(body)?.[1]);
    assert.ok(sum > 0 && sum < 30, `sum ${sum}`);
  });
});
