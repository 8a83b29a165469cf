/**
 * What a room's members are told about its people: one diff per turn however many join in it,
 * and in a room of more than `PRESENCE_LISTED` people the first ones and a count, never every
 * arrival to everyone. Turns are driven by hand (`defer`), time by the manual clock.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { PRESENCE_LISTED, type UserProfile } from '../../../src/protocol/index.js';
import { PresenceRegistry, type PresenceDiff } from '../../../src/server/presence.js';
import { ManualClock } from '../../../src/testing/manual-clock.js';

const ROOM = 'customer:42';

function user(i: number): UserProfile {
  return { id: `u${String(i).padStart(4, '0')}`, name: `Person ${i}` };
}

describe('presence: coalescing and large rooms', () => {
  let clock: ManualClock;
  let diffs: PresenceDiff[];
  let turns: (() => void)[];
  let presence: PresenceRegistry;

  /** Ends the current event-loop turn: runs what was deferred to it. */
  const endTurn = (): void => {
    const run = turns.splice(0);
    for (const fn of run) fn();
  };
  const join = (i: number, conn = `c${i}`): void =>
    presence.join(ROOM, { id: conn, clientId: `device-${i}`, user: user(i) }, undefined);

  /** People 0 … n-1 arrive one millisecond apart, in one turn. */
  const fill = (n: number): void => {
    for (let i = 0; i < n; i++) {
      clock.advanceSync(1);
      join(i);
    }
    endTurn();
  };

  beforeEach(() => {
    clock = new ManualClock();
    diffs = [];
    turns = [];
    presence = new PresenceRegistry({
      clock,
      graceMs: 15_000,
      onDiff: (_room, diff) => diffs.push(diff),
      defer: (fn) => turns.push(fn),
    });
  });

  test('several joins in one turn make one diff', () => {
    for (let i = 0; i < 5; i++) join(i);
    endTurn();
    assert.equal(diffs.length, 1);
    assert.deepEqual(
      diffs[0]!.upsert.map((p) => p.user.id),
      [0, 1, 2, 3, 4].map((i) => user(i).id),
    );
    assert.equal(diffs[0]!.total, undefined, 'a small room lists everyone: no count');
  });

  test('a large room lists its first people and a count', () => {
    fill(PRESENCE_LISTED + 10);
    assert.equal(diffs.length, 1);
    assert.equal(diffs[0]!.upsert.length, PRESENCE_LISTED);
    assert.equal(diffs[0]!.upsert.at(-1)!.user.id, user(PRESENCE_LISTED - 1).id, 'by arrival');
    assert.equal(diffs[0]!.total, PRESENCE_LISTED + 10);

    const joiner = presence.listed(ROOM);
    assert.equal(joiner.people.length, PRESENCE_LISTED);
    assert.equal(joiner.total, PRESENCE_LISTED + 10);
    assert.equal(presence.snapshot(ROOM).length, PRESENCE_LISTED + 10, 'the server knows all');
  });

  test('arrivals beyond the list change the count only, at most once a second', () => {
    fill(PRESENCE_LISTED + 1);
    diffs.length = 0;
    clock.advanceSync(5_000);

    // A burst: one arrival per turn for 900 ms.
    for (let i = PRESENCE_LISTED + 1; i < PRESENCE_LISTED + 10; i++) {
      join(i);
      endTurn();
      clock.advanceSync(100);
    }
    assert.deepEqual(
      diffs.map((d) => [d.upsert.length, d.remove.length, d.total]),
      [[0, 0, PRESENCE_LISTED + 2]],
      'the first count change goes out at once, the others wait',
    );
    clock.advanceSync(100);
    assert.deepEqual(diffs.at(-1), { upsert: [], remove: [], total: PRESENCE_LISTED + 10 });
    assert.equal(diffs.length, 2, 'the rest of the burst in one count frame');
    clock.advanceSync(10_000);
    endTurn();
    assert.equal(diffs.length, 2, 'nothing more to tell');
  });

  test('a listed person leaving lets the next one in; a rejoin goes to the end', () => {
    fill(PRESENCE_LISTED + 2);
    diffs.length = 0;

    presence.leave(ROOM, 'c0', user(0).id, true);
    endTurn();
    assert.deepEqual(
      diffs.map((d) => [d.upsert.map((p) => p.user.id), d.remove, d.total]),
      [[[user(PRESENCE_LISTED).id], [user(0).id], PRESENCE_LISTED + 1]],
    );

    clock.advanceSync(10);
    join(0, 'c0-again');
    clock.advanceSync(2_000);
    endTurn();
    assert.deepEqual(
      diffs.at(-1),
      { upsert: [], remove: [], total: PRESENCE_LISTED + 2 },
      'back last in arrival order: outside the list, the count moves',
    );
  });

  test('a reload within the grace period in a large room tells nobody anything', () => {
    fill(PRESENCE_LISTED + 5);
    diffs.length = 0;
    presence.leave(ROOM, 'c3', user(3).id, false);
    presence.leave(ROOM, `c${PRESENCE_LISTED + 2}`, user(PRESENCE_LISTED + 2).id, false);
    endTurn();
    clock.advanceSync(5_000);
    join(3, 'c3-reloaded');
    join(PRESENCE_LISTED + 2, 'c-reloaded');
    endTurn();
    clock.advanceSync(60_000);
    endTurn();
    assert.deepEqual(diffs, []);
  });

  test('a room shrinking back to the list size lists everyone again', () => {
    fill(PRESENCE_LISTED + 1);
    diffs.length = 0;
    presence.leave(ROOM, `c${PRESENCE_LISTED}`, user(PRESENCE_LISTED).id, true);
    endTurn();
    clock.advanceSync(1_000); // a change of the count alone, within a second of the last one
    assert.deepEqual(diffs, [{ upsert: [], remove: [] }], 'no count: the list is everyone');
    assert.equal(presence.listed(ROOM).total, PRESENCE_LISTED);
  });
});
