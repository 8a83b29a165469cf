/**
 * `npm run build:types`: TypeScript declarations of the npm build, so Angular, Vue and React apps
 * get typed properties, typed events and the tag name map.
 *
 * Declarations of every entry of the npm package (src/index.ts, src/client-entry.ts,
 * src/define.ts, src/testing/index.ts, each src/elements/<name>/define.ts, and what they import)
 * are written to dist/npm/, next to the modules `vite build --mode npm` writes there, so each
 * `x.js` has its `x.d.ts` and package.json's `types` conditions point at real files. A define
 * module's declaration is `export {}` plus its `HTMLElementTagNameMap` augmentation: it exports
 * nothing, as its JavaScript does.
 *
 * Then the Angular directives (`crm-realtime/angular`), compiled against these declarations
 * (scripts/angular-directives.ts).
 *
 * Node's types are left out on purpose: browser code that needs them fails here, which makes this
 * step a check of the layer rules as well (it runs in `npm test`, and before `npm pack`).
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { compileAngularDirectives } from './angular-directives.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = resolve(root, 'dist/npm');

/** The npm package's entry modules (vite.config.ts's `npmConfig` builds the same ones). */
function entries(): string[] {
  const files = ['index.ts', 'client-entry.ts', 'define.ts', 'testing/index.ts'];
  const elements = resolve(root, 'src/elements');
  for (const name of readdirSync(elements).sort()) {
    if (existsSync(resolve(elements, name, 'define.ts'))) files.push(`elements/${name}/define.ts`);
  }
  return files.map((file) => resolve(root, 'src', file));
}

export function emitTypes(): { files: number; problems: string[] } {
  const configFile = ts.readConfigFile(resolve(root, 'tsconfig.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(configFile.config, ts.sys, root);
  const options: ts.CompilerOptions = {
    ...parsed.options,
    noEmit: false,
    declaration: true,
    emitDeclarationOnly: true,
    declarationMap: false,
    outDir,
    rootDir: resolve(root, 'src'),
    types: [],
  };
  const program = ts.createProgram(entries(), options);
  // Only declarations are replaced: the modules next to them come from the npm build.
  removeDeclarations(outDir);
  let files = 0;
  const result = program.emit(undefined, (file, text) => {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    files++;
  });
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...result.diagnostics];
  const problems = diagnostics.map((d) =>
    ts.formatDiagnostic(d, {
      getCanonicalFileName: (f) => f,
      getCurrentDirectory: () => root,
      getNewLine: () => '\n',
    }),
  );

  return { files, problems };
}

function removeDeclarations(dir: string): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = resolve(dir, entry.name);
    if (entry.isDirectory()) removeDeclarations(path);
    else if (entry.name.endsWith('.d.ts')) rmSync(path);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { files, problems } = emitTypes();
  console.log(`types: ${files} declaration files in ${relative(root, outDir)}/`);
  if (problems.length) {
    // Without Node's types, these are usually browser code reaching for Node (Buffer, process).
    console.error(problems.join(''));
    console.error(`types: ${problems.length} problem(s) in the browser kit's declarations`);
    process.exitCode = 1;
  }
  const angular = compileAngularDirectives();
  if (angular.length) {
    console.error(angular.join('\n'));
    console.error('types: the Angular directives did not compile');
    process.exitCode = 1;
  } else console.log('types: the Angular directives in dist/frameworks/angular/');
}
