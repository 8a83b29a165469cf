/**
 * End to end, from the seat of a person who just pressed Save: the link under the page died
 * without a close (a relay that silently stopped forwarding, as a dropped Wi-Fi or a stuck proxy
 * leaves it). The client probes the link behind the save, gives the socket up when the probe goes
 * unanswered, the form says the change is waiting, and the change arrives once on the next socket.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { closeDemo, openAs, openDemo } from './helpers/browser.js';
import { waitUntil } from './helpers/presence.js';
import type { TestServer } from './helpers/server.js';
import { startStallingProxy, type StallingProxy } from './helpers/stalling-proxy.js';

const API_KEY = 'e2e-dead-link-key-5b1e8c2a9d';
const FORM = 'crm-collaborative-form[data-customer-form]';

interface Seen {
  /** ms since the save was pressed. */
  at: number;
  what: string;
}

describe('a save on a link that died without a close', () => {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  let proxy: StallingProxy | undefined;
  const contexts: BrowserContext[] = [];

  before(async () => {
    ({ server, browser } = await openDemo({ env: { CRM_API_KEYS: API_KEY } }));
    proxy = await startStallingProxy(server.port);
  });

  after(async () => {
    await Promise.allSettled(contexts.map((c) => c.close()));
    await proxy?.close();
    await closeDemo([], browser, server);
  });

  async function stored(id: string): Promise<{ version: number; fields: Record<string, unknown> }> {
    const response = await fetch(`${server!.origin}/api/entities/customer/${id}`, {
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    assert.equal(response.status, 200, await response.clone().text());
    const body = (await response.json()) as {
      entity?: { version: number; fields: Record<string, unknown> };
    } & { version: number; fields: Record<string, unknown> };
    return body.entity ?? body;
  }

  /**
   * From now on the page notes every text of the form's status line and every connection status,
   * with its time. Given as source text: a function would reach the page with the test's bundler
   * glue (`__name`), which the page does not have.
   */
  async function watch(page: Page): Promise<void> {
    await page.evaluate(`(() => {
      const seen = [];
      const start = { at: performance.now() };
      Object.assign(window, { __seen: seen, __start: start });
      const form = document.querySelector(${JSON.stringify(FORM)});
      const line = () => form.shadowRoot?.querySelector('[part~="status"]')?.textContent?.trim();
      let last = line();
      new MutationObserver(() => {
        const now = line();
        if (now === last) return;
        last = now;
        seen.push({ at: performance.now() - start.at, what: 'form: ' + now });
      }).observe(form.shadowRoot, { subtree: true, childList: true, characterData: true });
      document.querySelector('crm-realtime-provider').client.onStatus((s) =>
        seen.push({
          at: performance.now() - start.at,
          what: 'connection: ' + s.state + (s.lastError ? ' (' + s.lastError + ')' : ''),
        }),
      );
    })()`);
  }

  const seen = (page: Page) =>
    page.evaluate(() => (window as unknown as { __seen: Seen[] }).__seen.slice());

  test('the form says the change waits within seconds, and it arrives once', async (t: TestContext) => {
    assert.ok(browser && proxy);
    const id = '36';
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const { page, errors } = await openAs(context, proxy.origin, `/customer.html?id=${id}`, 'ana', {
      reconnect: '200',
    });
    await waitUntil(
      () => page.locator(FORM).evaluate((el) => (el as HTMLElement & { status: string }).status),
      (status) => status === 'idle',
      { what: `the form to load (${errors.join('; ')})` },
    );
    const was = await stored(id);
    await watch(page);

    proxy.stall(); // the network path dies; the browser's socket stays "open"
    const input = page.locator(`${FORM} [name="nextStep"]`);
    await input.fill('Sent into a dead link');
    await page.evaluate(() => {
      (window as unknown as { __start: { at: number } }).__start.at = performance.now();
    });
    await input.press('Enter');

    const log = await waitUntil(
      () => seen(page),
      (s) => s.some((e) => e.what === 'form: Saved'),
      { what: 'the save confirmed after the link was given up', timeout: 60_000 },
    );
    for (const e of log) t.diagnostic(`${Math.round(e.at)} ms after Save: ${e.what}`);
    const first = (what: RegExp) => log.findIndex((e) => what.test(e.what));
    const waiting = first(/^form: 1 change waiting offline$/);
    const dead = first(/^connection: reconnecting \(probe timeout\)$/);
    assert.ok(dead >= 0, 'the socket was given up by the probe behind the save');
    assert.ok(waiting >= 0, 'the form said the change waits');
    assert.ok(first(/^form: Saving…$/) < waiting, '"Saving…" first, then waiting');
    assert.ok(waiting < first(/^form: Saved$/));

    const now = await stored(id);
    assert.equal(now.fields['nextStep'], 'Sent into a dead link');
    assert.equal(now.version, was.version + 1, 'applied once');
  });
});
