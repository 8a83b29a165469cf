/**
 * The Markdown pages users read, whose examples the docs tests run or compile: README.md,
 * docs/*.md and docs/elements/*.md, as paths from the repository's root.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export function docPages(root: string): string[] {
  const pages = (dir: string) =>
    readdirSync(join(root, dir))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `${dir}/${f}`);
  return ['README.md', ...pages('docs'), ...pages('docs/elements')];
}
