/**
 * End to end: the server runs in front of a CRM backend (`CRM_ENTITY_BACKEND_URL`, the test
 * backend of test/services/crm-backend.ts) and two people have the same customer open in the demo.
 * A phone number the backend refuses shows the backend's message under Ana's field (described,
 * `aria-invalid`), keeps what she typed, and never reaches Ben's page or the store; a number it
 * accepts reaches Ben as the backend formatted it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { closeDemo, openAs, openDemo } from '../../helpers/browser.js';
import { waitUntil } from '../../helpers/presence.js';
import type { TestServer } from '../../helpers/server.js';
import { startCrmBackend, type CrmBackend } from '../../../services/crm-backend.js';

const API_KEY = 'e2e-write-through-key-5d1c8e2f';
const FORM = 'crm-collaborative-form[data-customer-form]';
const MESSAGE = 'Enter a phone number with at least 7 digits';

describe('write-through in the demo: the CRM backend refuses a value', () => {
  let crm: CrmBackend | undefined;
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];

  before(async () => {
    crm = await startCrmBackend();
    ({ server, browser } = await openDemo({
      env: { CRM_API_KEYS: API_KEY, CRM_ENTITY_BACKEND_URL: crm.url },
    }));
  });

  after(async () => {
    await closeDemo(contexts, browser, server);
    await crm?.close();
  });

  async function open(who: string, id: number): Promise<Page> {
    assert.ok(browser && server);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const { page, errors } = await openAs(context, server.origin, `/customer.html?id=${id}`, who);
    await waitUntil(
      () => status(page),
      (s) => s === 'idle',
      { what: `${who}'s form to load (${errors.join('; ')})` },
    );
    return page;
  }

  const status = (page: Page) =>
    page.locator(FORM).evaluate((el) => (el as HTMLElement & { status: string }).status);
  const value = (page: Page, name: string) => page.locator(`${FORM} [name="${name}"]`).inputValue();

  async function storedPhone(id: number): Promise<unknown> {
    assert.ok(server);
    const response = await fetch(`${server.origin}/api/entities/customer/${id}`, {
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    assert.equal(response.status, 200, await response.clone().text());
    type Stored = { fields: Record<string, unknown> };
    const body = (await response.json()) as { entity?: Stored } & Stored;
    return (body.entity ?? body).fields['phone'];
  }

  test('the message shows under the field, and the other page never sees the value', async () => {
    const id = 23;
    const before = await storedPhone(id);
    const ana = await open('ana', id);
    const ben = await open('ben', id);
    const phone = ana.locator(`${FORM} [name="phone"]`);
    await phone.fill('12');
    await phone.press('Enter');

    const message = ana.locator(`${FORM} [data-crm-field-error="phone"]`);
    await message.waitFor({ state: 'visible' });
    assert.equal(await message.textContent(), MESSAGE);
    assert.equal(await phone.getAttribute('aria-invalid'), 'true');
    const messageId = await message.getAttribute('id');
    assert.ok(messageId);
    assert.ok((await phone.getAttribute('aria-describedby'))?.split(' ').includes(messageId));
    assert.equal(await value(ana, 'phone'), '12', 'Ana keeps what she typed');
    assert.equal(await status(ana), 'invalid');

    // Ben's own save is the barrier: had the refused value been broadcast, it reached him first.
    const email = ben.locator(`${FORM} [name="email"]`);
    await email.fill('ben.checked@example.com');
    await email.press('Enter');
    await waitUntil(
      () => status(ben),
      (s) => s === 'saved',
      { what: "Ben's save" },
    );
    assert.notEqual(await value(ben, 'phone'), '12', 'Ben never sees the refused value');
    assert.equal(await storedPhone(id), before, 'nothing stored');
    assert.ok(
      crm?.calls.some((c) => c.method === 'POST' && JSON.stringify(c.body).includes('"12"')),
      'the backend was asked',
    );

    // Corrected, the number is saved as the backend formats it, on both pages.
    await phone.fill('(020) 794-6099');
    assert.equal(await phone.getAttribute('aria-invalid'), null, 'the mark goes with typing');
    await phone.press('Enter');
    await waitUntil(
      () => value(ben, 'phone'),
      (v) => v === '+1 020-794-6099',
      { what: "the backend's number on Ben's page" },
    );
    assert.equal(await storedPhone(id), await value(ben, 'phone'));
  });
});
