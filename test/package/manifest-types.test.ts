/**
 * The shipped custom-elements.json describes the public API and only it, with paths to shipped
 * files; and the React and Vue typings generated from it type-check a user's code: a property of
 * the wrong type and a handler for the wrong event are errors (each marked `@ts-expect-error`,
 * which fails when the error it expects is gone), with the typings themselves checked
 * (`skipLibCheck: false`). A kit element is an HTML element too: what any element takes (`id`,
 * `role`, `aria-*`, `onClick` / `@click`, `style`, a `ref` typed with the element's class) type-
 * checks on it, and the kit's own properties keep their own types where the names clash. The same
 * for Svelte 5's `SvelteHTMLElements` (`crm-realtime/svelte`).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { ELEMENT_NAMES, TAG_NAMES } from './helpers/elements.js';
import { pack, readJson } from './helpers/packed.js';
import { typecheckProbe } from './helpers/typecheck.js';

interface Attribute {
  name: string;
  type?: { text: string };
}
interface Member {
  kind: string;
  name: string;
  privacy?: string;
}
interface Declaration {
  tagName?: string;
  customElement?: boolean;
  attributes?: Attribute[];
  members?: Member[];
  events?: { name: string }[];
}
interface Manifest {
  modules: { path: string; declarations?: Declaration[] }[];
}

async function elements(): Promise<{ path: string; decl: Declaration }[]> {
  const { dir } = await pack();
  const manifest = readJson<Manifest>(join(dir, 'custom-elements.json'));
  return manifest.modules.flatMap((m) =>
    (m.declarations ?? []).filter((d) => d.customElement).map((decl) => ({ path: m.path, decl })),
  );
}

describe('custom-elements.json', () => {
  it('points at shipped modules', async () => {
    const { files } = await pack();
    const all = await elements();
    assert.equal(all.length, ELEMENT_NAMES.length);
    for (const { path } of all) assert.ok(files.includes(path), `${path} is not shipped`);
  });

  it('types every attribute', async () => {
    for (const { decl } of await elements()) {
      const untyped = (decl.attributes ?? []).filter((a) => !a.type?.text).map((a) => a.name);
      assert.deepEqual(untyped, [], `<${decl.tagName}>`);
    }
    const presence = (await elements()).find((e) => e.decl.tagName === 'crm-presence')!.decl;
    assert.equal(presence.attributes?.find((a) => a.name === 'max-visible')?.type?.text, 'number');
  });

  it('lists real events only', async () => {
    for (const { decl } of await elements()) {
      for (const event of decl.events ?? []) assert.match(event.name, /^crm(-[a-z]+)+$/);
    }
  });

  it('leaves out private, protected and static members', async () => {
    for (const { decl } of await elements()) {
      const internal = (decl.members ?? []).filter((m) => m.privacy && m.privacy !== 'public');
      assert.deepEqual(internal, [], `<${decl.tagName}>`);
    }
    const form = (await elements()).find((e) => e.decl.tagName === 'crm-collaborative-form')!;
    const names = (form.decl.members ?? []).map((m) => m.name);
    for (const name of ['activity', 'announcement', 'applied', 'styles']) {
      assert.ok(!names.includes(name), `crm-collaborative-form lists ${name}`);
    }
    assert.ok(names.length < 25, `crm-collaborative-form has ${names.length} members`);
  });
});

/**
 * Type-checks probe files against the packed package; returns the diagnostics. The generated
 * typings are checked too (`skipLibCheck: false`): an app that checks its libraries must not fail
 * on them (a name imported twice, a property that does not exist).
 */
/** `crm-presence` -> `CrmPresence`, the class and the `…Props` type the typings name after it. */
const pascal = (tag: string) =>
  tag.replace(/(^|-)([a-z])/g, (_all, _dash: string, c: string) => c.toUpperCase());

async function typecheck(files: Record<string, string>, jsx?: ts.JsxEmit): Promise<string[]> {
  const { problems } = await typecheckProbe(files, {
    skipLibCheck: false,
    ...(jsx === undefined ? {} : { jsx }),
  });
  return problems;
}

describe('framework typings', () => {
  it('React 19: JSX knows every tag, its properties (by property and by attribute name) and its events', async () => {
    const problems = await typecheck(
      {
        'probe.tsx': `
import 'crm-realtime/react';
import type { CrmPresenceChangeEvent } from 'crm-realtime';
const onChange = (e: CrmPresenceChangeEvent) => e.type;
export const ok = (
  <crm-realtime-provider url="ws://localhost:8080/">
    <crm-presence room-id="customer:42" max-visible={3} oncrm-presence-change={onChange} />
    <crm-presence roomId="customer:42" maxVisible={3} />
    <crm-connection-status compact />
  </crm-realtime-provider>
);
// @ts-expect-error max-visible is a number
export const badProp = <crm-presence max-visible="lots" />;
// A number attribute written in markup, as the elements' docs write it: the attribute's text.
export const numberAttributes = (
  <>
    <crm-presence max-visible="5" />
    <crm-activity-feed max-items="20" />
  </>
);
// @ts-expect-error maxVisible is a number (React 19 sets it as the property, when the element has it)
export const badProperty = <crm-presence maxVisible="lots" />;
// @ts-expect-error a presence handler on the status element's event
export const badEvent = <crm-connection-status oncrm-connection-status-change={onChange} />;
// @ts-expect-error no such tag
export const unknown = <crm-nothing />;
// @ts-expect-error state is read-only: the element shows the connection's state, it is not set
export const readOnlyState = <crm-connection-status state="open" />;
// @ts-expect-error view is read-only too
export const readOnlyView = <crm-connection-status view="live" />;
// An attribute with no property of its own (the feed observes \`lang\`) is typed by the manifest.
export const feedLang = <crm-activity-feed lang="de" />;
// @ts-expect-error lang is a string
export const badFeedLang = <crm-activity-feed lang={3} />;
`,
      },
      ts.JsxEmit.ReactJSX,
    );
    assert.deepEqual(problems, []);
  });

  it("React 19: a kit element takes what every HTML element takes, with React's types and a ref typed with its class", async () => {
    const problems = await typecheck(
      {
        'probe.tsx': `
import 'crm-realtime/react';
import { useRef, type CSSProperties } from 'react';
import type { CrmNotificationCenter, CrmPresence, CrmPresenceChangeEvent } from 'crm-realtime';
const onChange = (e: CrmPresenceChangeEvent) => e.type;
const cssVar: CSSProperties = { marginInlineStart: 8 };
// One attribute an element, so that each one TypeScript refuses is named.
export const html = [
  <crm-presence id="who" />,
  <crm-presence className="compact" />,
  <crm-presence class="compact" />,
  <crm-presence slot="aside" />,
  <crm-presence hidden={false} />,
  <crm-presence tabIndex={0} />,
  <crm-presence role="list" />,
  <crm-presence inert />,
  <crm-presence suppressHydrationWarning />,
  <crm-presence aria-label="People here" />,
  <crm-presence title="People here" />,
  <crm-presence dir="auto" />,
  <crm-presence part="people" exportparts="avatar" />,
  <crm-presence onClick={(e) => e.currentTarget.maxVisible.toFixed()} />,
  <crm-presence onKeyDown={(e) => e.key === 'Escape'} />,
  <crm-presence style={cssVar} />,
];
// The kit's --crm-* custom properties, next to ordinary ones.
export const customProperties = <crm-presence style={{ '--crm-presence-size': '3rem', color: 'red' }} />;
// The ref is the element: its methods are there, typed.
export const refCallback = <crm-notification-center ref={(el) => el?.show()} />;
export function RefObject() {
  const center = useRef<CrmNotificationCenter>(null);
  return <crm-notification-center ref={center} />;
}
export const keyed = ['a', 'b'].map((room) => <crm-presence key={room} room-id={room} />);
// @ts-expect-error the ref of a presence is a CrmPresence, which has no markAllRead()
export const wrongRefMethod = <crm-presence ref={(el) => el?.markAllRead()} />;
export function WrongRefObject() {
  const presence = useRef<CrmPresence>(null);
  // @ts-expect-error a CrmPresence ref on a notification center
  return <crm-notification-center ref={presence} />;
}
// @ts-expect-error onClick gets React's mouse event, not the kit's presence event
export const badClick = <crm-presence onClick={onChange} />;
// @ts-expect-error tabIndex is a number
export const badTabIndex = <crm-presence tabIndex="0" />;
// @ts-expect-error React takes style as an object, not CSS text
export const badStyle = <crm-presence style="color: red" />;
// @ts-expect-error maxVisible is still a number next to the HTML attributes
export const badKitProp = <crm-presence role="list" onClick={() => {}} maxVisible="lots" />;
// @ts-expect-error a handler for the wrong kit event is still an error next to the HTML attributes
export const badKitEvent = <crm-connection-status role="status" oncrm-connection-status-change={onChange} />;
// @ts-expect-error the kit's events are heard by their own name: React 19 listens for the name after "on", as written
export const camelCaseKitEvent = <crm-presence onCrmPresenceChange={onChange} />;
// @ts-expect-error a misspelled React handler
export const misspelledHandler = <crm-presence onClik={() => {}} />;
// A misspelled kit handler (\`oncrm-presence-chnage\`) is not an error, as before: TypeScript does
// not check JSX attribute names with a hyphen (the rule that lets \`data-*\` through).
export const misspelledKitHandler = <crm-presence oncrm-presence-chnage={onChange} />;
`,
        // Where a kit property and an HTML attribute share a name (the feed's `lang` today), the kit's
        // type is the prop's type: not an intersection with React's, which a differing type would
        // turn into `never`.
        'kit-types.ts': `
import 'crm-realtime/react';
import type { JSX } from 'react';
import type * as Kit from 'crm-realtime/react';
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
interface KitProps {
${TAG_NAMES.map((tag) => `  '${tag}': Kit.${pascal(tag)}Props;`).join('\n')}
}
type Checks = {
  [T in keyof KitProps]: {
    [K in keyof KitProps[T]]-?: Same<JSX.IntrinsicElements[T][K & keyof JSX.IntrinsicElements[T]], KitProps[T][K]>;
  }[keyof KitProps[T]];
}[keyof KitProps];
export const kitTypesWin: true = true as Checks;
`,
      },
      ts.JsxEmit.ReactJSX,
    );
    assert.deepEqual(problems, []);
  });

  it('Vue: GlobalComponents types props and @ handlers', async () => {
    const problems = await typecheck({
      'probe.ts': `
import 'crm-realtime/vue';
import type { GlobalComponents } from 'vue';
import type { CrmPresenceChangeEvent } from 'crm-realtime';
type Props<T extends keyof GlobalComponents> = InstanceType<GlobalComponents[T]>['$props'];
const onChange = (e: CrmPresenceChangeEvent) => e.type;
export const ok: Props<'crm-presence'> = { maxVisible: 3, 'room-id': 'customer:42', onCrmPresenceChange: onChange };
// @ts-expect-error maxVisible is a number
export const badProp: Props<'crm-presence'> = { maxVisible: 'lots' };
// @ts-expect-error a presence handler on the status element's event
export const badEvent: Props<'crm-connection-status'> = { onCrmConnectionStatusChange: onChange };
// @ts-expect-error state is read-only: the element shows the connection's state, it is not set
export const readOnlyState: Props<'crm-connection-status'> = { state: 'open' };
export const feedLang: Props<'crm-activity-feed'> = { lang: 'de' };
// @ts-expect-error lang is a string
export const badFeedLang: Props<'crm-activity-feed'> = { lang: 3 };
`,
    });
    assert.deepEqual(problems, []);
  });
  it('Vue: a kit element takes HTML attributes and native events, and its template ref is the element', async () => {
    const problems = await typecheck({
      'probe.ts': `
import 'crm-realtime/vue';
import type { GlobalComponents } from 'vue';
import type { CrmNotificationCenter, CrmPresenceChangeEvent } from 'crm-realtime';
type Props<T extends keyof GlobalComponents> = InstanceType<GlobalComponents[T]>['$props'];
// What vue-tsc gives a template ref (\`useTemplateRef('center')\`): the instance of the tag's type.
type Instance<T extends keyof GlobalComponents> = InstanceType<GlobalComponents[T]>;
const onChange = (e: CrmPresenceChangeEvent) => e.type;
// \`@click\` and \`@keydown\` are checked against onClick and onKeydown. One attribute an object,
// so that each one TypeScript refuses is named.
export const html: Props<'crm-presence'>[] = [
  { onClick: (e: MouseEvent) => e.button },
  { onKeydown: (e: KeyboardEvent) => e.key },
  { 'aria-label': 'People here' },
  { role: 'list' },
  { id: 'who', tabindex: 0, inert: true },
  { maxVisible: 3, onCrmPresenceChange: onChange, role: 'list', onClick: () => {} },
];
// @ts-expect-error onClick gets a MouseEvent, not the kit's presence event
export const badClick: Props<'crm-presence'> = { onClick: onChange };
// @ts-expect-error maxVisible is still a number next to the HTML attributes
export const badKitProp: Props<'crm-presence'> = { role: 'list', maxVisible: 'lots' };
// @ts-expect-error a misspelled kit handler
export const misspelled: Props<'crm-presence'> = { onCrmPresenceChnage: onChange };
// @ts-expect-error role is a string
export const badRole: Props<'crm-presence'> = { role: 3 };
export const center = (ref: Instance<'crm-notification-center'>): CrmNotificationCenter => {
  ref.show();
  return ref;
};
// @ts-expect-error the ref of a presence is a CrmPresence, which has no markAllRead()
export const wrongRefMethod = (ref: Instance<'crm-presence'>) => ref.markAllRead();
`,
      // As in React, a kit property keeps its own type where an HTML attribute has its name. The
      // React typings name the kit's props with the same types (their handlers are `oncrm-…`).
      'kit-types.ts': `
import 'crm-realtime/vue';
import type { GlobalComponents } from 'vue';
import type * as Kit from 'crm-realtime/react';
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
interface KitProps {
${TAG_NAMES.map((tag) => `  '${tag}': Omit<Kit.${pascal(tag)}Props, \`oncrm-\${string}\`>;`).join('\n')}
}
type Props<T extends keyof KitProps> = InstanceType<GlobalComponents[T]>['$props'];
type Checks = {
  [T in keyof KitProps]: {
    [K in keyof KitProps[T]]-?: Same<Props<T>[K & keyof Props<T>], KitProps[T][K]>;
  }[keyof KitProps[T]];
}[keyof KitProps];
export const kitTypesWin: true = true as Checks;
`,
    });
    assert.deepEqual(problems, []);
  });

  // svelte-check turns `<crm-presence max-visible={3} oncrm-presence-change={(e) => …}>` into an
  // object of the tag's `SvelteHTMLElements` entry (svelte2tsx's `createElement`), so these objects
  // are what a template is checked as. Without the typings a tag Svelte does not know takes
  // anything, and an inline handler's parameter is an implicit `any`, an error under `strict`.
  it('Svelte 5: SvelteHTMLElements types attributes, properties, oncrm-… and on:crm-… handlers and HTML attributes', async () => {
    const problems = await typecheck({
      'probe.ts': `
import 'crm-realtime/svelte';
import 'crm-realtime/define';
import type { SvelteHTMLElements } from 'svelte/elements';
import type { ActivityFeedMessages, CrmPresenceChangeEvent, UserProfile } from 'crm-realtime';
type Props<T extends string> = SvelteHTMLElements[T];
const onChange = (e: CrmPresenceChangeEvent) => e.type;
const me: UserProfile = { id: 'ada', name: 'Ada' };
const messages: Partial<ActivityFeedMessages> = { feedLabel: () => 'Aktivität' };
export const ok: Props<'crm-presence'>[] = [
  { 'room-id': 'customer:42', 'max-visible': 3, 'oncrm-presence-change': onChange },
  { roomId: 'customer:42', maxVisible: 3, callable: true },
  // An inline handler's parameter is the event's class.
  { 'oncrm-presence-change': (e) => e.arrived.length },
  { 'oncrm-presence-call': (e) => e.preventDefault() },
  // Legacy mode's directive, as svelte2tsx writes it.
  { 'on:crm-presence-change': (e) => e.left.length },
  // What every element takes, with Svelte's types.
  { id: 'who', class: ['compact', { wide: true }], style: '--crm-presence-size: 3rem', role: 'list' },
  { 'aria-label': 'People here', hidden: false, tabindex: 0, onclick: (e) => e.clientX },
];
export const provider: Props<'crm-realtime-provider'> = { url: 'ws://localhost:8080/', devUser: me };
export const feed: Props<'crm-activity-feed'> = { 'feed-type': 'global', lang: 'de', messages };
export const status: Props<'crm-connection-status'> = {
  compact: true,
  'oncrm-connection-status-change': (e) => e.state === 'open',
};
// @ts-expect-error max-visible is a number
export const badAttribute: Props<'crm-presence'> = { 'max-visible': 'lots' };
// A static attribute (\`max-visible="5"\`) is its text, which the element reads as 5.
export const staticAttribute: Props<'crm-presence'> = { 'max-visible': '5' };
// @ts-expect-error maxVisible is a number
export const badProperty: Props<'crm-presence'> = { maxVisible: 'lots' };
// @ts-expect-error a presence handler on the status element's event
export const badEvent: Props<'crm-connection-status'> = { 'oncrm-connection-status-change': onChange };
// @ts-expect-error the same, as a legacy directive
export const badLegacyEvent: Props<'crm-connection-status'> = { 'on:crm-connection-status-change': onChange };
// @ts-expect-error a misspelled kit handler
export const misspelled: Props<'crm-presence'> = { 'oncrm-presence-chnage': onChange };
// @ts-expect-error state is read-only: the element shows the connection's state, it is not set
export const readOnlyState: Props<'crm-connection-status'> = { state: 'open' };
// @ts-expect-error lang is a string
export const badFeedLang: Props<'crm-activity-feed'> = { lang: 3 };
// @ts-expect-error messages takes the feed's texts only
export const badMessages: Props<'crm-activity-feed'> = { messages: { nope: () => 'x' } };
// @ts-expect-error onclick gets a MouseEvent, not the kit's presence event
export const badClick: Props<'crm-presence'> = { onclick: onChange };
// bind:this is typed by the tag name map that crm-realtime/define declares.
export const center = (el: HTMLElementTagNameMap['crm-notification-center']) => el.show();
`,
      // As in React and Vue, a kit property keeps its own type where an HTML attribute has its name.
      'kit-types.ts': `
import 'crm-realtime/svelte';
import type { SvelteHTMLElements } from 'svelte/elements';
import type * as Kit from 'crm-realtime/svelte';
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
interface KitProps {
${TAG_NAMES.map((tag) => `  '${tag}': Kit.${pascal(tag)}Props;`).join('\n')}
}
// One tag at a time: over the union of tags, Svelte's index signature makes a union too complex.
type Check<T extends keyof KitProps, Entry = SvelteHTMLElements[T]> = {
  [K in keyof KitProps[T]]-?: Same<Entry[K & keyof Entry], KitProps[T][K]>;
}[keyof KitProps[T]];
${TAG_NAMES.map((tag, i) => `export const kitTypesWin${i}: true = true as Check<'${tag}'>;`).join('\n')}
`,
    });
    assert.deepEqual(problems, []);
  });

  it('document their helpers with examples that compile as written (an IDE shows them on hover)', async () => {
    const { dir } = await pack();
    const files: Record<string, string> = {};
    for (const name of ['react', 'vue', 'svelte']) {
      const text = readFileSync(join(dir, 'dist', 'frameworks', `${name}.d.ts`), 'utf8');
      for (const [n, [, block]] of [
        ...text.matchAll(/^ \* ```ts\n([\s\S]*?)^ \* ```$/gm),
      ].entries()) {
        files[`${name}-${n}.ts`] = `${block!.replace(/^ \* ?/gm, '')}\nexport {};\n`;
      }
    }
    assert.ok(Object.keys(files).length > 0, 'no example found');
    assert.deepEqual(await typecheck(files), []);
  });
});
