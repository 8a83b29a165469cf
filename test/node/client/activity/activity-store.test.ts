/**
 * The activity store against the fake server: feeds, paging, filters (history on the server, live
 * tail here), live tail deduplication, bursts coalesced per frame, the memory cap, resume.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ActivityItem, ActivitySnapshot } from '../../../../src/client/index.js';
import {
  activityBurst,
  createRig,
  SAMPLE_PEOPLE,
  type Rig,
} from '../../../../src/testing/index.js';

const amara = SAMPLE_PEOPLE[0]!;
const jonas = SAMPLE_PEOPLE[1]!;
const GLOBAL = { kind: 'global' } as const;

/** Let frames flow and one batched store notification happen. */
const settle = (rig: Rig) => rig.clock.advance(16);
const ids = (items: readonly ActivityItem[]) => items.map((i) => i.id);

function call(customerId: string, actor = amara) {
  return { kind: 'call.logged', actor, customerId, summary: `Call with ${customerId}` };
}

describe('activity store: history', () => {
  it('pages a feed newest first by cursor until there is no more', async () => {
    const rig = createRig();
    rig.server.activity.seed(130);
    const feed = rig.client().activity(GLOBAL, { pageSize: 50 });
    await settle(rig);
    assert.equal(feed.snapshot().items.length, 50);
    assert.equal(feed.snapshot().hasMore, true);
    await feed.loadOlder();
    await feed.loadOlder();
    const s = feed.snapshot();
    assert.equal(s.items.length, 130);
    assert.equal(s.hasMore, false);
    assert.deepEqual(ids(s.items), ids(rig.server.activity.feed(GLOBAL)));
    assert.ok(
      s.items.every((item, i) => i === 0 || s.items[i - 1]!.at >= item.at),
      'newest first',
    );
    await feed.loadOlder();
    assert.equal(rig.server.received('activity.list').length, 3);
    rig.close();
  });

  it('a page of large items comes in frames the client accepts, and paging goes on from there', async () => {
    const rig = createRig();
    const actor = { ...amara, avatarUrl: `data:image/png;base64,${'A'.repeat(2000)}` };
    for (let i = 0; i < 200; i++)
      rig.server.appendActivity({ ...call('42', actor), summary: `c${i}` });
    const feed = rig.client().activity(GLOBAL, { pageSize: 200 });
    await settle(rig);
    const first = feed.snapshot();
    assert.ok(first.items.length > 0 && first.items.length < 200, `${first.items.length} items`);
    assert.equal(first.hasMore, true);
    while (feed.snapshot().hasMore) await feed.loadOlder();
    const all = feed.snapshot().items;
    assert.deepEqual(
      all.map((i) => i.summary),
      Array.from({ length: 200 }, (_, i) => `c${199 - i}`),
      'every item once, newest first',
    );
    const pages = rig.server.received('activity.list').length;
    assert.ok(pages >= 6, `${pages} pages of about 30`);
    rig.close();
  });

  it('the customer feed holds the customer and its calls and meetings; the user feed their doings', async () => {
    const rig = createRig();
    rig.server.activity.seed(60); // three customers, eight people
    rig.server.appendActivity({
      kind: 'entity.updated',
      actor: jonas,
      entity: { type: 'customer', id: '42' },
      changes: [{ field: 'phone', from: '1', to: '2' }],
    });
    rig.server.appendActivity({
      kind: 'call.logged',
      actor: jonas,
      entity: { type: 'call', id: '42' },
    });
    const client = rig.client();
    const customer = client.activity({ kind: 'customer', entityId: '42' }, { pageSize: 200 });
    const person = client.activity({ kind: 'user', userId: amara.id }, { pageSize: 200 });
    await settle(rig);
    const items = customer.snapshot().items;
    assert.equal(items.length, 21); // 20 seeded + the entity change; not the call on entity 42
    assert.ok(
      items.every((i) => i.customerId === '42' || i.entity?.id === '42'),
      'only items of the customer',
    );
    assert.ok(
      !items.some((i) => i.entity?.type === 'call' && i.entity.id === '42'),
      'not a call that happens to have id 42',
    );
    const mine = person.snapshot().items;
    assert.ok(
      mine.length > 0 && mine.every((i) => i.actor?.id === amara.id),
      'only what amara did',
    );
    rig.close();
  });
});

describe('activity store: entity changes', () => {
  it("an accepted change shows in the customer's feed, with who and old → new", async () => {
    const rig = createRig();
    rig.server.entities.put({ type: 'customer', id: '42', fields: { name: 'Difference Ltd' } });
    rig.server.entities.put({ type: 'call', id: 'c1', fields: { customerId: '42', minutes: 3 } });
    const feed = rig.client().activity({ kind: 'customer', entityId: '42' });
    await settle(rig);
    rig.server.entities.remoteUpdate('customer', '42', { stage: 'won' }, jonas);
    rig.server.entities.remoteUpdate('call', 'c1', { minutes: 5 }, amara);
    await settle(rig);
    const [call, customer] = feed.snapshot().items;
    assert.deepEqual(
      [customer!.kind, customer!.actor?.id, customer!.entity, customer!.changes],
      [
        'entity.updated',
        jonas.id,
        { type: 'customer', id: '42', label: 'Difference Ltd' },
        [{ field: 'stage', to: 'won' }],
      ],
    );
    assert.deepEqual(call!.changes, [{ field: 'minutes', from: 3, to: 5 }]);
    assert.equal(call!.customerId, '42');
    rig.close();
  });
});

describe('activity store: filter', () => {
  it('filters history on the server and the live tail here; setFilter refetches', async () => {
    const rig = createRig();
    rig.server.activity.seed(40);
    const feed = rig.client().activity(GLOBAL, { filter: { kinds: ['call.logged'] } });
    await settle(rig);
    assert.equal(feed.snapshot().items.length, 10);
    assert.ok(
      feed.snapshot().items.every((i) => i.kind === 'call.logged'),
      'only calls',
    );
    assert.deepEqual(rig.server.received('activity.list')[0]!.filter, { kinds: ['call.logged'] });

    rig.server.appendActivity({ kind: 'note.added', actor: amara, summary: 'not a call' });
    const live = rig.server.appendActivity(call('7', jonas));
    await settle(rig);
    assert.equal(feed.snapshot().items[0]!.id, live.id);
    assert.equal(feed.snapshot().items.length, 11);

    await feed.setFilter({ actors: [jonas.id] });
    await settle(rig);
    const s = feed.snapshot();
    assert.deepEqual(s.filter, { actors: [jonas.id] });
    assert.ok(
      s.items.length > 0 && s.items.every((i) => i.actor?.id === jonas.id),
      'only what jonas did',
    );
    assert.ok(
      s.items.some((i) => i.kind !== 'call.logged'),
      'every kind of thing jonas did',
    );
    await feed.setFilter({ actors: [jonas.id], kinds: [] }); // the same filter: no request
    assert.equal(rig.server.received('activity.list').length, 2);
    await assert.rejects(feed.setFilter({ kinds: ['Not A Kind'] }), TypeError);
    rig.close();
  });

  it('reads on past a first page that a filter left empty, rather than say nothing matches', async () => {
    // A filtered page looks through a bounded window of the feed: when none of the newest items
    // match, it comes back empty with a cursor, and the matching items are below it.
    const rig = createRig();
    rig.server.activity.filterWindowRows = 10;
    for (let i = 0; i < 3; i++) rig.server.appendActivity(call(`${i}`));
    for (let i = 0; i < 25; i++) {
      rig.server.appendActivity({ kind: 'note.added', actor: amara, summary: `note ${i}` });
    }
    const feed = rig.client().activity(GLOBAL, { filter: { kinds: ['call.logged'] } });
    const seen: ActivitySnapshot[] = [];
    feed.subscribe((s) => seen.push(s));
    for (let i = 0; i < 20 && !(feed.snapshot().loaded && !feed.snapshot().loading); i++) {
      await settle(rig);
    }
    const s = feed.snapshot();
    assert.deepEqual(
      s.items.map((i) => i.customerId),
      ['2', '1', '0'],
    );
    assert.ok(rig.server.received('activity.list').length >= 3, 'read on below the window');
    assert.ok(
      !seen.some((x) => x.loaded && !x.loading && x.items.length === 0),
      'never "nothing matches" on the way',
    );
    rig.close();
  });
});

describe('activity store: live tail', () => {
  it('an item both live and in the first page shows once', async () => {
    const rig = createRig();
    const client = rig.client();
    const other = client.activity(GLOBAL); // the room is joined already
    await settle(rig);
    const feed = client.activity(GLOBAL); // its page request is on the way…
    const item = rig.server.appendActivity(call('42')); // …and this overtakes it live
    await settle(rig);
    assert.deepEqual(ids(feed.snapshot().items), [item.id]);
    assert.equal(feed.snapshot().liveCount, 1);
    assert.deepEqual(ids(other.snapshot().items), [item.id]);
    // Delivered again later (a redelivery): still once, and not counted as new.
    rig.server.broadcast('activity:global', 'activity', item);
    await settle(rig);
    assert.deepEqual(ids(feed.snapshot().items), [item.id]);
    assert.equal(feed.snapshot().liveCount, 1);
    rig.close();
  });

  it('a burst of 1,000 events makes one listener call per frame', async () => {
    const rig = createRig();
    // Room for the whole burst: what is counted here is listener calls, not the memory bound.
    const feed = rig.client().activity(GLOBAL, { maxItems: 5000 });
    await settle(rig);
    const seen: ActivitySnapshot[] = [];
    feed.subscribe((s) => seen.push(s));
    for (let i = 0; i < 1000; i++) rig.server.appendActivity(call(String(i % 3)));
    await rig.clock.flush();
    assert.equal(seen.length, 0, 'nothing before the frame');
    await settle(rig);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.items.length, 1000);
    assert.equal(seen[0]!.liveCount, 1000);

    // 1,000 a second for two seconds, in 1 ms ticks: at most one call per 16 ms frame.
    seen.length = 0;
    activityBurst(rig.server, { perSecond: 1000, durationMs: 2000, tickMs: 1 });
    await rig.clock.advance(2016);
    assert.ok(seen.length <= Math.ceil(2016 / 16), `${seen.length} listener calls`);
    assert.ok(seen.length >= 100, 'the burst spread over frames');
    assert.equal(seen[seen.length - 1]!.items.length, 3000);
    rig.close();
  });

  it('keeps at most maxItems, dropping the oldest, and pages them back in', async () => {
    const rig = createRig();
    rig.server.activity.seed(100);
    const feed = rig.client().activity(GLOBAL, { maxItems: 300, pageSize: 50 });
    await settle(rig);
    for (let i = 0; i < 400; i++) rig.server.appendActivity(call('42'));
    await settle(rig);
    let s = feed.snapshot();
    assert.equal(s.items.length, 300);
    assert.equal(s.hasMore, true);
    const all = ids(rig.server.activity.feed(GLOBAL));
    assert.deepEqual(ids(s.items), all.slice(0, 300));

    // No cursor of a kept item is known: the store walks from the top, skipping what it has.
    await feed.loadOlder();
    s = feed.snapshot();
    assert.deepEqual(ids(s.items), all.slice(0, 350));
    while (feed.snapshot().hasMore) await feed.loadOlder();
    assert.deepEqual(ids(feed.snapshot().items), all);
    rig.close();
  });

  it('a feed open all day holds the newest 500 by default, whatever arrives', async () => {
    const rig = createRig();
    rig.server.activity.seed(30);
    const feed = rig.client().activity(GLOBAL, { pageSize: 30 });
    await settle(rig);
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < 500; i++) rig.server.appendActivity(call(String(i % 7)));
      await settle(rig);
      assert.ok(feed.snapshot().items.length <= 500, `${feed.snapshot().items.length} items`);
    }
    const s = feed.snapshot();
    assert.equal(s.items.length, 500);
    assert.equal(s.liveCount, 5000, 'every live item was counted');
    assert.equal(s.hasMore, true);
    assert.deepEqual(ids(s.items), ids(rig.server.activity.feed(GLOBAL)).slice(0, 500));
    rig.close();
  });

  it('keeps what the reader scrolled to while live items arrive above, and drops it once they scroll back', async () => {
    const rig = createRig();
    rig.server.activity.seed(400);
    const feed = rig.client().activity(GLOBAL, { maxItems: 100, pageSize: 50 });
    await settle(rig);
    await feed.loadOlder();
    await feed.loadOlder();
    await feed.loadOlder();
    assert.equal(feed.snapshot().items.length, 200);
    // The reader looks at the 190th item: it and everything newer stay, however much arrives.
    const looking = feed.snapshot().items[189]!;
    feed.retain(looking.id);
    for (let i = 0; i < 300; i++) rig.server.appendActivity(call('42'));
    await settle(rig);
    let items = feed.snapshot().items;
    assert.equal(items.length, 500, 'nothing down to the reader (and a page below) was dropped');
    assert.equal(items.indexOf(looking), 489);

    // Back at the top: only the newest 100 stay in memory.
    feed.retain(items[5]!.id);
    await settle(rig);
    items = feed.snapshot().items;
    assert.equal(items.length, 100);
    assert.equal(feed.snapshot().hasMore, true);
    const all = ids(rig.server.activity.feed(GLOBAL));
    assert.deepEqual(ids(items), all.slice(0, 100));

    // Scrolling down again fetches the dropped pages again, in order.
    const requests = rig.server.received('activity.list').length;
    await feed.loadOlder();
    items = feed.snapshot().items;
    assert.ok(rig.server.received('activity.list').length > requests, 'asked the server again');
    assert.deepEqual(ids(items), all.slice(0, items.length));
    assert.ok(items.length > 100, `${items.length} items after scrolling down`);
    rig.close();
  });

  it('after a reconnect the missed items slot in; after a gap the newest page is merged', async () => {
    const rig = createRig();
    rig.server.activity.seed(10);
    const client = rig.client();
    const feed = client.activity(GLOBAL);
    await settle(rig);
    const resumes: string[] = [];
    client.onResume((info) => resumes.push(info.resume));

    const offline = async (during: () => void) => {
      rig.server.refuseConnections();
      rig.server.dropConnections();
      await settle(rig);
      during();
      rig.server.refuseConnections(false);
      await rig.clock.advance(2000);
      await settle(rig);
    };
    await offline(() => rig.server.appendActivity(call('42')));
    assert.deepEqual(resumes, ['replayed']);
    assert.equal(feed.snapshot().items.length, 11);
    assert.equal(rig.server.received('activity.list').length, 1, 'replay needs no refetch');

    await offline(() => {
      rig.server.appendActivity(call('7'));
      rig.server.appendActivity(call('19'));
      rig.server.truncateReplay('activity:global');
    });
    assert.deepEqual(resumes, ['replayed', 'gap']);
    const s = feed.snapshot();
    assert.deepEqual(ids(s.items), ids(rig.server.activity.feed(GLOBAL)));
    assert.equal(s.liveCount, 3);
    rig.close();
  });

  it('an item whose publish was lost counts as live after the gap, though older than a live one', async () => {
    const rig = createRig();
    rig.server.activity.seed(10);
    const client = rig.client();
    const feed = client.activity(GLOBAL);
    await settle(rig);
    assert.equal(feed.snapshot().liveCount, 0, 'the first page is history');
    const resumes: string[] = [];
    client.onResume((info) => resumes.push(info.resume));
    await rig.clock.advance(1000);
    // Stored, but the process died before publishing it: never delivered.
    rig.server.activity.seed(1, { make: () => call('lost') });
    await rig.clock.advance(1000);
    rig.server.appendActivity(call('live'));
    await settle(rig);
    assert.equal(feed.snapshot().liveCount, 1);
    // The server cannot replay from the client's `since` (the loss): the client resyncs.
    rig.server.restart();
    await rig.clock.advance(2000);
    await settle(rig);
    assert.deepEqual(resumes, ['gap']);
    const s = feed.snapshot();
    assert.deepEqual(ids(s.items), ids(rig.server.activity.feed(GLOBAL)));
    assert.equal(s.items[1]!.customerId, 'lost');
    assert.equal(s.liveCount, 2, 'the lost item is new; the re-listed ones are not');
    rig.close();
  });

  it('release leaves the room and stops listening', async () => {
    const rig = createRig();
    const client = rig.client();
    const feed = client.activity({ kind: 'customer', entityId: '42' });
    let calls = 0;
    feed.subscribe(() => calls++);
    await settle(rig);
    feed.release();
    await settle(rig);
    assert.equal(client.heldRooms().has('activity:customer:42'), false);
    const before = calls;
    rig.server.appendActivity(call('42'));
    await settle(rig);
    assert.equal(calls, before);
    assert.throws(() => client.activity({ kind: 'customer', entityId: 'no spaces' }), TypeError);
    rig.close();
  });
});
