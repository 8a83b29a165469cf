/**
 * No import cycle in `src/`, type imports included. A cycle means two modules cannot be read, moved
 * or loaded apart: each one's meaning depends on the other. Every edge counts — `import`,
 * `import type`, `export … from`, `import('…')` calls and `import('…').T` types — because a type
 * import still ties the modules together for a reader and for the next refactoring.
 * The failure lists every cycle as a path of files, shortest first.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const srcDir = join(root, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every module specifier a file names, whatever kind of import or re-export names it. */
function specifiers(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier !== undefined &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      found.push(node.moduleSpecifier.text);
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      found.push(node.argument.literal.text);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] !== undefined &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      found.push(node.arguments[0].text);
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)
    ) {
      found.push(node.moduleReference.expression.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The source file a relative specifier names (`./x.js` is `./x.ts`), or undefined for a package. */
function resolveSpecifier(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(from), specifier);
  const candidates = [
    base.replace(/\.js$/, '.ts'),
    base.replace(/\.js$/, '.tsx'),
    base,
    `${base}.ts`,
    join(base, 'index.ts'),
  ];
  const found = candidates.find((path) => /\.tsx?$/.test(path) && existsSync(path));
  assert.ok(found, `${relative(root, from)} imports ${specifier}, which names no source file`);
  return found;
}

/** The import graph of `src/`: file → files it imports. */
function importGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles(srcDir)) {
    const edges = new Set<string>();
    for (const specifier of specifiers(file)) {
      const target = resolveSpecifier(file, specifier);
      if (target !== undefined) edges.add(target);
    }
    graph.set(file, edges);
  }
  return graph;
}

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
function cyclicComponents(graph: Map<string, Set<string>>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const connect = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        connect(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || graph.get(node)?.has(node)) components.push(component);
  };
  for (const node of graph.keys()) if (!index.has(node)) connect(node);
  return components;
}

/** The shortest cycle through `start` inside its component (breadth-first), as a path of files. */
function shortestCycle(graph: Map<string, Set<string>>, start: string, within: Set<string>) {
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const next of graph.get(node) ?? []) {
      if (!within.has(next)) continue;
      if (next === start) {
        const path = [start];
        for (let at = node; at !== start; at = previous.get(at)!) path.splice(1, 0, at);
        return [...path, start];
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start];
}

/** One line per cycle: each component's shortest cycles through each member, without repeats. */
function describeCycles(graph: Map<string, Set<string>>): string[] {
  const lines = new Set<string>();
  for (const component of cyclicComponents(graph)) {
    const within = new Set(component);
    const cycles = component
      .map((file) => shortestCycle(graph, file, within))
      .map((cycle) => {
        // The same cycle from each of its files: start it at the alphabetically first file.
        const ring = cycle.slice(0, -1);
        const first = ring.indexOf([...ring].sort()[0]!);
        const rotated = [...ring.slice(first), ...ring.slice(0, first)];
        return [...rotated, rotated[0]!].map((file) => relative(srcDir, file));
      })
      .sort((a, b) => a.length - b.length);
    lines.add(
      `${component.length} files: ${component
        .map((f) => relative(srcDir, f))
        .sort()
        .join(', ')}`,
    );
    for (const cycle of cycles) lines.add(`  ${cycle.join(' → ')}`);
  }
  return [...lines];
}

test('no import cycle in src/, type imports included', () => {
  const cycles = describeCycles(importGraph());
  assert.deepEqual(cycles, [], `import cycles in src/:\n${cycles.join('\n')}`);
});
