/**
 * The kit's weight in host apps, for `npm run size` (no budgets: these depend on the host):
 *
 * - {@link widgetCost}: one widget through the npm entries, bundled with Vite from the packed
 *   tarball into a small Lit app (Lit shared with the host) and into a framework-free app. Each
 *   figure is the gzip of what the app loads at start (its entry and the chunks it imports
 *   statically) with the kit minus the same app without the kit's imports; chunks imported on
 *   demand (the provider's shared connection) are shown apart. Needs the npm build
 *   (`npm run build && npm run build:types`); says so if absent.
 * - {@link exampleCosts}: what each app in examples/ gains from the kit, from the builds that
 *   `npm run test:examples` leaves in each example's dist/. Says so if they are absent, so the
 *   report stays fast then.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Plugin, type Rolldown } from 'vite';
import { installIntoApp } from '../test/package/helpers/packed.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const EXAMPLES = join(root, 'examples');

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const gzip = (code: string | Buffer) => gzipSync(code, { level: 9 }).byteLength;

/**
 * Gzip of each JS chunk on its own (each file is served and compressed on its own), summed; with
 * `atStart`, only the entries and what they import statically (what a page loads before it runs),
 * not the chunks imported on demand (the provider's shared connection).
 */
function gzipOfChunks(outputs: unknown, { atStart = false } = {}): number {
  const list = (Array.isArray(outputs) ? outputs : [outputs]) as Rolldown.RolldownOutput[];
  const chunks = list
    .flatMap((o) => o.output)
    .filter((o): o is Rolldown.OutputChunk => o.type === 'chunk');
  const byName = new Map(chunks.map((c) => [c.fileName, c]));
  const counted = new Set(atStart ? chunks.filter((c) => c.isEntry) : chunks);
  for (const chunk of counted) {
    for (const name of chunk.imports) {
      const next = byName.get(name);
      if (next) counted.add(next);
    }
  }
  return [...counted].reduce((sum, chunk) => sum + gzip(chunk.code), 0);
}

/** A host app with Lit of its own: what a Lit app pays for the kit on top of it. */
const LIT_APP = `import { LitElement, html } from 'lit';
class HostApp extends LitElement {
  static properties = { name: {} };
  render() { return html\`<h1>Hello \${this.name}</h1><slot></slot>\`; }
}
customElements.define('host-app', HostApp);
`;

/** The provider and one widget, per-element entries: the smallest useful page. */
const WIDGET = `import 'crm-realtime/elements/realtime-provider';
import 'crm-realtime/elements/presence';
`;

export async function widgetCost(): Promise<string[]> {
  const lines = ['', 'one widget from the npm package (Vite, from the packed tarball):'];
  if (!existsSync(join(root, 'dist/npm/elements/presence/define.js'))) {
    return [...lines, '  not measured: run `npm run build && npm run build:types` first'];
  }
  const app = await installIntoApp();
  const bundle = async (name: string, code: string) => {
    const entry = join(app, 'src', `${name}.js`);
    writeFileSync(entry, code);
    const result = await build({
      root: app,
      configFile: false,
      logLevel: 'silent',
      build: { write: false, rolldownOptions: { input: entry } },
    });
    return { atStart: gzipOfChunks(result, { atStart: true }), all: gzipOfChunks(result) };
  };
  const lit = await bundle('lit-app', LIT_APP);
  const litWithKit = await bundle('lit-app-kit', LIT_APP + WIDGET);
  const plain = await bundle('plain-app', `document.title = 'app';\n`);
  const plainWithKit = await bundle('plain-app-kit', `document.title = 'app';\n` + WIDGET);
  // On demand: the shared connection, loaded only by a provider with `shared-connection`.
  const onDemand = (app: { atStart: number; all: number }) =>
    app.all > app.atStart ? `; +${kb(app.all - app.atStart)} on demand` : '';
  lines.push(
    `  provider + presence in a Lit app (Lit shared)        +${kb(litWithKit.atStart - lit.atStart)} gzip` +
      `  (${kb(lit.atStart)} -> ${kb(litWithKit.atStart)}${onDemand(litWithKit)})`,
    `  provider + presence in an app without Lit            +${kb(plainWithKit.atStart - plain.atStart)} gzip` +
      `  (${kb(plain.atStart)} -> ${kb(plainWithKit.atStart)}${onDemand(plainWithKit)})`,
  );
  return lines;
}

/** The `.js` files under `dir`, recursively. */
function jsFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.js'))
    .map((e) => join(e.parentPath, e.name));
}

const gzipOfFiles = (files: string[]) => files.reduce((s, f) => s + gzip(readFileSync(f)), 0);

/** The file and the kit files it statically imports (`import"./x.js"`, `from"./x.js"`). */
function staticClosure(file: string, seen = new Set<string>()): string[] {
  if (seen.has(file)) return [...seen];
  seen.add(file);
  const code = readFileSync(file, 'utf8');
  for (const [, spec] of code.matchAll(/(?:\bfrom|\bimport)\s*["'](\.{1,2}\/[^"']+)["']/g)) {
    staticClosure(resolve(dirname(file), spec!), seen);
  }
  return [...seen];
}

/** Resolves every `crm-realtime` import to an empty module: the app as it would be without the kit. */
const stubKit = (): Plugin => ({
  name: 'stub-crm-realtime',
  enforce: 'pre',
  resolveId: (id) =>
    id === 'crm-realtime' || id.startsWith('crm-realtime/') ? '\0crm-stub' : null,
  load: (id) => (id === '\0crm-stub' ? 'export {};' : null),
});

/** The kit's dependencies: an app without the kit would not have them (the examples use no Lit). */
const KIT_INPUT = /node_modules[\\/](crm-realtime|lit|lit-html|lit-element|@lit|zod)[\\/]/;

interface Row {
  app: string;
  total: number;
  kit: number;
  method: string;
}

async function viteExample(name: string): Promise<Row> {
  const dir = join(EXAMPLES, name);
  const total = gzipOfFiles(jsFiles(join(dir, 'dist')));
  // The example's own Vite and config, so the only difference is the stub.
  const vitePath = createRequire(join(dir, 'package.json')).resolve('vite');
  const vite = (await import(pathToFileURL(vitePath).href)) as { build: typeof build };
  const result = await vite.build({
    root: dir,
    configFile: join(dir, 'vite.config.ts'),
    logLevel: 'silent',
    plugins: [stubKit()],
    build: { write: false },
  });
  return {
    app: name,
    total,
    kit: total - gzipOfChunks(result),
    method: 'dist/ minus a rebuild with crm-realtime stubbed',
  };
}

function htmlExample(): Row {
  const dist = join(EXAMPLES, 'html', 'dist');
  const kit = gzipOfFiles(staticClosure(join(dist, 'kit', 'define.js')));
  return {
    app: 'html',
    total: kit + gzipOfFiles([join(dist, 'app.js')]),
    kit,
    method: 'kit/define.js and its imports; app.js is the app',
  };
}

interface Metafile {
  outputs: Record<string, { bytes: number; inputs: Record<string, { bytesInOutput: number }> }>;
}

/**
 * Angular's application builder takes no Vite-style plugins to stub the kit with, so the share
 * comes from the esbuild metafile that `ng build --stats-json` writes (dist/stats.json): the kit's
 * minified bytes in each output file, times that file's gzip ratio. An estimate, said so.
 */
function angularExample(): Row {
  const dir = join(EXAMPLES, 'angular', 'dist');
  const files = jsFiles(join(dir, 'browser'));
  const total = gzipOfFiles(files);
  const statsFile = join(dir, 'stats.json');
  if (!existsSync(statsFile)) {
    return {
      app: 'angular',
      total,
      kit: NaN,
      method: 'no dist/stats.json (ng build --stats-json)',
    };
  }
  const stats = JSON.parse(readFileSync(statsFile, 'utf8')) as Metafile;
  let kit = 0;
  for (const file of files) {
    const output = Object.entries(stats.outputs).find(([path]) => file.endsWith(path));
    if (!output) continue;
    const [, { bytes, inputs }] = output;
    const kitBytes = Object.entries(inputs)
      .filter(([input]) => KIT_INPUT.test(input))
      .reduce((s, [, i]) => s + i.bytesInOutput, 0);
    kit += (kitBytes / bytes) * gzip(readFileSync(file));
  }
  return { app: 'angular', total, kit, method: "estimate: kit's bytes in ng's stats x gzip ratio" };
}

export async function exampleCosts(): Promise<string[]> {
  const lines = ['', "what each example app's JS gains from the kit (gzip):"];
  const built = {
    html: join(EXAMPLES, 'html/dist/kit/define.js'),
    vue: join(EXAMPLES, 'vue/dist/index.html'),
    react: join(EXAMPLES, 'react/dist/index.html'),
    angular: join(EXAMPLES, 'angular/dist/browser/index.html'),
    svelte: join(EXAMPLES, 'svelte/dist/index.html'),
  };
  const present = Object.entries(built).filter(([, file]) => existsSync(file));
  if (present.length === 0) {
    return [...lines, '  examples not built: run `npm run test:examples` first'];
  }
  lines.push(`  ${'app'.padEnd(10)} ${'app JS'.padStart(10)} ${'kit share'.padStart(17)}   method`);
  for (const [name] of present) {
    const row =
      name === 'html'
        ? htmlExample()
        : name === 'angular'
          ? angularExample()
          : await viteExample(name);
    const share = Number.isNaN(row.kit)
      ? '?'.padStart(10)
      : `${kb(row.kit).padStart(10)} ${`(${Math.round((row.kit / row.total) * 100)} %)`.padStart(6)}`;
    lines.push(`  ${row.app.padEnd(10)} ${kb(row.total).padStart(10)} ${share}   ${row.method}`);
  }
  for (const [name] of Object.entries(built).filter(([, file]) => !existsSync(file))) {
    lines.push(`  ${name.padEnd(10)} not built: run \`npm run test:examples\` first`);
  }
  return lines;
}
