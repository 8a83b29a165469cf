/**
 * Assertions whose failure message is one readable line: what was expected, and what the server
 * did instead. A conformance report is read by a backend team that never saw the check's code.
 */
import { isDeepStrictEqual } from 'node:util';
import { describe } from './peer.js';

export class CheckFailure extends Error {
  override name = 'CheckFailure';
}

export function ok(condition: unknown, what: string): asserts condition {
  if (!condition) throw new CheckFailure(what);
}

export function same(actual: unknown, expected: unknown, what: string): void {
  if (!isDeepStrictEqual(actual, expected)) {
    throw new CheckFailure(`${what}: expected ${describe(expected)}, got ${describe(actual)}`);
  }
}

export function matches(actual: unknown, pattern: RegExp, what: string): void {
  if (typeof actual !== 'string' || !pattern.test(actual)) {
    throw new CheckFailure(`${what}: expected text matching ${pattern}, got ${describe(actual)}`);
  }
}
