/**
 * End to end: how a page with no build loads the kit. The demo's pages print their own content
 * before the first paint and load the kit after it, with the widgets' boxes reserved, so nothing
 * on screen moves while the widgets appear; the one-file bundle, loaded after the page, registers
 * its tags one per task, so the page stays responsive while they do, and loaded with the page,
 * all at once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { closeDemo, openDemo } from './helpers/browser.js';
import type { TestServer } from './helpers/server.js';

const TAGS = [
  'crm-realtime-provider',
  'crm-connection-status',
  'crm-presence',
  'crm-conflict-dialog',
  'crm-notification-center',
  'crm-collaborative-form',
  'crm-activity-feed',
  'crm-huddle',
];

/** Records every layout shift of the page from its start (as CLS counts them). */
const RECORD_SHIFTS = `
  window.__shifts = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.hadRecentInput) continue;
      window.__shifts.push({
        value: entry.value,
        sources: entry.sources.map((s) => (s.node && s.node.nodeName) || '?'),
      });
    }
  }).observe({ type: 'layout-shift', buffered: true });
`;

/** The box of each widget of the page, by tag and position. */
const WIDGET_BOXES = `
  [...document.querySelectorAll('*')]
    .filter((el) => el.localName.startsWith('crm-') && el.localName !== 'crm-realtime-provider')
    .map((el, i) => {
      const box = el.getBoundingClientRect();
      return { widget: el.localName + '#' + i, top: Math.round(box.top), height: Math.round(box.height) };
    })
`;

interface Box {
  widget: string;
  top: number;
  height: number;
}

async function until(page: Page, expression: string, what: string): Promise<void> {
  // Polled from here: the demo's policy allows no string evaluation inside the page.
  for (let i = 0; i < 600; i++) {
    if (await page.evaluate(expression)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('a page with no build loading the kit', () => {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];

  before(async () => {
    ({ server, browser } = await openDemo({ graceMs: 1000 }));
  });

  after(() => closeDemo(contexts, browser, server));

  for (const { path, ready } of [
    {
      path: '/customer.html?id=42&as=ana',
      // The record's form has its values, presence its people, the feed its first page.
      ready: `document.querySelector('crm-collaborative-form.details')?.shadowRoot?.querySelector('[part~="status"]') &&
        document.querySelector('crm-presence')?.shadowRoot?.querySelector('[part~="base"]') &&
        document.querySelector('crm-activity-feed')?.shadowRoot?.querySelector('[role="feed"]')`,
    },
    {
      path: '/dashboard.html?as=ana',
      ready: `document.querySelector('crm-presence')?.shadowRoot?.querySelector('[part~="base"]') &&
        document.querySelector('crm-activity-feed')?.shadowRoot?.querySelector('[role="feed"]')`,
    },
  ]) {
    for (const viewport of [
      { width: 412, height: 823 },
      { width: 1280, height: 900 },
    ]) {
      test(
        `${path} at ${viewport.width}px: shows its content first and nothing moves as the widgets appear`,
        { timeout: 60_000 },
        async () => {
          assert.ok(server && browser);
          const context = await browser.newContext({ viewport });
          contexts.push(context);
          const page = await context.newPage();
          await page.addInitScript(RECORD_SHIFTS);
          // The kit is held back until the page's first state is read.
          let release!: () => void;
          const held = new Promise<void>((resolve) => (release = resolve));
          let asked!: () => void;
          const requested = new Promise<void>((resolve) => (asked = resolve));
          await page.route('**/kit/crm-realtime.bundle.js', async (route) => {
            asked();
            await held;
            await route.continue();
          });
          await page.goto(server.origin + path);
          // The page asks for the kit only after its first paint, its own content already in.
          await requested;
          assert.equal(await page.evaluate(`customElements.get('crm-presence')`), undefined);
          assert.ok(
            ((await page.locator('h1').first().textContent()) ?? '').trim().length > 0,
            'the page heading is printed before the kit',
          );
          const before = (await page.evaluate(WIDGET_BOXES)) as Box[];

          release();
          await until(
            page,
            `${JSON.stringify(TAGS)}.every((tag) => customElements.get(tag))`,
            'every tag',
          );
          await until(page, ready, 'the widgets to show their data');
          await until(
            page,
            `document.querySelector('crm-connection-status').getAttribute('state') === 'open'`,
            'the connection',
          );
          const afterLoad = (await page.evaluate(WIDGET_BOXES)) as Box[];
          assert.deepEqual(
            afterLoad.map((b) => b.widget),
            before.map((b) => b.widget),
          );
          // Within a pixel: boxes sized in rem land on fractional pixels, rounded either way.
          const moved = afterLoad.filter(
            (box, i) =>
              Math.abs(box.height - before[i]!.height) > 1 ||
              Math.abs(box.top - before[i]!.top) > 1,
          );
          assert.deepEqual(
            moved,
            [],
            `widgets whose reserved box changed or moved, against ${JSON.stringify(before)}`,
          );
          const shifts = (await page.evaluate('window.__shifts')) as {
            value: number;
            sources: string[];
          }[];
          const total = shifts.reduce((sum, s) => sum + s.value, 0);
          assert.ok(total < 0.01, `layout shifted by ${total}: ${JSON.stringify(shifts)}`);
        },
      );
    }
  }

  /** A page of the server's origin with every tag in it and `script` as its module. */
  async function pageWithTags(context: BrowserContext, script: string): Promise<Page> {
    assert.ok(server);
    const page = await context.newPage();
    const url = `${server.origin}/every-tag.html`;
    await page.route(url, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><html><body>
          ${TAGS.map((tag) => `<${tag}></${tag}>`).join('')}
          <script type="module">${script}</script></body></html>`,
      }),
    );
    await page.goto(url);
    return page;
  }

  test('loaded after the page, the one-file bundle registers its tags one per task, in order', async () => {
    assert.ok(browser);
    const context = await browser.newContext();
    contexts.push(context);
    // As each tag is registered, note how many were registered by then.
    const page = await pageWithTags(
      context,
      `const tags = ${JSON.stringify(TAGS)};
      window.__registeredWhen = {};
      for (const tag of tags) {
        customElements.whenDefined(tag).then(() => {
          window.__registeredWhen[tag] = tags.filter((t) => customElements.get(t)).length;
        });
      }
      if (document.readyState !== 'complete') {
        await new Promise((done) => addEventListener('load', done, { once: true }));
      }
      await import('/kit/crm-realtime.bundle.js');
      window.__atImport = tags.filter((t) => customElements.get(t)).length;
      await Promise.all(tags.map((t) => customElements.whenDefined(t)));
      window.__done = true;`,
    );
    await until(page, 'window.__done === true', 'every tag');
    assert.equal(await page.evaluate('window.__atImport'), 0, 'none registered as the module ran');
    const when = (await page.evaluate('window.__registeredWhen')) as Record<string, number>;
    // src/define.ts's order: one more tag registered at each step.
    assert.deepEqual(
      TAGS.map((tag) => when[tag]),
      TAGS.map((_, i) => i + 1),
    );
  });

  test('loaded with the page, it registers every tag as its module runs', async () => {
    assert.ok(browser);
    const context = await browser.newContext();
    contexts.push(context);
    const page = await pageWithTags(
      context,
      `import '/kit/crm-realtime.bundle.js';
      const tags = ${JSON.stringify(TAGS)};
      window.__atModule = tags.filter((t) => customElements.get(t)).length;`,
    );
    await until(page, 'window.__atModule !== undefined', 'the page module');
    assert.equal(await page.evaluate('window.__atModule'), TAGS.length);
  });
});
