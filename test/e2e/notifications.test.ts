/**
 * End to end: notifications and activity in the demo, in real Chromium against the real reference
 * server (`--dev`, so the "notify watchers on change" rule is on and the demo's customers are
 * seeded as entities).
 *
 * - Ana saves a change to a customer Ben is looking at: Ben's customer feed shows it (old → new),
 *   his notification center counts it and toasts it, and the dashboard's global feed of a third
 *   person shows it too.
 * - Ben is away while three notifications are sent to him: when he opens the CRM again the badge
 *   says 3 and the panel lists all three as new.
 * - Screenshots of the dashboard and of the customer page with the panel open, in test-artifacts/.
 *
 * People are separate browser contexts (own profiles), so each is one device.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { ensureArtifacts, closeDemo, injectAxe, openDemo, openAs } from './helpers/browser.js';
import { waitForPeople, waitUntil } from './helpers/presence.js';
import type { TestServer } from './helpers/server.js';

/** The HTTP API key of the spawned server (given, so the test does not parse its banner). */
const API_KEY = 'e2e-notifications-key-0123456789';
const ANA = 'Ana Souza';
const BEN = 'Ben Carter';

/** The header's notification center. */
const center = (page: Page): Locator => page.locator('crm-notification-center');
/** The page's activity feed articles (the feed's windowing keeps the newest in the DOM). */
const articles = (page: Page): Locator => page.locator('crm-activity-feed article[part~="item"]');

/** What the bell's badge shows ('' when hidden). */
async function badge(page: Page): Promise<string> {
  return center(page)
    .locator('[part~="badge"]')
    .evaluate((el) => ((el as HTMLElement).hidden ? '' : (el.textContent ?? '').trim()));
}

/** How many of `user`'s notifications the server holds unread. */
async function serverUnread(origin: string, user: string): Promise<number> {
  const response = await fetch(`${origin}/api/notifications?user=${user}&limit=1`, {
    headers: { authorization: `Bearer ${API_KEY}` },
    signal: AbortSignal.timeout(5000),
  });
  assert.ok(response.ok, `GET /api/notifications: ${response.status}`);
  return ((await response.json()) as { unread: number }).unread;
}

/** The texts of the feed's articles, newest first, whitespace collapsed. */
async function feedTexts(page: Page): Promise<string[]> {
  return articles(page).evaluateAll((items) =>
    items.map((a) => (a.textContent ?? '').replace(/\s+/g, ' ').trim()),
  );
}

/** axe-core's violations on the page (axe comes with @open-wc/testing), as readable lines. */
async function axeViolations(page: Page): Promise<string[]> {
  await injectAxe(page);
  return page.evaluate(async () => {
    type AxeResults = { violations: { id: string; nodes: { target: string[] }[] }[] };
    const axe = (window as unknown as { axe: { run(n: Node): Promise<AxeResults> } }).axe;
    const result = await axe.run(document);
    return result.violations.map(
      (v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
  });
}

/**
 * Saves fields of an entity as the page's person, through the page's own realtime client (what
 * the demo's form does on save): a client change, so the server's watcher rule applies.
 */
async function saveAs(page: Page, type: string, id: string, fields: Record<string, unknown>) {
  return page.evaluate(
    async ({ type, id, fields }) => {
      const provider = document.querySelector('crm-realtime-provider') as unknown as {
        client: {
          liveData(o: { entityType: string; entityId: string }): {
            status: string;
            subscribe(l: (s: { status: string }) => void): () => void;
            update(f: Record<string, unknown>): Promise<{ state: string }>;
            release(): void;
          };
        };
      };
      const live = provider.client.liveData({ entityType: type, entityId: id });
      await new Promise<void>((resolve) => {
        if (live.status === 'ready') return resolve();
        const off = live.subscribe((s) => {
          if (s.status === 'ready') {
            off();
            resolve();
          }
        });
      });
      const info = await live.update(fields);
      live.release();
      return info.state;
    },
    { type, id, fields },
  );
}

describe('notifications and activity in the demo (real server, real browser)', () => {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];

  before(async () => {
    ({ server, browser } = await openDemo({ env: { CRM_API_KEYS: API_KEY } }));
  });

  after(() => closeDemo(contexts, browser, server));

  async function person(colorScheme: 'light' | 'dark' = 'light'): Promise<BrowserContext> {
    assert.ok(browser);
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      colorScheme,
    });
    contexts.push(context);
    return context;
  }

  async function open(context: BrowserContext, who: string, path: string) {
    assert.ok(server);
    const opened = await openAs(context, server.origin, path, who);
    await opened.page.waitForFunction(
      () =>
        document.querySelector('crm-connection-status')?.getAttribute('state') === 'open' &&
        customElements.get('crm-notification-center') !== undefined,
      undefined,
      { timeout: 10_000 },
    );
    return opened;
  }

  async function sendNotification(body: unknown): Promise<{ recipients: number }> {
    assert.ok(server);
    const response = await fetch(`${server.origin}/api/notifications`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });
    assert.equal(response.status, 201, await response.clone().text());
    return (await response.json()) as { recipients: number };
  }

  test(
    "Ana's save appears in Ben's customer feed and notification center, and on the dashboard",
    { timeout: 60_000 },
    async () => {
      const room = 'customer:42';
      const ana = await open(await person(), 'ana', '/customer.html?id=42');
      const ben = await open(await person(), 'ben', '/customer.html?id=42');
      const chloe = await open(await person(), 'chloe', '/dashboard.html');
      // Ben must be in the customer's room for the watcher notification to reach him.
      await waitForPeople(ana.page, room, [BEN]);
      await waitForPeople(ben.page, room, [ANA]);
      assert.equal(await badge(ben.page), '', 'Ben starts with no unread notification');
      // Everyone's feeds have loaded (empty or not) before the save, so what follows is live.
      for (const page of [ben.page, chloe.page]) {
        await page.waitForFunction(
          () =>
            (
              document.querySelector('crm-activity-feed') as unknown as {
                snapshot?: { loaded: boolean };
              } | null
            )?.snapshot?.loaded === true,
          undefined,
          { timeout: 10_000 },
        );
      }

      const state = await saveAs(ana.page, 'customer', '42', { status: 'At risk' });
      assert.equal(state, 'confirmed');

      // Ben's customer feed: who, what, old → new.
      const benFeed = await waitUntil(
        () => feedTexts(ben.page),
        (texts) => texts.some((t) => t.includes(ANA) && t.includes('At risk')),
        { what: "Ana's change in Ben's customer feed" },
      );
      const item = articles(ben.page).filter({ hasText: 'At risk' }).first();
      assert.equal(await item.locator('[part~="value-from"]').first().innerText(), 'Qualified');
      assert.equal(await item.locator('[part~="value-to"]').first().innerText(), 'At risk');
      assert.match(benFeed[0] ?? '', /Ana Souza/);

      // Ben's notification center: a badge of 1 and a toast naming Ana and the customer by its
      // company, as the page, the feed and the conflict dialog do.
      await waitUntil(
        () => badge(ben.page),
        (text) => text === '1',
        { what: "Ben's badge to say 1" },
      );
      const toast = center(ben.page).locator('[part~="toast"]').first();
      await toast.waitFor({ state: 'visible', timeout: 5000 });
      assert.match(await toast.innerText(), /Ana Souza updated Northwind Logistics: Status/);
      assert.deepEqual(ben.errors, []);

      // Ana, the author, is not notified of her own change.
      assert.equal(await badge(ana.page), '');

      // The dashboard's global feed of a third person shows it as well.
      await waitUntil(
        () => feedTexts(chloe.page),
        (texts) => texts.some((t) => t.includes(ANA) && t.includes('At risk')),
        { what: "Ana's change in Chloé's global feed" },
      );
      assert.deepEqual(chloe.errors, []);
    },
  );

  test(
    'someone away while three notifications arrive finds all three unread on return',
    { timeout: 60_000 },
    async () => {
      const benBrowser = await person();
      const first = await open(benBrowser, 'ben', '/');
      // Ben reads whatever earlier tests left him, then goes away. The page must have loaded what
      // the server holds first: "mark all read" on a center that shows nothing unread does nothing.
      const held = await serverUnread(server!.origin, 'ben');
      await waitUntil(
        () => badge(first.page),
        (text) => text === (held === 0 ? '' : String(held)),
        { what: `Ben's badge to show the ${held} the server holds` },
      );
      await center(first.page).evaluate((el) =>
        (el as unknown as { markAllRead(): void }).markAllRead(),
      );
      await waitUntil(
        () => badge(first.page),
        (text) => text === '',
        { what: 'badge cleared' },
      );
      // Closing the page before the server has it would leave them unread.
      await waitUntil(
        () => serverUnread(server!.origin, 'ben'),
        (n) => n === 0,
        { what: 'the server to hold them read before Ben leaves', timeout: 5000 },
      );
      await first.page.close();

      const titles = ['Contract signed', 'Call back Northwind', 'Renewal at risk'];
      const types = ['success', 'info', 'warning'] as const;
      for (const [i, title] of titles.entries()) {
        const sent = await sendNotification({
          target: { user: 'ben' },
          type: types[i],
          priority: i === 2 ? 'high' : 'normal',
          title,
          message: `Notification ${i + 1} of 3 while Ben was away`,
          entity: { type: 'customer', id: '42', label: 'Northwind Logistics' },
          from: { id: 'ana', name: ANA },
        });
        assert.equal(sent.recipients, 1);
      }

      const back = await open(benBrowser, 'ben', '/');
      await waitUntil(
        () => badge(back.page),
        (text) => text === '3',
        { what: "Ben's badge to say 3" },
      );
      const unread = await center(back.page).evaluate((el) =>
        (el as unknown as { items: { title: string; read: boolean }[] }).items
          .filter((n) => !n.read)
          .map((n) => n.title),
      );
      assert.deepEqual(unread, [...titles].reverse(), 'newest first, all unread');
      // History is not toasted: only live arrivals are.
      assert.equal(await center(back.page).locator('[part~="toast"]').count(), 0);

      await center(back.page).locator('[part~="bell"]').click();
      const items = center(back.page).locator('[part~="item"]');
      await waitUntil(
        () => items.evaluateAll((els) => els.map((e) => e.getAttribute('part') ?? '')),
        (parts) => parts.length >= 3,
        { what: 'the panel to list the notifications' },
      );
      const shown = await items.evaluateAll((els) =>
        els.slice(0, 3).map((e) => ({
          part: e.getAttribute('part') ?? '',
          title: e.querySelector('[part~="item-title"]')?.textContent?.trim(),
        })),
      );
      assert.deepEqual(
        shown.map((s) => s.title),
        [...titles].reverse(),
      );
      for (const s of shown) assert.match(s.part, /item-unread/, `${s.title} is shown as new`);
      // Opening the panel read them (mark-read="open"): the badge clears, the server agrees.
      await waitUntil(
        () => badge(back.page),
        (text) => text === '',
        { what: 'badge cleared' },
      );
      await waitUntil(
        () => serverUnread(server!.origin, 'ben'),
        (n) => n === 0,
        { what: 'the server to hold them read', timeout: 5000 },
      );
      assert.deepEqual(back.errors, []);
      // An open panel reads whatever arrives: closed, so later notifications stay unread.
      await back.page.close();
    },
  );

  test(
    'screenshots: the dashboard, and a customer with the notification panel open',
    { timeout: 60_000 },
    async () => {
      const dir = await ensureArtifacts();
      // A lived-in CRM: backend changes, a logged call, a scheduled meeting, and news for Ben.
      const api = (method: string, path: string, body: unknown) =>
        fetch(`${server!.origin}${path}`, {
          method,
          headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(5000),
        }).then((r) => assert.ok(r.ok, `${method} ${path}: ${r.status}`));
      const chloe = { id: 'chloe', name: 'Chloé Martin' };
      const emma = { id: 'emma', name: 'Emma Lindqvist' };
      await api('PATCH', '/api/entities/customer/7', {
        fields: { value: 64000, nextStep: 'Send the revised quote' },
        actor: emma,
      });
      await api('POST', '/api/activity', {
        kind: 'call.logged',
        actor: chloe,
        entity: { type: 'customer', id: '42', label: 'Northwind Logistics' },
        customerId: '42',
        summary: 'Quarterly review: renewal likely, wants SSO before signing.',
      });
      await api('POST', '/api/activity', {
        kind: 'meeting.scheduled',
        actor: { id: 'david', name: 'David Okafor' },
        entity: { type: 'customer', id: '42', label: 'Northwind Logistics' },
        customerId: '42',
        summary: 'Security workshop with their IT team, Thursday 14:00.',
      });
      await api('PATCH', '/api/entities/customer/42', {
        fields: { nextStep: 'Book the security workshop' },
        actor: chloe,
      });
      await sendNotification({
        target: { user: 'ben' },
        type: 'error',
        priority: 'urgent',
        title: 'Northwind Logistics asks for a call today',
        message: 'Their renewal is blocked on SSO; they want to talk before 17:00.',
        entity: { type: 'customer', id: '42', label: 'Northwind Logistics' },
        from: chloe,
      });
      await sendNotification({
        target: { user: 'ben' },
        type: 'success',
        title: 'Quote accepted by Harbor & Finch',
        entity: { type: 'customer', id: '7', label: 'Harbor & Finch' },
        from: emma,
      });
      for (const scheme of ['light', 'dark'] as const) {
        const context = await person(scheme);
        const dash = await open(context, 'david', '/dashboard.html');
        await dash.page.waitForFunction(
          () =>
            (
              document.querySelector('crm-activity-feed') as unknown as {
                snapshot?: { loaded: boolean };
              } | null
            )?.snapshot?.loaded === true,
        );
        assert.ok((await articles(dash.page).count()) > 0, 'the global feed shows activity');
        await dash.page.screenshot({ path: join(dir, `dashboard-${scheme}.png`), fullPage: true });
        assert.deepEqual(await axeViolations(dash.page), [], `dashboard (${scheme})`);

        const customer = await open(context, 'ben', '/customer.html?id=42');
        await customer.page.locator('crm-activity-feed article').first().waitFor();
        await customer.page
          .locator('.activity-card')
          .screenshot({ path: join(dir, `customer-activity-${scheme}.png`) });
        await customer.page.evaluate(() => window.scrollTo(0, 0));
        await center(customer.page).locator('[part~="bell"]').click();
        await center(customer.page).locator('[part~="item"]').first().waitFor();
        if (scheme === 'light') {
          // The two sent for the screenshots are new to Ben: tinted while the panel shows them.
          const parts = await center(customer.page)
            .locator('[part~="item"]')
            .evaluateAll((els) => els.map((e) => e.getAttribute('part') ?? ''));
          assert.equal(parts.filter((p) => p.includes('item-unread')).length, 2, parts.join('|'));
        }
        assert.deepEqual(
          await axeViolations(customer.page),
          [],
          `customer page, panel open (${scheme})`,
        );
        await customer.page.screenshot({ path: join(dir, `customer-notifications-${scheme}.png`) });
        assert.deepEqual([...dash.errors, ...customer.errors], []);
      }
    },
  );
});
