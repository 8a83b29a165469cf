/**
 * End to end: the newcomer's path through the demo. Open the page, press "Open as …" in the hint,
 * see each other; switch person with the header's switcher.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { closeDemo, injectAxe, openDemo, openAs } from './helpers/browser.js';
import { avatarOf, presenceOf, waitForPeople } from './helpers/presence.js';
import type { TestServer } from './helpers/server.js';

/** The page at `width` × `height`, laid out at that size: two frames after the resize. */
async function resizeTo(page: Page, width: number, height: number): Promise<void> {
  await page.setViewportSize({ width, height });
  await page.evaluate(
    () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))),
  );
}

describe('the demo as a newcomer meets it', () => {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];

  before(async () => {
    ({ server, browser } = await openDemo({ graceMs: 1000 }));
  });

  after(() => closeDemo(contexts, browser, server));

  async function person(): Promise<BrowserContext> {
    assert.ok(browser);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    return context;
  }

  test(
    '"Open as …" opens a window as the next person and both see each other',
    { timeout: 30_000 },
    async () => {
      assert.ok(server);
      const context = await person();
      const { page: ana } = await openAs(context, server.origin, '/customer.html?id=52', 'ana');
      const room = 'customer:52';
      await presenceOf(ana, room).getByText('Only you here').waitFor({ timeout: 10_000 });

      const link = ana.getByRole('link', { name: 'Open as Ben Carter' });
      const [ben] = await Promise.all([context.waitForEvent('page'), link.click()]);
      await ben.waitForLoadState();
      assert.equal(new URL(ben.url()).searchParams.get('as'), 'ben');
      assert.equal(new URL(ben.url()).searchParams.get('id'), '52');

      await waitForPeople(ana, room, ['Ben Carter']);
      await waitForPeople(ben, room, ['Ana Souza']);
      // Each window keeps its own person.
      assert.equal(await ana.locator('#identity-select').inputValue(), 'ana');
      assert.equal(await ben.locator('#identity-select').inputValue(), 'ben');
    },
  );

  test('the switcher changes who you are, for the others too', { timeout: 30_000 }, async () => {
    assert.ok(server);
    const { page: me } = await openAs(await person(), server.origin, '/customer.html?id=58', 'ana');
    const { page: other } = await openAs(
      await person(),
      server.origin,
      '/customer.html?id=58',
      'emma',
    );
    const room = 'customer:58';
    await waitForPeople(other, room, ['Ana Souza']);

    await Promise.all([me.waitForURL(/as=david/), me.selectOption('#identity-select', 'david')]);
    assert.equal(await me.locator('#identity-select').inputValue(), 'david');
    // Ana's connection went with the page she left; after the grace period only David remains.
    await waitForPeople(other, room, ['David Okafor'], 10_000);
    await waitForPeople(me, room, ['Emma Lindqvist']);

    // A plain visit in the same browser (no `?as=`) remembers the choice.
    await me.goto(`${server.origin}/customer.html?id=58`);
    assert.equal(await me.locator('#identity-select').inputValue(), 'david');
    assert.equal(await avatarOf(other, room, 'Ana Souza').count(), 0);
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    test(
      `both pages pass axe with someone on them (${colorScheme})`,
      { timeout: 30_000 },
      async () => {
        assert.ok(server && browser);
        // axe-core comes with @open-wc/testing, the browser tests' own accessibility check.
        for (const [path, room] of [
          ['/', undefined],
          ['/customer.html?id=31', 'customer:31'],
        ] as const) {
          await openAs(await person(), server.origin, path, 'ben');
          const context = await browser.newContext({ colorScheme });
          contexts.push(context);
          const { page } = await openAs(context, server.origin, path, 'ana');
          // The presence row is part of what is checked.
          const row = room
            ? presenceOf(page, room).getByRole('img')
            : page.locator('crm-presence:not([room-id])').getByRole('img');
          await row.first().waitFor({ timeout: 10_000 });
          await injectAxe(page);
          const violations = await page.evaluate(async () => {
            const axe = (window as unknown as { axe: { run(n: Node): Promise<AxeResults> } }).axe;
            type AxeResults = { violations: { id: string; nodes: { target: string[] }[] }[] };
            const result = await axe.run(document);
            return result.violations.map(
              (v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
            );
          });
          assert.deepEqual(violations, [], `${path} (${colorScheme})`);
        }
      },
    );
  }

  test('on a phone, the logo link keeps its name', { timeout: 60_000 }, async () => {
    assert.ok(server && browser);
    // Lighthouse's mobile screen: the header hides the brand's text next to the logo.
    const context = await browser.newContext({ viewport: { width: 412, height: 823 } });
    contexts.push(context);
    for (const path of ['/', '/customer.html?id=31', '/dashboard.html']) {
      const { page } = await openAs(context, server.origin, path, 'ana');
      assert.equal(
        await page.getByRole('link', { name: /^Meridian\s*CRM$/ }).count(),
        1,
        `${path}: the logo link is named`,
      );
    }
  });

  test(
    "on a phone the header's section links show, are big enough to tap and lead to their page",
    { timeout: 60_000 },
    async () => {
      assert.ok(server && browser);
      // Below 720 px the sections were hidden: a phone had no way from one page to another.
      const sections = ['Dashboard', 'Customers', 'Deals', 'Reports'];
      const pages = [
        { path: '/', current: 'Customers' },
        { path: '/customer.html?id=31', current: 'Customers' },
        { path: '/dashboard.html', current: 'Dashboard' },
      ];
      for (const width of [320, 375]) {
        const context = await browser.newContext({
          viewport: { width, height: 640 },
          hasTouch: true,
        });
        contexts.push(context);
        for (const { path, current } of pages) {
          const at = `${path} at ${width} px`;
          const { page } = await openAs(context, server.origin, path, 'ana');
          const nav = page.getByRole('navigation', { name: 'Main' });
          for (const name of sections) {
            const link = nav.getByRole('link', { name, exact: true });
            assert.ok(await link.isVisible(), `${at}: ${name} is shown`);
            // A row too narrow for the four may scroll sideways inside itself, never the page.
            await link.scrollIntoViewIfNeeded();
            const box = await link.boundingBox();
            assert.ok(box, `${at}: ${name} has a box`);
            assert.ok(box.x >= 0 && box.x + box.width <= width, `${at}: ${name} is in the window`);
            assert.ok(box.y >= 0 && box.y + box.height <= 640, `${at}: ${name} is in the window`);
            // WCAG 2.5.8: a target at least 24 by 24 CSS px.
            assert.ok(
              box.height >= 24 && box.width >= 24,
              `${at}: ${name} is ${box.height} px tall`,
            );
            assert.equal(
              await page.evaluate(() => window.scrollX),
              0,
              `${at}: the page kept still`,
            );
          }
          // The page you are on stays marked, to the eye as well as to a screen reader.
          const marked = nav.locator('a[aria-current="page"]');
          assert.equal(await marked.textContent(), current, `${at}: the current page`);
          const underline = await marked.evaluate((a) => {
            const style = getComputedStyle(a);
            return { width: parseFloat(style.borderBottomWidth), color: style.borderBottomColor };
          });
          assert.ok(underline.width >= 2, `${at}: the current page is underlined`);
          assert.notEqual(underline.color, 'rgba(0, 0, 0, 0)', `${at}: the underline shows`);
          // The sticky header keeps two rows (logo and tools, the tabs): it covers the page.
          const header = await page.locator('header').boundingBox();
          assert.ok(
            header && header.height <= 100,
            `${at}: the header is ${header?.height} px tall`,
          );
        }
        // Following a section goes there, and marks it.
        const { page } = await openAs(context, server.origin, '/dashboard.html', 'ana');
        const customers = page
          .getByRole('navigation', { name: 'Main' })
          .getByRole('link', { name: 'Customers', exact: true });
        await Promise.all([page.waitForURL((url) => url.pathname === '/'), customers.tap()]);
        await page
          .getByRole('navigation', { name: 'Main' })
          .locator('a[aria-current="page"]', { hasText: 'Customers' })
          .waitFor();
      }
    },
  );

  test(
    'from 320 to 1440 px wide nothing scrolls sideways, leaves the window or is cut short',
    { timeout: 120_000 },
    async () => {
      assert.ok(server && browser);
      // WCAG 1.4.10 (reflow): a 320 CSS px wide window shows everything without scrolling
      // sideways (1280 px zoomed to 400 %), and so does every width above it: a layout that fits
      // a phone and a desktop can still overflow in between (the header did, from 721 to about
      // 1070 px, on a 768 px tablet). Every 40 px, plus the edges of the page's breakpoints
      // (560, 640, 720, 960, 1120) and the widths where the header was too wide.
      const widths = [
        ...Array.from({ length: 29 }, (_, i) => 320 + 40 * i),
        561,
        565,
        569,
        641,
        721,
        768,
        961,
        1024,
        1041,
        1060,
        1071,
        1121,
      ].sort((a, b) => a - b);
      const context = await browser.newContext({ viewport: { width: 320, height: 640 } });
      contexts.push(context);
      const pages = [
        {
          path: '/dashboard.html',
          // The figures and both side lists, read from the server.
          ready: () =>
            ['[data-stats]', '[data-attention]', '[data-upcoming]'].every(
              (list) => document.querySelector(list)?.getAttribute('aria-busy') === 'false',
            ),
        },
        {
          path: '/customer.html?id=31',
          // The form, filled with the customer's values.
          ready: () => !!document.querySelector<HTMLInputElement>('[name="company"]')?.value,
        },
      ];
      for (const { path, ready } of pages) {
        // Checked once each page shows its data and its widgets, which is what overflowed: the
        // dashboard's side lists and figures, the customer's form, the header's widgets.
        const { page } = await openAs(context, server.origin, path, 'ana');
        await page.waitForFunction(ready);
        await page.locator('crm-activity-feed article').first().waitFor();
        await page.waitForFunction(
          () => document.querySelector('crm-connection-status')?.getAttribute('state') === 'open',
        );
        const problems: string[] = [];
        for (const width of widths) {
          await resizeTo(page, width, 640);
          const found = await page.evaluate(() => {
            const inner = document.documentElement.clientWidth;
            const past = [...document.querySelectorAll('header *, main *')]
              .filter((el) => {
                const box = el.getBoundingClientRect();
                return box.width > 0 && (box.left < -0.5 || box.right > inner + 0.5);
              })
              .map(
                (el) =>
                  `${el.tagName.toLowerCase()}.${el.className} (${el.textContent?.trim().slice(0, 40)})`,
              );
            // The header's ends keep the page's gutter: a row too wide for the header first
            // eats its padding, before the page scrolls.
            const header = document.querySelector('header');
            const padding = header ? getComputedStyle(header) : undefined;
            const start = parseFloat(padding?.paddingLeft ?? '0');
            const end = inner - parseFloat(padding?.paddingRight ?? '0');
            const crowded = [
              ...document.querySelectorAll('header > .brand, header > .topbar-tools'),
            ]
              .filter((el) => {
                const box = el.getBoundingClientRect();
                return box.left < start - 0.5 || box.right > end + 0.5;
              })
              .map((el) => el.className);
            // Text cut short inside its own box: an ellipsis, a field showing part of its value.
            const cut = [
              ...document.querySelectorAll<HTMLElement>(
                '.stat-label, .stat-value, .mini-item .stacked > span, .form-field input, .form-field select',
              ),
            ]
              .filter((el) => el.scrollWidth > el.clientWidth + 1)
              .map(
                (el) =>
                  `${el.tagName.toLowerCase()}.${el.className} (${'value' in el ? el.value : el.textContent?.trim()})`,
              );
            return { scrollWidth: document.documentElement.scrollWidth, inner, past, crowded, cut };
          });
          assert.equal(found.inner, width, `${path}: the window's width`);
          if (found.scrollWidth > width) problems.push(`${width}: ${found.scrollWidth} px wide`);
          if (found.past.length) problems.push(`${width}: past the edge: ${found.past.join('; ')}`);
          if (found.crowded.length) problems.push(`${width}: in the gutter: ${found.crowded}`);
          if (found.cut.length) problems.push(`${width}: cut short: ${found.cut.join('; ')}`);
        }
        // Every width's findings at once: a range of widths reads better than its first width.
        assert.deepEqual(problems, [], path);
      }
    },
  );

  test(
    'the customer list fits its card from a phone to a desktop: no column is hidden off to the side',
    { timeout: 60_000 },
    async () => {
      assert.ok(server && browser);
      // The table may scroll sideways inside its card, but at 568 to 984 px it did: a tablet saw
      // neither the value nor the last contact, and 360 to 384 px cut "Last contact" short.
      const widths = [360, 375, 414, 561, 568, 600, 641, 721, 724, 768, 800, 961, 984, 1024, 1121];
      // Three people on one customer: its row shows two of them and "+1" under the name, which
      // must not widen the column either.
      for (const person of ['ben', 'chloe', 'david']) {
        const other = await browser.newContext();
        contexts.push(other);
        await openAs(other, server.origin, '/customer.html?id=42', person);
      }
      const context = await browser.newContext({ viewport: { width: 360, height: 640 } });
      contexts.push(context);
      const { page } = await openAs(context, server.origin, '/', 'ana');
      await page.locator('.table tbody tr').first().waitFor();
      await page
        .locator('.name-cell crm-presence[room-id="customer:42"]')
        .getByText('+1', { exact: true })
        .waitFor();
      const problems: string[] = [];
      for (const width of widths) {
        await resizeTo(page, width, 640);
        const found = await page.evaluate(() => {
          const scroller = document.querySelector('.table-scroll');
          const shown = [...document.querySelectorAll('.table thead th')]
            .filter((th) => th.getBoundingClientRect().width > 0)
            .map((th) => th.textContent?.trim());
          return {
            overflow: scroller ? scroller.scrollWidth - scroller.clientWidth : NaN,
            shown,
          };
        });
        if (!(found.overflow <= 0)) {
          problems.push(`${width}: ${found.overflow} px hidden to the side of ${found.shown}`);
        }
        // What the list is for: who, in which state, and when they were last contacted.
        for (const column of ['Name', 'Status', 'Last contact']) {
          if (!found.shown.includes(column)) problems.push(`${width}: no ${column}`);
        }
        if (width >= 768 && !found.shown.includes('Value')) problems.push(`${width}: no Value`);
      }
      assert.deepEqual(problems, []);
    },
  );

  test(
    "a meeting's place follows its date, or goes under it whole, and its title shows in full",
    { timeout: 60_000 },
    async () => {
      assert.ok(server && browser);
      // A "·" between date and place stayed at the end of the date's line when the place went
      // under it (phones, and 961 to 1110 px where the meetings share the width), and a title
      // beside the "Upcoming" pill showed only its start on a phone ("On-site visit, Croydo").
      const context = await browser.newContext({ viewport: { width: 375, height: 740 } });
      contexts.push(context);
      const { page } = await openAs(context, server.origin, '/customer.html?id=42', 'ana');
      await page.waitForFunction(
        () => !!document.querySelector<HTMLInputElement>('[data-meetings] [name="place"]')?.value,
      );
      const problems: string[] = [];
      for (const width of [375, 414, 768, 1024, 1280]) {
        await resizeTo(page, width, 740);
        const found = await page.evaluate(() =>
          [...document.querySelectorAll('[data-meetings] .timeline-item')].flatMap((item) => {
            const title = item.querySelector<HTMLInputElement>('[name="title"]');
            const when = item.querySelector('[name="at"]');
            const place = item.querySelector('[name="place"]');
            if (!title || !when || !place) return ['a meeting without its fields'];
            const out: string[] = [];
            if (title.scrollWidth > title.clientWidth + 1) out.push(`"${title.value}" cut short`);
            // Whatever sits on the date's line after the date must come with the place. (Boxes
            // are compared inline: a named helper in a page function breaks under tsx.)
            const line = when.getBoundingClientRect();
            const shared = [...(when.parentElement?.querySelectorAll('*') ?? [])].filter((el) => {
              const box = el.getBoundingClientRect();
              return box.width > 0 && box.top < line.bottom && box.bottom > line.top;
            });
            if (!shared.includes(place)) {
              const stray = shared.filter(
                (el) => el !== when && !el.closest('.place')?.contains(place),
              );
              if (stray.length) {
                out.push(`"${stray.map((el) => el.textContent).join('')}" left beside the date`);
              }
            }
            return out.map((problem) => `${title.value}: ${problem}`);
          }),
        );
        for (const problem of found) problems.push(`${width}: ${problem}`);
      }
      assert.deepEqual(problems, []);
    },
  );

  test(
    'a long email address shows in full: its field takes the whole row when half is too narrow',
    { timeout: 60_000 },
    async () => {
      assert.ok(server && browser);
      // Half a row showed "m.holloway@northwind-logistics" of a 34-character address at 1280 px.
      const long = 'margaret.holloway@northwind-logistics.co.uk';
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      contexts.push(context);
      const { page } = await openAs(context, server.origin, '/customer.html?id=42', 'ana');
      const email = page.locator('#f-email');
      await page.waitForFunction(
        () => !!document.querySelector<HTMLInputElement>('#f-email')?.value,
      );
      const measure = () =>
        page.evaluate(() => {
          const input = document.querySelector<HTMLInputElement>('#f-email')!;
          // (No named helper in a page function: it breaks under tsx.)
          const [field, phone, city, form] = [
            '#f-email',
            '#f-phone',
            '#f-city',
            '.details-form',
          ].map((selector) => document.querySelector(selector)!.getBoundingClientRect()) as [
            DOMRect,
            DOMRect,
            DOMRect,
            DOMRect,
          ];
          return {
            hidden: input.scrollWidth - input.clientWidth,
            // Email and phone share a row, or the email has the row to itself.
            besidePhone: Math.abs(field.top - phone.top) < 1,
            // The fields after it keep two to a row.
            pairs: Math.abs(phone.top - city.top) < 1,
            inForm: field.left >= form.left - 0.5 && field.right <= form.right + 0.5,
            pageWidth: document.documentElement.scrollWidth,
          };
        });
      const problems: string[] = [];
      // Every width with two fields to a row, from the first (561 px) to a desktop's.
      for (const width of [561, 600, 768, 961, 1024, 1280, 1440]) {
        await resizeTo(page, width, 900);
        await email.fill(long);
        const found = await measure();
        if (found.hidden > 0) problems.push(`${width}: ${found.hidden} px of the address hidden`);
        if (found.besidePhone) problems.push(`${width}: the long address kept half a row`);
        if (!found.pairs) problems.push(`${width}: phone and city no longer share a row`);
        // A short address keeps its half of the row.
        await email.fill('ana@fernway.io');
        if (!(await measure()).besidePhone) problems.push(`${width}: a short address took a row`);
      }
      // On a phone each field has the row already: a longer address scrolls inside its field,
      // which stays in the card.
      for (const width of [320, 375]) {
        await resizeTo(page, width, 900);
        await email.fill(long);
        const found = await measure();
        if (!found.inForm) problems.push(`${width}: the field leaves the form`);
        if (found.pageWidth > width)
          problems.push(`${width}: the page is ${found.pageWidth} px wide`);
      }
      assert.deepEqual(problems, []);
    },
  );

  test(
    "a meeting's date field is as wide as its text, and shows its picker when focused",
    { timeout: 60_000 },
    async () => {
      assert.ok(server && browser);
      // Chromium kept room for the widest value of each part (a six-digit year) and for the
      // hidden picker icon: about 45 px of blank after "02:00 PM".
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      contexts.push(context);
      const { page } = await openAs(context, server.origin, '/customer.html?id=42', 'ana');
      await page.waitForFunction(
        () => !!document.querySelector<HTMLInputElement>('[data-meetings] [name="at"]')?.value,
      );
      // The text's box and the icon live in the field's own shadow tree, which only the
      // DevTools protocol reaches.
      const cdp = await context.newCDPSession(page);
      type DomNode = {
        nodeId: number;
        localName: string;
        attributes?: string[];
        children?: DomNode[];
        shadowRoots?: DomNode[];
      };
      const nodes = (root: DomNode): DomNode[] => [
        root,
        ...[...(root.shadowRoots ?? []), ...(root.children ?? [])].flatMap(nodes),
      ];
      const widthOf = async (node: DomNode | undefined) => {
        if (!node) return 0;
        const { model } = await cdp.send('DOM.getBoxModel', { nodeId: node.nodeId });
        return model.border[2]! - model.border[0]!;
      };
      /** Each date field: its width, its text's, the picker's, and its own padding and border. */
      const fields = async () => {
        const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
        const inputs = nodes(root as DomNode).filter(
          (n) => n.localName === 'input' && n.attributes?.includes('datetime-local'),
        );
        const edges = await page.evaluate(() =>
          [...document.querySelectorAll('[data-meetings] [name="at"]')].map((el) => {
            const s = getComputedStyle(el);
            return ['paddingLeft', 'paddingRight', 'borderLeftWidth', 'borderRightWidth']
              .map((p) => parseFloat(s[p as 'paddingLeft']))
              .reduce((a, b) => a + b);
          }),
        );
        const pseudo = (input: DomNode, name: string) =>
          nodes(input).find((n) => n.attributes?.includes(name));
        return Promise.all(
          inputs.map(async (input, i) => ({
            field: await widthOf(input),
            text: await widthOf(pseudo(input, '-webkit-datetime-edit-fields-wrapper')),
            picker: await widthOf(pseudo(input, '-webkit-calendar-picker-indicator')),
            parts: nodes(input).filter((n) => n.attributes?.includes('spinbutton')).length,
            edges: edges[i]!,
          })),
        );
      };
      const shown = await fields();
      assert.equal(shown.length, 3, 'three meetings');
      for (const { field, text, edges } of shown) {
        assert.ok(text > 100, `the text is ${text} px wide`);
        const blank = field - text - edges;
        assert.ok(
          blank <= 2,
          `${blank.toFixed(1)} px of blank beside ${text.toFixed(1)} px of text`,
        );
      }

      // Focused, the picker is there to click, and Tab reaches it after the date's last part.
      const first = page.locator('[data-meetings] [name="at"]').first();
      await first.focus();
      const [focused] = await fields();
      assert.ok(focused && focused.picker >= 12, `the picker is ${focused?.picker} px wide`);
      let stops = 1;
      for (; stops < 20; stops++) {
        await page.keyboard.press('Tab');
        if (!(await first.evaluate((el) => el === document.activeElement))) break;
      }
      assert.equal(stops, focused.parts + 1, 'each part of the date, then its picker');
    },
  );

  test('the hint shows before any script has run', { timeout: 30_000 }, async () => {
    assert.ok(server && browser);
    // The page's largest text at first paint (what Lighthouse takes for LCP): printed in the
    // page, it does not wait for the kit to download and run.
    const context = await browser.newContext({ javaScriptEnabled: false });
    contexts.push(context);
    const page = await context.newPage();
    for (const path of ['/', '/customer.html?id=31', '/dashboard.html']) {
      await page.goto(`${server.origin}${path}`);
      const hint = page.getByRole('complementary', { name: 'Try it with two people' });
      assert.match((await hint.textContent()) ?? '', /Open this page in another window/, path);
      assert.ok(await hint.locator('.hint-text').isVisible(), path);
      assert.equal(await hint.getByRole('link', { name: /^Open as / }).count(), 1, path);
    }
  });

  test("the hint's link opens the page as the person after you", { timeout: 30_000 }, async () => {
    assert.ok(server);
    const { page } = await openAs(await person(), server.origin, '/customer.html?id=31', 'ben');
    const link = page.getByRole('link', { name: /^Open as / });
    await link.filter({ hasText: 'Open as Chloé Martin' }).waitFor();
    const href = new URL((await link.getAttribute('href')) ?? '', page.url());
    assert.equal(href.searchParams.get('as'), await link.getAttribute('data-open-as'));
    assert.equal(href.searchParams.get('id'), '31');
  });

  test(
    'the keyboard through a customer page: focus never drops to the page, never under the header',
    { timeout: 90_000 },
    async () => {
      assert.ok(browser && server);
      // A desktop window, and the same window zoomed to 200 %: both ways through the page.
      for (const viewport of [
        { width: 1280, height: 900 },
        { width: 640, height: 450 },
      ]) {
        const context = await browser.newContext({ viewport });
        contexts.push(context);
        const { page } = await openAs(context, server.origin, '/customer.html?id=42', 'ana');
        await page.locator('crm-collaborative-form').first().waitFor();
        // Toasts are a layer of their own; this is about the page under them.
        await page.evaluate(() =>
          document.querySelector('crm-notification-center')?.setAttribute('no-toasts', ''),
        );
        const stop = () =>
          page.evaluate(() => {
            let active = document.activeElement;
            while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
            if (!active || active === document.body)
              return { body: true, covered: false, what: '' };
            const header = document.querySelector('.topbar')!;
            const sticky = getComputedStyle(header).position === 'sticky';
            const inHeader =
              header.contains((active.getRootNode() as ShadowRoot).host ?? active) ||
              header.contains(active);
            const box = active.getBoundingClientRect();
            const bottom = header.getBoundingClientRect().bottom;
            return {
              body: false,
              // Its middle hidden under the header that stays at the top.
              covered: sticky && !inHeader && box.top + box.height / 2 < bottom,
              what: `${active.tagName.toLowerCase()}#${active.id} "${(active.getAttribute('aria-label') ?? active.textContent ?? '').trim().slice(0, 40)}"`,
            };
          });
        const at = `${viewport.width}x${viewport.height}`;
        // Forwards from the top of the page, past the meetings' date and time fields.
        await page.locator('body').focus();
        for (let i = 0; i < 60; i++) {
          await page.keyboard.press('Tab');
          const where = await stop();
          assert.ok(!where.body, `${at}: Tab stop ${i + 1} (after ${where.what}) fell to the page`);
        }
        // Backwards from the notes, where a sticky header would hide the field above.
        await page.locator('#notes').focus();
        for (let i = 0; i < 30; i++) {
          await page.keyboard.press('Shift+Tab');
          const where = await stop();
          // Back at the page's first stop (the logo): the next would leave the page for the browser.
          if (where.what.startsWith('a#') && where.what.includes('Meridian')) break;
          assert.ok(!where.body, `${at}: Shift+Tab stop ${i + 1} fell to the page`);
          assert.ok(
            !where.covered,
            `${at}: Shift+Tab stop ${i + 1}, ${where.what}, is under the header`,
          );
        }
      }
    },
  );

  test('the sections not built yet are shown disabled, and the keyboard passes them by', async () => {
    assert.ok(server);
    const { page } = await openAs(await person(), server.origin, '/', 'ana');
    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const name of ['Deals', 'Reports']) {
      const link = nav.getByRole('link', { name, exact: true });
      assert.equal(await link.getAttribute('aria-disabled'), 'true');
      const focusable = await link.evaluate((a) => {
        (a as HTMLElement).focus();
        return document.activeElement === a;
      });
      assert.equal(focusable, false, `${name} takes no focus`);
    }
  });

  test('an unknown customer gets a clear page and no presence', { timeout: 20_000 }, async () => {
    assert.ok(server);
    const { page, errors } = await openAs(
      await person(),
      server.origin,
      '/customer.html?id=999',
      'ana',
    );
    await page.getByRole('heading', { name: 'Customer not found' }).waitFor();
    assert.equal(await page.locator('crm-presence').count(), 0);
    assert.deepEqual(errors, []);
  });
});
