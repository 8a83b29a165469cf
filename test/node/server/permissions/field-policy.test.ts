/**
 * A connection's field rules across a re-check of its permissions: the claim's stay, the
 * callback's become those of the answers given since the re-check started, both apply while it
 * runs, and the types whose rules changed are reported.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FieldPolicy } from '../../../../src/server/permissions/field-policy.js';

const hidden = (policy: FieldPolicy, type: string) => [...(policy.hidden(type) ?? [])].sort();

describe('FieldPolicy re-checks', () => {
  test("the callback's rules become the new answers'; the claim's stay", () => {
    const policy = new FieldPolicy({ customer: { hidden: ['ssn'] } });
    policy.merge({ customer: { hidden: ['notes'], readOnly: ['tier'] } });
    const id = policy.startRecheck();
    policy.merge({ customer: { hidden: ['revenue'] } });
    // While the answers come in, the old rules and the new both apply.
    assert.deepEqual(hidden(policy, 'customer'), ['notes', 'revenue', 'ssn']);
    assert.deepEqual(policy.finishRecheck(id), ['customer']);
    assert.deepEqual(hidden(policy, 'customer'), ['revenue', 'ssn']);
    assert.deepEqual(policy.readOnly('customer'), []);
    assert.equal(policy.empty, false);
  });

  test('reports nothing when the answers say the same again', () => {
    const policy = new FieldPolicy();
    policy.merge({ customer: { hidden: ['notes'] } });
    const id = policy.startRecheck();
    policy.merge({ customer: { hidden: ['notes'] } });
    assert.deepEqual(policy.finishRecheck(id), []);
    assert.deepEqual(hidden(policy, 'customer'), ['notes']);
  });

  test('reports a type hidden during the re-check against the rules it started from', () => {
    const policy = new FieldPolicy();
    const id = policy.startRecheck();
    policy.merge({ deal: { hidden: ['margin'] } });
    assert.deepEqual(policy.finishRecheck(id), ['deal']);
    assert.deepEqual(hidden(policy, 'deal'), ['margin']);
  });

  test('a re-check overtaken by a later one changes nothing when it finishes', () => {
    const policy = new FieldPolicy();
    policy.merge({ customer: { hidden: ['notes'] } });
    const first = policy.startRecheck();
    const second = policy.startRecheck();
    assert.deepEqual(policy.finishRecheck(first), []);
    assert.deepEqual(hidden(policy, 'customer'), ['notes']);
    assert.deepEqual(policy.finishRecheck(second), ['customer']);
    assert.deepEqual(hidden(policy, 'customer'), []);
  });

  test('the key of the rules follows them, so cached redactions are not reused', () => {
    const policy = new FieldPolicy();
    policy.merge({ customer: { hidden: ['notes'] } });
    const key = policy.key;
    policy.finishRecheck(policy.startRecheck());
    assert.notEqual(policy.key, key);
  });
});
