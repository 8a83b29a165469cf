/**
 * What each source module weighs in the kit as pages download it:
 *
 *   node --import tsx scripts/size-modules.ts [page|bundle|all] [--min <bytes>]
 *
 * Builds the kit in memory with vite.config.ts (as `npm run size` does) and, for each file of the
 * provider + status + presence page (`page`, the default) or of the single-file bundle (`bundle`),
 * attributes every byte of the minified output to the source module its source map names. Per
 * module it prints the minified bytes and an estimate of its gzip cost: the gzip size of the
 * file minus the gzip size of the same file without that module's bytes (what leaving it out
 * would save; the estimates of one file add up to a little less than its gzip size, since shared
 * context is counted nowhere). Bytes that no mapping names (imports, exports, the bundler's own
 * glue) are shown as "(unmapped)".
 */
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Rolldown } from 'vite';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
type Chunk = Rolldown.OutputChunk;

const PAGE = [
  'elements/realtime-provider.js',
  'elements/connection-status.js',
  'elements/presence.js',
];

async function buildKit(mode: 'production' | 'bundle'): Promise<Chunk[]> {
  const result = await build({
    configFile: resolve(root, 'vite.config.ts'),
    mode,
    logLevel: 'silent',
    // Maps as the kit writes them: not linked, so the code is what pages download.
    build: { write: false, sourcemap: 'hidden' },
  });
  const outputs = (Array.isArray(result) ? result : [result]) as Rolldown.RolldownOutput[];
  return outputs.flatMap((o) => o.output).filter((item): item is Chunk => item.type === 'chunk');
}

const gzip = (text: string) => gzipSync(Buffer.from(text), { level: 9 }).byteLength;

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** The generated offset and source index of every segment of a source map's `mappings`. */
function segments(mappings: string, code: string): { at: number; source: number }[] {
  const lineStarts = [0];
  for (let i = code.indexOf('\n'); i !== -1; i = code.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const out: { at: number; source: number }[] = [];
  let source = 0;
  mappings.split(';').forEach((line, index) => {
    let column = 0;
    for (const segment of line.split(',')) {
      if (!segment) continue;
      const fields: number[] = [];
      let value = 0;
      let shift = 0;
      for (const char of segment) {
        const digit = BASE64.indexOf(char);
        value += (digit & 31) << shift;
        if (digit & 32) {
          shift += 5;
        } else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      column += fields[0] ?? 0;
      if (fields.length > 1) source += fields[1] ?? 0;
      out.push({
        at: (lineStarts[index] ?? code.length) + column,
        source: fields.length > 1 ? source : -1,
      });
    }
  });
  return out.sort((a, b) => a.at - b.at);
}

interface Row {
  module: string;
  bytes: number;
  gzip: number;
}

/** Per source module of one output file: its minified bytes and its leave-one-out gzip cost. */
function modulesOf(chunk: Chunk): Row[] {
  const map = chunk.map;
  if (!map) throw new Error(`${chunk.fileName} has no source map`);
  const names = map.sources.map((s) => {
    const path = resolve(root, 'dist/kit', dirname(chunk.fileName), s);
    return path.includes('/node_modules/')
      ? path.replace(/.*\/node_modules\//, '')
      : relative(root, path);
  });
  const ranges = new Map<string, [number, number][]>();
  const marks = segments(map.mappings, chunk.code);
  marks.push({ at: chunk.code.length, source: -1 });
  let from = 0;
  let owner = '(unmapped)';
  for (const mark of marks) {
    if (mark.at > from) {
      const list = ranges.get(owner) ?? [];
      list.push([from, mark.at]);
      ranges.set(owner, list);
      from = mark.at;
    }
    owner = mark.source >= 0 ? (names[mark.source] ?? '(unmapped)') : '(unmapped)';
  }
  const whole = gzip(chunk.code);
  const rows: Row[] = [];
  for (const [module, list] of ranges) {
    let without = '';
    let last = 0;
    let bytes = 0;
    for (const [start, end] of list) {
      without += chunk.code.slice(last, start);
      last = end;
      bytes += end - start;
    }
    without += chunk.code.slice(last);
    rows.push({ module, bytes, gzip: whole - gzip(without) });
  }
  return rows.sort((a, b) => b.bytes - a.bytes);
}

function closure(entries: string[], byName: Map<string, Chunk>): Chunk[] {
  const seen = new Map<string, Chunk>();
  const visit = (name: string) => {
    const chunk = byName.get(name);
    if (!chunk || seen.has(name)) return;
    seen.set(name, chunk);
    chunk.imports.forEach(visit);
  };
  entries.forEach(visit);
  return [...seen.values()];
}

function report(title: string, files: Chunk[], min: number): string[] {
  const lines = [
    `${title}: ${files.length} files, ${files.reduce((s, c) => s + gzip(c.code), 0)} B gzip`,
  ];
  for (const file of files) {
    lines.push('', `  ${file.fileName}: ${file.code.length} B minified, ${gzip(file.code)} B gzip`);
    lines.push('    minified    gzip≈  module');
    for (const row of modulesOf(file)) {
      if (row.bytes < min) continue;
      lines.push(
        `    ${String(row.bytes).padStart(8)} ${String(row.gzip).padStart(7)}  ${row.module}`,
      );
    }
  }
  return lines;
}

const args = process.argv.slice(2);
const which = args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a)) ?? 'page';
const minAt = args.indexOf('--min');
const min = minAt === -1 ? 200 : Number(args[minAt + 1]);
const out: string[] = [];
if (which === 'page' || which === 'all') {
  const chunks = await buildKit('production');
  out.push(
    ...report(
      'provider + status + presence',
      closure(PAGE, new Map(chunks.map((c) => [c.fileName, c]))),
      min,
    ),
  );
}
if (which === 'bundle' || which === 'all') {
  if (out.length) out.push('');
  out.push(...report('crm-realtime.bundle.js', await buildKit('bundle'), min));
}
console.log(out.join('\n'));
