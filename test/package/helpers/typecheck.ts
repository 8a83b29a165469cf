/**
 * Type-checks probe files against the packed package, as an app that installed it would: the
 * package sits in the probe's `node_modules/crm-realtime`, and nothing else of the kit is in the
 * program. The probe lives inside the repository, so `react`'s and `vue`'s types resolve from its
 * node_modules; it is a package of its own, so `crm-realtime` does not resolve to the repository.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { pack, ROOT, tempDir } from './packed.js';

export interface Probe {
  /** Every diagnostic, as text. */
  problems: string[];
  program: ts.Program;
  /** The absolute path of each probe file, by the name it was given. */
  paths: Record<string, string>;
}

export async function typecheckProbe(
  files: Record<string, string>,
  options: ts.CompilerOptions = {},
): Promise<Probe> {
  const { dir } = await pack();
  const base = join(ROOT, 'node_modules', '.cache');
  mkdirSync(base, { recursive: true });
  const probe = tempDir('crm-types-probe-', base);
  // A package of its own: else the repository's package.json, named `crm-realtime`, is the
  // probe's package, and TypeScript resolves `crm-realtime/…` to the repository itself
  // (self-reference) instead of the packed copy below.
  writeFileSync(join(probe, 'package.json'), '{ "name": "crm-types-probe", "private": true }\n');
  mkdirSync(join(probe, 'node_modules'));
  symlinkSync(dir, join(probe, 'node_modules', 'crm-realtime'), 'dir');
  const paths: Record<string, string> = {};
  for (const [name, text] of Object.entries(files)) {
    paths[name] = join(probe, name);
    writeFileSync(paths[name], text);
  }
  const program = ts.createProgram(Object.values(paths), {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
    types: [],
    experimentalDecorators: true,
    preserveSymlinks: true,
    skipLibCheck: true,
    ...options,
  });
  const problems = ts.getPreEmitDiagnostics(program).map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (!d.file || d.start === undefined) return text;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${relative(probe, d.file.fileName)}:${line + 1}: TS${d.code} ${text}`;
  });
  return { problems, program, paths };
}
