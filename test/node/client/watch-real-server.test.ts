/**
 * A list page's watching presence against the reference server: user A watches customer:42, where
 * user B is present; A sees B, and B never sees A.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RealServerSuite, waitFor } from '../helpers/real-client.js';

const ROOM = 'customer:42';
const ids = (people: readonly { user: { id: string } }[]): string[] =>
  people.map((p) => p.user.id).sort();

describe('watching a room, client and reference server', () => {
  const suite = new RealServerSuite({ auth: { devIdentities: true }, quiet: true, graceMs: 0 });
  before(() => suite.start());
  after(() => suite.stop());

  it('A watching customer:42 sees B there; B does not see A', async () => {
    const b = suite.client('b').presence(ROOM);
    await waitFor(() => ids(b.snapshot().people).includes('b'), 'B is in the room');
    const a = suite.client('a').presence(ROOM, true);
    await waitFor(() => ids(a.snapshot().people).includes('b'), 'A sees B');
    assert.deepEqual(ids(a.snapshot().people), ['b'], 'A is not listed, even to A');

    // C arrives after A: B hears of C, and of A never (diffs reach B in order).
    suite.client('c').presence(ROOM);
    await waitFor(() => ids(b.snapshot().people).includes('c'), 'B sees C');
    assert.deepEqual(ids(b.snapshot().people), ['b', 'c']);
  });
});
