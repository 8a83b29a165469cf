/**
 * End to end: the demo's customer list and dashboard show the records the customer forms edit.
 * Ana renames a customer and marks it at risk in its `<crm-collaborative-form>`; Ben on the
 * customer list and Chloé on the dashboard see it at once, and again after a reload, without
 * showing up as viewing that customer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { closeDemo, openDemo, openAs, type PersonPage } from './helpers/browser.js';
import { avatarLabels, presenceOf, waitUntil } from './helpers/presence.js';
import type { TestServer } from './helpers/server.js';

const FORM = 'crm-collaborative-form[data-customer-form]';

/** The row of a customer in the list: its cells' text, e.g. the company and the status. */
const rowText = (page: Page, id: string) =>
  page.locator(`[data-rows] tr[data-customer="${id}"]`).innerText();

/** A figure of the dashboard's summary, by its label ("At risk", "Accounts" …). */
const stat = (page: Page, label: string) =>
  page
    .getByRole('list', { name: 'Summary' })
    .getByRole('listitem')
    .filter({ hasText: label })
    .locator('.stat-value')
    .innerText();

/** The names of the dashboard's "Needs attention" list. */
const attention = (page: Page) =>
  page
    .getByRole('region', { name: 'Needs attention' })
    .getByRole('link')
    .evaluateAll((links) => links.map((a) => a.textContent ?? ''));

describe('the demo list and dashboard show the stored records, live', () => {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];

  before(async () => {
    ({ server, browser } = await openDemo());
  });

  after(() => closeDemo(contexts, browser, server));

  async function open(path: string, who: string): Promise<PersonPage> {
    assert.ok(browser && server);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    return openAs(context, server.origin, path, who);
  }

  /** Both pages show customer 23 with this company and status. */
  async function showsCustomer(list: Page, dashboard: Page, company: string, status: string) {
    await waitUntil(
      () => rowText(list, '23'),
      (text) => text.includes(company) && text.includes(status),
      { what: `the list's row of customer 23 with ${company}, ${status}` },
    );
    await waitUntil(
      () => attention(dashboard),
      (names) => names.some((n) => n.includes(company) && n.includes(status)),
      { what: `${company} (${status}) among the dashboard's accounts needing attention` },
    );
  }

  test(
    'a rename and a status change saved in the form reach the list and the dashboard',
    {
      timeout: 120_000,
    },
    async () => {
      const { page: ana, errors: anaErrors } = await open('/customer.html?id=23', 'ana');
      await waitUntil(
        () => ana.locator(FORM).evaluate((el) => (el as HTMLElement & { status: string }).status),
        (status) => status === 'idle',
        { what: "Ana's form to load customer 23" },
      );
      const { page: list, errors: listErrors } = await open('/', 'ben');
      const { page: dashboard, errors: dashboardErrors } = await open('/dashboard.html', 'chloe');

      // As seeded: Kestrel Manufacturing is qualified, one account (Costa Verde Foods) is at risk.
      await showsCustomer(list, dashboard, 'Kestrel Manufacturing', 'Qualified');
      await waitUntil(
        () => stat(dashboard, 'At risk'),
        (value) => value === '1',
        { what: 'one account at risk on the dashboard' },
      );

      // Ben's keyboard focus is on the row that is about to change.
      await list.locator('[data-rows] tr[data-customer="23"] a').focus();

      await ana.locator(`${FORM} [name="company"]`).fill('Kestrel Robotics');
      await ana.locator(`${FORM} [name="status"]`).selectOption('At risk');
      await ana.locator(FORM).getByRole('button', { name: 'Save' }).click();
      await waitUntil(
        () => ana.locator(FORM).evaluate((el) => (el as HTMLElement & { status: string }).status),
        (status) => status === 'saved',
        { what: "Ana's save" },
      );

      // Live, without a reload.
      await showsCustomer(list, dashboard, 'Kestrel Robotics', 'At risk');
      await waitUntil(
        () => stat(dashboard, 'At risk'),
        (value) => value === '2',
        { what: 'two accounts at risk on the dashboard' },
      );
      assert.ok(!(await rowText(list, '23')).includes('Kestrel Manufacturing'));
      // The update did not take Ben's focus away: it is on the new row's link.
      assert.equal(
        await list.evaluate(() => document.activeElement?.closest('tr')?.dataset['customer']),
        '23',
      );
      // The list's status filter and search work on the live records too.
      await list.getByRole('button', { name: 'At risk' }).click();
      await waitUntil(
        () => list.locator('[data-rows] tr').count(),
        (rows) => rows === 2,
        { what: 'two rows under "At risk"' },
      );
      await list.getByRole('searchbox', { name: 'Search customers' }).fill('robotics');
      await waitUntil(
        () =>
          list
            .locator('[data-rows] tr')
            .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-customer'))),
        (ids) => ids.length === 1 && ids[0] === '23',
        { what: 'the search finds the new name' },
      );

      // And after a reload.
      await Promise.all([list.reload(), dashboard.reload()]);
      await showsCustomer(list, dashboard, 'Kestrel Robotics', 'At risk');
      await waitUntil(
        () => stat(dashboard, 'At risk'),
        (value) => value === '2',
        { what: 'two accounts at risk after a reload' },
      );
      assert.ok(!(await rowText(list, '23')).includes('Kestrel Manufacturing'));
      // Reading every customer does not make Ben and Chloé "viewing" each of them.
      await presenceOf(ana, 'customer:23').getByText('Only you here').waitFor();
      assert.deepEqual([...anaErrors, ...listErrors, ...dashboardErrors], []);
    },
  );

  test(
    'the list shows who has each customer open, without showing its reader on every customer',
    { timeout: 120_000 },
    async () => {
      const { page: list, errors: listErrors } = await open('/', 'ben');
      await list.locator('[data-rows] tr[data-customer="31"]').waitFor();
      const row = list.locator('[data-rows] tr[data-customer="31"]');
      // Nobody on customer 31 yet: once joined, its row shows nothing there, not "Only you
      // here", and takes no height.
      await waitUntil(
        () =>
          presenceOf(list, 'customer:31').evaluate((el) => ({
            joined: !el.shadowRoot?.querySelector('[aria-busy]'),
            height: el.getBoundingClientRect().height,
          })),
        ({ joined, height }) => joined && height === 0,
        { what: "the row's presence joined, empty" },
      );
      assert.ok(!(await row.innerText()).includes('Only you here'));

      const { page: ana, errors: anaErrors } = await open('/customer.html?id=31', 'ana');
      await waitUntil(
        () => avatarLabels(list, 'customer:31'),
        (labels) => labels.length === 1 && labels[0]!.startsWith('Ana Souza'),
        { what: "Ana's avatar in the list's row of customer 31" },
      );
      // Ben reads the list, he is not on the customer: Ana's page shows her alone.
      await presenceOf(ana, 'customer:31').getByText('Only you here').waitFor();
      // Nor does the row's avatar open the customer when pressed: it shows who it is.
      await presenceOf(list, 'customer:31').getByRole('img').first().click();
      assert.equal(new URL(list.url()).pathname, '/');

      // Ana leaves the customer: the row empties once the server's grace period is over.
      await ana.close();
      await waitUntil(
        () => avatarLabels(list, 'customer:31'),
        (labels) => labels.length === 0,
        { what: "Ana gone from the list's row of customer 31", timeout: 20_000 },
      );
      assert.deepEqual([...anaErrors, ...listErrors], []);
    },
  );
});
