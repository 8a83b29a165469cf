/**
 * End to end, following examples/crm-backend's README: the demo's customer page in front of the
 * reference server in front of the example CRM backend. Every field the meetings' and calls'
 * inline forms have is changed as a person would, and the save reaches the backend.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { openAs, openDemoBehindExample } from '../helpers/browser.js';
import { waitUntil } from '../helpers/presence.js';
import type { TestServer } from '../helpers/server.js';
import { EXAMPLE_ENTITY_KEY } from '../../services/crm-example.js';

describe("the demo in front of the example CRM backend: a customer's meetings and calls", () => {
  let close: ((contexts: readonly BrowserContext[]) => Promise<void>) | undefined;
  let exampleUrl = '';
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  const contexts: BrowserContext[] = [];

  async function openAsPerson(person: string): Promise<Page> {
    const context = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    return (await openAs(context, server!.origin, '/customer.html?id=42', person)).page;
  }

  before(async () => {
    ({ server, browser, exampleUrl, close } = await openDemoBehindExample());
    page = await openAsPerson('ana');
  });

  after(async () => {
    await close?.(contexts);
  });

  const stored = async (type: string, id: string) => {
    const answer = await fetch(`${exampleUrl}/entities/${type}/${id}`, {
      headers: { authorization: `Bearer ${EXAMPLE_ENTITY_KEY}` },
    });
    return ((await answer.json()) as { fields: Record<string, unknown> }).fields;
  };
  const form = (type: string, id: string, on = page!) =>
    on.locator(`crm-collaborative-form[entity-type="${type}"][entity-id="${id}"]`);
  const status = (el: Locator) =>
    el.evaluate((f) => (f as HTMLElement & { status: string }).status);

  /** Typed in and left, as a person does: the inline forms save on `change`. */
  const typeIn = async (control: Locator, text: string): Promise<void> => {
    await control.fill(text);
    await control.blur();
  };

  async function saved(
    type: string,
    id: string,
    field: string,
    change: (control: Locator) => Promise<unknown>,
    expected: (value: unknown) => boolean,
    on = page!,
  ) {
    const el = form(type, id, on);
    await waitUntil(() => status(el), (s) => s === 'idle' || s === 'saved', { what: `${type} ${id} loaded` });
    await change(el.locator(`[name="${field}"]`));
    await waitUntil(
      async () => (await stored(type, id))[field],
      expected,
      { what: `${type} ${id}: ${field} saved through the backend (form: ${await status(el)})` },
    );
    await waitUntil(() => status(el), (s) => s === 'saved', { what: `${type} ${id} says saved` });
  }

  test("a meeting's title, place and time", async () => {
    const id = '42-meeting-1';
    await saved('meeting', id, 'title', (c) => typeIn(c, 'Proposal review, v2'), (v) => v === 'Proposal review, v2');
    await saved('meeting', id, 'place', (c) => typeIn(c, 'Croydon depot'), (v) => v === 'Croydon depot');
    await saved('meeting', id, 'at', (c) => typeIn(c, '2031-05-06T09:30'), (v) => typeof v === 'string' && v.startsWith('2031-05-0'));
  });

  test("a call's outcome, minutes and summary", async () => {
    const id = '42-call-1';
    await saved('call', id, 'outcome', (c) => c.selectOption('Negotiation'), (v) => v === 'Negotiation');
    await saved('call', id, 'minutes', (c) => typeIn(c, '31'), (v) => v === 31);
    await saved('call', id, 'summary', (c) => typeIn(c, 'Pricing agreed.'), (v) => v === 'Pricing agreed.');
  });

  test("support saves a meeting of a customer they may save; a rep not its owner is refused", async () => {
    const chloe = await openAsPerson('chloe');
    await saved(
      'meeting',
      '42-meeting-2',
      'place',
      (c) => typeIn(c, 'Croydon, gate B'),
      (v) => v === 'Croydon, gate B',
      chloe,
    );

    const david = await openAsPerson('david');
    const el = form('call', '42-call-2', david);
    await waitUntil(() => status(el), (s) => s === 'idle' || s === 'saved', { what: 'loaded' });
    const before = (await stored('call', '42-call-2'))['summary'];
    await typeIn(el.locator('[name="summary"]'), 'Not his to change.');
    await waitUntil(() => status(el), (s) => s === 'refused', { what: "David's save refused" });
    assert.equal((await stored('call', '42-call-2'))['summary'], before);
  });
});
