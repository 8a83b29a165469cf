/**
 * End to end: a tab of a shared connection frozen by the browser (Chrome freezes background tabs:
 * the Page Lifecycle API's `freeze`). A frozen tab runs no timers and none of its socket's events,
 * yet keeps its Web Locks and still takes `BroadcastChannel` messages, so a frozen leader tab
 * would hold the socket, and the leadership, of every other tab while their saves hang. Frozen
 * through the DevTools protocol (`Page.setWebLifecycleState`), as Chrome does it:
 *
 * - the leader gets its `freeze` event: it hands the socket over, the other tab goes on (a save
 *   from it reaches a person in another browser, once), and when it resumes it rejoins as a
 *   follower, with one socket for the browser;
 * - the leader freezes without running its `freeze` handler (a tab stopped without notice): the
 *   others find it unresponsive and take the leadership from it; resumed, it gives its socket up;
 * - a SharedWorker holds the socket: a frozen tab is left out until it resumes, the others go on.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchFreezableBrowser, openAs, setLifecycle } from './helpers/browser.js';
import { waitUntil } from './helpers/presence.js';
import { socketsOpen, tabsOf } from './helpers/shared-tabs.js';
import { startServer, type TestServer } from './helpers/server.js';

const API_KEY = 'e2e-frozen-tab-key-5d1c8e2a9b';

/** A field of a customer as the page's client holds it. */
function fieldOn(page: Page, id: string, field: string): Promise<unknown> {
  return page.evaluate(
    ({ id, field }) => {
      const provider = document.querySelector('crm-realtime-provider') as unknown as {
        client: { liveData(o: object): { data: Record<string, unknown>; release(): void } };
      };
      const live = provider.client.liveData({ entityType: 'customer', entityId: id });
      const value = live.data[field];
      live.release();
      return value;
    },
    { id, field },
  );
}

/**
 * Saves fields from the page without waiting in the page: the outcome's state lands in
 * `window.__saved`, so a save that never completes shows as a timeout of the test's wait.
 */
function startSave(page: Page, id: string, fields: Record<string, string>): Promise<void> {
  return page.evaluate(
    ({ id, fields }) => {
      const provider = document.querySelector('crm-realtime-provider') as unknown as {
        client: { liveData(o: object): { update(f: object): Promise<{ state: string }> } };
      };
      const live = provider.client.liveData({ entityType: 'customer', entityId: id });
      const w = window as unknown as { __saved?: string };
      delete w.__saved;
      void live.update(fields).then((outcome) => (w.__saved = outcome.state));
    },
    { id, fields },
  );
}

function saved(page: Page): Promise<string | undefined> {
  return page.evaluate(() => (window as unknown as { __saved?: string }).__saved);
}

describe('a frozen tab of a shared connection (real server, real browser)', () => {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  let closeBrowser: (() => Promise<void>) | undefined;

  before(async () => {
    server = await startServer({ graceMs: 1_000, env: { CRM_API_KEYS: API_KEY } });
    const kit = await fetch(`${server.origin}/kit/crm-realtime.bundle.js`);
    assert.equal(kit.status, 200, 'the built kit is missing: run `npm run build` first');
    ({ browser, close: closeBrowser } = await launchFreezableBrowser());
  });

  after(async () => {
    await closeBrowser?.();
    await server?.dispose();
  });

  const others: BrowserContext[] = [];
  // Each test starts from a browser of Ana's with no tab of the customer open, even after a
  // failure left one frozen.
  afterEach(async () => {
    for (const page of browser?.contexts()[0]?.pages() ?? []) {
      if (page.url() === 'about:blank') continue;
      await setLifecycle(page, 'active').catch(() => {});
      await page.close({ runBeforeUnload: true });
    }
    await Promise.allSettled(others.splice(0).map((context) => context.close()));
  });

  /** Another person's browser: nothing shared with Ana's. */
  async function otherBrowser(): Promise<BrowserContext> {
    assert.ok(browser);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    others.push(context);
    return context;
  }

  /** Ana's browser, whose tabs can be frozen. */
  function anasBrowser(): BrowserContext {
    const context = browser?.contexts()[0];
    assert.ok(context);
    return context;
  }

  async function tab(context: BrowserContext, who: string, id: number, shared?: string) {
    assert.ok(server);
    const params: Record<string, string> = { reconnect: '200' };
    if (shared !== undefined) params['shared'] = shared;
    const { page, errors } = await openAs(
      context,
      server.origin,
      `/customer.html?id=${id}`,
      who,
      params,
    );
    await page.locator('crm-connection-status[state="open"]').waitFor({ timeout: 15_000 });
    return { page, errors };
  }

  async function version(id: number): Promise<number> {
    const response = await fetch(`${server!.origin}/api/entities/customer/${id}`, {
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    return ((await response.json()) as { entity: { version: number } }).entity.version;
  }

  /**
   * Ben watches customer `id` from his own browser; Ana has it open in two tabs sharing one
   * socket (`shared`), the first one holding it when there is a leader. Ana's first tab is frozen
   * (`withEvent`: it runs its `freeze` handler first); her second saves a field, which must
   * reach Ben once, and Ben's save must reach her second tab. Then the first resumes.
   */
  async function frozenTab(shared: string, id: number, withEvent: boolean, within: number) {
    assert.ok(server);
    const room = `customer:${id}`;
    const bens = await otherBrowser();
    const ben = await tab(bens, 'ben', id);
    const before = await socketsOpen(server);
    const ana = anasBrowser();
    const first = await tab(ana, 'ana', id, shared); // the first tab wins the election
    const second = await tab(ana, 'ana', id, shared);
    assert.equal(await socketsOpen(server), before + 1, 'two tabs, one socket');
    await waitUntil(
      () => tabsOf(ben.page, room, 'ana'),
      (n) => n === 2,
      { what: 'Ana in 2 tabs' },
    );
    const was = await version(id);

    if (!withEvent) {
      // The page's own `freeze` listeners never run: as for a tab stopped without notice.
      await first.page.evaluate(() =>
        window.addEventListener('freeze', (event) => event.stopImmediatePropagation(), true),
      );
    }
    await setLifecycle(first.page, 'frozen');

    // Ana's other tab goes on: her save reaches Ben, and Ben's reaches her.
    await startSave(second.page, String(id), { email: `frozen-${id}@example.test` });
    await waitUntil(
      () => saved(second.page),
      (s) => s === 'confirmed',
      { what: "the save of Ana's tab that is not frozen", timeout: within },
    );
    await waitUntil(
      () => fieldOn(ben.page, String(id), 'email'),
      (v) => v === `frozen-${id}@example.test`,
      { what: "Ana's save on Ben's page" },
    );
    await startSave(ben.page, String(id), { phone: '+1 555 0199' });
    await waitUntil(
      () => fieldOn(second.page, String(id), 'phone'),
      (v) => v === '+1 555 0199',
      { what: "Ben's save on Ana's tab that is not frozen" },
    );
    assert.equal(await version(id), was + 2, 'each save applied once');

    // The frozen tab comes back: it catches up, and Ana holds one socket again.
    await setLifecycle(first.page, 'active');
    await first.page.locator('crm-connection-status[state="open"]').waitFor({ timeout: 15_000 });
    await waitUntil(
      () => fieldOn(first.page, String(id), 'email'),
      (v) => v === `frozen-${id}@example.test`,
      { what: "Ana's save on her resumed tab" },
    );
    await waitUntil(
      () => socketsOpen(server!),
      (n) => n === before + 1,
      { what: 'one socket for Ana again', timeout: 15_000 },
    );
    await waitUntil(
      () => tabsOf(ben.page, room, 'ana'),
      (n) => n === 2,
      { what: 'Ana in 2 tabs again', timeout: 15_000 },
    );
    // And her two tabs still share it: a save from the resumed tab reaches the other and Ben.
    await startSave(first.page, String(id), { nextStep: 'After the freeze' });
    for (const page of [second.page, ben.page]) {
      await waitUntil(
        () => fieldOn(page, String(id), 'nextStep'),
        (v) => v === 'After the freeze',
        { what: "the resumed tab's save" },
      );
    }
    assert.equal(await version(id), was + 3, 'applied once');
    assert.equal(await socketsOpen(server), before + 1, 'still one socket for Ana');
    // Chrome closes the socket of a page it freezes, and says so in its console: the page's own
    // `freeze` handler closes it first when it runs.
    const browsers = /WebSocket connection to .* failed: Page entered Back-Forward Cache/;
    for (const t of [first, second]) {
      assert.deepEqual(
        t.errors.filter((e) => withEvent || !browsers.test(e)),
        [],
      );
    }
  }

  test(
    'shared-connection="leader": the leader tab is frozen; the other tab goes on, and the leader rejoins when it resumes',
    { timeout: 90_000 },
    () => frozenTab('leader', 52, true, 10_000),
  );

  test(
    'shared-connection="leader": the leader tab is frozen without running its freeze handler; the other tab takes over',
    { timeout: 90_000 },
    () => frozenTab('leader', 58, false, 30_000),
  );

  test(
    'shared-connection (a SharedWorker): a tab is frozen; the other goes on, and the frozen one rejoins when it resumes',
    { timeout: 90_000 },
    () => frozenTab('', 47, true, 10_000),
  );
});
