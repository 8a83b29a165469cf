/**
 * Serves files from directories (the demo and the built kit) with correct content types and no
 * way out of them: no `..`, no dot-files, no symlinks leading elsewhere.
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';

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

export class StaticFiles {
  private roots: Promise<string[]>;

  constructor(dirs: readonly string[]) {
    // Roots are resolved through symlinks once, so the containment check compares real paths.
    this.roots = Promise.all(
      dirs.map((dir) => realpath(resolve(dir)).catch(() => undefined as string | undefined)),
    ).then((roots) => roots.filter((r): r is string => r !== undefined));
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
      const file = found.file;
      const info = await stat(file);
      res.writeHead(200, {
        'content-type': contentType(file),
        'content-length': info.size,
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
      });
      if (req.method === 'HEAD') {
        res.end();
        return true;
      }
      createReadStream(file)
        .on('error', () => res.destroy())
        .pipe(res);
      return true;
    }
    return false;
  }
}
