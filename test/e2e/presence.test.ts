/**
 * End to end: the demo's customer page in real Chromium against the real reference server.
 * People are separate browser contexts (separate profiles: own localStorage, own client id), so
 * two contexts are two devices and two pages of one context are two tabs of one browser.
 *
 * Each test uses its own customer, so a person still in one room's grace period cannot leak
 * into the next test.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { closeDemo, openDemo, openAs } from './helpers/browser.js';
import {
  avatarLabels,
  avatarOf,
  connectionState,
  presenceOf,
  waitForPeople,
  waitUntil,
} from './helpers/presence.js';
import type { TestServer } from './helpers/server.js';

/** Short, so the "leave after grace" test is quick, yet long enough to measure. */
const GRACE_MS = 2000;
const ANA = 'Ana Souza';
const BEN = 'Ben Carter';

describe('presence on the demo customer page (real server, real browser)', () => {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];

  before(async () => {
    ({ server, browser } = await openDemo({ graceMs: GRACE_MS }));
  });

  after(() => closeDemo(contexts, browser, server));

  /** A fresh browser profile: one person on one device. */
  async function person(): Promise<BrowserContext> {
    assert.ok(browser);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    return context;
  }

  async function open(
    context: BrowserContext,
    who: string,
    id: number,
    params: Record<string, string> = {},
  ): Promise<Page> {
    assert.ok(server);
    const { page } = await openAs(context, server.origin, `/customer.html?id=${id}`, who, params);
    return page;
  }

  test('two people on the same customer see each other', { timeout: 30_000 }, async () => {
    const room = 'customer:42';
    const ana = await open(await person(), 'ana', 42);
    const ben = await open(await person(), 'ben', 42);

    await waitForPeople(ana, room, [BEN]);
    await waitForPeople(ben, room, [ANA]);
    // Without show-current-user, nobody sees themselves.
    assert.equal(await avatarOf(ana, room, ANA).count(), 0);

    // Ana's profile has a picture (a data: URL), so Ben sees it rather than initials.
    const anaOnBen = avatarOf(ben, room, ANA);
    assert.match((await anaOnBen.getAttribute('aria-label')) ?? '', /^Ana Souza: Online, Viewing$/);
    assert.equal(await anaOnBen.locator('img[part~="image"]').count(), 1);

    // The tooltip names her and says what she does.
    await anaOnBen.hover();
    const tooltip = presenceOf(ben, room).locator('[part~="tooltip"]');
    await tooltip.waitFor({ state: 'visible', timeout: 5000 });
    assert.match(await tooltip.innerText(), /Ana Souza[\s\S]*Online[\s\S]*Viewing/);

    // A focused field is announced to the others as "editing".
    await ana.locator('#notes').focus();
    await waitUntil(
      () => avatarOf(ben, room, ANA).getAttribute('aria-label'),
      (label) => label === 'Ana Souza: Online, Editing Notes',
      { what: "Ana's avatar to say she edits the notes" },
    );
  });

  test(
    'a second tab of one person is one avatar that says "2 tabs"',
    { timeout: 30_000 },
    async () => {
      const room = 'customer:7';
      const anaBrowser = await person();
      const anaFirst = await open(anaBrowser, 'ana', 7);
      const ben = await open(await person(), 'ben', 7);
      await waitForPeople(ben, room, [ANA]);

      const anaSecond = await open(anaBrowser, 'ana', 7);
      const labels = await waitUntil(
        () => avatarLabels(ben, room),
        (shown) => shown.length === 1 && (shown[0] ?? '').includes('2 tabs'),
        { what: 'one avatar of Ana with "2 tabs"' },
      );
      assert.deepEqual(labels, ['Ana Souza: Online, Viewing, 2 tabs']);
      // Her second tab shows Ben once as well, and never herself.
      await waitForPeople(anaSecond, room, [BEN]);

      // The tooltip says it too.
      await avatarOf(ben, room, ANA).hover();
      const tooltip = presenceOf(ben, room).locator('[part~="tooltip"]');
      await tooltip.waitFor({ state: 'visible', timeout: 5000 });
      assert.match(await tooltip.innerText(), /2 tabs/);

      // Closing one tab leaves one avatar with one tab; she never disappears meanwhile.
      await anaFirst.close();
      await waitUntil(
        () => avatarLabels(ben, room),
        (shown) => shown.length === 1 && shown[0] === 'Ana Souza: Online, Viewing',
        { timeout: GRACE_MS + 8000, what: 'Ana back to a single tab' },
      );
    },
  );

  test(
    'closing a page removes the person after the grace period, not before',
    { timeout: 30_000 },
    async () => {
      const room = 'customer:13';
      const ana = await open(await person(), 'ana', 13);
      const ben = await open(await person(), 'ben', 13);
      await waitForPeople(ben, room, [ANA]);

      const closedAt = Date.now();
      await ana.close();
      // Halfway through the grace period she is still shown: a reload would not flicker.
      await new Promise((resolve) => setTimeout(resolve, GRACE_MS / 2));
      assert.deepEqual(await avatarLabels(ben, room), ['Ana Souza: Online, Viewing']);

      await avatarOf(ben, room, ANA).waitFor({ state: 'detached', timeout: GRACE_MS + 8000 });
      const gone = Date.now() - closedAt;
      assert.ok(
        gone >= GRACE_MS * 0.9,
        `removed after ${gone} ms, before the ${GRACE_MS} ms grace`,
      );
      await waitUntil(
        () => presenceOf(ben, room).locator('[part~="note"]').innerText(),
        (text) => text.includes('Only you here'),
        { what: 'Ben to be told he is alone' },
      );
    },
  );

  test(
    'after a server restart both people come back without reloading',
    { timeout: 60_000 },
    async (t) => {
      assert.ok(server);
      const room = 'customer:23';
      // A short first retry keeps the test quick; the backoff and jitter are the kit's own.
      const fast = { reconnect: '250' };
      const ana = await open(await person(), 'ana', 23, fast);
      const ben = await open(await person(), 'ben', 23, fast);
      await waitForPeople(ana, room, [BEN]);
      await waitForPeople(ben, room, [ANA]);
      for (const page of [ana, ben]) {
        await page.evaluate(() => {
          (window as unknown as { e2eSameDocument: boolean }).e2eSameDocument = true;
        });
      }

      const stoppedAt = Date.now();
      await server.stop();
      for (const page of [ana, ben]) {
        await waitUntil(
          () => connectionState(page),
          (state) => state !== 'open',
          { what: 'the header to show the connection is lost' },
        );
      }

      await server.start();
      const startedAt = Date.now();
      for (const page of [ana, ben]) {
        await waitUntil(
          () => connectionState(page),
          (state) => state === 'open',
          {
            timeout: 30_000,
            what: 'the header to show "Connected" again',
          },
        );
      }
      t.diagnostic(
        `server down for ${startedAt - stoppedAt} ms; both reconnected ${Date.now() - startedAt} ms after it was back`,
      );
      await waitForPeople(ana, room, [BEN], 15_000);
      await waitForPeople(ben, room, [ANA], 15_000);

      // Same documents: nothing was reloaded.
      for (const page of [ana, ben]) {
        const same = await page.evaluate(
          () => (window as unknown as { e2eSameDocument?: boolean }).e2eSameDocument === true,
        );
        assert.ok(same, 'the page was reloaded');
      }
      // The restarted server keeps presence in memory only, so a newcomer seeing both proves they
      // really rejoined (not just a stale picture in their pages).
      const chloe = await open(await person(), 'chloe', 23);
      await waitForPeople(chloe, room, [ANA, BEN], 15_000);
    },
  );
});
