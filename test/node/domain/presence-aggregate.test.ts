/**
 * One person's presence from several connections is one rule (`src/domain/presence-aggregate.ts`)
 * for the reference server and the fake server. The property test drives both with the same
 * random joins and presence updates of one person on up to three connections, on one clock, and
 * asks them for the same status, activity and call flag after every step.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { aggregatePresence, VIEWING } from '../../../src/domain/presence-aggregate.js';
import type { PresenceState } from '../../../src/protocol/index.js';
import { PresenceRegistry } from '../../../src/server/presence.js';
import { FakeRoom, type FakeConnection } from '../../../src/testing/fake-room.js';
import { ManualClock } from '../../../src/testing/index.js';

const ana = { id: 'ana', name: 'Ana Souza' };
const editing = (field: string) => ({ kind: 'editing' as const, field });

describe('presence of one person over several connections', () => {
  test('the most present status, the latest editing, in a call from any', () => {
    assert.deepEqual(aggregatePresence([]), {
      status: 'offline',
      activity: VIEWING,
      activityAt: -Infinity,
      inCall: false,
    });
    const person = aggregatePresence([
      { status: 'away', activity: editing('phone'), activityAt: 5 },
      { status: 'online', activity: VIEWING, activityAt: 9, inCall: true },
      { status: 'away', activity: editing('email'), activityAt: 7 },
    ]);
    assert.deepEqual(person, {
      status: 'online',
      activity: editing('email'),
      activityAt: 7,
      inCall: true,
    });
    const tie = aggregatePresence([
      { status: 'online', activity: editing('phone'), activityAt: 5 },
      { status: 'online', activity: editing('email'), activityAt: 5 },
    ]);
    assert.deepEqual(tie.activity, editing('email'), 'on a tie, the later one listed');
  });

  test('the reference server and the fake server agree, step by step', () => {
    const state = fc.record({
      status: fc.constantFrom('online' as const, 'away' as const),
      activity: fc.oneof(fc.constant(VIEWING), fc.constantFrom('phone', 'email').map(editing)),
      inCall: fc.option(fc.boolean(), { nil: undefined }),
    });
    const step = fc.record({
      connection: fc.integer({ min: 0, max: 2 }),
      state,
      advance: fc.integer({ min: 0, max: 3 }),
    });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 25 }), (steps) => {
        const clock = new ManualClock();
        const server = new PresenceRegistry({
          clock,
          graceMs: 1000,
          onDiff: () => {},
          defer: () => {},
        });
        const fake = new FakeRoom('customer:42', { replayEvents: 10, replayMillis: 1000 });
        const connections: FakeConnection[] = [0, 1, 2].map((i) => ({
          id: `c${i}`,
          user: ana,
          clientId: `device-${i}`,
          rooms: new Set(),
        }));
        const joined = new Set<number>();
        for (const { connection, state: s, advance } of steps) {
          clock.advanceSync(advance);
          const now = clock.now();
          const presence: PresenceState =
            s.inCall === undefined ? { status: s.status, activity: s.activity } : { ...s };
          const c = connections[connection]!;
          if (joined.has(connection)) {
            server.update('customer:42', c.id, ana.id, presence);
            fake.update(c, '', ana.id, presence, now);
          } else {
            joined.add(connection);
            server.join('customer:42', { id: c.id, clientId: c.clientId!, user: ana }, presence);
            fake.enter(c, '', ana, presence, now);
          }
          const [real] = server.snapshot('customer:42');
          const faked = fake.person(fake.people.get(ana.id)!);
          assert.ok(real);
          assert.equal(faked.status, real.status);
          assert.deepEqual(faked.activity, real.activity);
          assert.equal(faked.inCall, real.inCall);
        }
        server.close();
      }),
      { numRuns: 300 },
    );
  });
});
