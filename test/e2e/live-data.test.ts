/**
 * End to end: two people edit the same customer in the demo at once, in two browser contexts,
 * against the real server (SQLite, the HTTP API to read what was stored):
 *
 * - different fields: both win, nobody sees a dialog;
 * - the same field: the second to save gets the conflict dialog, and what is stored is what they
 *   chose (read through the HTTP API and in a fresh page);
 * - one goes offline (the socket is cut and the network is off), edits, comes back: the edit
 *   arrives once (the version moves by exactly one, one activity item);
 * - a save made while the conflict dialog waits for a decision survives a reload before it, and
 *   is stored once the reloaded page's dialog is answered.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { closeDemo, openDemo, openAs } from './helpers/browser.js';
import { connectionState, waitUntil } from './helpers/presence.js';
import type { TestServer } from './helpers/server.js';

/** The HTTP API key this run's server accepts (the helper passes the environment on). */
const API_KEY = 'e2e-live-data-key-7f3c9a1d2b';

interface StoredEntity {
  version: number;
  fields: Record<string, unknown>;
}

const FORM = 'crm-collaborative-form[data-customer-form]';

describe('live data in the demo: two people, one customer', () => {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];

  before(async () => {
    ({ server, browser } = await openDemo({ env: { CRM_API_KEYS: API_KEY } }));
  });

  after(() => closeDemo(contexts, browser, server));

  async function person(): Promise<BrowserContext> {
    assert.ok(browser);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    // Keep a handle on the page's WebSockets, so a test can cut them as a dead network would.
    await context.addInitScript(() => {
      const Native = window.WebSocket;
      const sockets: WebSocket[] = [];
      (window as unknown as { __sockets: WebSocket[] }).__sockets = sockets;
      window.WebSocket = class extends Native {
        constructor(url: string | URL, protocols?: string | string[]) {
          super(url, protocols);
          sockets.push(this);
        }
      };
    });
    contexts.push(context);
    return context;
  }

  /** The customer page as `who`, once its form shows the stored record. */
  async function openCustomer(context: BrowserContext, who: string, id: number): Promise<Page> {
    assert.ok(server);
    const { page, errors } = await openAs(context, server.origin, `/customer.html?id=${id}`, who);
    await waitUntil(
      () => formStatus(page),
      (status) => status === 'idle',
      { what: `${who}'s form to load customer ${id} (${errors.join('; ')})` },
    );
    return page;
  }

  const formStatus = (page: Page) =>
    page.locator(FORM).evaluate((el) => (el as HTMLElement & { status: string }).status);

  async function stored(type: string, id: string): Promise<StoredEntity> {
    assert.ok(server);
    const response = await fetch(`${server.origin}/api/entities/${type}/${id}`, {
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    assert.equal(response.status, 200, await response.clone().text());
    const body = (await response.json()) as { entity?: StoredEntity } & StoredEntity;
    return body.entity ?? body;
  }

  /** Type into a field of the customer form and save it with Enter, as a user does. */
  async function typeAndSave(page: Page, name: string, value: string): Promise<void> {
    const input = page.locator(`${FORM} [name="${name}"]`);
    await input.fill(value);
    await input.press('Enter');
  }

  const value = (page: Page, name: string) => page.locator(`${FORM} [name="${name}"]`).inputValue();

  test('different fields: both changes are kept and nobody sees a dialog', async () => {
    const id = '13';
    const before = await stored('customer', id);
    const ana = await openCustomer(await person(), 'ana', 13);
    const ben = await openCustomer(await person(), 'ben', 13);

    // Ana starts on the email; meanwhile Ben saves a new phone number.
    await ana.locator(`${FORM} [name="email"]`).fill('ana.was.here@example.com');
    await typeAndSave(ben, 'phone', '+31 20 555 0101');
    // Ana sees Ben's phone at once (she is not in that field) and keeps her own typing.
    await waitUntil(
      () => value(ana, 'phone'),
      (v) => v === '+31 20 555 0101',
      { what: "Ben's phone on Ana's page" },
    );
    assert.equal(await value(ana, 'email'), 'ana.was.here@example.com');

    await ana.locator(`${FORM} [name="email"]`).press('Enter');
    await waitUntil(
      () => formStatus(ana),
      (s) => s === 'saved',
      { what: "Ana's save" },
    );
    assert.equal(await ana.locator('crm-conflict-dialog').count(), 0, 'no dialog for Ana');
    assert.equal(await ben.locator('crm-conflict-dialog').count(), 0, 'no dialog for Ben');
    await waitUntil(
      () => value(ben, 'email'),
      (v) => v === 'ana.was.here@example.com',
      { what: "Ana's email on Ben's page" },
    );

    const after = await stored('customer', id);
    assert.equal(after.fields['email'], 'ana.was.here@example.com');
    assert.equal(after.fields['phone'], '+31 20 555 0101');
    assert.equal(after.version, before.version + 2);
  });

  test('the same field: the second to save chooses, and that is what is stored', async () => {
    const id = '18';
    const before = await stored('customer', id);
    const ana = await openCustomer(await person(), 'ana', 18);
    const ben = await openCustomer(await person(), 'ben', 18);

    // Both edit the next step and the notes; Ben saves first.
    await ana.locator(`${FORM} [name="nextStep"]`).fill('Ana: send the security questionnaire');
    await ana.locator(`${FORM} [name="notes"]`).fill('Ana: legal wants a DPA first.');
    await ben.locator(`${FORM} [name="notes"]`).fill('Ben: budget confirmed for Q3.');
    await typeAndSave(ben, 'nextStep', 'Ben: book the kick-off');
    await waitUntil(
      () => formStatus(ben),
      (s) => s === 'saved',
      { what: "Ben's save" },
    );

    // Ana saves second: her page asks.
    await ana.locator(`${FORM} [name="nextStep"]`).press('Enter');
    const dialog = ana.getByRole('dialog', { name: 'Your changes conflict' });
    await dialog.waitFor({ timeout: 10_000 });
    assert.equal(await ben.getByRole('dialog').count(), 0, 'Ben saved first: no dialog for him');
    // Names arrive isolated from the sentence around them (U+2068 … U+2069).
    assert.match((await dialog.innerText()).replace(/[\u2068\u2069]/g, ''), /Ben Carter saved/);
    // Her next step, his notes.
    await ana.locator('crm-conflict-dialog input[name="f1"][value="theirs"]').check();
    await dialog.getByRole('button', { name: 'Save my choices' }).click();
    await waitUntil(
      () => formStatus(ana),
      (s) => s === 'saved',
      { what: "Ana's resolution" },
    );

    const after = await stored('customer', id);
    assert.equal(after.fields['nextStep'], 'Ana: send the security questionnaire');
    assert.equal(after.fields['notes'], 'Ben: budget confirmed for Q3.');
    assert.equal(after.version, before.version + 2, "Ben's save, then Ana's resolution");
    assert.equal(await value(ana, 'notes'), 'Ben: budget confirmed for Q3.');
    // Ben's cursor is still in the next step: it is not changed under him, but marked.
    const benNextStep = ben.locator(`${FORM} [name="nextStep"]`);
    await waitUntil(
      () => benNextStep.getAttribute('data-crm-held'),
      (held) => held !== null,
      { what: "Ben's next step marked as changed meanwhile" },
    );
    assert.equal(await value(ben, 'nextStep'), 'Ben: book the kick-off');
    assert.match(
      (await ben.locator(`${FORM} .tabs[data-field="nextStep"]`).textContent()) ?? '',
      /Changed by Ana Souza/,
    );
    // Once he leaves the field, Ana's choice shows.
    await benNextStep.press('Tab');
    await waitUntil(
      () => value(ben, 'nextStep'),
      (v) => v === 'Ana: send the security questionnaire',
      { what: "Ana's choice on Ben's page" },
    );

    // A fresh page shows the same record.
    const fresh = await openCustomer(await person(), 'chloe', 18);
    assert.equal(await value(fresh, 'nextStep'), 'Ana: send the security questionnaire');
    assert.equal(await value(fresh, 'notes'), 'Ben: budget confirmed for Q3.');
  });

  test('a save made while a conflict waits survives a reload and is stored once it is resolved', async () => {
    const id = '36';
    const ana = await openCustomer(await person(), 'ana', 36);
    const ben = await openCustomer(await person(), 'ben', 36);
    const before = await stored('customer', id);

    // Both edit the next step; Ben saves first, so Ana's save asks which to keep.
    await ana.locator(`${FORM} [name="nextStep"]`).fill('Ana: send the proposal');
    await typeAndSave(ben, 'nextStep', 'Ben: wait for their budget');
    await waitUntil(
      () => formStatus(ben),
      (s) => s === 'saved',
      { what: "Ben's save" },
    );
    await ana.locator(`${FORM} [name="nextStep"]`).press('Enter');
    const dialog = ana.getByRole('dialog', { name: 'Your change conflicts' });
    await dialog.waitFor({ timeout: 10_000 });
    // "Later": she closes the dialog, changes the city and saves; the dialog asks again.
    await ana.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await typeAndSave(ana, 'city', 'Utrecht');
    await dialog.waitFor();
    assert.equal((await stored('customer', id)).fields['city'], before.fields['city']);

    // The page reloads before she chose: the city is still hers, and the dialog asks again.
    await ana.reload();
    const asked = ana.getByRole('dialog', { name: 'Your change conflicts' });
    await asked.waitFor({ timeout: 10_000 });
    assert.equal(await value(ana, 'city'), 'Utrecht');
    await asked.getByRole('button', { name: 'Save my choice' }).click();
    await waitUntil(
      () => formStatus(ana),
      (s) => s === 'saved',
      { what: "Ana's resolution and her city" },
    );
    const after = await stored('customer', id);
    assert.equal(after.fields['nextStep'], 'Ana: send the proposal');
    assert.equal(after.fields['city'], 'Utrecht');
    await waitUntil(
      () => value(ben, 'city'),
      (v) => v === 'Utrecht',
      { what: "Ana's city on Ben's page" },
    );
  });

  test('offline: an edit made without a connection arrives once when it returns', async () => {
    assert.ok(server);
    const id = '23';
    const before = await stored('customer', id);
    const anaContext = await person();
    const ana = await openCustomer(anaContext, 'ana', 23);
    const ben = await openCustomer(await person(), 'ben', 23);

    // The network goes away: no new connections, and the open socket is cut.
    await anaContext.setOffline(true);
    await ana.evaluate(() => {
      for (const socket of (window as unknown as { __sockets: WebSocket[] }).__sockets) {
        socket.close();
      }
    });
    await waitUntil(
      () => connectionState(ana),
      (s) => s !== 'open',
      { what: 'Ana offline' },
    );

    await typeAndSave(ana, 'nextStep', 'Call back from the train');
    await waitUntil(
      () => formStatus(ana),
      (s) => s === 'queued',
      { what: 'the edit queued' },
    );
    assert.match(
      await ana.locator(`${FORM}`).locator('[part~="status"]').innerText(),
      /1 change waiting offline/,
    );
    // The header says so too.
    assert.match(
      (await ana.locator('crm-connection-status [part~="waiting"]').textContent()) ?? '',
      /1 change waiting/,
    );
    assert.equal((await stored('customer', id)).version, before.version, 'nothing arrived yet');

    await anaContext.setOffline(false);
    await waitUntil(
      () => formStatus(ana),
      (s) => s === 'saved',
      {
        what: 'the queued edit confirmed',
        timeout: 20_000,
      },
    );
    await waitUntil(
      () => value(ben, 'nextStep'),
      (v) => v === 'Call back from the train',
      { what: "Ana's offline edit on Ben's page" },
    );

    // Exactly once: one new version, one activity item for it, also a moment later.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const after = await stored('customer', id);
    assert.equal(after.fields['nextStep'], 'Call back from the train');
    assert.equal(after.version, before.version + 1);
    const response = await fetch(`${server.origin}/api/activity?feed=customer:${id}&limit=50`, {
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    assert.equal(response.status, 200);
    const { items } = (await response.json()) as {
      items: {
        entity?: { type: string; id: string };
        changes?: { field: string; to?: unknown }[];
      }[];
    };
    const arrivals = items.filter(
      (item) =>
        item.entity?.type === 'customer' &&
        item.entity.id === id &&
        item.changes?.some((c) => c.field === 'nextStep' && c.to === 'Call back from the train'),
    );
    assert.equal(arrivals.length, 1, JSON.stringify(items, null, 1));
  });
});
