/**
 * End to end: the HTML examples of the README and the docs work in a page that copies them, next
 * to the built kit and against the real server: every provider connects, every tag is defined, and
 * nothing is logged as an error or a warning. Where an example leaves something to the page around
 * it, the test supplies it: the kit's script when the example shows only the widgets, a provider
 * around widgets shown alone, the page's token endpoint (`token-url`, answered with a signed token)
 * for a provider given no token source, and the page's own names an example uses (`myAuth`,
 * `answer`, `save`, `showError`). An example without widgets or the kit is the page of the example
 * before it, continued; one that loads the kit is a page of its own.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import type { Browser } from 'playwright-core';
import { closeDemo, openDemo } from './helpers/browser.js';
import { ROOT, type TestServer } from './helpers/server.js';
import { docPages } from '../node/helpers/doc-pages.js';

const SECRET = 'e2e-docs-examples-secret-0123456789abcdef';

/** The page's own names the examples use: its auth library, a conflict answer, its save. */
const PAGE_NAMES = `
window.myAuth = { realtimeToken: () => fetch('/api/realtime-token').then((r) => r.text()) };
window.answer = {
  conflicts: [
    {
      field: 'email',
      base: 'sales@acme.example',
      mine: 'orders@acme.example',
      theirs: 'purchasing@acme.example',
      changedBy: { id: 'ana', name: 'Ana Ortiz' },
      changedAt: Date.now() - 60000,
    },
  ],
};
window.save = () => Promise.resolve();
window.showError = () => {};
`;

/** The HTML examples, by where they start; continuations joined to the example before. */
function htmlExamples(): { where: string; html: string }[] {
  const docs = docPages(ROOT);
  const pages: { where: string; html: string }[] = [];
  for (const doc of docs) {
    const lines = readFileSync(join(ROOT, doc), 'utf8').split('\n');
    let previous: { where: string; html: string } | undefined;
    for (let i = 0; i < lines.length; i++) {
      const open = /^( *)```html$/.exec(lines[i]!);
      if (!open) continue;
      const indent = open[1]!;
      const body: string[] = [];
      let j = i + 1;
      for (; j < lines.length && lines[j] !== `${indent}\`\`\``; j++) {
        body.push(lines[j]!.slice(indent.length));
      }
      const html = body.join('\n');
      if (!/<crm-|\/kit\//.test(html) && previous) {
        previous.html += `\n${html}`;
      } else {
        previous = { where: `${doc}:${i + 1}`, html };
        pages.push(previous);
      }
      i = j;
    }
  }
  return pages;
}

/** The example as a page: what it leaves to the page around it added, its URLs this server's. */
function asPage(html: string, origin: string): string {
  const ws = origin.replace(/^http/, 'ws') + '/';
  let page = html.replaceAll(/wss:\/\/crm\.example\.com\/realtime|ws:\/\/localhost:8080\//g, ws);
  if (/<crm-/.test(page) && !page.includes('<crm-realtime-provider')) {
    page = `<crm-realtime-provider url="${ws}">\n${page}\n</crm-realtime-provider>`;
  }
  if (!/getToken|devUser/.test(page)) {
    page = page.replaceAll(/<crm-realtime-provider (?![^>]*token-url)/g, (tag) => {
      return `${tag}token-url="/api/realtime-token" `;
    });
  }
  if (!page.includes('/kit/'))
    page = `<script type="module" src="/kit/define.js"></script>\n${page}`;
  return page.includes('<html')
    ? page
    : `<!doctype html>\n<html lang="en"><body>\n${page}\n</body></html>`;
}

describe('the HTML examples of the README and the docs', () => {
  const examples = htmlExamples();
  // The pages are files the server serves beside the built kit (`/kit/` of dist/), as a CRM
  // serves its own pages, under the server's policy for HTML (their inline scripts by hash).
  const pages = mkdtempSync(join(tmpdir(), 'crm-docs-pages-'));
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  let token: string;
  before(async () => {
    ({ server, browser } = await openDemo({
      env: { CRM_JWT_SECRET: SECRET },
      args: ['--static', pages, '--static', 'dist'],
    }));
    examples.forEach(({ html }, n) =>
      writeFileSync(join(pages, `example-${n}.html`), asPage(html, server!.origin)),
    );
    token = await new SignJWT({ name: 'Dora Docs' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('dora')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(SECRET));
  });
  after(async () => {
    await closeDemo([], browser, server);
    rmSync(pages, { recursive: true, force: true });
  });

  test('are found', () => assert.ok(examples.length >= 12, `${examples.length} examples`));

  examples.forEach(({ where }, n) => {
    test(`${where}: connected, defined, nothing logged`, async () => {
      const context = await browser!.newContext();
      try {
        const page = await context.newPage();
        const logged: string[] = [];
        page.on('pageerror', (error) => logged.push(`pageerror: ${error.message}`));
        page.on('console', (message) => {
          if (message.type() === 'error' || message.type() === 'warning') {
            logged.push(`${message.type()}: ${message.text()}`);
          }
        });
        // As text: a function would be serialized as tsx compiled it, with helpers the page lacks.
        await context.addInitScript(PAGE_NAMES);
        await context.route('**/api/realtime-token', (route) =>
          route.fulfill({ body: token, contentType: 'text/plain' }),
        );
        await page.goto(`${server!.origin}/example-${n}.html`, { waitUntil: 'load' });
        await page.evaluate(() => customElements.whenDefined('crm-realtime-provider'));
        await page
          // Connected, and the widgets that load data have it: what they warn about it is said.
          .waitForFunction(
            () =>
              [...document.querySelectorAll('crm-realtime-provider')].every(
                (p) => p.state === 'open',
              ) &&
              [...document.querySelectorAll('crm-collaborative-form')].every(
                (f) => f.status !== 'loading' && f.status !== 'unavailable',
              ) &&
              [...document.querySelectorAll('crm-activity-feed')].every((f) => f.snapshot?.loaded),
          )
          .catch((error: Error) => assert.fail(`${error.message}\n${logged.join('\n')}`));
        const undefinedTags = await page.evaluate(async () => {
          const kit = [...document.querySelectorAll('*')].filter((e) =>
            e.localName.startsWith('crm-'),
          );
          await Promise.all(
            kit.map((e) => (e as Partial<{ updateComplete: Promise<unknown> }>).updateComplete),
          );
          return kit.filter((e) => !customElements.get(e.localName)).map((e) => e.localName);
        });
        assert.deepEqual(undefinedTags, []);
        assert.deepEqual(logged, []);
      } finally {
        await context.close();
      }
    });
  });
});
