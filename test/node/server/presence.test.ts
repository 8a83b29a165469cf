import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { PRESENCE_LISTED, type Person } from '../../../src/protocol/index.js';
import { until } from '../helpers/server-client.js';
import { alice, bob, carol, startHarness, type Harness } from '../helpers/server-harness.js';

const ROOM = 'customer:42';

function person(people: readonly Person[], id: string): Person | undefined {
  return people.find((p) => p.user.id === id);
}

describe('server presence', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ graceMs: 15_000 });
  });
  afterEach(() => h.close());

  test('a large room lists its first people and the count, to joiners and members', async () => {
    const first = await h.connect(bob);
    await first.join(ROOM);
    for (let i = 0; i < PRESENCE_LISTED + 4; i++) {
      h.clock.advance(1); // arrival order is join order
      const c = await h.connect({ id: `p${i}`, name: `Person ${i}` });
      await c.join(ROOM);
    }
    h.clock.advance(1);
    const last = await h.connect(carol);
    const joined = await last.join(ROOM);
    assert.equal(joined.people.length, PRESENCE_LISTED, 'the first people, not everyone');
    assert.equal(joined.total, PRESENCE_LISTED + 6);
    assert.ok(person(joined.people, 'bob'), 'the first to arrive is listed');
    assert.equal(person(joined.people, 'carol'), undefined, 'the last to arrive is not');

    // A change of the count alone waits up to a second after the last one.
    h.clock.advance(1_000);
    await first.next((f) => f.type === 'presence.diff' && f.total === PRESENCE_LISTED + 6);
    const listed = new Set([
      'bob',
      ...Array.from({ length: PRESENCE_LISTED - 1 }, (_, i) => `p${i}`),
    ]);
    const told = first.ofType('presence.diff').flatMap((d) => d.upsert.map((p) => p.user.id));
    assert.deepEqual(
      told.filter((id) => !listed.has(id)),
      [],
      'members are never sent the people beyond the list',
    );
  });

  test('two tabs of one user are one person with connections 2', async () => {
    const observer = await h.connect(bob);
    await observer.join(ROOM);
    const tab1 = await h.connect(alice, 'laptop');
    await tab1.join(ROOM);
    const tab2 = await h.connect(alice, 'laptop');
    const joined = await tab2.join(ROOM);

    const mine = joined.people.filter((p) => p.user.id === 'alice');
    assert.equal(mine.length, 1, 'one entry for Alice however many tabs');
    assert.equal(mine[0]!.connections, 2);
    assert.equal(mine[0]!.devices, 1, 'both tabs share one client id');

    const diff = await observer.next(
      (f) => f.type === 'presence.diff' && f.upsert.some((p) => p.connections === 2),
    );
    assert.equal(diff.type, 'presence.diff');
    if (diff.type === 'presence.diff') assert.equal(person(diff.upsert, 'alice')?.devices, 1);

    const phone = await h.connect(alice, 'phone');
    const third = await phone.join(ROOM);
    const merged = person(third.people, 'alice');
    assert.deepEqual([merged?.connections, merged?.devices], [3, 2]);
  });

  test('status is the most present connection; activity the most recent editing one', async () => {
    const observer = await h.connect(bob);
    await observer.join(ROOM);
    const tab1 = await h.connect(alice);
    await tab1.join(ROOM, { presence: { status: 'away', activity: { kind: 'viewing' } } });
    const tab2 = await h.connect(alice);
    await tab2.join(ROOM, { presence: { status: 'online', activity: { kind: 'viewing' } } });
    await observer.next(
      (f) => f.type === 'presence.diff' && person(f.upsert, 'alice')?.connections === 2,
    );
    assert.equal(person((await observer.join(ROOM)).people, 'alice')?.status, 'online');

    tab1.send({
      type: 'presence',
      room: ROOM,
      state: { status: 'away', activity: { kind: 'editing', field: 'phone' } },
    });
    const editing = await observer.upcoming(
      (f) => f.type === 'presence.diff' && person(f.upsert, 'alice')?.activity.kind === 'editing',
    );
    assert.equal(editing.type, 'presence.diff');
    if (editing.type === 'presence.diff') {
      const a = person(editing.upsert, 'alice')!;
      assert.deepEqual(a.activity, { kind: 'editing', field: 'phone' });
      assert.equal(a.status, 'online', 'tab 2 is still online');
    }

    tab2.send({
      type: 'presence',
      room: ROOM,
      state: { status: 'away', activity: { kind: 'viewing' } },
    });
    const away = await observer.upcoming(
      (f) => f.type === 'presence.diff' && person(f.upsert, 'alice')?.status === 'away',
    );
    assert.equal(away.type, 'presence.diff');
  });

  test('a reload within the grace period shows no leave', async () => {
    const observer = await h.connect(bob);
    await observer.join(ROOM);
    const before = await h.connect(alice);
    await before.join(ROOM);
    await observer.next((f) => f.type === 'presence.diff' && !!person(f.upsert, 'alice'));
    const diffsBefore = observer.ofType('presence.diff').length;

    before.close();
    await until(() => h.server.stats().connections === 1);
    h.clock.advanceSync(14_000);
    await observer.sync();
    // A newcomer during the grace period still sees Alice.
    assert.ok(person((await observer.join(ROOM)).people, 'alice'));

    const after = await h.connect(alice);
    await after.join(ROOM);
    h.clock.advanceSync(60_000);
    await observer.sync();
    await observer.sync();

    const diffs = observer.ofType('presence.diff').slice(diffsBefore);
    assert.deepEqual(
      diffs.filter((d) => d.remove.includes('alice')),
      [],
      'no removal was ever sent for Alice',
    );
    assert.deepEqual(diffs, [], 'same tabs, same state: the reload is invisible');
  });

  test('removal is broadcast only after the grace period', async () => {
    const observer = await h.connect(bob);
    await observer.join(ROOM);
    const gone = await h.connect(alice);
    await gone.join(ROOM);
    gone.close();
    await until(() => h.server.stats().connections === 1);

    h.clock.advanceSync(14_999);
    await observer.sync();
    assert.equal(observer.ofType('presence.diff').filter((d) => d.remove.length > 0).length, 0);

    h.clock.advanceSync(1);
    const removal = await observer.next((f) => f.type === 'presence.diff' && f.remove.length > 0);
    assert.equal(removal.type, 'presence.diff');
    if (removal.type === 'presence.diff') assert.deepEqual(removal.remove, ['alice']);
    assert.equal(person((await observer.join(ROOM)).people, 'alice'), undefined);
  });

  test('closing one of two tabs lowers the count at once and removes nobody', async () => {
    const observer = await h.connect(bob);
    await observer.join(ROOM);
    const tab1 = await h.connect(alice);
    await tab1.join(ROOM);
    const tab2 = await h.connect(alice);
    await tab2.join(ROOM);
    await observer.next(
      (f) => f.type === 'presence.diff' && person(f.upsert, 'alice')?.connections === 2,
    );
    tab1.close();
    const one = await observer.upcoming(
      (f) => f.type === 'presence.diff' && person(f.upsert, 'alice')?.connections === 1,
    );
    assert.equal(one.type === 'presence.diff' && one.remove.length, 0);
  });

  test('an explicit leave removes at once, without waiting for grace', async () => {
    const observer = await h.connect(bob);
    await observer.join(ROOM);
    const leaving = await h.connect(alice);
    await leaving.join(ROOM);
    const left = await leaving.request({ type: 'leave', id: 'bye-1', room: ROOM });
    assert.equal(left.type, 'left');
    const removal = await observer.next((f) => f.type === 'presence.diff' && f.remove.length > 0);
    assert.equal(removal.type === 'presence.diff' && removal.remove[0], 'alice');
  });
});
