/**
 * End to end: the deployment with several processes. Three real server processes share one
 * private Redis and one private PostgreSQL, behind a round-robin TCP proxy with no sticky sessions
 * (test/e2e/helpers/round-robin-proxy.ts); people are Chromium contexts on the demo's customer
 * page, each socket on a different process.
 *
 * - People on different processes see each other, edit one customer with field merge, and the
 *   second to save the same field gets the conflict dialog; a watcher notification and the
 *   activity item reach a person on a third process.
 * - kill -9 of one process: its people reconnect through the proxy to the others within the
 *   backoff cap and resume; every acknowledged save is stored; an edit made meanwhile reaches
 *   them; and nobody watching sees a leave for someone who is still connected elsewhere.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startPostgres, type PostgresInstance } from '../services/postgres.js';
import { startRedis, type RedisInstance } from '../services/redis.js';
import { launchBrowser, openAs } from './helpers/browser.js';
import { avatarLabels, waitForPeople, waitUntil } from './helpers/presence.js';
import { startRoundRobinProxy, type RoundRobinProxy } from './helpers/round-robin-proxy.js';
import { startServer, type TestServer } from './helpers/server.js';

const API_KEY = 'e2e-scale-out-key-5c1e77a0d9';
const FORM = 'crm-collaborative-form[data-customer-form]';
const ANA = 'Ana Souza';
const BEN = 'Ben Carter';
const CHLOE = 'Chloé Martin';
/** Long enough that a reconnect through the proxy lands well inside it. */
const GRACE_MS = 8000;

interface StoredEntity {
  version: number;
  fields: Record<string, unknown>;
}

describe('three server processes on Redis and PostgreSQL behind a round-robin proxy', () => {
  let redis: RedisInstance | undefined;
  let postgres: PostgresInstance | undefined;
  const servers: TestServer[] = [];
  let proxy: RoundRobinProxy | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];

  before(async () => {
    redis = await startRedis();
    postgres = await startPostgres();
    const databaseUrl = await postgres.createDatabase('scale_out');
    const env = {
      CRM_API_KEYS: API_KEY,
      CRM_REDIS_URL: redis.url,
      CRM_DATABASE_URL: databaseUrl,
    };
    // The first process migrates and seeds the demo data; the others find it there.
    for (let i = 0; i < 3; i++) {
      // A hang limit, not a speed check: three processes compile TypeScript on a shared machine.
      servers.push(await startServer({ graceMs: GRACE_MS, env, startTimeoutMs: 120_000 }));
    }
    proxy = await startRoundRobinProxy(servers.map((s) => s.port));
    const kit = await fetch(`${proxy.origin}/kit/crm-realtime.bundle.js`);
    assert.equal(kit.status, 200, 'the built kit is missing: run `npm run build` first');
    browser = await launchBrowser();
  });

  after(async () => {
    await Promise.allSettled(contexts.map((c) => c.close()));
    await browser?.close();
    await proxy?.close();
    await Promise.allSettled(servers.map((s) => s.dispose()));
    await redis?.dispose();
    await postgres?.dispose();
  });

  async function person(): Promise<BrowserContext> {
    assert.ok(browser);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    return context;
  }

  /** The customer page as `who` through the proxy, once its form shows the stored record. */
  async function openCustomer(who: string, id: number): Promise<{ page: Page; backend: number }> {
    assert.ok(proxy);
    const before = proxy.sockets.length;
    const { page, errors } = await openAs(
      await person(),
      proxy.origin,
      `/customer.html?id=${id}`,
      who,
    );
    await waitUntil(
      () => formStatus(page),
      (status) => status === 'idle',
      { what: `${who}'s form to load customer ${id} (${errors.join('; ')})` },
    );
    assert.equal(proxy.sockets.length, before + 1, 'one WebSocket per page');
    return { page, backend: proxy.sockets[before]!.backend };
  }

  const formStatus = (page: Page) =>
    page.locator(FORM).evaluate((el) => (el as HTMLElement & { status: string }).status);
  const value = (page: Page, name: string) => page.locator(`${FORM} [name="${name}"]`).inputValue();

  async function typeAndSave(page: Page, name: string, text: string): Promise<void> {
    const input = page.locator(`${FORM} [name="${name}"]`);
    await input.fill(text);
    await input.press('Enter');
  }

  /** Read through the HTTP API of one process (any process sees what every process stored). */
  async function stored(server: TestServer, id: string): Promise<StoredEntity> {
    const response = await fetch(`${server.origin}/api/entities/customer/${id}`, {
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    assert.equal(response.status, 200, await response.clone().text());
    const body = (await response.json()) as { entity?: StoredEntity } & StoredEntity;
    return body.entity ?? body;
  }

  /**
   * Records, inside the page, every time the avatar of `name` disappears from the customer's
   * presence: a leave the person watching would have seen, however briefly.
   */
  async function watchForLeave(page: Page, name: string): Promise<void> {
    // A string, not a function: the test runner's transpiler would wrap named inner functions in
    // a helper that does not exist in the page.
    await page.evaluate(`(() => {
      const who = ${JSON.stringify(name)};
      window.__leaves = 0;
      const presence = document.querySelector('crm-presence[data-entity-presence]');
      const present = () =>
        [...presence.shadowRoot.querySelectorAll('[aria-label]')].some((el) =>
          (el.getAttribute('aria-label') || '').startsWith(who + ':'),
        );
      let was = present();
      new MutationObserver(() => {
        const now = present();
        if (was && !now) window.__leaves++;
        was = now;
      }).observe(presence.shadowRoot, { subtree: true, childList: true, attributes: true });
    })()`);
  }
  const leavesSeen = (page: Page) =>
    page.evaluate(() => (window as unknown as { __leaves: number }).__leaves);

  test(
    'people on different processes see each other, merge, conflict, and get notified',
    { timeout: 120_000 },
    async () => {
      const room = 'customer:42';
      const ana = await openCustomer('ana', 42);
      const ben = await openCustomer('ben', 42);
      const chloe = await openCustomer('chloe', 42);
      assert.deepEqual(
        new Set([ana.backend, ben.backend, chloe.backend]).size,
        3,
        'each person on a different process',
      );

      await waitForPeople(ana.page, room, [BEN, CHLOE]);
      await waitForPeople(ben.page, room, [ANA, CHLOE]);
      await waitForPeople(chloe.page, room, [ANA, BEN]);

      // Field merge across processes: Ana types the email while Ben saves the phone.
      const start = await stored(servers[0]!, '42');
      await ana.page.locator(`${FORM} [name="email"]`).fill('ana.scale@example.com');
      await typeAndSave(ben.page, 'phone', '+31 20 555 0199');
      for (const page of [ana.page, chloe.page]) {
        await waitUntil(
          () => value(page, 'phone'),
          (v) => v === '+31 20 555 0199',
          { what: "Ben's phone on another process's page" },
        );
      }
      await ana.page.locator(`${FORM} [name="email"]`).press('Enter');
      await waitUntil(
        () => formStatus(ana.page),
        (s) => s === 'saved',
        { what: "Ana's save" },
      );
      const merged = await stored(servers[2]!, '42');
      assert.equal(merged.fields['email'], 'ana.scale@example.com');
      assert.equal(merged.fields['phone'], '+31 20 555 0199');
      assert.equal(merged.version, start.version + 2);

      // The same field from two processes: the second to save chooses.
      await chloe.page.locator(`${FORM} [name="nextStep"]`).fill('Chloé: send the contract');
      await typeAndSave(ben.page, 'nextStep', 'Ben: book the kick-off');
      await waitUntil(
        () => formStatus(ben.page),
        (s) => s === 'saved',
        { what: "Ben's next step" },
      );
      await chloe.page.locator(`${FORM} [name="nextStep"]`).press('Enter');
      const dialog = chloe.page.getByRole('dialog', { name: 'Your change conflicts' });
      await dialog.waitFor({ timeout: 20_000 });
      // Names arrive isolated from the sentence around them (U+2068 … U+2069).
      assert.match((await dialog.innerText()).replace(/[\u2068\u2069]/g, ''), /Ben Carter saved/);
      await dialog.getByRole('button', { name: 'Save my choice' }).click();
      await waitUntil(
        () => formStatus(chloe.page),
        (s) => s === 'saved',
        { what: "Chloé's resolution" },
      );
      const resolved = await stored(servers[1]!, '42');
      assert.equal(resolved.fields['nextStep'], 'Chloé: send the contract');

      // Ana, on her own process, gets the watcher notification of Chloé's save and its activity.
      await waitUntil(
        () =>
          ana.page
            .locator('crm-notification-center')
            .locator('[part~="badge"]')
            .evaluate((el) => ((el as HTMLElement).hidden ? '' : (el.textContent ?? '').trim())),
        (badge) => badge !== '' && Number(badge) >= 1,
        { what: "a notification on Ana's process", timeout: 20_000 },
      );
      await waitUntil(
        () => ana.page.locator('crm-activity-feed[data-customer-feed] article').allInnerTexts(),
        (texts) => texts.some((t) => t.includes('Chloé') && t.includes('send the contract')),
        { what: "Chloé's change in Ana's activity feed", timeout: 20_000 },
      );
    },
  );

  test(
    'kill -9 of a process: its people resume elsewhere, nothing acknowledged is lost, no false leave',
    { timeout: 120_000 },
    async () => {
      assert.ok(proxy);
      const room = 'customer:31';
      const ana = await openCustomer('ana', 31);
      const ben = await openCustomer('ben', 31);
      assert.notEqual(ana.backend, ben.backend, 'Ana and Ben on different processes');
      await waitForPeople(ana.page, room, [BEN]);
      await waitForPeople(ben.page, room, [ANA]);
      await watchForLeave(ana.page, BEN);

      // Ben's acknowledged saves, then his process dies without a word.
      await typeAndSave(ben.page, 'phone', '+44 20 7946 0001');
      await waitUntil(
        () => formStatus(ben.page),
        (s) => s === 'saved',
        { what: "Ben's first save" },
      );
      await typeAndSave(ben.page, 'email', 'ben.before.kill@example.com');
      await waitUntil(
        () => formStatus(ben.page),
        (s) => s === 'saved',
        { what: "Ben's second save" },
      );
      const victim = servers[ben.backend]!;
      const sockets = proxy.sockets.length;
      process.kill(victim.pid!, 'SIGKILL');

      // Meanwhile Ana saves: Ben must get it once he has resumed on another process.
      await typeAndSave(ana.page, 'nextStep', 'Ana: call back on Monday');
      await waitUntil(
        () => formStatus(ana.page),
        (s) => s === 'saved',
        { what: "Ana's save while Ben reconnects" },
      );

      await waitUntil(
        () => Promise.resolve(proxy!.sockets.length > sockets),
        (reconnected) => reconnected,
        { what: "Ben's page to reconnect through the proxy", timeout: 60_000 },
      );
      const landed = proxy.sockets[sockets]!.backend;
      assert.notEqual(landed, ben.backend, 'the reconnect landed on a live process');
      await waitUntil(
        () => ben.page.locator('crm-connection-status').getAttribute('state'),
        (state) => state === 'open',
        { what: "Ben's connection open again", timeout: 60_000 },
      );
      await waitUntil(
        () => value(ben.page, 'nextStep'),
        (v) => v === 'Ana: call back on Monday',
        { what: "Ana's save on Ben's page after his resume", timeout: 20_000 },
      );

      // Every acknowledged save is stored, read from each live process.
      for (const server of servers.filter((s) => s !== victim)) {
        const after = await stored(server, '31');
        assert.equal(after.fields['phone'], '+44 20 7946 0001');
        assert.equal(after.fields['email'], 'ben.before.kill@example.com');
        assert.equal(after.fields['nextStep'], 'Ana: call back on Monday');
      }

      // Ben is still there for Ana, and never left on her screen, also once the live processes
      // have noticed the death (its alive key expired) and removed the dead process's part.
      const watcher = new Redis(redis!.url);
      try {
        await waitUntil(
          () => watcher.scard('crm:processes'),
          (count) => count === 2,
          { what: 'the live processes to notice the dead one', timeout: 60_000 },
        );
      } finally {
        watcher.disconnect();
      }
      assert.ok((await avatarLabels(ana.page, room)).some((label) => label.startsWith(`${BEN}:`)));
      assert.equal(await leavesSeen(ana.page), 0, 'Ana never saw Ben leave');
    },
  );
});
