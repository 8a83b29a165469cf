/**
 * Presence: one entry per person however many tabs, notifications batched per frame, the user's
 * own away/online status from idle time and hidden tabs, activity (editing a field).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PresenceSnapshot } from '../../../../src/client/index.js';
import { PRESENCE_LISTED } from '../../../../src/protocol/index.js';
import { createRig, DEMO_USER } from '../../../../src/testing/index.js';

const ROOM = 'customer:42';
const ada = { id: 'ada', name: 'Ada Lovelace' };

describe('presence store', () => {
  it('many diffs in one frame make one notification', async () => {
    const rig = createRig();
    const client = rig.client();
    const presence = client.presence(ROOM);
    const snapshots: PresenceSnapshot[] = [];
    presence.subscribe((s) => snapshots.push(s));
    await rig.clock.advance(16);
    snapshots.length = 0;
    for (let i = 0; i < 50; i++) rig.server.addPerson(ROOM, { id: `p${i}`, name: `Person ${i}` });
    for (let i = 0; i < 50; i += 2) rig.server.setPersonStatus(ROOM, `p${i}`, 'away');
    await rig.clock.advance(15);
    assert.equal(snapshots.length, 0); // not before the frame
    await rig.clock.advance(1);
    assert.equal(snapshots.length, 1);
    // 51 people: more than the server lists, so the first 50 and the count.
    assert.equal(snapshots[0]!.people.length, PRESENCE_LISTED);
    assert.equal(snapshots[0]!.total, 51);
    const listed = new Set(snapshots[0]!.people.map((p) => p.user.id));
    const away = [...listed].filter((id) => /^p\d+$/.test(id) && Number(id.slice(1)) % 2 === 0);
    assert.equal(snapshots[0]!.people.filter((p) => p.status === 'away').length, away.length);
    rig.server.removePerson(ROOM, 'p0');
    await rig.clock.advance(16);
    assert.equal(snapshots.length, 2);
    assert.equal(snapshots[1]!.people.length, 50);
    assert.equal(snapshots[1]!.total, 50);
    rig.close();
  });

  it('in a room larger than the server lists, holds the first people and the whole count', async () => {
    const rig = createRig();
    const client = rig.client();
    const presence = client.presence(ROOM);
    await rig.clock.advance(16);
    for (let i = 0; i < PRESENCE_LISTED + 10; i++) {
      await rig.clock.advance(1); // one arrival per millisecond: arrival order is i
      rig.server.addPerson(ROOM, { id: `p${i}`, name: `Person ${i}` });
    }
    await rig.clock.advance(16);
    let snapshot = presence.snapshot();
    assert.equal(snapshot.total, PRESENCE_LISTED + 11, 'the viewer and 60 others');
    assert.equal(snapshot.people.length, PRESENCE_LISTED);
    assert.equal(snapshot.self?.user.id, DEMO_USER.id, 'the first to arrive is listed');

    // A late joiner is told the same: the first people and the count.
    const late = rig.client({ devUser: ada });
    const latePresence = late.presence(ROOM);
    await rig.clock.advance(16);
    assert.equal(latePresence.snapshot().total, PRESENCE_LISTED + 12);
    assert.equal(latePresence.snapshot().people.length, PRESENCE_LISTED);
    assert.equal(presence.snapshot().total, PRESENCE_LISTED + 12, 'members count the joiner');

    // A listed person leaves: the next in arrival order takes their place.
    rig.server.removePerson(ROOM, 'p0');
    await rig.clock.advance(16);
    snapshot = presence.snapshot();
    assert.equal(snapshot.total, PRESENCE_LISTED + 11);
    assert.ok(snapshot.people.some((p) => p.user.id === `p${PRESENCE_LISTED - 1}`));
    assert.ok(!snapshot.people.some((p) => p.user.id === 'p0'));

    // Down to the list size: everyone is listed, the count is the list.
    for (let i = 1; i <= 11; i++) rig.server.removePerson(ROOM, `p${i}`);
    await rig.clock.advance(16);
    snapshot = presence.snapshot();
    assert.equal(snapshot.total, PRESENCE_LISTED);
    assert.equal(snapshot.people.length, PRESENCE_LISTED);
    rig.close();
  });

  it('keeps the same snapshot object until something changes', async () => {
    const rig = createRig();
    const client = rig.client();
    const presence = client.presence(ROOM);
    await rig.clock.advance(16);
    const first = presence.snapshot();
    assert.equal(presence.snapshot(), first);
    rig.server.addPerson(ROOM, ada);
    await rig.clock.flush();
    assert.notEqual(presence.snapshot(), first);
    rig.close();
  });

  it('shows one entry per person with their tab and device counts, and self', async () => {
    const rig = createRig();
    const viewer = rig.client();
    const presence = viewer.presence(ROOM);
    const tab1 = rig.client({ devUser: ada, clientId: 'ada-laptop' });
    const tab2 = rig.client({ devUser: ada, clientId: 'ada-laptop' });
    const phone = rig.client({ devUser: ada, clientId: 'ada-phone' });
    for (const c of [tab1, tab2, phone]) c.joinRoom(ROOM);
    await rig.clock.advance(16);
    const people = presence.snapshot().people;
    assert.deepEqual(people.map((p) => p.user.id).sort(), ['ada', DEMO_USER.id]);
    const entry = people.find((p) => p.user.id === 'ada')!;
    assert.equal(entry.connections, 3);
    assert.equal(entry.devices, 2);
    assert.equal(presence.snapshot().self?.user.id, DEMO_USER.id);

    tab2.close(); // one tab closed: still one person, now 2 tabs
    await rig.clock.advance(16);
    const after = presence.snapshot().people.find((p) => p.user.id === 'ada')!;
    assert.equal(after.connections, 2);
    rig.close();
  });

  it('release drops listeners and, for the last holder, leaves the room', async () => {
    const rig = createRig();
    const client = rig.client();
    const a = client.presence(ROOM);
    const b = client.presence(ROOM);
    let calls = 0;
    a.subscribe(() => calls++);
    await rig.clock.advance(16);
    assert.equal(calls, 1);
    a.release();
    rig.server.addPerson(ROOM, ada);
    await rig.clock.advance(16);
    assert.equal(calls, 1);
    assert.equal(rig.server.received('leave').length, 0);
    assert.equal(b.snapshot().people.length, 2);
    b.release();
    await rig.clock.flush();
    assert.equal(rig.server.received('leave').length, 1);
    assert.equal(b.snapshot().people.length, 0);
    rig.close();
  });

  it('setActivity tells the others what we edit', async () => {
    const rig = createRig();
    const me = rig.client();
    const other = rig.client({ devUser: ada, clientId: 'ada-laptop' });
    const mine = me.presence(ROOM);
    const theirs = other.presence(ROOM);
    await rig.clock.advance(16);
    mine.setActivity({ kind: 'editing', field: 'email' });
    await rig.clock.advance(16);
    const seen = theirs.snapshot().people.find((p) => p.user.id === DEMO_USER.id);
    assert.deepEqual(seen?.activity, { kind: 'editing', field: 'email' });
    mine.setActivity({ kind: 'editing', field: 'email' }); // unchanged: no frame
    await rig.clock.flush();
    assert.equal(rig.server.received('presence').length, 1);
    rig.close();
  });
  it('releasing a view that was editing puts the user back to viewing, unless someone else took over', async () => {
    const rig = createRig();
    const client = rig.client();
    const room = client.presence(ROOM); // e.g. the page's avatar list
    const email = client.presence(ROOM); // a field widget
    const phone = client.presence(ROOM); // another field widget
    await rig.clock.flush();
    email.setActivity({ kind: 'editing', field: 'email' });
    email.release();
    await rig.clock.flush();
    assert.deepEqual(
      rig.server.received('presence').map((f) => f.state.activity),
      [{ kind: 'editing', field: 'email' }, { kind: 'viewing' }],
    );
    phone.setActivity({ kind: 'editing', field: 'phone' });
    const other = client.presence(ROOM);
    other.setActivity({ kind: 'editing', field: 'name' });
    phone.release(); // not current any more: leaves "name" alone
    await rig.clock.flush();
    assert.deepEqual(rig.server.received('presence').at(-1)!.state.activity, {
      kind: 'editing',
      field: 'name',
    });
    room.release();
    other.release();
    rig.close();
  });
});

describe('frame scheduling', () => {
  it('uses requestAnimationFrame when the page has it', async () => {
    const frames: FrameRequestCallback[] = [];
    const g = globalThis as { requestAnimationFrame?: unknown };
    g.requestAnimationFrame = (cb: FrameRequestCallback) => frames.push(cb);
    try {
      const rig = createRig();
      const client = rig.client({ scheduleFrame: undefined });
      const presence = client.presence(ROOM);
      let calls = 0;
      presence.subscribe(() => calls++);
      await rig.clock.advance(1000);
      assert.equal(calls, 0); // no timer: waits for the frame
      assert.equal(frames.length, 1);
      frames.shift()!(0);
      assert.equal(calls, 1);
      rig.close();
    } finally {
      delete g.requestAnimationFrame;
    }
  });

  it('falls back to a 16 ms timer on the clock without requestAnimationFrame', async () => {
    const rig = createRig();
    const client = rig.client({ scheduleFrame: undefined });
    const presence = client.presence(ROOM);
    let calls = 0;
    presence.subscribe(() => calls++);
    await rig.clock.flush();
    assert.equal(calls, 0);
    await rig.clock.advance(16);
    assert.equal(calls, 1);
    rig.close();
  });
});

describe('own presence', () => {
  it('turns away after 5 idle minutes, in every held room, and back on input', async () => {
    const rig = createRig();
    const client = rig.client();
    client.joinRoom(ROOM);
    client.joinRoom('page:/customers');
    await rig.clock.flush();
    await rig.clock.advance(4 * 60_000);
    rig.env.userActivity(); // resets the idle time
    await rig.clock.advance(4 * 60_000);
    assert.equal(rig.server.received('presence').length, 0);
    await rig.clock.advance(60_000);
    const away = rig.server.received('presence');
    assert.deepEqual(away.map((f) => [f.room, f.state.status]).sort(), [
      ['customer:42', 'away'],
      ['page:/customers', 'away'],
    ]);
    rig.env.userActivity();
    await rig.clock.flush();
    assert.deepEqual(
      rig.server
        .received('presence')
        .slice(2)
        .map((f) => f.state.status),
      ['online', 'online'],
    );
    rig.close();
  });

  it('turns away after the tab is hidden for 60 s, and back when visible', async () => {
    const rig = createRig();
    const client = rig.client();
    client.joinRoom(ROOM);
    await rig.clock.flush();
    rig.env.setVisible(false);
    await rig.clock.advance(59_999);
    assert.equal(rig.server.received('presence').length, 0);
    await rig.clock.advance(1);
    assert.deepEqual(
      rig.server.received('presence').map((f) => f.state.status),
      ['away'],
    );
    assert.equal(client.presenceStatus, 'away');
    rig.env.setVisible(true);
    await rig.clock.flush();
    assert.deepEqual(
      rig.server.received('presence').map((f) => f.state.status),
      ['away', 'online'],
    );
    rig.close();
  });

  it('a short hidden spell sends nothing', async () => {
    const rig = createRig();
    const client = rig.client();
    client.joinRoom(ROOM);
    await rig.clock.flush();
    rig.env.setVisible(false);
    await rig.clock.advance(30_000);
    rig.env.setVisible(true);
    await rig.clock.advance(60_000);
    assert.equal(rig.server.received('presence').length, 0);
    rig.close();
  });

  it('re-joins after a reconnect with the current status and activity', async () => {
    const rig = createRig();
    const client = rig.client();
    const presence = client.presence(ROOM);
    await rig.clock.flush();
    presence.setActivity({ kind: 'editing', field: 'phone' });
    client.setPresenceStatus('away');
    rig.server.dropConnections();
    await rig.clock.advance(500);
    const join = rig.server.received('join').at(-1)!;
    assert.deepEqual(join.presence, {
      status: 'away',
      activity: { kind: 'editing', field: 'phone' },
    });
    rig.close();
  });

  it('others see the away status in their store', async () => {
    const rig = createRig();
    const me = rig.client();
    const other = rig.client({ devUser: ada, clientId: 'ada-laptop' });
    me.joinRoom(ROOM);
    const theirs = other.presence(ROOM);
    await rig.clock.advance(16);
    rig.env.setVisible(false); // both clients share the rig's environment
    await rig.clock.advance(60_000 + 16);
    const statuses = theirs.snapshot().people.map((p) => p.status);
    assert.deepEqual(statuses, ['away', 'away']);
    rig.close();
  });
});

describe('presence of a room the server refuses', () => {
  it('says why, and a room refused for want of place takes the place of one released', async () => {
    const rig = createRig();
    const client = rig.client();
    // A list page with a presence widget per row: more rooms than one connection may hold.
    const rows = Array.from({ length: 52 }, (_, i) => client.presence(`customer:${i + 1}`));
    await rig.clock.advance(16);
    const [first, , , ...rest] = rows;
    const fiftieth = rows[49]!;
    const [waiting1, waiting2] = rest.slice(-2);
    assert.equal(fiftieth.snapshot().refused, undefined);
    assert.equal(fiftieth.snapshot().self?.user.id, DEMO_USER.id);
    for (const waiting of [waiting1!, waiting2!]) {
      assert.equal(waiting.snapshot().refused?.code, 'too_many_rooms', waiting.room);
      assert.deepEqual(waiting.snapshot().people, []);
    }

    first!.release(); // the first row scrolled away
    await rig.clock.advance(16);
    assert.equal(waiting1!.snapshot().refused, undefined, 'the 51st took its place');
    assert.equal(waiting1!.snapshot().self?.user.id, DEMO_USER.id);
    assert.equal(waiting2!.snapshot().refused?.code, 'too_many_rooms', 'one place, one room');
    assert.equal(rig.server.received('join').length, 52 + 1);

    // A refused room released makes no place: nothing is joined for it.
    waiting2!.release();
    await rig.clock.advance(16);
    assert.equal(rig.server.received('join').length, 53);
    rig.close();
  });

  it('a room the user may not see says forbidden instead of loading for ever', async () => {
    const rig = createRig({ server: { authorize: (_user, room) => room !== 'customer:7' } });
    const client = rig.client();
    const secret = client.presence('customer:7');
    const errors: string[] = [];
    client.onError((e) => errors.push(e.code));
    await rig.clock.advance(16);
    assert.equal(secret.snapshot().refused?.code, 'forbidden');
    assert.deepEqual(secret.snapshot().people, []);
    assert.deepEqual(errors, ['forbidden'], 'still reported to the page');
    rig.close();
  });
});
