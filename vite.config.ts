/**
 * Library build of the browser kit (`npm run build`), written to dist/kit/:
 *
 * - `crm-realtime.js`: the side-effect free API (`src/index.ts`): classes, client, controllers;
 *   importing it registers no tag.
 * - `define.js`: registers every tag (`src/define.ts`). A legacy page needs only
 *   `<script type="module" src="/kit/define.js">`: Lit and everything else is bundled, and the two
 *   entries share chunks through relative imports, so no import map and no build are needed.
 * - `crm-realtime.bundle.js` (second pass, `vite build --mode bundle`): one self-contained file
 *   that registers every tag and exports the whole API, for pages that want a single request.
 *
 * TypeScript is transformed with the `experimentalDecorators` and `useDefineForClassFields: false`
 * settings of tsconfig.json (Lit's legacy decorators); Vite reads them from there.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin, type UserConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const outDir = resolve(root, 'dist/kit');

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

export default defineConfig(({ mode }): UserConfig => {
  const bundle = mode === 'bundle';
  const entry: Record<string, string> = bundle
    ? { 'crm-realtime.bundle': BUNDLE_ID }
    : {
        'crm-realtime': resolve(root, 'src/index.ts'),
        define: resolve(root, 'src/define.ts'),
      };
  return {
    root,
    // The kit is a library: nothing from public/ is copied, and dist/ holds other outputs too.
    publicDir: false,
    plugins: bundle ? [bundleEntry] : [],
    build: {
      outDir,
      // The bundle pass writes next to the first pass' output.
      emptyOutDir: !bundle,
      target: 'es2022',
      sourcemap: true,
      minify: true,
      reportCompressedSize: false,
      copyPublicDir: false,
      lib: {
        entry,
        formats: ['es'],
        fileName: (_format, name) => `${name}.js`,
      },
      rolldownOptions: {
        // `build.minify` keeps whitespace for ES libraries; full minification here still keeps
        // the `@__PURE__` annotations bundlers need, and saves ~10 % gzip for script-tag users.
        output: bundle
          ? { codeSplitting: false, minify: true }
          : { chunkFileNames: 'chunks/[name]-[hash].js', minify: true },
      },
    },
  };
});
