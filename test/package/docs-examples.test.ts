/**
 * The code the README and the docs give users to copy compiles as written: every ```ts, ```tsx
 * and ```js block, and the module scripts of the ```html blocks, of README.md, docs/*.md and
 * docs/elements/*.md. The page's examples compile against the packed package, as an app that
 * installed it (a no-build page's `// @ts-check` script referencing `crm-realtime/define`, its
 * `/kit/crm-realtime.js` imports standing for `crm-realtime`); the server scripts of
 * docs/deploy.md against this checkout's sources, which they import. Names an example takes from
 * the page around it (`feed`, `router`…) are declared once below; an example that uses a new
 * one fails here until it declares it or the page below does.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { docPages } from '../node/helpers/doc-pages.js';
import { ROOT } from './helpers/packed.js';
import { typecheckProbe } from './helpers/typecheck.js';

interface Example {
  /** `docs/elements/presence.md:101`: where the block starts. */
  where: string;
  lang: 'ts' | 'tsx' | 'js';
  code: string;
}

const DOCS = docPages(ROOT);

/**
 * Blocks that are not a file of their own, by where they are and how they begin, with the reason.
 * A block listed here that is gone fails the test, so the list cannot outlive its blocks.
 */
const NOT_A_FILE: { doc: string; starts: string; why: string }[] = [
  {
    doc: 'README.md',
    starts: '// vite.config.ts',
    why: 'one line each of vite.config.ts, main.ts and tsconfig.json',
  },
  {
    doc: 'docs/webhooks.md',
    starts: "import { createHmac, timingSafeEqual } from 'node:crypto';",
    why: 'run as written by the webhook tests (test/node/server/webhooks/receiver.ts)',
  },
];

/** Every fenced block (indented ones in lists too) and the module scripts of the HTML ones. */
function examples(doc: string): Example[] {
  const lines = readFileSync(join(ROOT, doc), 'utf8').split('\n');
  const found: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^( *)```(\w*)$/.exec(lines[i]!);
    if (!open) continue;
    const [, indent, lang] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && lines[j] !== `${indent}\`\`\``; j++) {
      body.push(lines[j]!.slice(indent!.length));
    }
    const code = body.join('\n') + '\n';
    const where = `${doc}:${i + 1}`;
    if (lang === 'ts' || lang === 'tsx' || lang === 'js') found.push({ where, lang, code });
    if (lang === 'html') {
      for (const [, script] of code.matchAll(/<script type="module">\n([\s\S]*?)<\/script>/g)) {
        found.push({ where, lang: 'js', code: script! });
      }
    }
    i = j;
  }
  return found;
}

const all = DOCS.flatMap(examples);
const skipped = (e: Example) =>
  NOT_A_FILE.some((n) => e.where.startsWith(`${n.doc}:`) && e.code.startsWith(n.starts));
/** The server scripts import the checkout's sources (docs/deploy.md). */
const onServer = (e: Example) => /from '\.\/src\/server\//.test(e.code);

/** The names the docs' examples take from the page around them. */
const PAGE = `/// <reference types="crm-realtime/define" />
declare const feed: HTMLElementTagNameMap['crm-activity-feed'];
declare const center: HTMLElementTagNameMap['crm-notification-center'];
declare const presence: HTMLElementTagNameMap['crm-presence'];
declare const dialog: HTMLElementTagNameMap['crm-conflict-dialog'];
declare const provider: HTMLElementTagNameMap['crm-realtime-provider'];
declare const banner: HTMLElement;
declare const saveButton: HTMLElement;
declare const router: { navigate(href: string): void };
declare const dialer: { call(id: string | undefined): void };
declare const myAuth: { realtimeToken(): Promise<string> };
declare function signInAgain(): Promise<void>;
/** The conflict dialog's example: an \`entity.conflict\` answer and the page's save. */
declare const answer: { conflicts: import('crm-realtime').FieldConflict[] };
declare function save(data: Record<string, unknown>): Promise<void>;
declare function showError(error: unknown): void;
/** The localizing guide's later examples use what its earlier ones made. */
declare const connectionStatusDe: import('crm-realtime').ConnectionStatusMessages;
declare const defaultActivityFeedMessages: import('crm-realtime').ActivityFeedMessages;
/** The React example's state setter; the mocha-style \`it\` of the testing guide. */
declare function setState(state: string): void;
declare function it(name: string, test: () => Promise<void>): void;
`;

/** An example as a module of its own, so it may declare a name the page declares too. */
function asModule(e: Example): string {
  const code = e.code
    // The no-build kit's API module exports what the npm entry does.
    .replaceAll(/'\/kit\/crm-realtime(\.bundle)?\.js'/g, "'crm-realtime'");
  const react = e.lang === 'tsx' ? '/// <reference types="crm-realtime/react" />\n' : '';
  const check = e.lang === 'js' ? '// @ts-check\n' : '';
  return `${check}${react}// ${e.where}\n${code}\nexport {};\n`;
}

function fileName(e: Example, n: number): string {
  return `${e.where.replace(/[/.:]/g, '-')}-${n}.${e.lang}`;
}

describe("the docs' examples", () => {
  it('are found: the page examples, the server scripts, and nothing listed is gone', () => {
    const page = all.filter((e) => !skipped(e) && !onServer(e));
    assert.ok(page.filter((e) => e.lang !== 'js').length >= 6, 'TypeScript examples');
    assert.ok(page.filter((e) => e.lang === 'js').length >= 15, 'page scripts');
    assert.ok(all.filter(onServer).length >= 2, 'server scripts');
    for (const n of NOT_A_FILE) {
      assert.ok(
        all.some((e) => e.where.startsWith(`${n.doc}:`) && e.code.startsWith(n.starts)),
        `${n.doc} still has the block starting ${n.starts}`,
      );
    }
  });

  it('in TypeScript compile against the packed package as written, strictly', async () => {
    const files: Record<string, string> = { 'page.d.ts': PAGE };
    all
      .filter((e) => e.lang !== 'js' && !skipped(e) && !onServer(e))
      .forEach((e, n) => (files[fileName(e, n)] = asModule(e)));
    const { problems } = await typecheckProbe(files, {
      jsx: ts.JsxEmit.ReactJSX,
      types: ['node'],
    });
    assert.deepEqual(problems, []);
  });

  it('in JavaScript compile as // @ts-check page scripts that reference crm-realtime/define', async () => {
    const files: Record<string, string> = { 'page.d.ts': PAGE };
    all
      .filter((e) => e.lang === 'js' && !skipped(e))
      .forEach((e, n) => (files[fileName(e, n)] = asModule(e)));
    const { problems } = await typecheckProbe(files, {
      allowJs: true,
      checkJs: true,
      // What `// @ts-check` checks in a page script with no jsconfig: types, names, members and
      // excess properties, not null checks or implicit `any` (TypeScript leaves `el.messages =
      // { key: (n, c) => … }` untyped in JavaScript when `el` is a const of the same file).
      strict: false,
    });
    assert.deepEqual(problems, []);
  });

  it("of a server script (docs/deploy.md) compile against this checkout's sources", () => {
    const servers = all.filter(onServer);
    // Next to package.json, as the docs put them: their `./src/server/…` imports resolve.
    const dir = mkdtempSync(join(ROOT, 'node_modules', '.cache', 'crm-docs-server-'));
    try {
      const paths = servers.map((e, n) => {
        const file = join(dir, `server-${n}.ts`);
        const fromRoot = relative(dir, ROOT).replaceAll('\\', '/');
        writeFileSync(file, `// ${e.where}\n${e.code.replaceAll("'./src/", `'${fromRoot}/src/`)}`);
        return file;
      });
      const config = ts.getParsedCommandLineOfConfigFile(
        join(ROOT, 'tsconfig.json'),
        {},
        {
          ...ts.sys,
          onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(String(d.messageText)),
        },
      )!;
      const program = ts.createProgram(paths, { ...config.options, noEmit: true });
      const problems = paths.flatMap((file) => {
        const source = program.getSourceFile(file)!;
        return [
          ...program.getSyntacticDiagnostics(source),
          ...program.getSemanticDiagnostics(source),
        ].map((d) => {
          const { line } = source.getLineAndCharacterOfPosition(d.start ?? 0);
          const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
          return `${source.text.split('\n', 1)[0]} +${line}: TS${d.code} ${text}`;
        });
      });
      assert.deepEqual(problems, []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
