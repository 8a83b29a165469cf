/**
 * Library build of the browser kit (`npm run build`), written to dist/kit/:
 *
 * - `crm-realtime.js`: the side-effect free API (`src/index.ts`): elements, events, client;
 *   importing it registers no tag.
 * - `define.js`: registers every tag (`src/define.ts`). A legacy page needs only
 *   `<script type="module" src="/kit/define.js">`: Lit and everything else is bundled, and the
 *   entries share chunks through relative imports, so no import map and no build are needed.
 * - `elements/<name>.js`: registers one tag (`src/elements/<name>/define.ts`), for pages that use
 *   a few widgets and want to load only those, e.g. `elements/realtime-provider.js` and
 *   `elements/presence.js`.
 * - `tokens.css`: the design tokens, for a page's `<head>` (src/styles/tokens.ts).
 * - `crm-realtime.bundle.js` (second pass, `vite build --mode bundle`): one self-contained file
 *   that registers every tag and exports the whole API, for pages that want a single request.
 *
 * TypeScript is transformed with the `experimentalDecorators` and `useDefineForClassFields: false`
 * settings of tsconfig.json (Lit's legacy decorators); Vite reads them from there.
 */
import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin, type UserConfig } from 'vite';
import { minifyTemplates } from './scripts/minify-templates.js';
import { tokensCssText } from './src/styles/tokens.js';

const root = fileURLToPath(new URL('.', import.meta.url));
const outDir = resolve(root, 'dist/kit');

/**
 * One entry per element folder with a `define.ts`: `elements/<name>.js` registers that tag only,
 * so a page that shows two widgets loads two widgets (plus the provider, Lit and the client, in
 * shared chunks), not the whole kit.
 */
function elementEntries(): Record<string, string> {
  const dir = resolve(root, 'src/elements');
  const entries: Record<string, string> = {};
  if (!existsSync(dir)) return entries;
  for (const name of readdirSync(dir).sort()) {
    const file = resolve(dir, name, 'define.ts');
    if (existsSync(file)) entries[`elements/${name}`] = file;
  }
  return entries;
}

/**
 * Modules of a capability (live data, notifications, activity, calls) and what only they use (the
 * checks of their frames): they load with the elements that show the capability, in chunks Rolldown shares
 * between those elements, never with the core.
 */
const CAPABILITY_MODULE =
  /\/node_modules\/zod\/|\/src\/client\/((live-data|notifications|activity|calls)\/|store\/(paged-list|positive-int|read-again)|all-capabilities)|\/src\/controllers\/(live-data|notifications|activity)-controller|\/src\/protocol\/(?!patterns|server-frame-checks|json-shape|errors|constants)|\/src\/(domain\/|elements\/shared\/(?!language-watch\.)|util\/unload-guard\.)/;

/**
 * Small helpers that most elements use (avatars, live regions, keyed lists, field names,
 * bidirectional isolation) and the call events presence and the huddle both fire: in the core
 * chunk rather than nine files of 0.1–0.9 KB each, since each file a page loads is compressed on
 * its own. The presence page saves 1.1 KB gzip and define.js 1.1 KB; a page with only the
 * connection status loads 1.5 KB it does not use.
 */
const SMALL_SHARED_MODULE =
  /\/src\/(elements\/shared\/(style-props|keyed-list|live-region|live-text|avatar-image|css-escape|bidi)|domain\/field-labels|events\/huddle-events)\./;

/**
 * What every element needs: Lit, the client core (connection, rooms, presence), the controllers
 * every element uses, context, events, styles and shared helpers. Not an element's own folder, not
 * a capability, and not the entry modules, which would pull everything they import into the group.
 */
function isCoreModule(id: string): boolean {
  const path = id.replaceAll('\\', '/');
  if (SMALL_SHARED_MODULE.test(path)) return true;
  if (CAPABILITY_MODULE.test(path)) return false;
  if (/\/node_modules\/|^\0/.test(path)) return true;
  const inSrc = path.startsWith(root.replaceAll('\\', '/').replace(/\/?$/, '/src/'));
  if (!inSrc || /\/src\/(index|define|client-entry)\.ts$/.test(path)) return false;
  // The tabs' shared socket loads (by dynamic import) only for a provider with `shared-connection`.
  if (SHARED_CONNECTION_MODULE.test(path)) return false;
  // The `debug` frame log and the redaction it alone uses in the browser load only with `debug`.
  if (/\/src\/(client\/connection\/frame-log|util\/redact)\./.test(path)) return false;
  // The events of one element (or two that work together) load with it.
  if (
    /\/src\/events\/(activity|collaborative-form|conflict|huddle|notification)-events\./.test(path)
  ) {
    return false;
  }
  // Every element re-renders on a language switch: its watch is no chunk of its own.
  if (/\/src\/elements\/shared\/language-watch\./.test(path)) return true;
  // Controllers of one element's capability (live data, a call) load with that element.
  const controller = /\/src\/controllers\/([^/]+)\.ts$/.exec(path)?.[1];
  if (controller !== undefined) return CORE_CONTROLLERS.has(controller);
  return !/\/src\/elements\/[^/]+\//.test(path);
}

/**
 * The tabs' shared socket: its hub, leader election, tab transport, page lifecycle and worker,
 * and the messages between tabs and hub (`transport.ts`, whose values only those use).
 */
const SHARED_CONNECTION_MODULE =
  /\/src\/client\/connection\/(hub|hub-leaves|hub-support|page-lifecycle|sharing|shared-transport|shared-connection|shared-worker|transport)\./;

/**
 * The controllers most elements use. The outbox's loads with the connection status, its only
 * user, so no other element downloads it.
 */
const CORE_CONTROLLERS = new Set([
  'index',
  'client-controller',
  'presence-controller',
  'connection-status-controller',
]);

/**
 * The chunk of a capability's module (`live-data`, `notifications`, `activity`, `calls`), with the
 * checks of its frames (`protocol/checks/<capability>.ts`), or `shared` for what several
 * capabilities use (see `isSharedCapabilityModule`). Named groups keep them out of the core chunk,
 * where Rolldown would otherwise put modules that several elements share.
 */
function capabilityChunk(id: string): string | null {
  const path = id.replaceAll('\\', '/');
  if (/\/src\/protocol\/checks\/(entities|fields)\./.test(path)) return 'live-data';
  if (/\/src\/protocol\/checks\/notifications\./.test(path)) return 'notifications';
  if (/\/src\/protocol\/checks\/activity\./.test(path)) return 'activity';
  if (/\/src\/protocol\/checks\/calls\./.test(path)) return 'calls';
  if (isSharedCapabilityModule(path)) return 'shared';
  // The outbox's and the form's guard against closing the page with an edit it would lose.
  if (
    /\/src\/client\/live-data\/|\/src\/controllers\/live-data|\/src\/util\/unload-guard\./.test(
      path,
    )
  ) {
    return 'live-data';
  }
  if (/\/src\/client\/notifications\/|\/src\/controllers\/notification/.test(path)) {
    return 'notifications';
  }
  if (/\/src\/client\/activity\/|\/src\/controllers\/activity/.test(path)) return 'activity';
  if (/\/src\/client\/calls\/|\/src\/controllers\/call/.test(path)) return 'calls';
  return null;
}

/**
 * What several capabilities use and the core does not: the combinators of the frame checks, the
 * protocol's helpers and types (`own-field`, room names), the paged list of notifications and
 * activity, their positive-integer options and their re-read when field rules change.
 */
function isSharedCapabilityModule(id: string): boolean {
  const path = id.replaceAll('\\', '/');
  if (/\/src\/protocol\/checks\/(?!combinators\.)/.test(path)) return false;
  return /\/node_modules\/zod\/|\/src\/protocol\/|\/src\/client\/store\/(paged-list|positive-int|read-again)\./.test(
    path,
  );
}

/**
 * In the single-file bundle every module is in the one file anyway, and a dynamic import would
 * only wrap the module it loads, and what that imports, in lazy initialisers (+1.1 KB gzip for
 * the presence tooltip and list alone). Each relative `import('…')` of the kit's sources becomes a
 * static namespace import, resolved at once. The imports go on the module's first line, so the
 * lines of its source map stay where they were.
 */
const staticImportsInBundle: Plugin = {
  name: 'crm-realtime-static-imports-in-bundle',
  transform(code: string, id: string) {
    if (!id.replaceAll('\\', '/').includes('/src/') || !code.includes('import(')) return undefined;
    const imports: string[] = [];
    const rewritten = code.replace(
      /\bimport\((['"])(\.{1,2}\/[^'"]+)\1\)/g,
      (_all, _quote, spec) => {
        const name = `__crmStatic${imports.length}`;
        imports.push(`import * as ${name} from ${JSON.stringify(spec)};`);
        return `Promise.resolve(${name})`;
      },
    );
    return imports.length ? { code: imports.join('') + rewritten, map: null } : undefined;
  },
};

/** Virtual entry of the single-file bundle: the API plus tag registration. */
const BUNDLE_ID = 'virtual:crm-realtime-bundle';
const bundleEntry: Plugin = {
  name: 'crm-realtime-bundle-entry',
  resolveId(id: string) {
    // Library mode resolves entries against the root first, hence `endsWith`.
    return id.endsWith(BUNDLE_ID) ? '\0' + BUNDLE_ID : undefined;
  },
  load(id: string) {
    if (id !== '\0' + BUNDLE_ID) return undefined;
    const src = (file: string) => JSON.stringify(resolve(root, 'src', file));
    return `import ${src('define.ts')};\nexport * from ${src('index.ts')};\n`;
  },
};

/**
 * `tokens.css`: the kit's document sheet (design tokens, themes, the provider's `display`) as a
 * file, for a page to link in its `<head>`, so the page has them from its first paint and the kit
 * does not restyle the whole page when it arrives (src/styles/tokens.ts).
 */
const tokensFile: Plugin = {
  name: 'crm-realtime-tokens-css',
  generateBundle() {
    this.emitFile({ type: 'asset', fileName: 'tokens.css', source: tokensCssText });
  },
};

/** Bare imports the npm build leaves to the host app's bundler: the package's `dependencies`. */
const NPM_EXTERNAL = /^(lit|lit-html|lit-element|@lit\/reactive-element|@lit\/context|zod)(\/|$)/;

/**
 * The npm build (`vite build --mode npm`, to dist/npm/): for apps with a bundler. One module per
 * source module (`preserveModules`), unminified and without source maps (the host app minifies
 * and maps its own bundle; readable modules need no map to point at sources that are not
 * shipped), with Lit, `@lit/context` and zod left as imports of the package's dependencies, so an
 * app that uses Lit itself gets one copy. The shared connection's worker is the exception: it is
 * minified, as in the kit, because an app's bundler copies it as an asset, as it is, into the
 * app's build (unminified, with its comments, it was 13.5 KB gzip against 6.9). Declarations are
 * written next to each module by `npm run build:types`.
 */
function npmConfig(): UserConfig {
  const src = (file: string) => resolve(root, 'src', file);
  const entry: Record<string, string> = {
    index: src('index.ts'),
    'client-entry': src('client-entry.ts'),
    define: src('define.ts'),
    'testing/index': src('testing/index.ts'),
    // The `crm-realtime-conformance` command (package.json's `bin`): Node only.
    'conformance/bin': src('conformance/bin.ts'),
  };
  for (const [name, file] of Object.entries(elementEntries())) entry[`${name}/define`] = file;
  return {
    root,
    // Relative, as in the kit: the shared connection's worker, bundled on its own into assets/,
    // is found from the module that starts it; an app's bundler copies it as an asset.
    base: './',
    publicDir: false,
    // An asset to the app's bundler, not a module: it ships as small as the kit's copy.
    worker: { rolldownOptions: { output: { minify: true, comments: { annotation: false } } } },
    build: {
      outDir: resolve(root, 'dist/npm'),
      emptyOutDir: true,
      target: 'es2022',
      sourcemap: false,
      minify: false,
      reportCompressedSize: false,
      copyPublicDir: false,
      lib: { entry, formats: ['es'] },
      rolldownOptions: {
        // Node's built-in modules: only the conformance command, which runs in Node, imports them.
        external: (id: string) => NPM_EXTERNAL.test(id) || id.startsWith('node:'),
        output: {
          preserveModules: true,
          preserveModulesRoot: resolve(root, 'src'),
          // Rolldown's decorator helper would land in `_virtual/_@oxc-project_runtime@<v>/…`.
          entryFileNames: (chunk) =>
            `${chunk.name.replace(/^_virtual\/.*\/helpers\/(esm\/)?/, '_helpers/')}.js`,
        },
      },
    },
  };
}

export default defineConfig(({ mode }): UserConfig => {
  if (mode === 'npm') return npmConfig();
  const bundle = mode === 'bundle';
  const entry: Record<string, string> = bundle
    ? { 'crm-realtime.bundle': BUNDLE_ID }
    : {
        'crm-realtime': resolve(root, 'src/index.ts'),
        define: resolve(root, 'src/define.ts'),
        ...elementEntries(),
      };
  return {
    root,
    // Relative: the shared connection's worker (which Vite bundles on its own, free of Lit and
    // the DOM, into assets/) is found next to the kit wherever a page serves it.
    base: './',
    // The kit is a library: nothing from public/ is copied, and dist/ holds other outputs too.
    publicDir: false,
    plugins: bundle
      ? [bundleEntry, staticImportsInBundle, minifyTemplates()]
      : [minifyTemplates(), tokensFile],
    build: {
      outDir,
      // The bundle pass writes next to the first pass' output.
      emptyOutDir: !bundle,
      target: 'es2022',
      // Maps are written (for the demo's and a support engineer's debugging) but not linked: the
      // package does not ship them (`!dist/kit/**/*.map`), so a `sourceMappingURL` comment would
      // point every page at a missing file, at ~35 bytes a file (12 files on a presence page).
      sourcemap: 'hidden',
      minify: true,
      reportCompressedSize: false,
      copyPublicDir: false,
      lib: {
        entry,
        formats: ['es'],
        fileName: (_format, name) => `${name}.js`,
      },
      rolldownOptions: {
        // Pages with no build register the tags one per task (src/elements/define-element.ts).
        // Set here, in the build's own options, not in Vite's `define`: Storybook reuses this
        // config without `build`, and its stories register at once.
        transform: { define: { __CRM_DEFINE_IN_TURNS__: 'true' } },
        // The protocol's schemas are built at module level (`z.string().check(…)`), which a
        // bundler must otherwise keep for its possible side effects: declared pure, a page keeps
        // only the schemas it parses with, and the client core, which parses with none, no zod.
        treeshake: { manualPureFunctions: ['z'] },
        // `build.minify` keeps whitespace for ES libraries; full minification here saves ~10 %
        // gzip for script-tag users. The kit is self-contained and loaded by pages, never by a
        // bundler (apps with one use dist/npm/, which keeps them): `@__PURE__` annotations go.
        output: bundle
          ? { codeSplitting: false, minify: true, comments: { annotation: false } }
          : {
              chunkFileNames: 'chunks/[name]-[hash].js',
              minify: true,
              comments: { annotation: false },
              // One `core` chunk (Lit, the client core, controllers, styles) that every entry
              // shares, one chunk per element, and the capabilities in chunks shared by the
              // elements that show them: a page loads only the elements it registers and the
              // capabilities they use.
              codeSplitting: {
                groups: [
                  { name: 'core', test: isCoreModule, priority: 3 },
                  // Before the capabilities: a group takes the modules its modules import, so
                  // what several capabilities share would land in whichever came first.
                  { name: 'shared', test: isSharedCapabilityModule, priority: 2 },
                  { name: capabilityChunk, debugName: 'capabilities', priority: 1 },
                ],
              },
            },
      },
    },
  };
});
