/**
 * Token buckets per key, shared by the server's per-user frame rate and the write budget (which
 * the fake server asks too): what each key may take, how fast it fills, debt, and what is kept.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TokenBuckets } from '../../../src/util/token-buckets.js';

describe('TokenBuckets', () => {
  test('a key takes up to its capacity, then what has filled since', () => {
    const buckets = new TokenBuckets(3, 1 / 1000, 10); // 3 tokens, one a second
    for (let i = 0; i < 3; i++) assert.equal(buckets.draw('ada', 1, 0), true);
    assert.equal(buckets.draw('ada', 1, 0), false, 'empty');
    assert.equal(buckets.draw('ben', 1, 0), true, 'another key has its own');
    assert.equal(buckets.draw('ada', 1, 999), false, 'not a whole token yet');
    assert.equal(buckets.draw('ada', 1, 1000), true);
    assert.equal(buckets.held('ada'), 0);
  });

  test('a refused draw takes nothing; an owed one goes into debt, down to a whole bucket', () => {
    const buckets = new TokenBuckets(100, 100 / 60_000, 10);
    assert.equal(buckets.draw('ada', 150, 0), false);
    assert.equal(buckets.held('ada'), 100);
    assert.equal(buckets.draw('ada', 250, 0, true), true);
    assert.equal(buckets.held('ada'), -100, 'a whole bucket in debt at most');
    assert.equal(buckets.draw('ada', 1, 60_000), false, 'a minute pays the debt off, no more');
    assert.equal(buckets.draw('ada', 1, 60_600), true);
  });

  test('keeps only buckets not full again, and at most maxKeys, the least recently drawn going first', () => {
    const buckets = new TokenBuckets(2, 1 / 1000, 2);
    buckets.draw('ada', 1, 0);
    buckets.draw('ben', 1, 500);
    buckets.draw('cy', 1, 600);
    assert.equal(buckets.size, 2, 'ada forgotten for cy');
    assert.equal(buckets.held('ada'), 2, 'a forgotten key is full, as a new one');
    buckets.draw('cy', 1, 2600); // ben's has been full again since 2500
    assert.equal(buckets.size, 1);
  });
});
