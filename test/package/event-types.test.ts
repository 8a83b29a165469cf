/**
 * The kit's events are typed by the entries that register the elements firing them: an app that
 * imports `crm-realtime/define` (or references it from a `// @ts-check` script), or one
 * `crm-realtime/elements/<name>`, and nothing else, gets `addEventListener('crm-…', (e) => …)`
 * typed with the event's class, on the element, on `document`, on `window` and on a shadow root
 * the element is in (every kit event bubbles and is composed). What each element fires is read from the manifest's `@fires`, so a new event is
 * checked without anyone listing it here. The docs' listener examples type-check as written.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { ELEMENT_NAMES } from './helpers/elements.js';
import { pack, readJson, ROOT } from './helpers/packed.js';
import { typecheckProbe, type Probe } from './helpers/typecheck.js';

interface Manifest {
  modules: {
    path: string;
    declarations?: {
      customElement?: boolean;
      events?: { name: string; type?: { text: string } }[];
    }[];
  }[];
}

/** Event name -> the name of its class, as an element folder's `@fires` document them. */
async function firedBy(name: string): Promise<Record<string, string>> {
  const { dir } = await pack();
  const manifest = readJson<Manifest>(join(dir, 'custom-elements.json'));
  const fired: Record<string, string> = {};
  for (const mod of manifest.modules) {
    if (!mod.path.startsWith(`dist/npm/elements/${name}/`)) continue;
    for (const decl of mod.declarations ?? []) {
      for (const event of decl.customElement ? (decl.events ?? []) : []) {
        fired[event.name] = event.type?.text ?? '(untyped in the manifest)';
      }
    }
  }
  return fired;
}

/** The event maps of what a kit event passes on its way up: document, window, a shadow root. */
const PAGE_MAPS = ['DocumentEventMap', 'WindowEventMap', 'ShadowRootEventMap'] as const;
type Maps = Record<'element' | (typeof PAGE_MAPS)[number], Record<string, string>>;

/** What the probe's constants, one per event map, hold under `crm-…`. */
function crmEntries(probe: Probe, file: string): Maps {
  const checker = probe.program.getTypeChecker();
  const source = probe.program.getSourceFile(probe.paths[file]!)!;
  const maps: Record<string, Record<string, string>> = {};
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const decl of statement.declarationList.declarations) {
      const entries = checker
        .getTypeAtLocation(decl.name)
        .getProperties()
        .filter((p) => p.name.startsWith('crm-'))
        .map((p) => [p.name, checker.typeToString(checker.getTypeOfSymbolAtLocation(p, decl))]);
      maps[decl.name.getText()] = Object.fromEntries(entries.sort());
    }
  }
  const entries = (name: string) => maps[name] ?? {};
  return {
    element: entries('element'),
    ...(Object.fromEntries(PAGE_MAPS.map((map) => [map, entries(map)])) as Omit<Maps, 'element'>),
  };
}

/** The two event maps as a program that imports `entry` and nothing else of the kit sees them. */
async function eventMapsWith(entry: string) {
  const probe = await typecheckProbe({
    'probe.ts': [
      `import '${entry}';`,
      'export declare const element: HTMLElementEventMap;',
      ...PAGE_MAPS.map((map) => `export declare const ${map}: ${map};`),
      '',
    ].join('\n'),
  });
  assert.deepEqual(probe.problems, []);
  return crmEntries(probe, 'probe.ts');
}

describe('event typings', () => {
  for (const name of ELEMENT_NAMES) {
    it(`crm-realtime/elements/${name} alone types the events <crm-${name}> fires, on it, on document, window and a shadow root`, async () => {
      const fired = await firedBy(name);
      assert.ok(Object.keys(fired).length > 0, `<crm-${name}> documents no @fires`);
      const maps = await eventMapsWith(`crm-realtime/elements/${name}`);
      for (const [event, type] of Object.entries(fired)) {
        assert.equal(maps.element[event], type, `HTMLElementEventMap['${event}']`);
      }
      // Every kit event bubbles and is composed, so a listener on document, on window or on a
      // shadow root around the element hears each of them.
      for (const map of PAGE_MAPS) {
        assert.deepEqual(maps[map], maps.element, `${map} has the same kit events`);
      }
    });
  }

  it('crm-realtime/define alone types every event of every element, on it, on document, window and a shadow root', async () => {
    const all: Record<string, string> = {};
    for (const name of ELEMENT_NAMES) Object.assign(all, await firedBy(name));
    assert.equal(Object.keys(all).length, 20);
    const maps = await eventMapsWith('crm-realtime/define');
    assert.deepEqual(maps.element, Object.fromEntries(Object.entries(all).sort()));
    for (const map of PAGE_MAPS) assert.deepEqual(maps[map], maps.element, map);
  });

  it("a TypeScript app's listeners get the event classes through crm-realtime/define", async () => {
    const { problems } = await typecheckProbe({
      'probe.ts': `
import 'crm-realtime/define';
const form = document.createElement('crm-collaborative-form');
form.addEventListener('crm-form-saved', (e) => e.entityId);
form.addEventListener('crm-form-conflict', (e) => e.preventDefault());
document.addEventListener('crm-presence-change', (e) => e.people.length);
document.addEventListener('crm-notification-action', (e) => e.action);
document.querySelector('crm-activity-feed')?.addEventListener('crm-activity-open', (e) => e.href);
window.addEventListener('crm-notification-open', (e) => e.notification.id);
// A component that renders kit elements in its own shadow root hears them there.
document.createElement('div').attachShadow({ mode: 'open' }).addEventListener('crm-form-saved', (e) => e.entityId);
// @ts-expect-error a form event has no people
form.addEventListener('crm-form-save', (e) => e.people);
// @ts-expect-error neither does the presence event on document have an href
document.addEventListener('crm-presence-change', (e) => e.href);
`,
    });
    assert.deepEqual(problems, []);
  });

  it('a // @ts-check script with /// <reference types="crm-realtime/define" /> gets them too', async () => {
    const { problems } = await typecheckProbe(
      {
        'probe.js': `// @ts-check
/// <reference types="crm-realtime/define" />
const feed = document.createElement('crm-activity-feed');
feed.addEventListener('crm-activity-filter-change', (e) => e.filter.kinds);
document.addEventListener('crm-connection-refused', (e) => e.refusal.code);
document.addEventListener('crm-notification-read', (e) => e.ids);
// @ts-expect-error the feed's filter event has no refusal
feed.addEventListener('crm-activity-filter-change', (e) => e.refusal);
`,
      },
      { allowJs: true, checkJs: true },
    );
    assert.deepEqual(problems, []);
  });
});

/** The names the docs' examples take from the page around them. */
const PAGE = `
declare const feed: HTMLElementTagNameMap['crm-activity-feed'];
declare const center: HTMLElementTagNameMap['crm-notification-center'];
declare const provider: HTMLElementTagNameMap['crm-realtime-provider'];
declare const banner: HTMLElement;
declare const saveButton: HTMLElement;
declare const router: { navigate(href: string): void };
declare const dialer: { call(id: string | undefined): void };
declare function signInAgain(): Promise<void>;
`;

describe("the docs' event examples", () => {
  it('type-check verbatim in a // @ts-check page script that references crm-realtime/define', async () => {
    const docs = join(ROOT, 'docs', 'elements');
    const files: Record<string, string> = { 'page.d.ts': PAGE };
    for (const doc of readdirSync(docs).filter((f) => f.endsWith('.md'))) {
      const text = readFileSync(join(docs, doc), 'utf8');
      let n = 0;
      for (const [, code] of text.matchAll(/^```js\n([\s\S]*?)^```$/gm)) {
        if (!code?.includes("addEventListener('crm-")) continue;
        // A module of its own, so an example may declare a name the page declares too.
        files[`${doc.replace(/\.md$/, '')}-${++n}.js`] =
          `// @ts-check\n/// <reference types="crm-realtime/define" />\nexport {};\n${code}`;
      }
    }
    assert.ok(Object.keys(files).length >= 6, 'the docs have their event examples');
    const { problems } = await typecheckProbe(files, { allowJs: true, checkJs: true });
    assert.deepEqual(problems, []);
  });
});
