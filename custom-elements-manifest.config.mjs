/**
 * The custom-elements manifest, generated from each element's JSDoc header (the public API) on
 * every `npm run build` and before `npm pack` (`npm run manifest`), and the typings generated from
 * it that the package ships in dist/frameworks/:
 * - `react.d.ts`: React 19 JSX `IntrinsicElements` (properties and `on…` event handlers, and
 *   React's props of an HTML element: `id`, `role`, `aria-*`, `onClick`, `style`, a typed `ref`);
 * - `vue.d.ts`: Vue `GlobalComponents` (props and `@…` events, and Vue's HTML attributes and
 *   native events, for vue-tsc; a template ref is the element);
 * - `svelte.d.ts`: Svelte's `SvelteHTMLElements` (properties, `oncrm-…` and `on:crm-…` handlers,
 *   and Svelte's HTML attributes, for svelte-check);
 * - `vscode.html-custom-data.json` (VS Code's `html.customData`) and `web-types.json` (JetBrains).
 * Storybook's docs pages and controls read the manifest too, so what it holds is what a user
 * may touch: the `cleanManifest` plugin below removes the rest.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { customElementJsxPlugin } from 'custom-element-jsx-integration';
import { customElementVsCodePlugin } from 'custom-element-vs-code-integration';
import { customElementJetBrainsPlugin } from 'custom-element-jet-brains-integration';
import { customElementVuejsPlugin } from 'custom-element-vuejs-integration';

const FRAMEWORKS = 'dist/frameworks';

/** A source module's path as the npm build ships it (`vite build --mode npm`). */
const shipped = (path) => path.replace(/^\/?src\/(.+)\.ts$/, 'dist/npm/$1.js');

/** Event names are `crm-<noun>-<verb>`; anything else is the analyzer misreading a variable. */
const EVENT_NAME = /^crm(-[a-z]+)+$/;

/**
 * Makes the manifest the public API and nothing else, and fails the build where it cannot:
 * - members that are private, protected, `#private`, static (styles, Lit's options) or marked
 *   `@internal` go (Storybook made a control of each: 77 on the collaborative form);
 * - events the analyzer guessed from a `dispatchEvent(new X(variable))` (a `source` event on the
 *   conflict dialog, a nameless one on the provider) go; documented `@fires` stay;
 * - an attribute without a type takes its property's type (the analyzer does not follow a
 *   property declared with a custom accessor); one that still has none fails the build;
 * - a default written as a named constant (`maxVisible = DEFAULT_MAX_VISIBLE`) shows its value
 *   (`5`): the analyzer copies the initializer's text, and a docs table, an editor's hover or
 *   a designer has no use for the constant's name. Constants of the module or imported from one;
 * - module paths point at the shipped `dist/npm/…js` files, not at sources that are not shipped.
 */
function cleanManifest() {
  /** `Class.field` -> type, from `@property({ type: Number })` (Lit's attribute converter). */
  const declared = new Map();
  const CONVERTERS = { Number: 'number', String: 'string', Boolean: 'boolean' };
  /** `path#NAME` -> the literal text of a top-level `const NAME = 5` (or a string, or `-5`). */
  const constants = new Map();
  /** `path#NAME` -> `resolved path#NAME`, from `import { NAME } from './x.js'`. */
  const imported = new Map();
  const fileOf = (node) => relative(process.cwd(), resolve(node.getSourceFile().fileName));
  /** A constant of the module, or one it imports (read from the file: only elements are analyzed). */
  const constantValue = (path, name) => {
    const own = constants.get(`${path}#${name}`);
    if (own !== undefined) return own;
    const [file, original] = imported.get(`${path}#${name}`)?.split('#') ?? [];
    if (!file) return undefined;
    const pattern = new RegExp(`^(?:export )?const ${original} = (-?[\\d._]+|'[^']*');$`, 'm');
    return readFileSync(file, 'utf8').match(pattern)?.[1];
  };
  return {
    name: 'crm-clean-manifest',
    analyzePhase({ ts, node }) {
      if (
        ts.isVariableDeclaration(node) &&
        ts.isIdentifier(node.name) &&
        node.initializer &&
        ts.isVariableStatement(node.parent.parent) &&
        ts.isSourceFile(node.parent.parent.parent) &&
        (node.parent.flags & ts.NodeFlags.Const) !== 0 &&
        (ts.isNumericLiteral(node.initializer) ||
          ts.isStringLiteral(node.initializer) ||
          (ts.isPrefixUnaryExpression(node.initializer) &&
            ts.isNumericLiteral(node.initializer.operand)))
      ) {
        constants.set(`${fileOf(node)}#${node.name.text}`, node.initializer.getText());
      }
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
        const from = fileOf(node);
        const target = join(dirname(from), node.moduleSpecifier.text).replace(/\.js$/, '.ts');
        const names = node.importClause?.namedBindings;
        if (names && ts.isNamedImports(names)) {
          for (const el of names.elements) {
            const original = (el.propertyName ?? el.name).text;
            imported.set(`${from}#${el.name.text}`, `${target}#${original}`);
          }
        }
      }
      if (!ts.isPropertyDeclaration(node) || !ts.isClassDeclaration(node.parent)) return;
      for (const decorator of ts.getDecorators?.(node) ?? []) {
        const call = decorator.expression;
        if (!ts.isCallExpression(call) || call.expression.getText() !== 'property') continue;
        const options = call.arguments[0];
        if (!options || !ts.isObjectLiteralExpression(options)) continue;
        for (const prop of options.properties) {
          if (!ts.isPropertyAssignment(prop) || prop.name.getText() !== 'type') continue;
          const text = CONVERTERS[prop.initializer.getText()];
          if (text) declared.set(`${node.parent.name?.getText()}.${node.name.getText()}`, text);
        }
      }
    },
    packageLinkPhase({ customElementsManifest }) {
      const problems = [];
      for (const mod of customElementsManifest.modules) {
        for (const decl of mod.declarations ?? []) {
          if (!decl.customElement) continue;
          const hidden = (m) =>
            m.privacy === 'private' ||
            m.privacy === 'protected' ||
            m.static ||
            m.name.startsWith('#') ||
            m.name.startsWith('_');
          const fields = new Map((decl.members ?? []).map((m) => [m.name, m]));
          for (const field of fields.values()) {
            const text = declared.get(`${decl.name}.${field.name}`);
            if (!field.type && text) field.type = { text };
          }
          decl.members = (decl.members ?? []).filter((m) => !hidden(m));
          decl.events = (decl.events ?? []).filter((e) => e.name && EVENT_NAME.test(e.name));
          for (const item of [...decl.members, ...(decl.attributes ?? [])]) {
            if (!/^[A-Z][A-Z0-9_]*$/.test(item.default ?? '')) continue;
            const value = constantValue(mod.path, item.default);
            if (value === undefined)
              problems.push(`<${decl.tagName}> ${item.name}: default ${item.default} not found`);
            else item.default = value;
          }
          for (const attr of decl.attributes ?? []) {
            const field = attr.fieldName ? fields.get(attr.fieldName) : undefined;
            // An attribute with no property (`lang`, observed to re-render) is a string.
            attr.type ??= attr.fieldName ? field?.type : { text: 'string' };
            if (!attr.type) problems.push(`<${decl.tagName}> attribute ${attr.name} has no type`);
          }
        }
      }
      if (problems.length) throw new Error(`custom-elements.json:\n${problems.join('\n')}`);
      const rewrite = (value) => {
        if (Array.isArray(value)) return value.map(rewrite);
        if (value && typeof value === 'object') {
          for (const key of Object.keys(value)) {
            value[key] =
              (key === 'path' || key === 'module') && typeof value[key] === 'string'
                ? shipped(value[key])
                : rewrite(value[key]);
          }
        }
        return value;
      };
      rewrite(customElementsManifest);
    },
  };
}

/** `crm-presence-change` -> `onCrmPresenceChange`, the prop vue-tsc checks `@crm-presence-change` against. */
const vueHandler = (event) =>
  'on' + event.replace(/(^|-)([a-z])/g, (_, _dash, c) => c.toUpperCase());

/**
 * After each attribute-named prop (`"max-visible"?: CrmPresence["maxVisible"];`, with its JSDoc),
 * the same prop under the property's name (`maxVisible?: CrmPresence["maxVisible"];`). A number
 * attribute written in JSX as HTML writes it is its text (`max-visible="5"`), which the element
 * reads as the number: the attribute's name takes those digits as well as the number, the
 * property's name the number only, since a framework sets a property as it is. (vue-tsc checks
 * `max-visible` against `maxVisible`, as for a component's `Number` prop: Vue binds numbers.)
 */
const withPropertyNames = (text) =>
  replaceOrFail(
    text,
    /^\} from "\.\.\/npm\/index\.js";\n/m,
    `$&\n/** An attribute's value: its property's type, and for a number its text. */\n` +
      'type AttributeValue<T> = T | (number extends T ? `${number}` : never);\n',
    'its import of the element classes',
  ).replace(
    /^( *)((?:\/\*\*(?:(?!\*\/)[\s\S])*\*\/\n\1)?)"([a-z]+(?:-[a-z]+)+)"\?: (\w+)\[["'](\w+)["']\];$/gm,
    (_line, indent, doc, attr, cls, field) =>
      `${indent}${doc}"${attr}"?: AttributeValue<${cls}["${field}"]>;\n` +
      `${indent}${doc}${field}?: ${cls}["${field}"];`,
  );

/** Each name of each `import type { … }` list once. */
const uniqueImports = (text) =>
  text.replace(/^import type \{\n([\s\S]*?)\n\} from/gm, (_all, names) => {
    const lines = [...new Set(names.split('\n').map((line) => line.trim().replace(/,$/, '')))];
    return `import type {\n${lines.map((name) => `  ${name},`).join('\n')}\n} from`;
  });

/**
 * React's typing of what any HTML element takes, for the JSX generator's `BaseProps` (written for
 * Solid and Preact as much as React: a `ref` typed `unknown`, so a callback's element was an
 * implicit `any`; a `style` that took no `CSSProperties`; no `onClick`, `role`, `aria-*`):
 * - every name React types (`id`, `className`, `hidden`, `tabIndex`, `role`, `aria-*`, `on…`
 *   handlers, `key`, `children`) keeps React's type, since React is what applies it, and `ref` is
 *   a `React.Ref` of the element's class, so `ref={(el) => el?.show()}` has the element;
 * - `class`, which React 19 passes to a custom element as the attribute, stays;
 * - `style` also takes the kit's custom properties (`{ '--crm-presence-size': '3rem' }`), which
 *   React sets with `setProperty` and which `CSSProperties` has no name for;
 * - the element's own props win where a name clashes (the feed's `lang`): an intersection would
 *   give a kit property typed differently from React's attribute the type `never`.
 * The generator's `classList` (Solid's) and `htmlFor` (a label's) go: React 19 would set
 * `classList` as the element's property, which replaces the element's classes.
 */
const REACT_BASE_PROPS = `type BaseProps<El> = Omit<React.DetailedHTMLProps<React.HTMLAttributes<El>, El>, "style"> & {
  /** The element's classes, as the attribute (React 19 passes \`class\` to a custom element). */
  class?: string;
  /** Inline styles, with the kit's custom properties (\`{ "--crm-presence-size": "3rem" }\`). */
  style?: React.CSSProperties | (React.CSSProperties & { [property: \`--\${string}\`]: string | number | undefined });
};

/** An element's props: its own, and the HTML element's where no own prop has the name. */
type ElementProps<El, Props> = Omit<BaseProps<El>, keyof Props> & Partial<Props>;
`;

/**
 * A kit element as vue-tsc sees it, in place of the Vue generator's `DefineComponent<Props>`:
 * - its props take Vue's typing of what any HTML element takes (`HTMLAttributes`: `id`, `role`,
 *   `aria-*`, `onClick` for `@click`, `onKeydown` for `@keydown`), which the generator leaves
 *   out, so `strictTemplates` refused them; the element's own props win where a name clashes, as
 *   in React; `key`, `ref`, `class` and `style` come with every component's (`PublicProps`);
 * - its instance, what a template ref holds (`useTemplateRef('center')`), is the element's class,
 *   as at run time: a `DefineComponent`'s instance is a Vue component's, with none of the
 *   element's methods. vue-tsc reads the props from the instance's `$props`, which the element
 *   does not have at run time; that one member is the price of the element's own type.
 */
const VUE_BASE_PROPS = `/** An element's props: its own, and the HTML element's where no own prop has the name. */
type ElementProps<Props> = Omit<HTMLAttributes, keyof Props> & Props;

/** A kit element as a template sees it: the element itself, with the props vue-tsc checks. */
type VueElement<El, Props> = new () => El & { $props: ElementProps<Props> & PublicProps };
`;

/**
 * A kit element as svelte-check sees it, in place of the JSX generator's `BaseProps` (written for
 * Solid and Preact: a `ref`, a `classList`, a JSX `children`, which Svelte has none of):
 * - Svelte's typing of what any HTML element takes (`HTMLAttributes`: `id`, `class`, `style` as
 *   text, `role`, `aria-*`, `onclick`), so a handler written inline gets its event's type under
 *   `strict`, where a tag Svelte does not know takes anything and each handler's parameter is an
 *   implicit `any`;
 * - the element's own props win where a name clashes (the feed's `lang`), as in React and Vue.
 * Svelte 5 sets a prop as a property when the (defined) element has one by that name, and listens
 * to `oncrm-<event>` as the event `crm-<event>`, as React 19 does: the JSX generator's props are
 * the ones Svelte takes. `bind:this` is typed by the tag's `HTMLElementTagNameMap` entry, which
 * `crm-realtime/define` declares.
 */
const SVELTE_BASE_PROPS = `/** An element's props: its own, and the HTML element's where no own prop has the name. */
type ElementProps<El extends EventTarget, Props> = Omit<HTMLAttributes<El>, keyof Props> & Props;
`;

/**
 * After each `oncrm-…` handler (with its JSDoc), the same handler as the directive components in
 * Svelte's legacy mode write (`on:crm-presence-change`), which Svelte 5 still compiles there.
 */
const withLegacyHandlers = (text) =>
  text.replace(
    /^( *)((?:\/\*\*(?:(?!\*\/)[\s\S])*\*\/\n\1)?)"on(crm(?:-[a-z]+)+)"\?: (.*);$/gm,
    (line, indent, doc, event, type) => `${line}\n${indent}${doc}"on:${event}"?: ${type};`,
  );

/** `text` with `pattern` replaced, or a build failure naming what the generator no longer writes. */
function replaceOrFail(text, pattern, replacement, what) {
  if (!pattern.test(text)) throw new Error(`${FRAMEWORKS}: the generator no longer writes ${what}`);
  pattern.lastIndex = 0;
  return text.replace(pattern, replacement);
}

/**
 * Fixes what the generators get wrong for this kit, after they ran:
 * - the kit's events are `Event` subclasses with typed fields, not `CustomEvent<detail>`, so a
 *   handler receives the event class itself;
 * - React 19 needs the `JSX.IntrinsicElements` augmentation of `react` (the generator only
 *   exports the map);
 * - the generators name an attribute-backed property by its attribute only (`max-visible`), but
 *   React 19 sets a prop as a property when the element has it (`maxVisible={5}`, the number
 *   itself) and Vue checks `:maxVisible` against the camelCase name, so both spellings are declared;
 * - Vue: `@crm-x-y` is checked against the `onCrmXY` prop;
 * - the generators type an attribute by its property (`CrmPresence["maxVisible"]`), so an
 *   attribute with no property (`lang`, which the feed observes) came out as
 *   `CrmActivityFeed["undefined"]`: it takes its type from the manifest (`string`) instead;
 * - they import an event type once per element that fires it (the provider and the status both
 *   fire `crm-connection-status-change`): a duplicate identifier, an error under
 *   `skipLibCheck: false`. Each name is imported once;
 * - an element is an HTML element too: React's, Vue's and Svelte's own typings of what any element
 *   takes replace the generators' (`REACT_BASE_PROPS`, `VUE_BASE_PROPS`, `SVELTE_BASE_PROPS`);
 * - Svelte: the JSX generator's file again, augmenting `svelte/elements` rather than React's JSX,
 *   with the legacy `on:` handlers too.
 */
/** The JSDoc of the React typings' `ScopedElements`, with this package's names. */
const REACT_SCOPED_DOC = `/**
 * JSX types for the kit's elements registered under other tag names, a prefix or suffix added to
 * each (\`customElements.define('my-crm-presence', class extends CrmPresence {})\`):
 *
 * \`\`\`ts
 * import type { ScopedElements } from "crm-realtime/react";
 *
 * declare module "react" {
 *   namespace JSX {
 *     interface IntrinsicElements extends ScopedElements<"my-"> {}
 *   }
 * }
 * \`\`\`
 */
`;

function fixFrameworkTypes() {
  const edit = (file, change) => {
    const path = `${FRAMEWORKS}/${file}`;
    writeFileSync(path, change(readFileSync(path, 'utf8')));
  };
  return {
    name: 'crm-fix-framework-types',
    packageLinkPhase({ customElementsManifest }) {
      /** `Class attribute` -> the type of an attribute with no property. */
      const fieldless = new Map();
      for (const mod of customElementsManifest.modules ?? []) {
        for (const decl of mod.declarations ?? []) {
          for (const attr of decl.customElement ? (decl.attributes ?? []) : []) {
            if (!attr.fieldName) fieldless.set(`${decl.name} ${attr.name}`, attr.type?.text);
          }
        }
      }
      const common = (text) =>
        uniqueImports(
          text.replace(
            /^( *)("?)([a-z]+(?:-[a-z]+)*)\2\?: (\w+)\[["']undefined["']\];$/gm,
            (line, indent, quote, attr, cls) => {
              const type = fieldless.get(`${cls} ${attr}`);
              if (!type) throw new Error(`${cls}: attribute ${attr} has no property and no type`);
              return `${indent}${quote}${attr}${quote}?: ${type};`;
            },
          ),
        ).replace(/\(e: CustomEvent<(\w+)>\)/g, '(e: $1)');
      // The JSX generator's output, with the framework's own base props and element type.
      const jsxFor = (text, baseProps) =>
        replaceOrFail(
          replaceOrFail(
            text,
            /^type BaseProps = \{\n[\s\S]*?\n\};\n\ntype BaseEvents = \{\};\n/m,
            baseProps,
            'its BaseProps and BaseEvents',
          ),
          /: Partial<(\w+)Props & BaseProps & BaseEvents>;$/gm,
          ': ElementProps<$1, $1Props>;',
          'Partial<XProps & BaseProps & BaseEvents>',
        );
      const react = (text) =>
        `import type * as React from "react";\n${jsxFor(
          // Its helper for scoped tags is documented with placeholders (\`path/to/library\`) that
          // an IDE shows on hover: the usage in this package, which compiles as written.
          replaceOrFail(
            text,
            /^\/\*\*\n \* This type can be used to create scoped tags[\s\S]*?\n \*\/\n/m,
            REACT_SCOPED_DOC,
            'its ScopedElements comment',
          ),
          REACT_BASE_PROPS,
        )}`;
      edit('react.d.ts', (text) =>
        [
          react(withPropertyNames(common(text))),
          "declare module 'react' {",
          '  namespace JSX {',
          '    interface IntrinsicElements extends CustomElements {}',
          '  }',
          '}',
          '',
        ].join('\n'),
      );
      const vue = (text) => {
        text = replaceOrFail(
          text,
          /^import type \{ DefineComponent \} from "vue";\n/m,
          `import type { HTMLAttributes, PublicProps } from "vue";\n`,
          'its import of DefineComponent',
        );
        text = replaceOrFail(
          text,
          /: DefineComponent<(\w+)Props>;$/gm,
          ': VueElement<$1, $1Props>;',
          'DefineComponent<XProps>',
        );
        return text.replace(/^(export type CustomElements = )/m, `${VUE_BASE_PROPS}\n$1`);
      };
      edit('vue.d.ts', (text) =>
        vue(withPropertyNames(common(text)))
          .replace(/"on(crm-[a-z-]+)"\?:/g, (_, event) => `${vueHandler(event)}?:`)
          // The generator also claims the global JSX namespace, which is React's in a mixed app.
          .replace(/\ndeclare global \{\n\s*namespace JSX \{[\s\S]*?\n\}\n?$/, '\n'),
      );
      const svelte = (text) => {
        text = jsxFor(text, SVELTE_BASE_PROPS);
        // Its helper for scoped tags is documented with JSX's namespace, which Svelte has not.
        text = text.replace(
          /^\/\*\*\n \* This type can be used to create scoped tags[\s\S]*?\n\};\n\n/m,
          '',
        );
        return `import type { HTMLAttributes } from "svelte/elements";\n${text}`;
      };
      edit('svelte.d.ts', (text) =>
        [
          svelte(withLegacyHandlers(withPropertyNames(common(text)))),
          "declare module 'svelte/elements' {",
          '  interface SvelteHTMLElements extends CustomElements {}',
          '}',
          '',
        ].join('\n'),
      );
    },
  };
}

/**
 * Read-only properties (getters such as the status's `state` or the form's `dirtyFields`) are the
 * element's output, not its input: setting one in JSX or a Vue template would do nothing, so the
 * framework typings must refuse it. The JSX and Vue generators type every member as a prop, so
 * these members are taken out of the manifest while they run and put back before it is written
 * (the manifest, VS Code and JetBrains data still document them as read-only properties).
 */
function withoutReadonlyMembers() {
  /** @type {Map<object, object[]>} declaration → its members as analysed */
  const stash = new Map();
  return [
    {
      name: 'crm-hide-readonly-members',
      packageLinkPhase({ customElementsManifest }) {
        for (const module of customElementsManifest.modules ?? []) {
          for (const declaration of module.declarations ?? []) {
            if (!declaration.customElement || !declaration.members) continue;
            stash.set(declaration, declaration.members);
            declaration.members = declaration.members.filter((member) => !member.readonly);
          }
        }
      },
    },
    {
      name: 'crm-restore-readonly-members',
      packageLinkPhase() {
        for (const [declaration, members] of stash) declaration.members = members;
        stash.clear();
      },
    },
  ];
}

/** Generated typings import the element classes and event types from the npm build's index. */
const shared = { outdir: FRAMEWORKS, hideLogs: true, globalTypePath: '../npm/index.js' };

const readonlyMembers = withoutReadonlyMembers();

export default {
  globs: ['src/elements/*/crm-*.ts'],
  exclude: ['src/elements/**/*.styles.ts'],
  outdir: '.',
  litelement: true,
  dependencies: false,
  packagejson: false,
  plugins: [
    cleanManifest(),
    readonlyMembers[0],
    customElementJsxPlugin({ ...shared, fileName: 'react.d.ts' }),
    customElementVuejsPlugin({ ...shared, fileName: 'vue.d.ts' }),
    // Svelte 5 takes the props and `on<event>` handlers React 19 takes: the JSX generator's file,
    // made Svelte's by fixFrameworkTypes.
    customElementJsxPlugin({ ...shared, fileName: 'svelte.d.ts' }),
    customElementVsCodePlugin({
      ...shared,
      htmlFileName: 'vscode.html-custom-data.json',
      cssFileName: 'vscode.css-custom-data.json',
    }),
    readonlyMembers[1],
    fixFrameworkTypes(),
    customElementJetBrainsPlugin({
      outdir: FRAMEWORKS,
      hideLogs: true,
      fileName: 'web-types.json',
      packageJson: false,
    }),
  ],
};
