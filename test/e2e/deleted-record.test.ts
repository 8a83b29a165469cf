/**
 * End to end: the CRM deletes a customer (the backend's `DELETE /api/entities/customer/:id` on the
 * real server) while someone edits it in the demo. Their form says the record no longer exists,
 * the page hears `crm-form-deleted`, what they typed stays in the field, and a submit stores
 * nothing: the record stays gone.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import { closeDemo, openDemo, openAs } from './helpers/browser.js';
import { waitUntil } from './helpers/presence.js';
import type { TestServer } from './helpers/server.js';

const API_KEY = 'e2e-deleted-record-key-4b8e1f0c';
const FORM = 'crm-collaborative-form[data-customer-form]';

describe('a customer deleted in the CRM while it is edited in the demo', () => {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];

  before(async () => {
    ({ server, browser } = await openDemo({ env: { CRM_API_KEYS: API_KEY } }));
  });

  after(() => closeDemo(contexts, browser, server));

  const api = (method: string, path: string) =>
    fetch(`${server!.origin}${path}`, { method, headers: { authorization: `Bearer ${API_KEY}` } });

  test('the form says so once, keeps the typed value, and saves nothing', async () => {
    const context = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const { page, errors } = await openAs(context, server!.origin, '/customer.html?id=42', 'ada');
    const form = page.locator(FORM);
    const status = () => form.evaluate((el) => (el as HTMLElement & { status: string }).status);
    await waitUntil(status, (s) => s === 'idle', {
      what: `the form to load (${errors.join('; ')})`,
    });
    await form.evaluate((el) => {
      (window as unknown as { deletedEvents: number }).deletedEvents = 0;
      el.addEventListener('crm-form-deleted', () => {
        (window as unknown as { deletedEvents: number }).deletedEvents += 1;
      });
    });
    await page.locator('#f-phone').fill('+44 20 7946 0999');

    assert.equal((await api('DELETE', '/api/entities/customer/42')).status, 204);
    await waitUntil(status, (s) => s === 'load-error', { what: 'the form to learn the deletion' });
    const statusText = await form.evaluate(
      (el) => el.shadowRoot!.querySelector('[part~="status"]')?.textContent?.trim() ?? '',
    );
    assert.equal(statusText, 'This record no longer exists');
    assert.equal(await page.locator('#f-phone').inputValue(), '+44 20 7946 0999');

    // A submit stays on the page (the form has no action: posted, it would reload) and stores nothing.
    const url = page.url();
    await form.evaluate((el) => (el.querySelector('form') as HTMLFormElement).requestSubmit());
    await form.evaluate(
      (el) => (el as HTMLElement & { updateComplete: Promise<unknown> }).updateComplete,
    );
    assert.equal((await api('GET', '/api/entities/customer/42')).status, 404);
    assert.equal(await page.locator('#f-phone').inputValue(), '+44 20 7946 0999');
    assert.equal(
      await page.evaluate(() => (window as unknown as { deletedEvents: number }).deletedEvents),
      1,
    );
    assert.equal(page.url(), url, 'the page did not post');
  });
});
