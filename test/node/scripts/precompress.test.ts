import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { precompress } from '../../../scripts/precompress.js';

let dir: string;
const big = Array.from({ length: 300 }, (_, i) => `export const v${i} = 'kit code ${i}';`).join(
  '\n',
);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crm-precompress-'));
  await mkdir(join(dir, 'chunks'));
  await writeFile(join(dir, 'chunks', 'core-AbCd1234.js'), big);
  await writeFile(join(dir, 'chunks', 'core-AbCd1234.js.map'), big);
  await writeFile(join(dir, 'define.js'), 'import "./chunks/core-AbCd1234.js";');
  await writeFile(join(dir, 'logo.png'), Buffer.alloc(4096, 1));
});
after(() => rm(dir, { recursive: true, force: true }));

test('the build writes brotli and gzip siblings of the kit text files that gain from them', async () => {
  const done = await precompress(dir);
  const file = join(dir, 'chunks', 'core-AbCd1234.js');
  assert.deepEqual(
    done.map((p) => p.file),
    [file],
  );
  assert.equal(brotliDecompressSync(await readFile(`${file}.br`)).toString(), big);
  assert.equal(gunzipSync(await readFile(`${file}.gz`)).toString(), big);
  for (const skipped of ['define.js', 'logo.png', 'chunks/core-AbCd1234.js.map']) {
    assert.equal(existsSync(join(dir, `${skipped}.br`)), false, skipped);
    assert.equal(existsSync(join(dir, `${skipped}.gz`)), false, skipped);
  }
});
