/**
 * Serves files from directories (the demo and the built kit) with correct content types and no
 * way out of them: no `..`, no dot-files, no symlinks leading elsewhere.
 *
 * What a page downloads is kept small and few: text travels compressed (brotli or gzip, as the
 * request accepts; see static-compression.ts), content-hashed chunks are cached for a year, and
 * everything else is revalidated on each use with its ETag (a 304 costs a round trip, no body).
 */
import { createReadStream } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { basename, dirname, extname, resolve, sep } from 'node:path';
import {
  CompressionCache,
  isCompressible,
  negotiateEncoding,
  type CompressionCacheOptions,
} from './static-compression.js';
import { htmlPolicy, SCRIPT_CSP } from './security-headers.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.wasm': 'application/wasm',
};

export function contentType(path: string): string {
  return TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/** Relative path segments of a URL path, or undefined when it tries to leave its root. */
export function safeSegments(urlPath: string): string[] | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const segments = decoded.split('/').filter((s) => s.length > 0);
  if (segments.some((s) => s === '..' || s.startsWith('.'))) return undefined;
  return segments;
}

interface Found {
  file: string;
  /** A directory's index.html was found: the URL lacks its trailing slash. */
  directory: boolean;
}

async function fileIn(root: string, segments: string[]): Promise<Found | undefined> {
  let path = resolve(root, ...segments);
  if (path !== root && !path.startsWith(root + sep)) return undefined;
  try {
    let info = await stat(path);
    const directory = info.isDirectory();
    if (directory) {
      path = resolve(path, 'index.html');
      info = await stat(path);
    }
    if (!info.isFile()) return undefined;
    const real = await realpath(path);
    if (!real.startsWith(root + sep)) return undefined;
    return { file: real, directory };
  } catch {
    return undefined;
  }
}

/** Whether a regular file is at `path` (the file being served is inside a root already). */
async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isFile(),
    () => false,
  );
}

/** Cached for a year and never revalidated: the name changes whenever the content does. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Whether a file's name carries a hash of its content: the bundler's chunks, named
 * `chunks/<name>-<hash>.js` by vite.config.ts (`assets/` is Vite's default folder). The hash is
 * 8 base64url characters with at least one capital or digit, so `crm-presence.js` or a page's
 * own `chunks/read-settings.js` is never mistaken for one. A hashed chunk that happens to have
 * none is only revalidated like any other file.
 */
export function isContentHashed(file: string): boolean {
  const folder = basename(dirname(file));
  if (folder !== 'chunks' && folder !== 'assets') return false;
  const hash = /-([A-Za-z0-9_-]{8})\.(?:m?js|css)$/.exec(basename(file))?.[1];
  return hash !== undefined && /[A-Z0-9]/.test(hash);
}

/** A weak validator from size and modification time: the same for every encoding of the file. */
function etagOf(size: number, mtimeMs: number): string {
  return `W/"${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}"`;
}

/** `If-None-Match` matches by weak comparison (RFC 9110 13.1.2): `W/` prefixes are ignored. */
function notModified(req: IncomingMessage, etag: string): boolean {
  const header = req.headers['if-none-match'];
  if (!header) return false;
  const opaque = etag.replace(/^W\//, '');
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === opaque;
  });
}

export interface StaticFilesOptions {
  /** Limits of the cache of compressed files made on request. */
  compression?: CompressionCacheOptions;
}

export class StaticFiles {
  private roots: Promise<string[]>;
  private readonly compressed: CompressionCache;
  /** Each served page's Content-Security-Policy, recomputed when the file changes. */
  private readonly policies = new Map<string, { etag: string; policy: string }>();

  constructor(dirs: readonly string[], options: StaticFilesOptions = {}) {
    // Roots are resolved through symlinks once, so the containment check compares real paths.
    this.roots = Promise.all(
      dirs.map((dir) => realpath(resolve(dir)).catch(() => undefined as string | undefined)),
    ).then((roots) => roots.filter((r): r is string => r !== undefined));
    this.compressed = new CompressionCache(options.compression);
  }

  /** Answers the request if a file matches; resolves false when no root has it. */
  async serve(req: IncomingMessage, res: ServerResponse, urlPath: string): Promise<boolean> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const segments = safeSegments(urlPath);
    if (!segments) return false;
    for (const root of await this.roots) {
      const found = await fileIn(root, segments);
      if (!found) continue;
      if (found.directory && !urlPath.endsWith('/')) {
        // Relative links in the index resolve against the directory only with the slash.
        // Rebuilt from the checked segments: `//host` in the request must not become an
        // off-site redirect.
        const location = '/' + segments.map(encodeURIComponent).join('/') + '/';
        res.writeHead(301, { location });
        res.end();
        return true;
      }
      await this.send(req, res, found.file);
      return true;
    }
    return false;
  }

  private async send(req: IncomingMessage, res: ServerResponse, file: string): Promise<void> {
    const info = await stat(file);
    const etag = etagOf(info.size, info.mtimeMs);
    const headers: OutgoingHttpHeaders = {
      'cache-control': isContentHashed(file) ? IMMUTABLE : 'no-cache',
      etag,
      'x-content-type-options': 'nosniff',
    };
    const extension = extname(file).toLowerCase();
    if (extension === '.html') {
      headers['content-security-policy'] = await this.policyOf(file, etag);
    } else if (extension === '.js' || extension === '.mjs') {
      headers['content-security-policy'] = SCRIPT_CSP;
      // The kit's files carry no `sourceMappingURL` comment (the package ships no maps, and the
      // comment would cost every page bytes): devtools find the map written next to them here.
      if (await isFile(`${file}.map`)) headers['sourcemap'] = `${basename(file)}.map`;
    }
    // Caches must keep the brotli, gzip and plain answers apart, whichever this one is.
    if (isCompressible(file)) headers['vary'] = 'Accept-Encoding';
    if (notModified(req, etag)) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    headers['content-type'] = contentType(file);
    const encoding = negotiateEncoding(req.headers['accept-encoding']);
    const compressed = encoding
      ? await this.compressed.get(file, info.size, info.mtimeMs, encoding)
      : undefined;
    if (encoding && compressed) headers['content-encoding'] = encoding;
    if (!compressed) headers['content-length'] = info.size;
    else if (compressed.kind === 'sibling') headers['content-length'] = compressed.size;
    else headers['content-length'] = compressed.body.length;
    res.writeHead(200, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    if (compressed?.kind === 'buffer') {
      res.end(compressed.body);
      return;
    }
    createReadStream(compressed?.kind === 'sibling' ? compressed.path : file)
      .on('error', () => res.destroy())
      .pipe(res);
  }

  /** The page's policy allows its own inline scripts by hash (see security-headers.ts). */
  private async policyOf(file: string, etag: string): Promise<string> {
    const known = this.policies.get(file);
    if (known?.etag === etag) return known.policy;
    const policy = htmlPolicy(await readFile(file, 'utf8'));
    this.policies.set(file, { etag, policy });
    return policy;
  }
}
