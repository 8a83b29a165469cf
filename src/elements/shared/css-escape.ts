/**
 * A value made safe inside a quoted CSS attribute selector (`[data-id="…"]`). `CSS.escape` where
 * the page has it; where it does not (jsdom, which many host apps' unit tests run in), the
 * characters that could end or break the string are escaped by hand, so the widgets still render.
 */
export function cssEscape(value: string): string {
  const native = globalThis.CSS?.escape;
  if (native) return native(value);
  return value
    .replace(/["\\]/g, '\\$&')
    .replace(/[\n\r\f]/g, (c) => `\\${c.charCodeAt(0).toString(16)} `);
}
