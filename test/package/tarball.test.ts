/**
 * What `npm pack` ships: the npm build with its declarations, the self-contained kit, the
 * manifest, README and LICENSE — nothing of the repository's tests, benchmarks, stories, demo or
 * server — and a package.json whose entries, dependencies and `sideEffects` are right. Checked by
 * `@arethetypeswrong/cli` and `publint` too.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { ELEMENT_NAMES } from './helpers/elements.js';
import { promisify } from 'node:util';
import { ROOT, bin, pack, readJson } from './helpers/packed.js';
import { typecheckProbe } from './helpers/typecheck.js';

const run = promisify(execFile);

interface Manifest {
  dependencies: Record<string, string>;
  exports: Record<string, string | Record<string, string>>;
  sideEffects: string[];
  files: string[];
}

/** Element folders, as `./elements/<name>` and `dist/…/elements/<name>/` name them. */
const TAGS = ELEMENT_NAMES;

/** package.json's glob (`*` within a folder, `**` across folders) as a regular expression. */
function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/^\.\//, '')
    .split(/(\*\*\/?|\*)/)
    .map((part) =>
      part === '**/'
        ? '(?:.*/)?'
        : part === '**'
          ? '.*'
          : part === '*'
            ? '[^/]*'
            : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${body}$`);
}

describe('the packed tarball', () => {
  it('ships the npm build, its declarations, the kit, the manifest, README and LICENSE only', async () => {
    const { files } = await pack();
    for (const required of [
      'README.md',
      'LICENSE',
      'package.json',
      'custom-elements.json',
      'dist/npm/index.js',
      'dist/npm/index.d.ts',
      'dist/npm/client-entry.js',
      'dist/npm/client-entry.d.ts',
      'dist/npm/define.js',
      'dist/npm/define.d.ts',
      'dist/npm/testing/index.js',
      'dist/npm/testing/index.d.ts',
      'dist/npm/conformance/bin.js',
      'dist/kit/define.js',
      'dist/kit/crm-realtime.bundle.js',
      'dist/kit/tokens.css',
      'docs/protocol.md',
      'docs/deploy.md',
      ...TAGS.flatMap((t) => [
        `dist/npm/elements/${t}/define.js`,
        `dist/npm/elements/${t}/define.d.ts`,
        `dist/kit/elements/${t}.js`,
      ]),
      ...TAGS.map((t) => `docs/elements/${t === 'huddle' ? 'crm-huddle' : t}.md`),
    ]) {
      assert.ok(files.includes(required), `${required} is not in the tarball`);
    }
    const stray = files.filter(
      (f) =>
        /^(src|test|bench|stories|demo|scripts|\.storybook|examples)\//.test(f) || /\.map$/.test(f),
    );
    assert.deepEqual(stray, [], 'the tarball ships repository files users do not need');
    const outside = files.filter(
      (f) =>
        !/^(dist\/(npm|kit|frameworks)\/|docs\/.*\.md$|custom-elements\.json$|README\.md$|package\.json$|LICENSE)/.test(
          f,
        ),
    );
    assert.deepEqual(outside, [], 'files outside the documented artifacts');
  });

  it("resolves the README's and the docs' relative links inside the package", async () => {
    // Read in node_modules, in an editor or on the registry's page: the element reference, the
    // protocol and the deployment guide the README points to are there. The repository's own
    // folders (the example apps, the benchmarks' results) are named as the repository's.
    const { dir, files } = await pack();
    const { readFile } = await import('node:fs/promises');
    const { dirname, join, normalize } = await import('node:path');
    const REPOSITORY_ONLY = /^(examples|bench)\//;
    const broken: string[] = [];
    for (const doc of files.filter((f) => f.endsWith('.md'))) {
      const text = await readFile(`${dir}/${doc}`, 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const path = target!.split('#')[0]!;
        if (path === '' || /^[a-z]+:/i.test(path)) continue;
        const resolved = normalize(join(dirname(doc), path)).replace(/\/$/, '');
        if (REPOSITORY_ONLY.test(resolved)) continue;
        const found = files.some((f) => f === resolved || f.startsWith(`${resolved}/`));
        if (!found) broken.push(`${doc}: ${target!}`);
      }
    }
    assert.deepEqual(broken, [], 'links to files the package does not ship');
  });

  it('ships the MIT license that package.json names', async () => {
    const { dir } = await pack();
    const pkg = readJson<Manifest & { license: string }>(`${dir}/package.json`);
    assert.equal(pkg.license, 'MIT');
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(`${dir}/LICENSE`, 'utf8');
    assert.match(text, /^MIT License\n\nCopyright \(c\) \d{4} crm-realtime authors\n/);
  });

  it("ships the shared connection's worker minified, as small as the kit's copy", async () => {
    // An app's bundler copies the worker (`new URL(…, import.meta.url)`) as it is, unminified
    // or not, into the app's build.
    const { dir, files } = await pack();
    const { readFile } = await import('node:fs/promises');
    const { gzipSync } = await import('node:zlib');
    const worker = (under: string) => {
      const found = files.filter((f) =>
        new RegExp(`^${under}/assets/shared-worker-[^/]+\\.js$`).test(f),
      );
      assert.equal(found.length, 1, `one shared worker in ${under}/assets: ${found.join(', ')}`);
      return readFile(`${dir}/${found[0]}`, 'utf8');
    };
    const npm = await worker('dist/npm');
    const kit = await worker('dist/kit');
    assert.ok(npm.split('\n').length <= 3, `dist/npm's worker has ${npm.split('\n').length} lines`);
    assert.doesNotMatch(npm, /^\s*\/\/ |\/\*\*/m, "dist/npm's worker keeps comments");
    const gzip = (code: string) => gzipSync(code).length;
    assert.ok(
      gzip(npm) <= gzip(kit) * 1.05,
      `dist/npm's worker is ${gzip(npm)} B gzip, the kit's ${gzip(kit)} B`,
    );
  });

  it('ships the protocol as JSON Schema, `crm-realtime/protocol.schema.json`, as `npm run schema` writes it', async () => {
    // A backend team that implements the protocol in another language validates its frames
    // against it; the package's docs/protocol.md points there, and the repository's script is
    // not in the package.
    const { dir } = await pack();
    const pkg = readJson<Manifest>(`${dir}/package.json`);
    assert.equal(pkg.exports['./protocol.schema.json'], './dist/npm/protocol.schema.json');
    const { buildProtocolSchema } = await import('../../scripts/write-schema.js');
    assert.deepEqual(readJson(`${dir}/dist/npm/protocol.schema.json`), buildProtocolSchema());
  });

  it('ships tokens.css as `crm-realtime/tokens.css`: the sheet the kit would install itself', async () => {
    const { dir } = await pack();
    const pkg = readJson<Manifest>(`${dir}/package.json`);
    assert.equal(pkg.exports['./tokens.css'], './dist/kit/tokens.css');
    const { readFile } = await import('node:fs/promises');
    const { tokensCssText } = await import('../../src/styles/tokens.js');
    assert.equal(await readFile(`${dir}/dist/kit/tokens.css`, 'utf8'), tokensCssText);
  });

  it('depends on Lit, @lit/context and zod only, and imports nothing else', async () => {
    const { dir, files } = await pack();
    const pkg = readJson<Manifest>(`${dir}/package.json`);
    assert.deepEqual(Object.keys(pkg.dependencies).sort(), ['@lit/context', 'lit', 'zod']);
    const { readFile } = await import('node:fs/promises');
    const bare = new Set<string>();
    const builtins = new Set<string>();
    for (const file of files.filter((f) => f.startsWith('dist/npm/') && f.endsWith('.js'))) {
      const code = await readFile(`${dir}/${file}`, 'utf8');
      // Rolldown writes each import on a line of its own at the top of the module.
      for (const [, from, bareImport] of code.matchAll(
        /^(?:import|export)\b[^\n]*?\bfrom\s*"([^"]+)";?$|^import\s*"([^"]+)";?$/gm,
      )) {
        const spec = from ?? bareImport ?? '';
        if (spec.startsWith('node:')) builtins.add(`${file}: ${spec}`);
        else if (!spec.startsWith('.')) bare.add(spec.replace(/^((?:@[^/]+\/)?[^/]+).*$/, '$1'));
      }
    }
    // Lit's own modules come through `lit`; a bundled copy would show as no import at all.
    assert.deepEqual([...bare].sort(), ['@lit/context', 'lit', 'zod']);
    // Node's modules only in the conformance command, which runs in Node and no app imports.
    assert.deepEqual(
      [...builtins].filter((f) => !f.startsWith('dist/npm/conformance/')),
      [],
      'Node built-ins imported outside the conformance command',
    );
    const kit = await readFile(`${dir}/dist/kit/define.js`, 'utf8');
    assert.doesNotMatch(kit, /from\s*"[^.]/, 'the self-contained kit imports a package');
  });

  it('bundles no zod into an app through its browser entries (only ./testing uses it)', async () => {
    const { dir } = await pack();
    const { readFile } = await import('node:fs/promises');
    const { dirname, resolve, relative } = await import('node:path');
    const npm = `${dir}/dist/npm`;
    // An app's bundler follows static and dynamic imports alike: a schema module reached either
    // way is in the app's build, with zod (a helper living next to the schemas is enough).
    const reachesZod = async (entry: string): Promise<string | undefined> => {
      const from = new Map<string, string | undefined>([[resolve(npm, entry), undefined]]);
      const queue = [resolve(npm, entry)];
      for (let file = queue.shift(); file; file = queue.shift()) {
        const code = await readFile(file, 'utf8');
        for (const [, a, b, c] of code.matchAll(
          /^(?:import|export)\b[^\n]*?\bfrom\s*"([^"]+)"|^import\s*"([^"]+)"|\bimport\(\s*"([^"]+)"\s*\)/gm,
        )) {
          const spec = a ?? b ?? c ?? '';
          if (/^zod(\/|$)/.test(spec)) {
            const chain = [spec];
            for (let at: string | undefined = file; at; at = from.get(at)) {
              chain.unshift(relative(npm, at));
            }
            return chain.join(' → ');
          }
          if (!spec.startsWith('.')) continue;
          const target = resolve(dirname(file), spec);
          if (from.has(target)) continue;
          from.set(target, file);
          queue.push(target);
        }
      }
      return undefined;
    };
    for (const entry of [
      'index.js',
      'client-entry.js',
      'define.js',
      ...TAGS.map((t) => `elements/${t}/define.js`),
    ]) {
      assert.equal(await reachesZod(entry), undefined, `${entry} reaches zod`);
    }
    assert.ok(await reachesZod('testing/index.js'), 'the fake server validates with the schemas');
  });

  it('points every export at a file it ships', async () => {
    const { dir, files } = await pack();
    const pkg = readJson<Manifest>(`${dir}/package.json`);
    for (const [entry, target] of Object.entries(pkg.exports)) {
      const targets = typeof target === 'string' ? [target] : Object.values(target);
      for (const path of targets) {
        const pattern = globToRegExp(path);
        assert.ok(
          files.some((f) => pattern.test(f)),
          `exports["${entry}"] points at ${path}, which is not shipped`,
        );
      }
      if (typeof target !== 'string' && !entry.endsWith('.json')) {
        assert.ok(target['types'], `exports["${entry}"] has no types condition`);
        assert.equal(Object.keys(target)[0], 'types', `exports["${entry}"]: types comes first`);
      }
    }
  });

  it('lists every define module in sideEffects, and no class module', async () => {
    const { dir, files } = await pack();
    const pkg = readJson<Manifest>(`${dir}/package.json`);
    const patterns = pkg.sideEffects.map(globToRegExp);
    const effectful = (f: string) => patterns.some((p) => p.test(f));
    const npmModules = files.filter((f) => f.startsWith('dist/npm/') && f.endsWith('.js'));
    const defines = npmModules.filter((f) => /(^dist\/npm\/|\/)define\.js$/.test(f));
    assert.equal(defines.length, TAGS.length + 1);
    for (const file of defines) assert.ok(effectful(file), `${file} is not in sideEffects`);
    const pure = npmModules.filter((f) => !defines.includes(f) && effectful(f));
    assert.deepEqual(pure, [], 'modules without side effects listed in sideEffects');
  });

  it("is clean under @arethetypeswrong/cli, run plainly with the repository's .attw.json", async () => {
    const { tarball } = await pack();
    // ESM only: there is no CommonJS build (node10 and require() resolutions are not claimed).
    // The wildcard `./elements/*` is checked through each element's entry; the stylesheet
    // (`./tokens.css`) is no module and has no types. .attw.json says so, so a maintainer's
    // plain `npx @arethetypeswrong/cli --pack` checks what this test checks.
    const config = readJson<{ profile: string; includeEntrypoints: string[] }>(
      join(ROOT, '.attw.json'),
    );
    assert.equal(config.profile, 'esm-only');
    assert.deepEqual(
      config.includeEntrypoints,
      TAGS.map((t) => `./elements/${t}`),
      '.attw.json names every element entry',
    );
    const result = await run(bin('attw'), [tarball, '--format', 'ascii'], {
      cwd: ROOT,
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: { stdout: string; stderr: string }) => {
      assert.fail(`attw found problems:\n${error.stdout}${error.stderr}`);
    });
    assert.match(result.stdout, /crm-realtime\/elements\/presence/);
  });

  // TypeScript's classic resolution reads no `exports`: without `typesVersions` every subpath
  // (`crm-realtime/define`…) is "Cannot find module" there, although the app's bundler resolves
  // it. Apps still type-check that way (Next.js writes `"moduleResolution": "node"` into the
  // tsconfig it creates; older Angular and webpack apps have it).
  it('types every entry under the classic `"moduleResolution": "node"` too', async () => {
    const { dir } = await pack();
    const pkg = readJson<Manifest>(join(dir, 'package.json'));
    const entries = Object.entries(pkg.exports)
      .filter(([, target]) => typeof target === 'object' && target.types)
      .flatMap(([key]) =>
        key === './elements/*'
          ? TAGS.map((t) => `./elements/${t}`)
          : key.includes('*')
            ? []
            : [key],
      )
      .map((key) => `crm-realtime${key.slice(1)}`);
    assert.ok(entries.includes('crm-realtime/define') && entries.includes('crm-realtime/react'));
    const { problems } = await typecheckProbe(
      {
        'imports.ts': entries.map((e, i) => `import type * as E${i} from '${e}';`).join('\n'),
      },
      { moduleResolution: ts.ModuleResolutionKind.Node10, jsx: ts.JsxEmit.ReactJSX },
    );
    assert.deepEqual(
      problems.filter((p) => !/TS6133/.test(p)),
      [],
    );
  });

  // `typesVersions` is read by every resolution mode, `exports` by all but the classic one: each
  // typed entry must reach the file `exports` names in every mode, and the entries without types
  // (`./package.json`, the JSON files) must not be redirected by it.
  it('resolves each entry to the same file under every `moduleResolution`', async () => {
    const { dir } = await pack();
    const pkg = readJson<Manifest>(join(dir, 'package.json'));
    const expected: [string, string][] = Object.entries(pkg.exports).flatMap(([key, target]) => {
      const file = typeof target === 'string' ? target : target.types;
      if (!file || (typeof target === 'string' && !target.endsWith('.json'))) return [];
      return key === './elements/*'
        ? TAGS.map((t): [string, string] => [`./elements/${t}`, file.replace('*', t)])
        : [[key, file]];
    });
    assert.ok(expected.some(([key]) => key === './package.json'));
    const { paths } = await typecheckProbe({ 'probe.ts': 'export {};\n' });
    const from = paths['probe.ts']!;
    const root = join(dirname(from), 'node_modules', 'crm-realtime');
    const { Node10, Node16, NodeNext, Bundler } = ts.ModuleResolutionKind;
    const wrong: string[] = [];
    for (const [name, moduleResolution, module] of [
      ['node10', Node10, ts.ModuleKind.CommonJS],
      ['node16', Node16, ts.ModuleKind.Node16],
      ['nodenext', NodeNext, ts.ModuleKind.NodeNext],
      ['bundler', Bundler, ts.ModuleKind.ESNext],
    ] as const) {
      const options = { moduleResolution, module, resolveJsonModule: true, preserveSymlinks: true };
      for (const [key, file] of expected) {
        const { resolvedModule } = ts.resolveModuleName(
          `crm-realtime${key.slice(1)}`,
          from,
          options,
          ts.sys,
          undefined,
          undefined,
          // An ES module's import in the Node modes; none in the others (a mode given to the
          // classic one makes it read `exports`, which a real program's files never do).
          name === 'node16' || name === 'nodenext' ? ts.ModuleKind.ESNext : undefined,
        );
        const got = resolvedModule && `./${relative(root, resolvedModule.resolvedFileName)}`;
        // The classic mode reads no `exports`: a file without types is found where it lies only.
        if (name === 'node10' && !file.endsWith('.d.ts') && key !== file) continue;
        if (got !== file) wrong.push(`${name}: ${key} -> ${got ?? 'nothing'}, not ${file}`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('is clean under publint (strict)', async () => {
    const { dir } = await pack();
    const { stdout } = await run(bin('publint'), [dir, '--strict'], {
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: { stdout: string; stderr: string }) => {
      assert.fail(`publint found problems:\n${error.stdout}${error.stderr}`);
    });
    assert.match(stdout, /All good/);
  });
});
