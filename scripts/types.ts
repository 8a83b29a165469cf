/**
 * `npm run build:types`: TypeScript declarations of the browser kit, so
 * Angular, Vue and React apps get typed properties, typed events and the tag name map.
 *
 * Declarations of src/index.ts and src/define.ts (and what they import) go to dist/types/. Two
 * small files next to the bundles point at them, because TypeScript looks for `x.d.ts` next to
 * the `x.js` that package.json's `exports` names:
 *   dist/kit/crm-realtime.d.ts -> dist/types/index.d.ts
 *   dist/kit/define.d.ts       -> dist/types/define.d.ts (tag registrations and tag name map)
 *
 * Node's types are left out on purpose: browser code that needs them fails here, which makes this
 * step a check of the layer rules as well (it runs in `npm test`, and before `npm pack`).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = resolve(root, 'dist/types');
const kitDir = resolve(root, 'dist/kit');
const entries = ['src/index.ts', 'src/define.ts'].map((file) => resolve(root, file));

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
  const program = ts.createProgram(entries, options);
  rmSync(outDir, { recursive: true, force: true });
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

  mkdirSync(kitDir, { recursive: true });
  const from = (target: string) =>
    JSON.stringify(relative(kitDir, resolve(outDir, target)).replaceAll('\\', '/'));
  writeFileSync(resolve(kitDir, 'crm-realtime.d.ts'), `export * from ${from('index.js')};\n`);
  writeFileSync(
    resolve(kitDir, 'define.d.ts'),
    `import ${from('define.js')};\nexport * from ${from('index.js')};\n`,
  );
  return { files, problems };
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
}
