/**
 * End to end, following examples/crm-backend's README: the reference server in front of the
 * example CRM backend, whose authorization callback refuses Ana the confidential customer 7. The
 * demo page prints every record from its sample data before the kit connects (as a
 * server-rendered page prints its own); once the server refuses the record, the page takes back
 * what it printed: no confidential note stays on screen in an editable form with a Save button,
 * and the form says why. Customer 42, hers, stays as printed and editable.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { openAs, openDemoBehindExample } from '../../helpers/browser.js';
import { waitUntil } from '../../helpers/presence.js';
import type { TestServer } from '../../helpers/server.js';
import { EXAMPLE_ENTITY_KEY } from '../../../services/crm-example.js';

const FORM = 'crm-collaborative-form[data-customer-form]';

describe('the demo in front of the example CRM backend: a record Ana may not open', () => {
  let close: ((contexts: readonly BrowserContext[]) => Promise<void>) | undefined;
  let exampleUrl = '';
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];

  before(async () => {
    ({ server, browser, exampleUrl, close } = await openDemoBehindExample());
  });

  after(async () => {
    await close?.(contexts);
  });

  async function open(id: number): Promise<Page> {
    assert.ok(browser && server);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const { page } = await openAs(context, server.origin, `/customer.html?id=${id}`, 'ana');
    return page;
  }

  const status = (page: Page) =>
    page.locator(FORM).evaluate((el) => (el as HTMLElement & { status: string }).status);
  const control = (page: Page, name: string) => page.locator(FORM).locator(`[name="${name}"]`);

  test('customer 7: the printed values are taken back, the form locked, and it says why', async () => {
    const page = await open(7);
    await waitUntil(
      () => status(page),
      (s) => s === 'load-error',
      { what: 'the refusal of customer 7' },
    );
    await waitUntil(
      () => control(page, 'notes').inputValue(),
      (notes) => notes === '',
      { what: 'the confidential note taken back' },
    );
    for (const name of ['company', 'phone', 'notes', 'status']) {
      assert.equal(await control(page, name).isDisabled(), true, `${name} is locked`);
    }
    assert.equal(await page.locator(FORM).getByRole('button', { name: 'Save' }).isDisabled(), true);
    // The form's status line (in its shadow root) says why.
    await page.locator(FORM).getByText('You may not open this record').waitFor();
  });

  test('customer 42, hers: as printed, and editable', async () => {
    const page = await open(42);
    await waitUntil(
      () => status(page),
      (s) => s === 'idle',
      { what: 'customer 42 loaded' },
    );
    assert.equal(await control(page, 'company').inputValue(), 'Northwind Logistics');
    assert.equal(await control(page, 'notes').isDisabled(), false);
  });

  /** Ben, a manager, makes `owner` the owner of customer 7 in the CRM, as its own UI would. */
  async function giveCustomer7(owner: string, key: string): Promise<void> {
    const given = await fetch(`${exampleUrl}/entities/customer/7`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${EXAMPLE_ENTITY_KEY}`,
        'idempotency-key': key,
      },
      body: JSON.stringify({
        fields: { owner },
        base: {},
        user: { id: 'ben', name: 'Ben' },
      }),
    });
    assert.equal(given.status, 200);
  }

  // These two last: they give Ana customer 7, then take it back, restarting the server.
  test('customer 7 given to Ana meanwhile: once the server lets her open it, the form is hers to edit', async () => {
    assert.ok(server);
    const page = await open(7);
    await waitUntil(
      () => status(page),
      (s) => s === 'load-error',
      { what: 'the refusal of customer 7' },
    );
    assert.equal(await control(page, 'notes').isDisabled(), true);
    // Ben makes Ana its owner in the CRM; the server asks again when Ana's tab reconnects.
    await giveCustomer7('ana', 'give-7-to-ana');
    await server.stop();
    await server.start();
    await waitUntil(
      () => status(page),
      (s) => s === 'idle',
      { what: 'customer 7 loaded after the reconnect', timeout: 40_000 },
    );
    await waitUntil(
      () => control(page, 'company').inputValue(),
      (company) => company === 'Brightline Energy',
      { what: 'its values shown' },
    );
    for (const name of ['company', 'phone', 'notes', 'status']) {
      assert.equal(await control(page, name).isDisabled(), false, `${name} is editable`);
    }
    assert.equal(
      await page.locator(FORM).getByRole('button', { name: 'Save' }).isDisabled(),
      false,
    );
    // What a sales rep may not change stays locked by the form, as on a record loaded at once.
    assert.equal(await control(page, 'value').getAttribute('readonly'), '', 'value is read-only');
    assert.equal(await control(page, 'owner').isDisabled(), true, 'owner is read-only');
  });

  test('customer 7 taken from Ana while open: every control locked, the ones the form had locked too', async () => {
    assert.ok(server);
    const page = await open(7);
    await waitUntil(
      () => status(page),
      (s) => s === 'idle',
      { what: 'customer 7, now hers, loaded' },
    );
    assert.equal(await control(page, 'owner').isDisabled(), true, 'owner is read-only for her');
    await giveCustomer7('ben', 'give-7-back-to-ben');
    await server.stop();
    await server.start();
    await waitUntil(
      () => status(page),
      (s) => s === 'load-error',
      { what: 'customer 7 refused after the reconnect', timeout: 40_000 },
    );
    await waitUntil(
      () => control(page, 'notes').inputValue(),
      (notes) => notes === '',
      { what: 'the confidential note taken back' },
    );
    // The form gives back its own read-only lock as it renders the refusal; the page's lock stays.
    await page
      .locator(FORM)
      .evaluate((el) => (el as HTMLElement & { updateComplete: Promise<unknown> }).updateComplete);
    for (const name of ['company', 'phone', 'notes', 'status', 'owner', 'value']) {
      assert.equal(await control(page, name).isDisabled(), true, `${name} is locked`);
    }
    assert.equal(await control(page, 'owner').inputValue(), '', 'no owner shown');
    assert.equal(await page.locator(FORM).getByRole('button', { name: 'Save' }).isDisabled(), true);
  });
});
