import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import * as z from 'zod/mini';
import { Json, parseClientFrame } from '../../../src/protocol/index.js';

/** What `Json` accepted when it was `z.json()`: the reference for what it must still accept. */
const Reference = z.json();

class Point {
  x = 1;
}

describe('Json', () => {
  test('checks a payload where it lies, without copying it value by value', () => {
    // The union `z.json()` tried at every value, copying each: a 30 KB emit of 3,000 [[[[1]]]]
    // took 13 ms to check, so four sockets of one user held the event loop a second at a time.
    const payload = Array.from({ length: 3000 }, () => [[[[1]]]]);
    const text = JSON.stringify({ type: 'emit', room: 'r:1', event: 'e', payload });
    const parsed = parseClientFrame(text);
    assert.ok(parsed.ok && parsed.frame.type === 'emit');
    const checked = z.safeParse(Json, payload);
    assert.ok(checked.success);
    assert.equal(checked.data, payload);
  });

  test('accepts and refuses what z.json() does', () => {
    const leaf = fc.oneof(
      fc.string(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.bigInt(),
      fc.constant(new Date(0)),
      fc.constant(new Point()),
      fc.constant(Object.create(null) as object),
      fc.constant(Object.assign(new Array<number>(3), { 0: 1, 2: 3 })), // a hole at 1
      fc.constant({ [Symbol('s')]: 1 }),
      fc.constant(Object.defineProperty({}, Symbol('hidden'), { value: 1, enumerable: false })),
    );
    const value = fc.letrec((tie) => ({
      any: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object')),
      array: fc.array(tie('any'), { maxLength: 4 }),
      object: fc.dictionary(fc.string({ maxLength: 4 }), tie('any'), { maxKeys: 4 }),
    })).any;
    fc.assert(
      fc.property(value, (v) => {
        assert.equal(z.safeParse(Json, v).success, z.safeParse(Reference, v).success);
      }),
      { numRuns: 2000 },
    );
  });

  test('refuses a value that holds itself; accepts one held in two places', () => {
    // Handed over in process (a fake server's caller): the walk never ended on one, and z.json()
    // overflowed the stack.
    const loop: Record<string, unknown> = { a: 1 };
    loop['self'] = { back: [loop] };
    assert.equal(z.safeParse(Json, loop).success, false);
    const list: unknown[] = [1];
    list.push(list);
    assert.equal(z.safeParse(Json, { list }).success, false);
    // A cycle deep inside is found; a value as deep without one still passes.
    let deep: unknown = [loop];
    for (let i = 0; i < 2000; i++) deep = [deep];
    assert.equal(z.safeParse(Json, deep).success, false);
    deep = 1;
    for (let i = 0; i < 2000; i++) deep = i % 2 ? [deep] : { deep };
    assert.equal(z.safeParse(Json, deep).success, true);

    const shared = { leaf: [true] };
    assert.equal(z.safeParse(Json, [shared, { again: shared }, shared.leaf]).success, true);
    const bad: unknown[] = [undefined];
    assert.equal(z.safeParse(Json, [{ x: bad }, bad]).success, false);
  });
});
