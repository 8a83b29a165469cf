/**
 * The frame limit counts UTF-8 bytes, not characters: a frame of multi-byte text at the edge is
 * measured exactly, and the shortcut by the text's length never lets one past the limit.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitChange, fitsFrame, jsonBytes } from '../../../src/domain/frame-fit.js';
import type { EntityChange, ServerFrame } from '../../../src/protocol/index.js';

const frame = (text: string): ServerFrame =>
  ({ type: 'error', code: 'internal', message: text }) as ServerFrame;

test('a frame fits by its UTF-8 bytes: exactly at the limit it fits, one byte over it does not', () => {
  for (const char of ['a', 'é', '€', '😀']) {
    const text = char.repeat(300);
    const bytes = jsonBytes(frame(text));
    assert.equal(fitsFrame(frame(text), bytes), true, `${char}: at the limit`);
    assert.equal(fitsFrame(frame(text), bytes - 1), false, `${char}: one byte over`);
  }
});

test('a change keeps its previous values while they fit, by bytes, and leaves them out after', () => {
  const change: EntityChange = {
    entity: { type: 'customer', id: '42', version: 2, fields: { notes: 'ü'.repeat(400) } },
    previous: { notes: 'ö'.repeat(400) },
    changedFields: ['notes'],
    author: { id: 'ada', name: 'Ada' },
    mutationId: 'mutation-1',
  } as unknown as EntityChange;
  const whole = jsonBytes(change);
  assert.equal(fitChange(change, whole), change);
  const trimmed = fitChange(change, whole - 1);
  assert.deepEqual(trimmed && { previous: trimmed.previous, omitted: trimmed.previousOmitted }, {
    previous: {},
    omitted: true,
  });
  // 400 two-byte characters are 800 bytes but 400 characters: counted by characters, the entity
  // alone would seem to fit a limit it is over.
  assert.equal(fitChange(change, 600), undefined);
});
