/**
 * Compressed representations of static files: which encoding a request accepts (brotli, then
 * gzip), the precompressed `.br` / `.gz` siblings the build writes next to the kit's files
 * (scripts/precompress.ts), and on-the-fly compression, cached, for files without them (the demo's
 * pages, scripts and styles).
 */
import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

export type Encoding = 'br' | 'gzip';

/** The suffix of a precompressed sibling: `define.js.br`, `define.js.gz`. */
export const SIBLING_SUFFIX: Record<Encoding, string> = { br: '.br', gzip: '.gz' };

/** Text formats worth compressing. Images, fonts and archives are compressed already. */
const COMPRESSIBLE = new Set([
  '.html',
  '.js',
  '.mjs',
  '.css',
  '.json',
  '.map',
  '.svg',
  '.txt',
  '.md',
  '.wasm',
  '.ico',
]);

/** Below this, headers and the compressor's framing eat most of the gain. */
export const MIN_COMPRESS_BYTES = 1024;

export function isCompressible(path: string): boolean {
  return COMPRESSIBLE.has(extname(path).toLowerCase());
}

/**
 * The best encoding the request accepts: brotli (~15-20 % smaller than gzip on the kit), then
 * gzip; undefined for identity. `q=0` refuses a coding; `*` stands for any coding not named.
 */
export function negotiateEncoding(acceptEncoding: string | undefined): Encoding | undefined {
  if (!acceptEncoding) return undefined;
  const quality = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [token = '', ...params] = part.trim().toLowerCase().split(';');
    if (!token) continue;
    let q = 1;
    for (const param of params) {
      const [key, value] = param.trim().split('=');
      if (key === 'q') q = Number(value);
    }
    quality.set(token.trim(), Number.isFinite(q) ? q : 0);
  }
  const accepts = (coding: string) => (quality.get(coding) ?? quality.get('*') ?? 0) > 0;
  if (accepts('br')) return 'br';
  if (accepts('gzip') || accepts('x-gzip')) return 'gzip';
  return undefined;
}

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** Build-time settings: smallest output, whatever the time. */
export function compressBest(data: Buffer, encoding: Encoding): Promise<Buffer> {
  return encoding === 'br'
    ? brotli(data, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
          [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
          [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
        },
      })
    : gzipAsync(data, { level: constants.Z_BEST_COMPRESSION });
}

/**
 * Request-time settings: brotli quality 9 is within a few per cent of 11 at a fraction of the CPU;
 * the result is cached anyway.
 */
function compressFast(data: Buffer, encoding: Encoding): Promise<Buffer> {
  return encoding === 'br'
    ? brotli(data, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: 9,
          [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
          [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
        },
      })
    : gzipAsync(data, { level: 6 });
}

/** What to send instead of the file itself. */
export type Compressed =
  { kind: 'sibling'; path: string; size: number } | { kind: 'buffer'; body: Buffer };

export interface CompressionCacheOptions {
  /** Total bytes of compressed output kept in memory; least recently used goes first. */
  maxBytes?: number;
  /** Larger files are sent as they are rather than compressed on request. */
  maxFileBytes?: number;
}

interface Entry {
  /** Resolves undefined when compressing does not make the file smaller. */
  body: Promise<Buffer | undefined>;
  bytes: number;
}

/**
 * Finds or makes the compressed form of a file. Keys include the file's size and modification
 * time, so a rebuilt file is never answered with the old one's bytes.
 */
export class CompressionCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private readonly maxBytes: number;
  private readonly maxFileBytes: number;

  constructor(options: CompressionCacheOptions = {}) {
    this.maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
    this.maxFileBytes = options.maxFileBytes ?? 4 * 1024 * 1024;
  }

  /**
   * The compressed form of `file` (of `size` bytes, modified at `mtimeMs`) in `encoding`, or
   * undefined when the file is to be sent as it is.
   */
  async get(
    file: string,
    size: number,
    mtimeMs: number,
    encoding: Encoding,
  ): Promise<Compressed | undefined> {
    if (!isCompressible(file) || size < MIN_COMPRESS_BYTES) return undefined;
    // A sibling older than the file was left by an earlier build: not the same content.
    const sibling = file + SIBLING_SUFFIX[encoding];
    const siblingInfo = await stat(sibling).catch(() => undefined);
    if (siblingInfo?.isFile() && siblingInfo.mtimeMs >= mtimeMs) {
      return { kind: 'sibling', path: sibling, size: siblingInfo.size };
    }
    if (size > this.maxFileBytes) return undefined;
    const key = `${encoding}\0${size}\0${mtimeMs}\0${file}`;
    let entry = this.entries.get(key);
    if (entry) {
      // Most recently used goes to the end of the map's order.
      this.entries.delete(key);
      this.entries.set(key, entry);
    } else {
      const body = readFile(file).then(async (data) => {
        // The file changed between stat and read: compress nothing rather than mislabel it.
        if (data.length !== size) return undefined;
        const compressed = await compressFast(data, encoding);
        return compressed.length < data.length ? compressed : undefined;
      });
      entry = { body, bytes: size };
      this.entries.set(key, entry);
      this.bytes += entry.bytes;
      body.then(
        (result) => this.resize(key, entry!, result?.length ?? 0),
        () => this.forget(key, entry!),
      );
      this.evict();
    }
    const body = await entry.body;
    return body ? { kind: 'buffer', body } : undefined;
  }

  private resize(key: string, entry: Entry, bytes: number): void {
    if (this.entries.get(key) !== entry) return;
    this.bytes += bytes - entry.bytes;
    entry.bytes = bytes;
    this.evict();
  }

  private forget(key: string, entry: Entry): void {
    if (this.entries.get(key) !== entry) return;
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }

  private evict(): void {
    for (const [key, entry] of this.entries) {
      if (this.bytes <= this.maxBytes || this.entries.size <= 1) break;
      this.forget(key, entry);
    }
  }
}
