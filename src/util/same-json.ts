/** Deep equality of JSON values, where key order does not matter. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bs = b as unknown[];
    return a.length === bs.length && a.every((item, i) => sameJson(item, bs[i]));
  }
  const ar = a as Record<string, unknown>;
  const br = b as Record<string, unknown>;
  const keys = Object.keys(ar);
  return (
    keys.length === Object.keys(br).length &&
    keys.every((k) => Object.prototype.hasOwnProperty.call(br, k) && sameJson(ar[k], br[k]))
  );
}
