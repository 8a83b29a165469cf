/**
 * The apps in examples/ (plain HTML, Vue 3 + Vite, Angular 20, React 19 + Vite, Svelte 5 + Vite)
 * built from the packed tarball and opened in Chromium against the reference server, as a user of
 * each host would: every crm-* tag defined, the connection reaches "Connected", the framework's
 * own typed handler hears the kit's event, and a second person appears in presence. Each
 * framework's checker also compiles a type probe, where a property of the wrong type and a handler
 * of the wrong event must be errors.
 *
 * Needs the kit built (`npm run build && npm run build:types`, as `npm test` does first) and the
 * npm registry (each example installs its framework from its own lockfile). See examples/README.md.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { closeDemo, launchBrowser } from '../e2e/helpers/browser.js';
import { waitUntil } from '../e2e/helpers/presence.js';
import { freePort, startServer, type TestServer } from '../e2e/helpers/server.js';
import { pack } from '../package/helpers/packed.js';
import {
  EXAMPLES,
  MINUTE,
  exampleBin,
  expectedErrorLines,
  install,
  serve,
  step,
  timings,
  type DevServer,
} from './helpers.js';

/** The tags each example uses; all of the kit's are defined by `crm-realtime/define`. */
const TAGS = [
  'crm-realtime-provider',
  'crm-connection-status',
  'crm-presence',
  'crm-notification-center',
  'crm-activity-feed',
];

interface Example {
  name: string;
  /** The framework's checker over the app and its type probe (`@ts-expect-error` inside). */
  typecheck?: { what: string; bin: string; args: string[] };
  /** What `npm run build` writes, served as the site's root. */
  out: string;
  /** The app has a customer form bound by its framework in `<crm-collaborative-form controlled>`. */
  controlledForm?: boolean;
}

const ALL: Example[] = [
  {
    name: 'html',
    typecheck: { what: 'tsc --checkJs', bin: 'tsc', args: ['--noEmit', '-p', 'jsconfig.json'] },
    out: 'dist',
  },
  {
    name: 'vue',
    typecheck: { what: 'vue-tsc', bin: 'vue-tsc', args: ['--noEmit', '-p', 'tsconfig.json'] },
    out: 'dist',
    controlledForm: true,
  },
  {
    name: 'react',
    typecheck: { what: 'tsc', bin: 'tsc', args: ['--noEmit', '-p', 'tsconfig.json'] },
    out: 'dist',
    controlledForm: true,
  },
  // `ng build` type-checks the app's templates (strictTemplates); the probe is compiled apart.
  { name: 'angular', out: 'dist/browser', controlledForm: true },
  {
    name: 'svelte',
    // The probe's `// @ts-expect-error`s sit inside its tags (Svelte 5 takes comments there), so
    // an unused one fails the check. Warnings fail it too: Svelte's a11y warnings are the app's.
    typecheck: {
      what: 'svelte-check',
      bin: 'svelte-check',
      args: ['--tsconfig', './tsconfig.json', '--fail-on-warnings'],
    },
    out: 'dist',
    controlledForm: true,
  },
];

/** `CRM_EXAMPLES=vue,react` runs only those (all by default). */
const only = process.env['CRM_EXAMPLES']?.split(',').filter(Boolean);
const EXAMPLES_UNDER_TEST = only ? ALL.filter((e) => only.includes(e.name)) : ALL;

after(() => {
  if (timings.length > 0) console.log(`example timings:\n  ${timings.join('\n  ')}`);
});

for (const example of EXAMPLES_UNDER_TEST) {
  describe(`examples/${example.name}`, () => {
    before(async () => install(example.name, await tarball()));

    if (example.typecheck) {
      const { what, bin, args } = example.typecheck;
      it(`type-checks with ${what}, and its type probe's wrong types are errors`, async () => {
        await step(example.name, `type-check (${what})`, exampleBin(example.name, bin), args, {
          timeoutMs: 5 * MINUTE,
        });
      });
    } else {
      it('type probe: ngc with strict templates rejects a wrong property and a wrong handler', async () => {
        const probe = join(EXAMPLES, 'angular', 'src', 'type-probe.component.ts');
        const expected = expectedErrorLines(probe);
        const { output } = await step(
          'angular',
          'type probe (ngc -p tsconfig.probe.json)',
          exampleBin('angular', 'ngc'),
          ['-p', 'tsconfig.probe.json'],
          { timeoutMs: 5 * MINUTE, check: false },
        );
        // Either form of TypeScript's diagnostics: `file(18,71): error` or `file:18:71 - error`.
        const plain = stripVTControlCharacters(output);
        const errors = [...plain.matchAll(/type-probe\.component\.ts[(:](\d+)[,:]\d+\)?:? -? ?error/g)];
        const lines = [...new Set(errors.map((m) => Number(m[1])))].sort((a, b) => a - b);
        const source = readFileSync(probe, 'utf8').split('\n');
        const missed = expected
          .filter((line) => !lines.includes(line))
          .map((line) => `line ${line} (${source[line - 2]?.trim()}) compiled without an error`);
        const extra = lines
          .filter((line) => !expected.includes(line))
          .map((line) => `line ${line} has an unexpected error`);
        assert.deepEqual([...missed, ...extra], [], `the Angular type probe:\n${output}`);
      });
    }

    it('builds', async () => {
      await step(example.name, 'build (npm run build)', 'npm', ['run', 'build'], {
        timeoutMs: 5 * MINUTE,
      });
    });

    if (example.name === 'angular') {
      // The app's settings are the Angular CLI's defaults: the directives ship compiled (partial
      // Ivy), so the dev server's pre-bundling links them like any Angular library. Shipped as
      // TypeScript source, this page stayed blank ("JIT compiler unavailable") or the build failed
      // ("missing from the TypeScript compilation") until the app changed two settings.
      it('runs under ng serve with no setting for the kit: typed inputs reach the elements', async () => {
        const contexts: BrowserContext[] = [];
        let browser: Browser | undefined;
        let server: TestServer | undefined;
        let dev: DevServer | undefined;
        try {
          server = await startServer();
          const port = await freePort();
          dev = await serve(
            'angular',
            exampleBin('angular', 'ng'),
            ['serve', '--host', '127.0.0.1', '--port', String(port), '--no-live-reload'],
            { timeoutMs: 5 * MINUTE },
          );
          browser = await launchBrowser();
          const ada = await openAs(browser, contexts, dev.origin, 'ada', server.origin);
          await ada.page
            .locator('crm-connection-status')
            .getByText('Connected', { exact: true })
            .waitFor({ timeout: 60_000 });
          // `[maxVisible]="5"` and `[maxItems]="20"` went through the directives' inputs.
          const bound = await ada.page.evaluate(() => ({
            maxVisible: (document.querySelector('crm-presence') as { maxVisible?: number } | null)
              ?.maxVisible,
            maxItems: (document.querySelector('crm-activity-feed') as { maxItems?: number } | null)
              ?.maxItems,
          }));
          assert.deepEqual(bound, { maxVisible: 5, maxItems: 20 });
          assert.deepEqual(ada.errors, [], 'errors on the page');
        } finally {
          await closeDemo(contexts, browser, server);
          await dev?.stop();
        }
      });
    }

    it("in Chromium: every tag defined, connected, the typed handler heard, a second user in presence with a tooltip, the app's controlled form following a colleague's save", async () => {
      const root = join(EXAMPLES, example.name, example.out);
      assert.ok(existsSync(join(root, 'index.html')), `examples/${example.name} is not built`);
      const contexts: BrowserContext[] = [];
      let browser: Browser | undefined;
      let server: TestServer | undefined;
      try {
        server = await startServer({ args: ['--static', root] });
        browser = await launchBrowser();
        const ada = await openAs(browser, contexts, server.origin, 'ada');
        const missing = await waitUntil(
          () => ada.page.evaluate((tags) => tags.filter((t) => !customElements.get(t)), TAGS),
          (left) => left.length === 0,
          { what: 'every crm-* tag to be defined' },
        );
        assert.deepEqual(missing, []);
        await ada.page
          .locator('crm-connection-status')
          .getByText('Connected', { exact: true })
          .waitFor({ timeout: 10_000 });
        await waitUntil(
          () => ada.page.locator('#handler-state').textContent(),
          (text) => text?.trim() === 'open',
          { what: "the app's typed crm-connection-status-change handler to write 'open'" },
        );

        const grace = await openAs(browser, contexts, server.origin, 'grace');
        await waitUntil(
          () => avatarNames(ada.page),
          (names) => names.includes('Grace Hopper'),
          { what: "Grace Hopper in Ada's <crm-presence>" },
        );
        await waitUntil(
          () => avatarNames(grace.page),
          (names) => names.includes('Ada Lovelace'),
          { what: "Ada Lovelace in Grace's <crm-presence>" },
        );
        // The tooltip's code is a file of its own, loaded on the first hover: the app's build
        // must have kept it reachable.
        await ada.page
          .locator('crm-presence')
          .getByRole('img', { name: /^Grace Hopper:/ })
          .hover();
        await ada.page
          .locator('crm-presence [part~="tooltip"]')
          .getByText('Grace Hopper')
          .waitFor({ timeout: 10_000 });

        if (example.controlledForm) await followsColleagues(ada.page, grace.page);
        assert.deepEqual([...ada.errors, ...grace.errors], [], 'errors on the pages');
      } finally {
        await closeDemo(contexts, browser, server);
      }
    });
  });
}

/**
 * The app's own customer form, its fields bound by the framework (React `value=`, Vue `v-model`,
 * Angular `formControlName`, Svelte `bind:value`), inside `<crm-collaborative-form controlled>`:
 * the record reaches the framework's state (shown in `#form-state`) on load, and again when a
 * colleague saves.
 */
async function followsColleagues(ada: Page, grace: Page): Promise<void> {
  const formState = (page: Page) => page.locator('#form-state').textContent();
  const loaded = JSON.stringify({ phone: '+44 20 7946 0321', status: 'Qualified' });
  for (const page of [ada, grace]) {
    await waitUntil(() => formState(page), (text) => text === loaded, {
      what: `the framework's form state to hold the record: ${loaded}`,
    });
  }
  await grace.locator('#phone').fill('+44 20 7946 0999');
  await grace.locator('#status').selectOption('Customer');
  await grace.getByRole('button', { name: 'Save', exact: true }).click();
  const saved = JSON.stringify({ phone: '+44 20 7946 0999', status: 'Customer' });
  await waitUntil(() => formState(ada), (text) => text === saved, {
    what: `Grace's save in the framework's state of Ada's form: ${saved}`,
  });
  assert.equal(await ada.locator('#phone').inputValue(), '+44 20 7946 0999');
  assert.equal(await ada.locator('#status').inputValue(), 'Customer');
}

/**
 * The kit under test: the current build, packed; or `CRM_EXAMPLES_TARBALL=<path.tgz>`, e.g. a
 * published version or a tarball with a suspected defect.
 */
async function tarball(): Promise<string> {
  return process.env['CRM_EXAMPLES_TARBALL'] ?? (await pack()).tarball;
}

/**
 * Opens the example as a development identity, talking to the server that serves it or, for a
 * framework's dev server, to `serverOrigin`.
 */
async function openAs(
  browser: Browser,
  contexts: BrowserContext[],
  origin: string,
  person: string,
  serverOrigin = origin,
): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`${person}: pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${person}: console: ${message.text()}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) errors.push(`${person}: ${response.status()} ${response.url()}`);
  });
  const url = new URL('/', origin);
  url.searchParams.set('as', person);
  url.searchParams.set('server', serverOrigin.replace(/^http/, 'ws') + '/');
  await page.goto(url.href);
  return { page, errors };
}

/** The names of the people `<crm-presence>` shows (avatars are images named "Name: state…"). */
function avatarNames(page: Page): Promise<string[]> {
  return page
    .locator('crm-presence')
    .getByRole('img')
    .evaluateAll((avatars) => avatars.map((a) => (a.getAttribute('aria-label') ?? '').split(':')[0]!));
}
