/**
 * The packed tarball installed into a fresh app, as a front-end developer installs it: nothing
 * server-side comes along; the entries import in Node (SSR) and the client in a Web Worker; and
 * `import 'crm-realtime/define'` still registers every tag once a host bundler (esbuild, as
 * `ng build` uses, Vite/Rolldown and webpack) has tree-shaken the app — the `sideEffects` list at
 * work.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { build as esbuild } from 'esbuild';
import type { Browser } from 'playwright-core';
import { build as viteBuild, type Rolldown } from 'vite';
import webpack from 'webpack';
import { launchBrowser } from '../e2e/helpers/browser.js';
import { TAG_NAMES } from './helpers/elements.js';
import { installIntoApp } from './helpers/packed.js';

const run = promisify(execFile);

const TAGS = TAG_NAMES;

let app: string;
let browser: Browser;

before(async () => {
  app = await installIntoApp();
  browser = await launchBrowser();
});
after(() => browser?.close());

/** Bundles `code` as the app's entry module with esbuild, the way `ng build` does. */
async function withEsbuild(code: string): Promise<string> {
  const entry = join(app, 'src', `entry-${Math.random().toString(36).slice(2)}.js`);
  writeFileSync(entry, code);
  const result = await esbuild({
    entryPoints: [entry],
    absWorkingDir: app,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/** Bundles `code` as the app's entry module with Vite (Rolldown), production mode. */
async function withVite(code: string): Promise<string> {
  const entry = join(app, 'src', `entry-${Math.random().toString(36).slice(2)}.js`);
  writeFileSync(entry, code);
  const result = await viteBuild({
    root: app,
    configFile: false,
    logLevel: 'silent',
    build: { write: false, rolldownOptions: { input: entry } },
  });
  const outputs = (Array.isArray(result) ? result : [result]) as Rolldown.RolldownOutput[];
  const chunks = outputs.flatMap((o) => o.output).filter((o) => o.type === 'chunk');
  // Besides the entry, the only chunks allowed are what the kit imports on first use (see
  // ON_DEMAND); anything else would be a split.
  const [entryChunk, ...others] = chunks;
  assert.ok(entryChunk?.isEntry, 'the entry chunk comes first');
  for (const chunk of others) {
    assert.ok(
      chunk.isDynamicEntry && chunk.moduleIds.some((id) => ON_DEMAND.test(id)),
      `one chunk expected (and what loads on first use), got ${chunk.fileName}`,
    );
  }
  return entryChunk.code;
}

/**
 * What the kit imports on first use, each a chunk of its own in an app's build: the tabs' shared
 * socket (`shared-connection`), the `debug` frame log, the provider's `token-url` fetch, and the
 * presence tooltip and list (a hover, someone behind "+N").
 */
const ON_DEMAND =
  /[\\/](client[\\/]connection[\\/](shared-connection|frame-log)|elements[\\/]presence[\\/]popups|elements[\\/]realtime-provider[\\/]token-url)\.js$/;

/** ON_DEMAND's modules in webpack's named chunk ids (`…_dist_npm_elements_presence_popups_js…`). */
const ON_DEMAND_NAMED =
  /_(client_connection_(shared-connection|frame-log)|elements_presence_popups|elements_realtime-provider_token-url)_js\b/;

/**
 * Bundles `code` as the app's entry module with webpack 5, production mode: `optimization.
 * sideEffects` and tree-shaking on, as in a Create-React-App-era or Vue CLI app.
 */
async function withWebpack(code: string): Promise<string> {
  const entry = join(app, 'src', `entry-${Math.random().toString(36).slice(2)}.js`);
  writeFileSync(entry, code);
  const out = mkdtempSync(join(app, 'webpack-'));
  const stats = await new Promise<webpack.Stats>((resolve, reject) =>
    webpack(
      {
        mode: 'production',
        context: app,
        entry,
        // An app's page loads app.js from a URL, where webpack's default `publicPath: 'auto'`
        // finds the worker file beside it; this harness runs the bundle inline (no script URL),
        // so it names the folder itself.
        output: { path: out, filename: 'app.js', publicPath: '' },
        // Chunks named after their modules, to tell what loads on first use from a split.
        optimization: { chunkIds: 'named' },
        devtool: false,
        performance: { hints: false },
      },
      (error, result) =>
        error || !result ? reject(error ?? new Error('no stats')) : resolve(result),
    ),
  );
  assert.ok(!stats.hasErrors(), stats.toString({ all: false, errors: true }));
  // Terser moves license comments to app.js.LICENSE.txt. Besides app.js, the only .js allowed are
  // what the kit imports on first use (ON_DEMAND, named after its module) and the shared
  // connection's worker, which webpack emits on its own from
  // `new SharedWorker(new URL(…, import.meta.url))`; anything else would be a split chunk.
  const scripts = readdirSync(out).filter((f) => f.endsWith('.js'));
  const others = scripts.filter((f) => {
    const code = readFileSync(join(out, f), 'utf8');
    return f !== 'app.js' && !code.includes('onconnect') && !ON_DEMAND_NAMED.test(f);
  });
  assert.ok(scripts.includes('app.js'), 'no app.js');
  assert.deepEqual(others, [], 'one chunk expected (and what loads on first use, and the worker)');
  return readFileSync(join(out, 'app.js'), 'utf8');
}

/** Runs a bundle as a page's module script; returns the crm-* tags it defined. */
async function tagsDefinedBy(bundle: string): Promise<string[]> {
  const page = await browser.newPage();
  const errors: string[] = [];
  const failed = new Promise<void>((resolve) =>
    page.on('pageerror', (e) => {
      errors.push(e.message);
      resolve();
    }),
  );
  try {
    await page.setContent('<!doctype html><title>app</title>');
    // An inline module script runs after addScriptTag returns, later the bigger the bundle: wait
    // for a line appended after it (or for an error) before looking at what it defined.
    await page.addScriptTag({
      type: 'module',
      content: `${bundle}\n;window.__bundleRan = true;\n`,
    });
    await Promise.race([page.waitForFunction(() => '__bundleRan' in window), failed]);
    assert.deepEqual(errors, []);
    return await page.evaluate((tags) => tags.filter((t) => customElements.get(t)), TAGS);
  } finally {
    await page.close();
  }
}

describe('the tarball installed into an app', () => {
  it('brings Lit, @lit/context and zod, and nothing server-side', () => {
    for (const dep of ['lit', '@lit/context', 'zod']) {
      assert.ok(existsSync(join(app, 'node_modules', dep)), `${dep} is not installed`);
    }
    for (const dep of ['better-sqlite3', 'ws', 'jose', 'bindings']) {
      assert.ok(!existsSync(join(app, 'node_modules', dep)), `${dep} was installed`);
    }
  });

  it('imports in Node, with no DOM: the API, the client, testing and define, which registers nothing', async () => {
    const script = `
      const api = await import('crm-realtime');
      const client = await import('crm-realtime/client');
      const testing = await import('crm-realtime/testing');
      const define = await import('crm-realtime/define');
      console.log(JSON.stringify({
        element: typeof api.CrmPresence, client: typeof client.RealtimeClient,
        fake: typeof testing.FakeServer, defineExports: Object.keys(define).length,
        dom: typeof document,
        // Lit's Node build installs a stand-in registry: define must leave it empty.
        defined: ${JSON.stringify(TAGS)}.filter((tag) => globalThis.customElements?.get(tag)),
      }));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: app,
    });
    assert.deepEqual(JSON.parse(stdout), {
      element: 'function',
      client: 'function',
      fake: 'function',
      defineExports: 0,
      dom: 'undefined',
      defined: [],
    });
  });

  it('runs the client entry in a Web Worker: no Lit, no DOM at import', async () => {
    const bundle = await withEsbuild(
      `import { RealtimeClient, PROTOCOL_VERSION } from 'crm-realtime/client';\n` +
        `postMessage([typeof RealtimeClient, typeof PROTOCOL_VERSION]);\n`,
    );
    assert.doesNotMatch(bundle, /lit-html|ReactiveElement/, 'the client entry pulls in Lit');
    // A real module worker, served from an origin (blob: workers of about:blank are opaque).
    const page = await browser.newPage();
    try {
      await page.route('http://app.test/**', (route) =>
        route.fulfill(
          route.request().url().endsWith('/worker.js')
            ? { contentType: 'text/javascript', body: bundle }
            : { contentType: 'text/html', body: '<!doctype html><title>worker</title>' },
        ),
      );
      await page.goto('http://app.test/');
      const result = await page.evaluate(
        () =>
          new Promise<unknown>((resolve) => {
            const worker = new Worker('/worker.js', { type: 'module' });
            worker.onmessage = (e) => resolve(e.data);
            worker.onerror = (e) => resolve(`error: ${e.message}`);
          }),
      );
      assert.deepEqual(result, ['function', 'number']);
    } finally {
      await page.close();
    }
  });

  for (const [name, bundler] of [
    ['esbuild', withEsbuild],
    ['Vite', withVite],
    ['webpack', withWebpack],
  ] as const) {
    it(`${name}: import 'crm-realtime/define' defines every tag`, async () => {
      const bundle = await bundler(`import 'crm-realtime/define';\n`);
      assert.deepEqual((await tagsDefinedBy(bundle)).sort(), [...TAGS].sort());
    });

    it(`${name}: import 'crm-realtime/elements/presence' defines that tag only`, async () => {
      const bundle = await bundler(`import 'crm-realtime/elements/presence';\n`);
      assert.deepEqual(await tagsDefinedBy(bundle), ['crm-presence']);
    });

    it(`${name}: importing a class from 'crm-realtime' defines nothing`, async () => {
      const bundle = await bundler(
        `import { CrmPresence } from 'crm-realtime';\nwindow.kept = CrmPresence;\n`,
      );
      assert.deepEqual(await tagsDefinedBy(bundle), []);
    });
  }
});
