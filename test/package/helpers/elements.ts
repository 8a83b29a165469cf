/**
 * The kit's elements as the sources define them: every `src/elements/<name>/define.ts` is one
 * element, tag `crm-<name>`. Read from the tree, so a new element is checked by the package tests
 * (shipped, in `sideEffects`, defined by every bundler) without anyone remembering to list it.
 */
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const elementsDir = fileURLToPath(new URL('../../../src/elements/', import.meta.url));

/** Folder names under src/elements that define an element, e.g. `presence`, `huddle`. */
export const ELEMENT_NAMES: readonly string[] = readdirSync(elementsDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(`${elementsDir}${entry.name}/define.ts`))
  .map((entry) => entry.name)
  .sort();

/** Their tag names, e.g. `crm-presence`. */
export const TAG_NAMES: readonly string[] = ELEMENT_NAMES.map((name) => `crm-${name}`);
