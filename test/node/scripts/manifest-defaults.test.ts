/**
 * The manifest's defaults are values a reader can use: a field initialised from a named constant
 * (`maxVisible = DEFAULT_MAX_VISIBLE`, or one imported from another module) shows the constant's
 * value, since Storybook's docs tables, editors' hovers and the framework typings print it as is.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';

interface Item {
  name: string;
  default?: string;
}
interface Manifest {
  modules: { declarations?: { tagName?: string; members?: Item[]; attributes?: Item[] }[] }[];
}

let dir: string;
let manifest: Manifest;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crm-manifest-'));
  // The analyzer joins --outdir to the working directory, so an absolute path must go relative.
  await promisify(execFile)(
    'npx',
    ['cem', 'analyze', '--quiet', '--outdir', relative(process.cwd(), dir)],
    {
      timeout: 240_000,
    },
  );
  manifest = JSON.parse(await readFile(join(dir, 'custom-elements.json'), 'utf8')) as Manifest;
});
after(() => rm(dir, { recursive: true, force: true }));

const defaultsOf = (tag: string): Map<string, string | undefined> => {
  for (const mod of manifest.modules)
    for (const decl of mod.declarations ?? [])
      if (decl.tagName === tag)
        return new Map(
          [...(decl.members ?? []), ...(decl.attributes ?? [])].map((i) => [i.name, i.default]),
        );
  throw new Error(`${tag} is not in the manifest`);
};

test('defaults written as constants show their values, own or imported', () => {
  assert.equal(defaultsOf('crm-presence').get('max-visible'), '5');
  assert.equal(defaultsOf('crm-presence').get('maxVisible'), '5');
  assert.equal(defaultsOf('crm-activity-feed').get('max-items'), '50');
  const center = defaultsOf('crm-notification-center');
  assert.equal(center.get('max-notifications'), '50');
  assert.equal(center.get('auto-hide-duration'), '5000');
});

test('no default is left as a constant name', () => {
  const names: string[] = [];
  for (const mod of manifest.modules)
    for (const decl of mod.declarations ?? [])
      for (const item of [...(decl.members ?? []), ...(decl.attributes ?? [])])
        if (/^[A-Z][A-Z0-9_]*$/.test(item.default ?? ''))
          names.push(`${decl.tagName} ${item.name}`);
  assert.deepEqual(names, []);
});
