/**
 * Pictures of the demo's live forms, written to test-artifacts/ (git-ignored) on every end-to-end
 * run, each also a test that the page shows what the picture is meant to show:
 *
 * - `demo-live-editing.png`: Ana's customer page while Ben edits the phone number and a call's
 *   summary: rings in his colour, his name on the fields;
 * - `demo-live-conflict.png`: Ana saved a phone number Ben had just changed: the conflict dialog.
 */
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ensureArtifacts, closeDemo, openDemo, openAs } from './helpers/browser.js';
import { waitUntil } from './helpers/presence.js';
import type { TestServer } from './helpers/server.js';

const FORM = 'crm-collaborative-form[data-customer-form]';

describe('screenshots of the live forms (test-artifacts/)', () => {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  let artifacts = '';
  const contexts: BrowserContext[] = [];

  before(async () => {
    artifacts = await ensureArtifacts();
    ({ server, browser } = await openDemo());
  });

  after(() => closeDemo(contexts, browser, server));

  async function open(who: string, id: number): Promise<Page> {
    assert.ok(browser && server);
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      reducedMotion: 'reduce',
    });
    contexts.push(context);
    const { page } = await openAs(context, server.origin, `/customer.html?id=${id}`, who);
    await waitUntil(
      () => page.locator(FORM).evaluate((el) => (el as HTMLElement & { status: string }).status),
      (status) => status === 'idle',
      { what: `${who}'s customer form to load` },
    );
    return page;
  }

  async function picture(page: Page, name: string, fullPage: boolean): Promise<void> {
    const file = join(artifacts, name);
    await page.screenshot({ path: file, fullPage });
    assert.ok((await stat(file)).size > 10_000, `${file} is too small`);
  }

  test('someone editing fields of the customer and of a call', { timeout: 45_000 }, async () => {
    const ana = await open('ana', 42);
    const ben = await open('ben', 42);
    await ben.locator('textarea[name="summary"]').first().focus();
    await ben.locator(`${FORM} [name="phone"]`).focus();
    const phone = ana.locator(`${FORM} [name="phone"]`);
    await waitUntil(
      () => phone.getAttribute('data-crm-editing'),
      (v) => v === 'Ben Carter',
      { what: 'the phone marked as edited by Ben' },
    );
    assert.equal(
      await ana
        .locator(`${FORM} .tabs[data-field="phone"]`)
        .textContent()
        .then((t) => t?.trim()),
      'Ben Carter',
    );
    const description = await phone.evaluate((el) =>
      (el.getAttribute('aria-describedby') ?? '')
        .split(' ')
        .map((id) => document.getElementById(id)?.textContent ?? '')
        .join(' ')
        .trim(),
    );
    assert.equal(description, 'Ben Carter is editing this field.');
    await picture(ana, 'demo-live-editing.png', true);
  });

  test('the conflict dialog of the second saver', { timeout: 45_000 }, async () => {
    const ana = await open('ana', 47);
    const ben = await open('ben', 47);
    await ana.locator(`${FORM} [name="phone"]`).fill('+49 89 2000 1111');
    await ben.locator(`${FORM} [name="phone"]`).fill('+49 89 2000 2222');
    await ben.locator(`${FORM} [name="phone"]`).press('Enter');
    await waitUntil(
      () => ben.locator(FORM).evaluate((el) => (el as HTMLElement & { status: string }).status),
      (status) => status === 'saved',
      { what: "Ben's save" },
    );
    await ana.locator(`${FORM} [name="phone"]`).press('Enter');
    const dialog = ana.getByRole('dialog', { name: 'Your change conflicts' });
    await dialog.waitFor({ timeout: 10_000 });
    assert.match(await dialog.innerText(), /\+49 89 2000 1111[\s\S]*\+49 89 2000 2222/);
    await picture(ana, 'demo-live-conflict.png', false);
  });
});
