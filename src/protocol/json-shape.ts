/**
 * A walk over parsed JSON before schema validation, for what validation cannot be trusted with:
 * - nesting deeper than a limit: zod validates recursively, so a frame of 10,000 nested arrays
 *   would overflow the stack; the walk itself is iterative and cannot;
 * - a `__proto__` key: `JSON.parse` makes it an own property, but any copy that assigns it (zod's
 *   output, `{ ...spread }` is fine, `obj[key] = v` is not) sets the copy's prototype instead, so
 *   the key would vanish after being accepted and its members would be inherited by the copy.
 *   Refusing it is the one answer every layer gives the same way.
 */

/** The key no frame, body or field may use (see above). */
export const FORBIDDEN_KEY = '__proto__';

/**
 * Why `value` (the output of `JSON.parse`) may not be validated, or `undefined` when it may:
 * nested deeper than `maxDepth` (a scalar is depth 0, `[]` depth 1) or holding a `__proto__` key.
 */
export function jsonShapeProblem(value: unknown, maxDepth: number): string | undefined {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const top = stack.pop()!;
    if (typeof top.value !== 'object' || top.value === null) continue;
    const depth = top.depth + 1;
    if (depth > maxDepth) return `JSON nested deeper than ${maxDepth} levels`;
    if (Array.isArray(top.value)) {
      for (const item of top.value as unknown[]) stack.push({ value: item, depth });
      continue;
    }
    const record = top.value as Record<string, unknown>;
    if (Object.prototype.hasOwnProperty.call(record, FORBIDDEN_KEY)) {
      return `the key "${FORBIDDEN_KEY}" is not allowed`;
    }
    for (const key of Object.keys(record)) stack.push({ value: record[key], depth });
  }
  return undefined;
}
