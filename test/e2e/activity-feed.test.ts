/**
 * End to end: the dashboard's activity feed after "Clear filters". Filter by a person, pick
 * "Changes" (nothing matches), clear the filters, scroll the page: every item in view is drawn,
 * with no blank strip where items should be (the feed once drew 6 of 30 until it was scrolled).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { closeDemo, openDemo, openAs } from './helpers/browser.js';
import type { TestServer } from './helpers/server.js';

const API_KEY = 'e2e-activity-feed-key-0123456789';

/** Two animation frames and the feed's pending render: what a scroll leads to has happened. */
async function settled(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const feed = document.querySelector('crm-activity-feed') as
      (Element & { updateComplete: Promise<unknown> }) | null;
    for (let i = 0; i < 2; i++) {
      await new Promise((resolve) => requestAnimationFrame(resolve));
      await feed?.updateComplete;
    }
  });
}

/**
 * The part of the feed's list in view (inside its scroller and the window), and how much of it
 * the drawn articles leave blank above and below.
 */
function coverage(page: Page) {
  return page.evaluate(() => {
    const root = document.querySelector('crm-activity-feed')!.shadowRoot!;
    const list = root.querySelector('[role="feed"]')!.getBoundingClientRect();
    const box = root.querySelector('.scroller')!.getBoundingClientRect();
    const top = Math.max(list.top, box.top, 0);
    const bottom = Math.min(list.bottom, box.bottom, window.innerHeight);
    const drawn = [...root.querySelectorAll('[role="feed"] > article:not(.pinned)')];
    const first = drawn[0]!.getBoundingClientRect();
    const last = drawn.at(-1)!.getBoundingClientRect();
    return {
      visible: bottom - top,
      gapAbove: Math.max(0, first.top - top),
      gapBelow: Math.max(0, bottom - last.bottom),
      drawn: drawn.length,
      setsize: drawn[0]!.getAttribute('aria-setsize'),
    };
  });
}

describe('the dashboard activity feed after "Clear filters"', () => {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];

  before(async () => {
    ({ server, browser } = await openDemo({ env: { CRM_API_KEYS: API_KEY } }));
  });

  after(() => closeDemo(contexts, browser, server));

  test('a page scroll shows every item in view, no blank strip', { timeout: 60_000 }, async () => {
    assert.ok(server && browser);
    // A saved change, so the feed offers "Changes" (the seeded history is calls and meetings).
    const response = await fetch(`${server.origin}/api/entities/customer/7`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        fields: { nextStep: 'Send the revised quote' },
        actor: { id: 'emma', name: 'Emma Lindqvist' },
      }),
      signal: AbortSignal.timeout(5000),
    });
    assert.ok(response.ok, `PATCH /api/entities/customer/7: ${response.status}`);

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    contexts.push(context);
    const { page, errors } = await openAs(context, server.origin, '/dashboard.html', 'chloe');
    const feed = page.locator('crm-activity-feed');
    await feed.locator('article').first().waitFor({ timeout: 10_000 });

    await feed.getByRole('combobox').selectOption('ana');
    await feed.getByRole('button', { name: 'Changes' }).click();
    await feed.getByRole('button', { name: 'Clear filters' }).click();
    await feed.locator('article').first().waitFor({ timeout: 10_000 });
    await settled(page);

    const scrolled = await page.evaluate(() => {
      const before = window.scrollY;
      window.scrollBy(0, 250);
      return window.scrollY - before;
    });
    assert.equal(scrolled, 250, 'the dashboard scrolls by 250 px');
    await settled(page);

    const seen = await coverage(page);
    assert.ok(seen.visible > 100, `some of the feed is in view: ${JSON.stringify(seen)}`);
    assert.ok(seen.gapAbove < 1, `no blank strip above the items: ${JSON.stringify(seen)}`);
    assert.ok(seen.gapBelow < 1, `no blank strip below the items: ${JSON.stringify(seen)}`);
    assert.deepEqual(errors, []);
  });
});
