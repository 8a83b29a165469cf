/** Deep equality of field values, shared by the conflict dialog and the activity feed. */

const has = (record: object, key: string) => Object.prototype.hasOwnProperty.call(record, key);

/** Deep equality of JSON-like values (key order does not matter). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => sameValue(item, b[i]));
  }
  const ak = Object.keys(a);
  const bk = Object.keys(b);
  if (ak.length !== bk.length) return false;
  const br = b as Record<string, unknown>;
  return ak.every((k) => has(br, k) && sameValue((a as Record<string, unknown>)[k], br[k]));
}
