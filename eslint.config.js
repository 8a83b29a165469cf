// ESLint flat config. `npm run lint` runs it together with `prettier --check .`.
//
// Besides the usual recommended rules it enforces the layer rules (README.md, "Project layout")
// with `no-restricted-imports`: what a folder may import is checked on every import, so a server
// module can never slip into the browser bundle and the client stays free of Lit.
// Patterns match the import specifier as written (relative, with `.js` suffixes), not the
// resolved path; `(../)+server/` from anywhere under src/ means the reference server.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

/** A relative import that leaves the current folder and enters the top-level `src/<name>`. */
const intoSrc = (...names) => `^(\\.\\./)+(${names.join('|')})(/|\\.js$|$)`;

/** Browser code: never the server, never Node built-ins or Node-only packages, zod only as mini. */
const browserPaths = [
  {
    name: 'zod',
    message: "Browser code imports 'zod/mini' (the 'zod' root adds ~60 KB gzip to the bundle).",
  },
  ...['ws', 'better-sqlite3'].map((name) => ({
    name,
    message: `'${name}' is Node-only; browser code never imports it.`,
  })),
  ...builtinModules
    .filter((name) => !name.startsWith('_'))
    .map((name) => ({ name, message: 'Browser code cannot use Node built-in modules.' })),
];
const browserPatterns = [
  {
    regex: intoSrc('server'),
    message: 'Browser code never imports the reference server (layer rules).',
  },
  { regex: '^node:', message: 'Browser code cannot use Node built-in modules.' },
];

/** One rule configuration per layer; flat config replaces (not merges) rule options per file. */
const restrict = (paths, patterns) => ({
  'no-restricted-imports': ['error', { paths, patterns }],
});

const layers = [
  {
    // Small dependency-free helpers (clock, deep equality, warnings with one prefix) that every
    // layer may import; they import nothing of the kit, so no layer can reach another through them.
    name: 'layers/util',
    files: ['src/util/**/*.ts'],
    rules: restrict(browserPaths, [
      ...browserPatterns,
      {
        regex: '^(?!\\./)',
        message: 'src/util imports nothing but its own modules: every layer may import it.',
      },
    ]),
  },
  {
    name: 'layers/protocol',
    files: ['src/protocol/**/*.ts'],
    rules: restrict(
      [
        {
          name: 'zod',
          message: "src/protocol imports 'zod/mini' only, to keep the browser bundle small.",
        },
      ],
      [
        {
          regex: '^(?!\\./|zod(/mini)?$|(\\.\\./)+util/)',
          message:
            'src/protocol may import only zod/mini, src/util and its own modules (layer rules).',
        },
      ],
    ),
  },
  {
    // The frame checks compiled from the schemas (scripts/write-frame-checks.ts) sit one folder
    // down and import the protocol's own modules from there.
    name: 'layers/protocol/checks',
    files: ['src/protocol/checks/**/*.ts'],
    rules: restrict(
      [
        {
          name: 'zod',
          message: "src/protocol imports 'zod/mini' only, to keep the browser bundle small.",
        },
      ],
      [
        {
          regex: '^(?!\\./|\\.\\./[a-z-]+\\.js$|zod(/mini)?$|(\\.\\./){2,}util/)',
          message:
            'src/protocol may import only zod/mini, src/util and its own modules (layer rules).',
        },
      ],
    ),
  },
  {
    // Domain rules (labels, the activity of a change) that the server, the fake server and the
    // elements all apply: pure functions over protocol types, safe in a browser.
    name: 'layers/domain',
    files: ['src/domain/**/*.ts'],
    rules: restrict(browserPaths, [
      ...browserPatterns,
      {
        regex: '^(?!\\./|(\\.\\./)+(protocol|util)/)',
        message:
          'src/domain may import only src/protocol, src/util and its own modules (layer rules).',
      },
    ]),
  },
  {
    name: 'layers/client',
    files: ['src/client/**/*.ts'],
    rules: restrict(browserPaths, [
      ...browserPatterns,
      {
        regex: '^(lit|lit-html|lit-element|@lit/[^/]+|@lit-labs/[^/]+)(/.*)?$',
        message:
          'The client is framework-free: no Lit (layer rules), so Vue/Angular can use it alone.',
      },
      {
        regex: intoSrc('elements', 'controllers', 'context', 'events', 'styles', 'testing'),
        message: 'src/client may import only src/protocol (layer rules).',
      },
    ]),
  },
  {
    name: 'layers/controllers',
    files: ['src/controllers/**/*.ts'],
    rules: restrict(browserPaths, [
      ...browserPatterns,
      {
        regex: intoSrc('elements'),
        message: 'Controllers bind hosts to stores; they never import elements (layer rules).',
      },
    ]),
  },
  {
    name: 'layers/elements',
    files: ['src/elements/**/*.ts'],
    rules: restrict(browserPaths, [
      ...browserPatterns,
      {
        regex: intoSrc('client'),
        allowTypeImports: true,
        message:
          'Elements never touch the client directly: go through controllers/context; `import type` is fine.',
      },
    ]),
  },
  {
    // The provider is the one element that owns a connection: it constructs the RealtimeClient.
    name: 'layers/elements/realtime-provider',
    files: ['src/elements/realtime-provider/**/*.ts'],
    rules: restrict(browserPaths, browserPatterns),
  },
  {
    // The conformance checks and their command check a server from outside, over a WebSocket:
    // the protocol's schemas and Node, never the reference server or the fake.
    name: 'layers/conformance',
    files: ['src/conformance/**/*.ts'],
    rules: restrict(
      [],
      [
        {
          regex: '^(?!\\./|node:|(\\.\\./)+(protocol|util)/)',
          message:
            'src/conformance may import only src/protocol, src/util, Node built-ins and its own modules (layer rules).',
        },
      ],
    ),
  },
  {
    name: 'layers/browser',
    files: [
      // context.ts, index.ts, define.ts, i18n.ts …: everything at the top of src/ is browser code.
      'src/*.ts',
      'src/events/**/*.ts',
      'src/styles/**/*.ts',
      'src/testing/**/*.ts',
    ],
    rules: restrict(browserPaths, browserPatterns),
  },
];

const nodeGlobals = Object.fromEntries(
  [
    'process',
    'console',
    'Buffer',
    'URL',
    'URLSearchParams',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'globalThis',
  ].map((name) => [name, 'readonly']),
);

export default defineConfig(
  {
    name: 'ignores',
    ignores: [
      '**/node_modules/',
      'dist/',
      // apps with their own toolchains and lockfiles (npm run test:examples checks them)
      'examples/',
      'storybook-static/',
      'test-artifacts/',
      '.data/',
      'coverage/',
      // scratch directories some tools and benchmarks leave behind (not committed)
      '**/.tmp/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    name: 'project/all',
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'separate-type-imports' },
      ],
      // With verbatimModuleSyntax, `import { type A } from 'x'` still loads 'x' at run time.
      '@typescript-eslint/no-import-type-side-effects': 'error',
      // `interface WindowEventMap extends FormEvents {}` adds one map's names to a global one.
      '@typescript-eslint/no-empty-object-type': [
        'error',
        { allowInterfaces: 'with-single-extends' },
      ],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      // The `z` named export pulls in all of zod (about 95 KB gzip in a browser).
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "ImportDeclaration[source.value=/^zod(\\u002F|$)/] > ImportSpecifier[imported.name='z']",
          message:
            "Use `import * as z from 'zod'` (or 'zod/mini' in browser code); `{ z }` defeats tree-shaking.",
        },
      ],
    },
  },
  {
    name: 'project/js-config-files',
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: nodeGlobals },
  },
  {
    name: 'project/src-console',
    files: ['src/**/*.ts'],
    // Warnings and errors are for developers of the host page; chatter is not.
    rules: { 'no-console': ['error', { allow: ['warn', 'error'] }] },
  },
  {
    name: 'project/server-logger',
    // The structured logger of the reference server is the one place that writes to stdout.
    files: ['src/server/log.ts', 'src/server/logger.ts'],
    rules: { 'no-console': 'off' },
  },
  ...layers,
  {
    name: 'project/tests',
    files: ['test/**/*.ts', 'stories/**/*.ts'],
    rules: {
      // Chai's property assertions (`expect(x).to.be.true`) are expressions by design.
      '@typescript-eslint/no-unused-expressions': 'off',
      // A focused or skipped test left behind silently shrinks the suite.
      'no-restricted-properties': [
        'error',
        ...['describe', 'it', 'test', 'suite', 'context'].flatMap((object) =>
          ['only', 'skip'].map((property) => ({
            object,
            property,
            message: `${object}.${property} must not be committed.`,
          })),
        ),
      ],
      // axe measures colours as they are on screen: mid-animation they are blended, and how far
      // along depends on the machine. expectAccessible() waits for the element to settle first.
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[property.name='accessible']",
          message:
            "Use expectAccessible(el) from test/browser/helpers/settled.ts: it waits for the element's animations to end.",
        },
      ],
    },
  },
  {
    name: 'project/tests-axe-helper',
    files: ['test/browser/helpers/settled.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
