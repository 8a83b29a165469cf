/** The one rule for sharing a store: one per key, made by the first holder, disposed by the last. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SharedStores } from '../../../../src/client/store/shared-stores.js';

describe('SharedStores', () => {
  it('makes one store per key, shares it, and disposes it on the last release', () => {
    const disposed: string[] = [];
    let made = 0;
    const stores = new SharedStores<string, { key: string }>((store) => disposed.push(store.key));
    const make = (key: string) => ({ key, n: ++made });
    const a = stores.hold('customer:42', make);
    const b = stores.hold('customer:42', make);
    const c = stores.hold('customer:43', make);
    assert.equal(a, b, 'two holders of one key share the store');
    assert.notEqual(a, c);
    assert.equal(made, 2);
    assert.equal(stores.refs('customer:42'), 2);
    assert.equal(stores.release('customer:42'), false, 'another holder remains');
    assert.deepEqual(disposed, []);
    assert.equal(stores.release('customer:42'), true, 'the last holder');
    assert.deepEqual(disposed, ['customer:42']);
    assert.equal(stores.get('customer:42'), undefined);
    assert.deepEqual([...stores.keys()], ['customer:43']);
    assert.notEqual(stores.hold('customer:42', make), a, 'held again: a new store');
  });
});
