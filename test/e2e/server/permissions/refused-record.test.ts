/**
 * End to end, following examples/crm-backend's README: the reference server in front of the
 * example CRM backend, whose authorization callback refuses Ana the confidential customer 7. The
 * demo page prints every record from its sample data before the kit connects (as a
 * server-rendered page prints its own); once the server refuses the record, the page takes back
 * what it printed: no confidential note stays on screen in an editable form with a Save button,
 * and the form says why. Customer 42, hers, stays as printed and editable.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { closeDemo, openAs, openDemo } from '../../helpers/browser.js';
import { waitUntil } from '../../helpers/presence.js';
import type { TestServer } from '../../helpers/server.js';
import { exampleServerEnv, startExample } from '../../../services/crm-example.js';

const FORM = 'crm-collaborative-form[data-customer-form]';

describe('the demo in front of the example CRM backend: a record Ana may not open', () => {
  let example: ChildProcess | undefined;
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];

  before(async () => {
    const started = await startExample();
    example = started.child;
    ({ server, browser } = await openDemo({
      args: ['--no-seed'],
      env: exampleServerEnv(started.url),
    }));
  });

  after(async () => {
    await closeDemo(contexts, browser, server);
    if (example && example.exitCode === null) {
      const exited = once(example, 'exit');
      example.kill();
      await exited;
    }
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
});
