import assert from 'node:assert/strict';
import { request, type IncomingHttpHeaders } from 'node:http';
import { mkdir, mkdtemp, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { brotliCompressSync, brotliDecompressSync, gunzipSync } from 'node:zlib';
import { negotiateEncoding } from '../../../src/server/static-compression.js';
import { startHarness, type Harness } from '../helpers/server-harness.js';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function get(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

/** What the body says once its Content-Encoding is undone. */
function decoded(answer: Answer): string {
  const encoding = answer.headers['content-encoding'];
  if (encoding === 'br') return brotliDecompressSync(answer.body).toString('utf8');
  if (encoding === 'gzip') return gunzipSync(answer.body).toString('utf8');
  assert.equal(encoding, undefined, `unexpected content-encoding ${encoding}`);
  return answer.body.toString('utf8');
}

/** Something the size of a real module, and compressible like one. */
function moduleText(name: string): string {
  const lines = [`// ${name}`];
  for (let i = 0; i < 400; i++)
    lines.push(`export const value${i} = 'the same text, again: ${i}';`);
  return lines.join('\n');
}

const CHROME = 'gzip, deflate, br, zstd';

describe('static files: what a page downloads', () => {
  let dir: string;
  let h: Harness;
  const page = `<!doctype html><title>demo</title>${'<p>the CRM page</p>'.repeat(200)}`;
  const chunk = moduleText('core chunk');
  const define = moduleText('define');

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crm-static-cache-'));
    await mkdir(join(dir, 'demo', 'chunks'), { recursive: true });
    await mkdir(join(dir, 'dist', 'kit', 'chunks'), { recursive: true });
    await writeFile(join(dir, 'demo', 'index.html'), page);
    await writeFile(join(dir, 'demo', 'small.js'), 'export {};');
    await writeFile(join(dir, 'demo', 'logo.png'), Buffer.alloc(4096, 7));
    await writeFile(join(dir, 'demo', 'chunks', 'read-settings.js'), moduleText('page script'));
    await writeFile(join(dir, 'dist', 'kit', 'define.js'), define);
    await writeFile(join(dir, 'dist', 'kit', 'chunks', 'core-BjvByGFi.js'), chunk);
  });
  after(() => rm(dir, { recursive: true, force: true }));
  afterEach(() => h.close());

  const start = async () => {
    h = await startHarness({ staticDirs: [join(dir, 'demo'), join(dir, 'dist')] });
    return h.server.port;
  };

  test('text travels compressed as the request accepts: brotli first, then gzip, else plain', async () => {
    const port = await start();
    for (const [accept, expected] of [
      [CHROME, 'br'],
      ['gzip, deflate', 'gzip'],
      ['br;q=0, gzip;q=0.5', 'gzip'],
      ['*', 'br'],
      ['identity', undefined],
      ['br;q=0, gzip;q=0', undefined],
      [undefined, undefined],
    ] as const) {
      for (const path of ['/', '/kit/define.js', '/kit/chunks/core-BjvByGFi.js']) {
        const res = await get(
          port,
          path,
          accept === undefined ? {} : { 'accept-encoding': accept },
        );
        const what = `${path} with Accept-Encoding: ${accept}`;
        assert.equal(res.status, 200, what);
        assert.equal(res.headers['content-encoding'], expected, what);
        assert.equal(res.headers['vary'], 'Accept-Encoding', what);
        assert.equal(Number(res.headers['content-length']), res.body.length, what);
        const original = path === '/' ? page : path.includes('core') ? chunk : define;
        assert.equal(decoded(res), original, what);
        if (expected) assert.ok(res.body.length < original.length / 3, `${what}: compressed`);
      }
    }
  });

  test('a script with a map written next to it names the map in a SourceMap header', async () => {
    await writeFile(join(dir, 'dist', 'kit', 'define.js.map'), '{"version":3,"mappings":""}');
    const port = await start();
    const mapped = await get(port, '/kit/define.js', { 'accept-encoding': CHROME });
    assert.equal(mapped.headers['sourcemap'], 'define.js.map');
    // Relative to the script, as a `sourceMappingURL` comment would be.
    const map = await get(port, '/kit/define.js.map');
    assert.equal(map.status, 200);
    const unmapped = await get(port, '/kit/chunks/core-BjvByGFi.js', { 'accept-encoding': CHROME });
    assert.equal(unmapped.headers['sourcemap'], undefined, 'no map, no header');
  });

  test('tiny files and images are sent as they are', async () => {
    const port = await start();
    const small = await get(port, '/small.js', { 'accept-encoding': CHROME });
    assert.equal(small.headers['content-encoding'], undefined);
    assert.equal(small.body.toString(), 'export {};');
    const png = await get(port, '/logo.png', { 'accept-encoding': CHROME });
    assert.equal(png.headers['content-encoding'], undefined);
    assert.equal(png.headers['vary'], undefined, 'an image has one representation');
    assert.equal(png.body.length, 4096);
  });

  test('HEAD answers the headers of the compressed GET, without a body', async () => {
    const port = await start();
    const head = await get(port, '/kit/define.js', { 'accept-encoding': CHROME }, 'HEAD');
    const full = await get(port, '/kit/define.js', { 'accept-encoding': CHROME });
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    assert.equal(head.headers['content-encoding'], 'br');
    assert.equal(head.headers['content-length'], full.headers['content-length']);
  });

  test('precompressed siblings written by the build are sent, unless older than the file', async () => {
    const file = join(dir, 'dist', 'kit', 'elements.js');
    const built = moduleText('element entry');
    await writeFile(file, built);
    // Marked, so the test can tell the sibling from the server's own compression.
    const fromBuild = `${built}\n// compressed at build time`;
    await writeFile(`${file}.br`, brotliCompressSync(fromBuild));
    const port = await start();
    const res = await get(port, '/kit/elements.js', { 'accept-encoding': CHROME });
    assert.equal(res.headers['content-encoding'], 'br');
    assert.equal(decoded(res), fromBuild);
    assert.equal(Number(res.headers['content-length']), (await stat(`${file}.br`)).size);

    // An earlier build's sibling next to a rebuilt file: not the same content.
    const past = new Date(Date.now() - 60_000);
    await utimes(`${file}.br`, past, past);
    const fresh = await get(port, '/kit/elements.js', { 'accept-encoding': CHROME });
    assert.equal(fresh.headers['content-encoding'], 'br');
    assert.equal(decoded(fresh), built);
  });

  test('hashed chunks are immutable; pages, define.js and look-alikes are revalidated', async () => {
    const port = await start();
    const chunkRes = await get(port, '/kit/chunks/core-BjvByGFi.js', { 'accept-encoding': CHROME });
    assert.equal(chunkRes.headers['cache-control'], 'public, max-age=31536000, immutable');
    for (const path of ['/', '/index.html', '/kit/define.js', '/chunks/read-settings.js']) {
      const res = await get(port, path, { 'accept-encoding': CHROME });
      assert.equal(res.headers['cache-control'], 'no-cache', path);
      assert.ok(res.headers['etag'], `${path} has an ETag to revalidate with`);
    }
  });

  test('a matching If-None-Match gets 304 without a body; a changed file a new ETag', async () => {
    const file = join(dir, 'demo', 'page.html');
    await writeFile(file, page);
    const port = await start();
    const first = await get(port, '/page.html', { 'accept-encoding': CHROME });
    const etag = String(first.headers['etag']);
    assert.match(etag, /^(W\/)?".+"$/);
    // The same validator whichever encoding was sent: the content is the same.
    const plain = await get(port, '/page.html');
    assert.equal(plain.headers['etag'], etag);

    for (const inm of [etag, `"other", ${etag}`, etag.replace(/^W\//, ''), '*']) {
      const res = await get(port, '/page.html', {
        'accept-encoding': CHROME,
        'if-none-match': inm,
      });
      assert.equal(res.status, 304, inm);
      assert.equal(res.body.length, 0);
      assert.equal(res.headers['etag'], etag);
      assert.equal(res.headers['cache-control'], 'no-cache');
      assert.equal(res.headers['vary'], 'Accept-Encoding');
    }
    assert.equal(
      (await get(port, '/page.html', { 'if-none-match': '"other"' })).status,
      200,
      'another ETag',
    );

    await writeFile(file, `${page}<p>edited</p>`);
    const later = new Date(Date.now() + 2000);
    await utimes(file, later, later);
    const edited = await get(port, '/page.html', {
      'accept-encoding': CHROME,
      'if-none-match': etag,
    });
    assert.equal(edited.status, 200);
    assert.notEqual(edited.headers['etag'], etag);
    assert.match(decoded(edited), /edited/);
  });
});

describe('negotiateEncoding', () => {
  test('prefers brotli, honours q=0 and the wildcard', () => {
    assert.equal(negotiateEncoding('gzip, deflate, br'), 'br');
    assert.equal(negotiateEncoding('gzip'), 'gzip');
    assert.equal(negotiateEncoding('x-gzip'), 'gzip');
    assert.equal(negotiateEncoding('BR;Q=1'), 'br');
    assert.equal(negotiateEncoding('br;q=0, *'), 'gzip');
    assert.equal(negotiateEncoding('*;q=0'), undefined);
    assert.equal(negotiateEncoding('deflate'), undefined);
    assert.equal(negotiateEncoding(''), undefined);
    assert.equal(negotiateEncoding(undefined), undefined);
  });
});
