/**
 * The manifest `npm run build:server` writes for the standalone server: its `engines` claim only
 * Node lines the server is proven on (`npm run check:lts`) and its native dependency supports.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { buildServer } from '../../../scripts/build-server.js';

interface Manifest {
  engines?: { node?: string };
  allowScripts?: Record<string, boolean>;
  dependencies?: Record<string, string>;
}

let dir: string;
let manifest: Manifest;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'crm-build-server-'));
  await buildServer(join(dir, 'server'));
  manifest = JSON.parse(readFileSync(join(dir, 'server', 'package.json'), 'utf8')) as Manifest;
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** The major lines a range made of `^X.Y.Z` alternatives names; anything open-ended fails. */
function majors(range: string): number[] {
  return range.split('||').map((part) => {
    const match = /^\s*\^(\d+)\.\d+\.\d+\s*$/.exec(part);
    assert.ok(
      match,
      `"${part.trim()}" is not a ^X.Y.Z range (an open range claims untested lines)`,
    );
    return Number(match[1]);
  });
}

test('the server claims the Node lines it is tested on: 20, 22 and 24', () => {
  const range = manifest.engines?.node;
  assert.ok(range, 'the server manifest has engines.node');
  assert.deepEqual(majors(range), [20, 22, 24]);
});

test('every Node line the server claims is one better-sqlite3 supports', () => {
  const require = createRequire(import.meta.url);
  const sqlite = require('better-sqlite3/package.json') as { engines: { node: string } };
  const supported = sqlite.engines.node.split('||').map((part) => part.trim());
  for (const major of majors(manifest.engines!.node!)) {
    assert.ok(
      supported.includes(`${major}.x`),
      `better-sqlite3 supports ${sqlite.engines.node}, not ${major}`,
    );
  }
  assert.ok(manifest.dependencies?.['better-sqlite3']);
});

test('the install script that builds better-sqlite3 is approved in the server manifest', () => {
  assert.deepEqual(manifest.allowScripts, { 'better-sqlite3': true });
});
