/**
 * The activity feed rules the reference server and the fake server share: what an appended item
 * holds, which feeds it is in, and which items a filter passes.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  activityDraft,
  feedsOf,
  inFeed,
  passesFilter,
} from '../../../src/domain/activity-feeds.js';
import type { FeedRef } from '../../../src/protocol/index.js';

const ana = { id: 'ana', name: 'Ana Souza' };

describe('activity feed rules', () => {
  test('a customer entity is its own customer; an explicit customerId wins', () => {
    const onCustomer = activityDraft(
      { kind: 'entity.updated', actor: ana, entity: { type: 'customer', id: '42' } },
      1000,
    );
    assert.deepEqual(onCustomer, {
      kind: 'entity.updated',
      at: 1000,
      actor: ana,
      entity: { type: 'customer', id: '42' },
      customerId: '42',
    });
    const onCall = activityDraft(
      { kind: 'entity.updated', entity: { type: 'call', id: '42-call-1' }, customerId: '42' },
      5,
    );
    assert.equal(onCall.customerId, '42');
    const loose = activityDraft({ kind: 'note', entity: { type: 'call', id: 'c-1' } }, 5);
    assert.equal('customerId' in loose, false, 'no customer is made up for another entity');
    assert.equal('actor' in loose, false, 'absent fields stay absent, not undefined');
  });

  test('an item is in the global feed, its actor’s and its customer’s, and in no other', () => {
    assert.deepEqual(feedsOf({ actor: ana, customerId: '42' }), [
      { kind: 'global' },
      { kind: 'user', userId: 'ana' },
      { kind: 'customer', entityId: '42' },
    ]);
    assert.deepEqual(feedsOf({}), [{ kind: 'global' }]);
  });

  test('inFeed agrees with feedsOf for every item and feed', () => {
    const id = fc.constantFrom('ana', 'ben', '42', '7');
    const item = fc.record(
      { actor: fc.record({ id, name: fc.constant('x') }), customerId: id },
      { requiredKeys: [] },
    );
    const feed: fc.Arbitrary<FeedRef> = fc.oneof(
      fc.constant({ kind: 'global' as const }),
      id.map((userId) => ({ kind: 'user' as const, userId })),
      id.map((entityId) => ({ kind: 'customer' as const, entityId })),
    );
    fc.assert(
      fc.property(item, feed, (it, f) => {
        const listed = feedsOf(it).some((g) => JSON.stringify(g) === JSON.stringify(f));
        assert.equal(inFeed(it, f), listed);
      }),
    );
  });

  test('a filter passes an item by kind and actor; empty lists pass all', () => {
    const item = { kind: 'entity.updated', actor: ana };
    assert.equal(passesFilter(item, undefined), true);
    assert.equal(passesFilter(item, { kinds: [], actors: [] }), true);
    assert.equal(passesFilter(item, { kinds: ['entity.updated'] }), true);
    assert.equal(passesFilter(item, { kinds: ['note'] }), false);
    assert.equal(passesFilter(item, { actors: ['ana'] }), true);
    assert.equal(passesFilter(item, { actors: ['ben'] }), false);
    assert.equal(passesFilter({ kind: 'note' }, { actors: ['ana'] }), false, 'no actor, no match');
  });
});
