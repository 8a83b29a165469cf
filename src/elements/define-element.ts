/**
 * Registration shared by every element's `define.ts`: registers a tag once, is a no-op when the
 * same class already holds it (a module loaded twice), and warns, without throwing, when another
 * class holds it (say, two different versions of the kit on one page), so a page never breaks on
 * load. Also installs the design tokens in the document, once.
 */
import { installTokens } from '../styles/tokens.js';
import { warn } from '../util/warn.js';

export function defineElement(tag: string, ctor: CustomElementConstructor): void {
  const registry = globalThis.customElements;
  if (!registry) return;
  installTokens();
  const existing = registry.get(tag);
  if (existing === ctor) return;
  if (existing) {
    warn(
      `<${tag}> is already defined by another class (another copy or version of ` +
        'the kit?); keeping that one.',
    );
    return;
  }
  registry.define(tag, ctor);
}
