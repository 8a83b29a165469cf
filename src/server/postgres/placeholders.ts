/**
 * SQL written once for both stores marks its parameters with `?`, in order (SQLite's syntax);
 * PostgreSQL wants them numbered. The shared statements hold no `?` inside a string literal.
 */
export function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
