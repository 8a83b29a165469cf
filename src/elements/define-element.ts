/**
 * Registration shared by every element's `define.ts`: registers a tag once, is a no-op when the
 * same class already holds it (a module loaded twice), and warns, without throwing, when another
 * class holds it (say, two different versions of the kit on one page), so a page never breaks on
 * load. Also installs the design tokens in the document, once.
 *
 * The no-build artifacts (`dist/kit`: the one-file bundle and `define.js`), loaded once the page
 * has loaded (after its `load` event: a page that shows its own content first and brings the
 * widgets in after), register their tags one per task, in the order they are imported.
 * Registering a tag upgrades every element of it already in the page and renders them in the
 * same task; all eight at once would hold a phone's main thread for a few hundred milliseconds
 * while its reader may already be tapping and typing. One per task, the reader can act in
 * between, and each tag still renders in the task it is registered in, so a page's
 * `:not(:defined)` rules hold every widget's box until it is drawn. Loaded with the page (a
 * script tag), they register every tag as their module runs, so the tags are defined by the time
 * the page's later scripts and its `load` event run, as such pages expect. The npm build always
 * registers at once: an app that imports `crm-realtime/define` creates and sets up elements right
 * after (a framework sets properties only on an element it sees upgraded).
 */
import { installTokens } from '../styles/tokens.js';
import { inNextTask } from '../util/next-task.js';
import { warn } from '../util/warn.js';

/** Set by the build of `dist/kit` (vite.config.ts, `transform.define`); absent elsewhere. */
declare const __CRM_DEFINE_IN_TURNS__: boolean | undefined;

let inTurns = typeof __CRM_DEFINE_IN_TURNS__ !== 'undefined' && __CRM_DEFINE_IN_TURNS__;

/** Tags waiting for their task, in the order they were asked for. */
const waiting: [string, CustomElementConstructor][] = [];

/** @internal For tests: register one tag per task once the page has loaded (`true`), or at once. */
export function defineInTurns(on: boolean): void {
  inTurns = on;
}

export function defineElement(tag: string, ctor: CustomElementConstructor): void {
  const registry = globalThis.customElements;
  // Only where there is a page. In Node (a server rendering the app) Lit installs a stand-in
  // registry: tags registered there serve no page, and a dev server that evaluates the modules
  // again on each recompile (Next.js) would find every tag held by the last evaluation's class
  // and warn about "another copy of the kit" each time.
  if (!registry || typeof globalThis.document === 'undefined') return;
  installTokens();
  if (!inTurns || (waiting.length === 0 && globalThis.document?.readyState !== 'complete')) {
    register(registry, tag, ctor);
    return;
  }
  waiting.push([tag, ctor]);
  if (waiting.length === 1) inNextTask(defineNext);
}

function defineNext(): void {
  const next = waiting.shift();
  if (waiting.length > 0) inNextTask(defineNext);
  if (next) register(globalThis.customElements, ...next);
}

function register(registry: CustomElementRegistry, tag: string, ctor: CustomElementConstructor) {
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
