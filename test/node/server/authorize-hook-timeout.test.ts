/**
 * The server's own `authorize` hook is given a deadline. While it decides, the connection's later
 * frames wait behind it; a hook whose promise never settles (a database query without a timeout)
 * would hold the user's saves, joins and presence for as long as the socket lives, with pings
 * answered, so the client would never give up on it either. Past the deadline the request is
 * refused for now (`backend_unavailable`, which the client retries with the save kept) and the
 * connection goes on.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { AuthorizeRequest } from '../../../src/server/authorize.js';
import { nextId } from '../helpers/server-client.js';
import { alice, startHarness, type Harness } from '../helpers/server-harness.js';

describe('server: the authorize hook has a deadline', () => {
  let h: Harness;
  afterEach(() => h.close());

  async function withHangingWrites(authorizeTimeoutMs?: number) {
    let asked!: () => void;
    const writeAsked = new Promise<void>((resolve) => (asked = resolve));
    h = await startHarness({
      ...(authorizeTimeoutMs === undefined ? {} : { authorizeTimeoutMs }),
      // A write check that never settles; everything else is answered at once.
      authorize: (request: AuthorizeRequest) => {
        if (request.action !== 'write') return Promise.resolve(true);
        asked();
        return new Promise<boolean>(() => {});
      },
    });
    await h.server.entities.update({
      type: 'customer',
      id: '42',
      fields: { name: 'Acme' },
      create: true,
      source: 'backend',
    });
    const client = await h.connect(alice);
    await client.join('customer:42');
    const save = client.request({
      type: 'entity.update',
      id: nextId('u'),
      mutationId: nextId('mutation-'),
      entityType: 'customer',
      entityId: '42',
      baseVersion: 1,
      fields: { name: 'Acme Ltd' },
    });
    await writeAsked;
    return { client, save };
  }

  test('a hook that never answers a save is refused for now after 5 s, and the connection goes on', async () => {
    const { client, save } = await withHangingWrites();
    let settled = false;
    void save.then(() => (settled = true));
    await h.clock.advance(4_999);
    await client.wsRoundTrip();
    assert.equal(settled, false, 'answered before the deadline');
    await h.clock.advance(1);
    const answer = await save;
    assert.equal(
      answer.type === 'error' && answer.code,
      'backend_unavailable',
      JSON.stringify(answer),
    );
    // The frames behind the save are handled again.
    const snapshot = await client.request({
      type: 'entity.get',
      id: nextId('g'),
      entityType: 'customer',
      entityId: '42',
    });
    assert.equal(snapshot.type, 'entity.snapshot');
    assert.equal((await h.server.entities.get('customer', '42'))?.fields['name'], 'Acme');
  });

  test('authorizeTimeoutMs sets the deadline', async () => {
    const { save } = await withHangingWrites(200);
    await h.clock.advance(200);
    const answer = await save;
    assert.equal(answer.type === 'error' && answer.code, 'backend_unavailable');
  });
});
