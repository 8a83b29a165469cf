/**
 * Last step of `npm run build`: writes a brotli (`.br`) and a gzip (`.gz`) sibling next to every
 * text file of the built kit (dist/kit/), at the highest settings, so the reference server sends
 * them as they are (src/server/static-files.ts) instead of compressing on each request. Any
 * server that serves precompressed siblings (nginx `gzip_static`/`brotli_static`, Caddy
 * `precompressed`) can use them too.
 *
 * Skipped: files under 1 KiB (no gain), source maps (only developer tools fetch them; the server
 * still compresses them on request), and any file its compressed form would not make smaller.
 *
 *   node --import tsx scripts/precompress.ts [dir]     (default dist/kit)
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  MIN_COMPRESS_BYTES,
  SIBLING_SUFFIX,
  compressBest,
  isCompressible,
  type Encoding,
} from '../src/server/static-compression.js';

export interface Precompressed {
  file: string;
  bytes: number;
  br?: number;
  gzip?: number;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

function wanted(file: string): boolean {
  const ext = extname(file).toLowerCase();
  return isCompressible(file) && ext !== '.map';
}

/** Writes the siblings of every file under `dir` that gains from them; returns what it did. */
export async function precompress(dir: string): Promise<Precompressed[]> {
  const done: Precompressed[] = [];
  for (const file of (await filesUnder(dir)).filter(wanted)) {
    const data = await readFile(file);
    if (data.length < MIN_COMPRESS_BYTES) continue;
    const result: Precompressed = { file, bytes: data.length };
    const encodings: Encoding[] = ['br', 'gzip'];
    await Promise.all(
      encodings.map(async (encoding) => {
        const compressed = await compressBest(data, encoding);
        if (compressed.length >= data.length) return;
        // Written after the file itself, so the server sees the sibling as current.
        await writeFile(file + SIBLING_SUFFIX[encoding], compressed);
        result[encoding] = compressed.length;
      }),
    );
    done.push(result);
  }
  return done;
}

async function main(): Promise<void> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const dir = resolve(root, process.argv[2] ?? 'dist/kit');
  const started = Date.now();
  const done = await precompress(dir);
  const sum = (pick: (p: Precompressed) => number | undefined) =>
    done.reduce((n, p) => n + (pick(p) ?? p.bytes), 0);
  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  console.log(
    `precompressed ${done.length} files in ${relative(root, dir) || '.'} (${Date.now() - started} ms): ` +
      `${kib(sum(() => undefined))} → brotli ${kib(sum((p) => p.br))}, gzip ${kib(sum((p) => p.gzip))}`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
