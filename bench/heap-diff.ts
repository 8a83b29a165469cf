/**
 * What each connection holds: compares two V8 heap snapshots of servers holding the same N
 * connections (BENCH_HEAP_SNAPSHOT=1 of bench/fanout.ts writes one per server) and prints, per
 * kind of object, how many more the second holds per connection and their own bytes.
 *
 *   node --import tsx bench/heap-diff.ts <base.heapsnapshot> <other.heapsnapshot> <N> [rows]
 *
 * Self sizes only (an object's own fields, not what it points to), so the rows add up to the
 * heap difference without counting anything twice.
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

interface Tally {
  count: number;
  bytes: number;
}

/** Objects by type and constructor (or, for strings and code, by type alone). */
function tally(file: string): Map<string, Tally> {
  const data = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const fields = data.snapshot.meta.node_fields;
  const types = data.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const out = new Map<string, Tally>();
  for (let i = 0; i < data.nodes.length; i += width) {
    const type = types[data.nodes[i + typeAt]!]!;
    const named = type === 'object' || type === 'closure' || type === 'native';
    const key = named ? `${type} ${data.strings[data.nodes[i + nameAt]!]}` : type;
    const entry = out.get(key) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += data.nodes[i + sizeAt]!;
    out.set(key, entry);
  }
  return out;
}

const [baseFile, otherFile, nArg = '1', rowsArg = '40'] = process.argv.slice(2);
if (!baseFile || !otherFile) {
  console.error('usage: heap-diff.ts <base.heapsnapshot> <other.heapsnapshot> <N> [rows]');
  process.exit(2);
}
const n = Number(nArg);
const base = tally(baseFile);
const other = tally(otherFile);
const rows = [...new Set([...base.keys(), ...other.keys()])].map((key) => {
  const a = base.get(key) ?? { count: 0, bytes: 0 };
  const b = other.get(key) ?? { count: 0, bytes: 0 };
  return { key, count: (b.count - a.count) / n, bytes: (b.bytes - a.bytes) / n };
});
rows.sort((x, y) => Math.abs(y.bytes) - Math.abs(x.bytes));
const total = (t: Map<string, Tally>): number => [...t.values()].reduce((s, e) => s + e.bytes, 0);
console.log(
  `heap: ${(total(base) / 2 ** 20).toFixed(1)} MB → ${(total(other) / 2 ** 20).toFixed(1)} MB, ` +
    `${((total(other) - total(base)) / n).toFixed(0)} bytes more per connection (N = ${n})`,
);
console.log('objects/connection  bytes/connection  kind');
for (const row of rows.slice(0, Number(rowsArg))) {
  console.log(
    `${row.count.toFixed(2).padStart(18)}  ${row.bytes.toFixed(0).padStart(16)}  ${row.key}`,
  );
}
