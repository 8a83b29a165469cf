/**
 * End to end: one connection, one truth. When the browser goes offline, the header's status, the
 * activity feed and the card's "Live" badge all say so at once (not after the heartbeat's 10 s),
 * and all come back together when the network does.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { closeDemo, openAs, openDemo } from './helpers/browser.js';
import type { TestServer } from './helpers/server.js';

/** What the header, the feed and the badge say, once the widgets have rendered. */
async function whatTheySay(page: Page) {
  // No helper functions inside: the page gets the source as is, without the test's bundler glue.
  const raw = await page.evaluate(async () => {
    const status = document.querySelector('crm-connection-status') as
      (HTMLElement & { updateComplete: Promise<boolean> }) | null;
    const feed = document.querySelector('crm-activity-feed') as
      (HTMLElement & { updateComplete: Promise<boolean> }) | null;
    await status?.updateComplete;
    await feed?.updateComplete;
    return {
      header: status?.shadowRoot?.querySelector('[part~="label"]')?.textContent ?? '',
      feed: feed?.shadowRoot?.querySelector('[part~="note"]')?.textContent ?? '',
      badge: document.querySelector('.live-dot')?.textContent ?? '',
    };
  });
  const clean = (text: string) => text.replace(/\s+/g, ' ').trim();
  return { header: clean(raw.header), feed: clean(raw.feed), badge: clean(raw.badge) };
}

describe('the connection, as every part of a page shows it', () => {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];

  before(async () => {
    ({ server, browser } = await openDemo());
  });

  after(() => closeDemo(contexts, browser, server));

  test('offline: header, feed and badge say "Offline" at once, and recover together', async () => {
    assert.ok(server && browser);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const { page } = await openAs(context, server.origin, '/dashboard.html', 'ana');
    const header = page.locator('crm-connection-status [part~="label"]');
    await header.getByText('Connected').waitFor({ timeout: 10_000 });
    await page.locator('.live-dot').getByText('Live').waitFor();
    assert.deepEqual(await whatTheySay(page), { header: 'Connected', feed: '', badge: 'Live' });

    // Wait for the page's own `offline` event, then look: no time for a heartbeat to notice.
    const wentOffline = page.evaluate(
      () =>
        new Promise<void>((resolve) =>
          window.addEventListener('offline', () => resolve(), { once: true }),
        ),
    );
    await context.setOffline(true);
    await wentOffline;
    assert.deepEqual(await whatTheySay(page), {
      header: 'Offline',
      feed: 'Offline',
      badge: 'Offline',
    });

    await context.setOffline(false);
    await header.getByText('Connected').waitFor({ timeout: 10_000 });
    await page.locator('.live-dot').getByText('Live').waitFor();
    assert.deepEqual(await whatTheySay(page), { header: 'Connected', feed: '', badge: 'Live' });
  });
});
