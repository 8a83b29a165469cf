/**
 * End to end: one socket per browser. Pages of one browser context are tabs of one browser; the
 * demo's `?shared` turns on the provider's `shared-connection`. Against the real server: five tabs
 * hold one socket (the server's own `crm_connections` gauge says so) and still count as five tabs
 * in presence, whether a SharedWorker (the default) or a leader tab holds it; a closed tab leaves
 * its rooms at once; and with a leader tab, closing the leader hands the socket to another tab,
 * which resumes: an event sent while it took over arrives, and a save made meanwhile is applied
 * once. With tokens (`token-url`): a tab opened after another person signed in is that person,
 * and short-lived tokens reconnect the shared socket as the same person, never as the next one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { closeDemo, openAs, openDemo } from './helpers/browser.js';
import { waitUntil } from './helpers/presence.js';
import { socketsOpen, tabsOf } from './helpers/shared-tabs.js';
import type { TestServer } from './helpers/server.js';

const JWT_SECRET = 'e2e-shared-connection-secret-7f3a9c1e5b2d8f4a6c0e';
const API_KEY = 'e2e-shared-connection-key-2c9e4b7a1d';

/** Rooms the server holds, from its own metrics. */
async function roomsHeld(server: TestServer): Promise<number> {
  const text = await (await fetch(`${server.origin}/metrics`)).text();
  return Number(/^crm_rooms (\d+)/m.exec(text)?.[1]);
}

/** Rooms the page's client holds that it has not joined yet (no `seq` seen). */
function joining(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const { client } = document.querySelector('crm-realtime-provider') as unknown as {
      client: { heldRooms(): Map<string, number>; lastSeq(room: string): number | undefined };
    };
    return [...client.heldRooms().keys()].filter((room) => client.lastSeq(room) === undefined);
  });
}

/** A field of a customer as the page's client holds it. */
function fieldOn(page: Page, id: string, field: string): Promise<unknown> {
  return page.evaluate(
    async ({ id, field }) => {
      const provider = document.querySelector('crm-realtime-provider') as unknown as {
        client: { liveData(o: object): { data: Record<string, unknown>; release(): void } };
      };
      const live = provider.client.liveData({ entityType: 'customer', entityId: id });
      const value = live.data[field];
      live.release();
      return value;
    },
    { id, field },
  );
}

/** Save a field from the page; resolves with the outcome's state (`confirmed`, …). */
function save(page: Page, id: string, fields: Record<string, string>): Promise<string> {
  return page.evaluate(
    async ({ id, fields }) => {
      const provider = document.querySelector('crm-realtime-provider') as unknown as {
        client: {
          liveData(o: object): {
            ready: Promise<unknown>;
            update(f: object): Promise<{ state: string }>;
            release(): void;
          };
        };
      };
      const live = provider.client.liveData({ entityType: 'customer', entityId: id });
      const outcome = await live.update(fields);
      live.release();
      return outcome.state;
    },
    { id, fields },
  );
}

/** Edits fields from the page without waiting for the outcome; resolves with the saves waiting. */
function queueSave(page: Page, id: string, fields: Record<string, string>): Promise<number> {
  return page.evaluate(
    async ({ id, fields }) => {
      const provider = document.querySelector('crm-realtime-provider') as unknown as {
        client: {
          liveData(o: object): { update(f: object): Promise<unknown> };
          outbox: { size: number; flush(): Promise<void> };
        };
      };
      const live = provider.client.liveData({ entityType: 'customer', entityId: id });
      void live.update(fields);
      await provider.client.outbox.flush(); // stored in IndexedDB
      return provider.client.outbox.size;
    },
    { id, fields },
  );
}

describe('one socket per browser (real server, real browser)', () => {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];

  before(async () => {
    ({ server, browser } = await openDemo({
      graceMs: 5_000,
      env: { CRM_JWT_SECRET: JWT_SECRET, CRM_API_KEYS: API_KEY },
    }));
  });

  after(() => closeDemo(contexts, browser, server));

  async function profile(): Promise<BrowserContext> {
    assert.ok(browser);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    return context;
  }

  async function tab(context: BrowserContext, who: string, id: number, shared?: string) {
    assert.ok(server);
    const params: Record<string, string> = { reconnect: '200' };
    if (shared !== undefined) params['shared'] = shared;
    const { page, errors } = await openAs(
      context,
      server.origin,
      `/customer.html?id=${id}`,
      who,
      params,
    );
    await page.locator('crm-connection-status[state="open"]').waitFor({ timeout: 15_000 });
    return { page, errors };
  }

  /**
   * Five tabs: one socket, five tabs in presence; a closed tab leaves; the last closes it.
   * `pageSockets`: how many of the tabs open a WebSocket themselves (the leader's one, or none
   * when the worker holds it).
   */
  async function fiveTabs(shared: string, id: number, pageSockets: number): Promise<void> {
    assert.ok(server);
    const room = `customer:${id}`;
    const ben = await tab(await profile(), 'ben', id);
    const before = await socketsOpen(server);
    const ana = await profile();
    let opened = 0;
    ana.on('page', (page) => page.on('websocket', () => (opened += 1)));
    const tabs = [];
    for (let i = 0; i < 5; i++) tabs.push(await tab(ana, 'ana', id, shared));
    assert.equal(await socketsOpen(server), before + 1, 'five tabs, one socket');
    assert.equal(opened, pageSockets, 'sockets the tabs opened themselves');
    await waitUntil(
      () => tabsOf(ben.page, room, 'ana'),
      (n) => n === 5,
      { what: 'Ana in 5 tabs' },
    );

    // A tab that does not hold the socket (with a leader, the first one does) closes.
    await tabs[4]!.page.close({ runBeforeUnload: true });
    await waitUntil(
      () => tabsOf(ben.page, room, 'ana'),
      (n) => n === 4,
      { what: 'Ana in 4 tabs' },
    );
    assert.equal(await socketsOpen(server), before + 1, 'the others keep the socket');

    for (const t of tabs.slice(0, 4)) await t.page.close({ runBeforeUnload: true });
    await waitUntil(
      () => socketsOpen(server!),
      (n) => n === before,
      { what: 'the socket closed' },
    );
    for (const t of tabs) assert.deepEqual(t.errors, []);
  }

  test(
    'shared-connection="leader": five tabs hold one socket and count as five tabs; a closed tab leaves',
    { timeout: 90_000 },
    () => fiveTabs('leader', 42, 1),
  );

  // The default where the browser has a SharedWorker: no tab opens a socket, the worker does.
  test(
    'shared-connection (a SharedWorker): five tabs hold one socket and count as five tabs; a closed tab leaves',
    { timeout: 90_000 },
    () => fiveTabs('', 23, 0),
  );
  test(
    'the tab holding the socket closes: another takes over and resumes',
    { timeout: 90_000 },
    async () => {
      assert.ok(server);
      const id = 31;
      const room = `customer:${id}`;
      const ben = await tab(await profile(), 'ben', id);
      const before = await socketsOpen(server);
      const ana = await profile();
      const leader = await tab(ana, 'ana', id, 'leader'); // the first tab wins the election
      const second = await tab(ana, 'ana', id, 'leader');
      const third = await tab(ana, 'ana', id, 'leader');
      assert.equal(await socketsOpen(server), before + 1);
      await waitUntil(
        () => tabsOf(ben.page, room, 'ana'),
        (n) => n === 3,
        { what: 'Ana in 3 tabs' },
      );

      await leader.page.close({ runBeforeUnload: true });
      // While the next tab takes over: Ben saves one field, Ana's second tab another.
      const [benSaved, anaSaved] = await Promise.all([
        save(ben.page, String(id), { phone: '+1 555 0143' }),
        save(second.page, String(id), { email: 'takeover@example.test' }),
      ]);
      assert.deepEqual([benSaved, anaSaved], ['confirmed', 'confirmed']);

      for (const page of [second.page, third.page]) {
        await waitUntil(
          () => fieldOn(page, String(id), 'phone'),
          (v) => v === '+1 555 0143',
          {
            what: "Ben's save on Ana's tab",
          },
        );
      }
      await waitUntil(
        () => fieldOn(ben.page, String(id), 'email'),
        (v) => v === 'takeover@example.test',
        {
          what: "Ana's save on Ben's page",
        },
      );
      await waitUntil(
        () => tabsOf(ben.page, room, 'ana'),
        (n) => n === 2,
        { what: 'Ana in 2 tabs' },
      );
      assert.equal(await socketsOpen(server), before + 1, 'still one socket for Ana');
      for (const t of [second, third]) assert.deepEqual(t.errors, []);
    },
  );

  test(
    'the tab holding the socket closes while offline with a save queued: the tab that takes over sends it',
    { timeout: 90_000 },
    async () => {
      assert.ok(server);
      const id = 36;
      const room = `customer:${id}`;
      const ben = await tab(await profile(), 'ben', id);
      const ana = await profile();
      const leader = await tab(ana, 'ana', id, 'leader'); // the first tab wins the election
      const follower = await tab(ana, 'ana', id, 'leader');
      await waitUntil(
        () => tabsOf(ben.page, room, 'ana'),
        (n) => n === 2,
        { what: 'Ana in 2 tabs' },
      );

      await ana.setOffline(true);
      for (const t of [leader, follower]) {
        await t.page.locator('crm-connection-status[state="offline"]').waitFor();
      }
      // One save waits in the leader tab's outbox, one in the follower's.
      assert.equal(await queueSave(leader.page, String(id), { phone: '+1 555 0177' }), 1);
      assert.equal(await queueSave(follower.page, String(id), { email: 'queued@example.test' }), 1);
      // Gone before the network returns (a closing page would refuse the network change).
      const closed = leader.page.waitForEvent('close');
      await leader.page.close({ runBeforeUnload: true });
      await closed;
      await ana.setOffline(false);

      // The follower took over the socket and sends both: nothing waits for a next page load.
      await waitUntil(
        () => fieldOn(ben.page, String(id), 'phone'),
        (v) => v === '+1 555 0177',
        { what: "the closed leader's queued save on Ben's page", timeout: 20_000 },
      );
      await waitUntil(
        () => fieldOn(ben.page, String(id), 'email'),
        (v) => v === 'queued@example.test',
        { what: "the follower's queued save on Ben's page" },
      );
      await waitUntil(
        () => fieldOn(follower.page, String(id), 'phone'),
        (v) => v === '+1 555 0177',
        { what: "the closed leader's save on the tab that took over" },
      );
      await waitUntil(
        () =>
          follower.page.evaluate(
            () =>
              (
                document.querySelector('crm-realtime-provider') as unknown as {
                  client: { outbox: { size: number } };
                }
              ).client.outbox.size,
          ),
        (n) => n === 0,
        { what: 'nothing left waiting' },
      );
      assert.deepEqual(follower.errors, []);
    },
  );
  test(
    'the tab holding the socket closes while a form save is in flight: it lands once and the form ends clean',
    { timeout: 90_000 },
    async () => {
      assert.ok(server);
      const id = '7';
      const ana = await profile();
      const leader = await tab(ana, 'ana', Number(id), 'leader'); // the first tab wins the election
      const saving = await tab(ana, 'ana', Number(id), 'leader');
      const form = saving.page.locator('crm-collaborative-form[data-customer-form]');
      const status = () => form.evaluate((el) => (el as HTMLElement & { status: string }).status);
      await waitUntil(status, (s) => s === 'idle', { what: 'the form to load' });
      const version = async () => {
        const response = await fetch(`${server!.origin}/api/entities/customer/${id}`, {
          headers: { authorization: `Bearer ${API_KEY}` },
        });
        return ((await response.json()) as { entity: { version: number } }).entity.version;
      };
      const was = await version();

      await form.locator('[name="nextStep"]').fill('Saved while the leader closed');
      await form.locator('[name="nextStep"]').press('Enter');
      await leader.page.close({ runBeforeUnload: true });

      await waitUntil(status, (s) => s === 'saved', { what: 'the form to say saved' });
      assert.deepEqual(
        await form.evaluate((el) => (el as unknown as { dirtyFields: string[] }).dirtyFields),
        [],
      );
      assert.equal(await version(), was + 1, 'applied once');
      assert.equal(await fieldOn(saving.page, id, 'nextStep'), 'Saved while the leader closed');
      assert.deepEqual(saving.errors, []);
    },
  );

  test(
    'twenty rounds of three tabs opened and closed at once: no room and no tab in presence left behind',
    { timeout: 180_000 },
    async () => {
      assert.ok(server);
      const ben = await tab(await profile(), 'ben', 42);
      const ana = await profile();
      const stays = await tab(ana, 'ana', 13, '');
      // Every room the pages that stay hold, joined: the count to come back to.
      for (const { page } of [ben, stays]) {
        await page
          .locator('crm-collaborative-form[data-customer-form]')
          .evaluate((el) => (el as unknown as { updateComplete: Promise<unknown> }).updateComplete);
        await waitUntil(
          () => joining(page),
          (rooms) => rooms.length === 0,
          { what: 'every room joined' },
        );
      }
      const rooms = await roomsHeld(server);
      const errors: string[] = [];
      for (let round = 0; round < 20; round++) {
        const opened = await Promise.all([42, 7, 42].map((id) => tab(ana, 'ana', id, '')));
        await Promise.all(opened.map((t) => t.page.close({ runBeforeUnload: true })));
        for (const t of opened) errors.push(...t.errors);
      }
      await waitUntil(
        () => roomsHeld(server!),
        (n) => n === rooms,
        { what: `the server to hold ${rooms} rooms again`, timeout: 20_000 },
      );
      await waitUntil(
        () => tabsOf(ben.page, 'customer:42', 'ana'),
        (n) => n === undefined,
        { what: 'Ana gone from the record she closed' },
      );
      assert.deepEqual([...errors, ...stays.errors], []);
    },
  );

  for (const shared of ['leader', '']) {
    test(
      `shared-connection="${shared}": the server goes away and comes back; every tab says reconnecting, then connected, and counts once`,
      { timeout: 90_000 },
      async () => {
        assert.ok(server);
        const id = shared === 'leader' ? 18 : 47;
        const room = `customer:${id}`;
        const ben = await tab(await profile(), 'ben', id);
        // Ana's tabs of earlier tests may still be on this record: counted once Ben's page has
        // the room's presence (it lists Ben himself).
        await waitUntil(
          () => tabsOf(ben.page, room, 'ben'),
          (n) => n === 1,
          { what: "Ben's page in the room" },
        );
        const already = (await tabsOf(ben.page, room, 'ana')) ?? 0;
        const ana = await profile();
        const tabs = [];
        for (let i = 0; i < 3; i++) tabs.push(await tab(ana, 'ana', id, shared));
        await waitUntil(
          () => tabsOf(ben.page, room, 'ana'),
          (n) => n === already + 3,
          { what: 'Ana in 3 more tabs' },
        );
        for (const { page } of tabs) {
          await page.evaluate(() => {
            const seen: string[] = [];
            Object.assign(window, { __states: seen });
            const { client } = document.querySelector('crm-realtime-provider') as unknown as {
              client: { onStatus(f: (s: { state: string }) => void): void };
            };
            client.onStatus((s) => seen.push(s.state));
          });
        }
        const states = (page: Page) =>
          page.evaluate(() => (window as unknown as { __states: string[] }).__states);

        await server.stop();
        for (const { page } of tabs) {
          await waitUntil(
            () => states(page),
            (s) => s.includes('reconnecting'),
            { what: 'the tab to say reconnecting' },
          );
        }
        await server.start();
        for (const { page } of [...tabs, ben]) {
          await page.locator('crm-connection-status[state="open"]').waitFor({ timeout: 30_000 });
        }
        for (const { page } of tabs) {
          const seen = await states(page);
          assert.equal(seen.at(-1), 'open', seen.join(' → '));
          assert.ok(seen.indexOf('reconnecting') < seen.lastIndexOf('open'), seen.join(' → '));
        }
        await waitUntil(
          () => tabsOf(ben.page, room, 'ana'),
          (n) => n === already + 3,
          { what: 'Ana in 3 more tabs again' },
        );
        for (const { page } of tabs) {
          await waitUntil(
            () => tabsOf(page, room, 'ana'),
            (n) => n === already + 3,
            { what: "Ana's own tabs count them" },
          );
        }
        const sockets = await socketsOpen(server);
        const others = contexts.length - 2; // every other profile holds one socket of its own
        assert.ok(sockets <= others + 2, `one socket for Ana (${sockets} open)`);
        for (const t of tabs) {
          assert.deepEqual(
            // The browser logs each socket it could not open while the server was away.
            t.errors.filter((e) => !/WebSocket connection to .* failed/.test(e)),
            [],
          );
        }
      },
    );
  }

  /**
   * Tabs of a CRM whose pages sign in through its session (`token-url`, answered from the session
   * cookie) and share their connection. `session.user` is whoever the cookie says now;
   * `session.ttl` how long the tokens it gives live (s). Each tab is a page of the server's origin
   * (the demo's, its own provider removed) with such a provider.
   */
  async function signedInProfile(
    session: { user: string | undefined; ttl: number },
    shared: string,
  ) {
    assert.ok(server);
    const context = await profile();
    const secret = new TextEncoder().encode(JWT_SECRET);
    await context.route(`${server.origin}/token`, async (route) => {
      if (session.user === undefined) return route.fulfill({ status: 401, body: 'signed out' });
      const token = await new SignJWT({ name: session.user })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(session.user)
        .setExpirationTime(Math.floor(Date.now() / 1000) + session.ttl)
        .sign(secret);
      await route.fulfill({ contentType: 'text/plain', body: token });
    });
    return async function open() {
      const { page, errors } = await openAs(context, server!.origin, '/index.html', 'ana');
      await page.evaluate(
        ({ url, shared }) => {
          document.querySelector('crm-realtime-provider')?.remove();
          const provider = document.createElement('crm-realtime-provider');
          provider.setAttribute('url', url);
          provider.setAttribute('token-url', '/token');
          provider.setAttribute('shared-connection', shared);
          provider.setAttribute('reconnect-interval', '200');
          document.body.append(provider);
        },
        { url: `${server!.origin.replace('http:', 'ws:')}/realtime`, shared },
      );
      await waitUntil(
        () => signedInAs(page),
        (s) => s.state === 'open',
        { what: `the tab to connect (${errors.join('; ')})`, timeout: 15_000 },
      );
      return { page, errors };
    };
  }

  /** Who the page's connection is signed in as (the server's welcome), and its state. */
  function signedInAs(
    page: Page,
  ): Promise<{ user: string | undefined; state: string; lastError?: string }> {
    return page.evaluate(() => {
      const { client } = document.querySelector('crm-realtime-provider') as unknown as {
        client: { user?: { id: string }; status: { state: string; lastError?: string } };
      };
      const { state, lastError } = client.status;
      return { user: client.user?.id, state, ...(lastError ? { lastError } : {}) };
    });
  }

  for (const shared of ['leader', '']) {
    test(
      `shared-connection="${shared}": a tab opened after another person signed in is that person, and no tab becomes someone else`,
      { timeout: 90_000 },
      async () => {
        const session = { user: 'ana', ttl: 600 };
        const open = await signedInProfile(session, shared);
        const first = await open();
        assert.equal((await signedInAs(first.page)).user, 'ana');

        // Ana signs out and Ben signs in, in the same browser: the session cookie is Ben's now.
        session.user = 'ben';
        const second = await open();
        assert.equal((await signedInAs(second.page)).user, 'ben', "Ben's tab is Ben");
        const stillAna = await signedInAs(first.page);
        assert.ok(
          stillAna.user === 'ana' || stillAna.state !== 'open',
          `Ana's tab is Ana or not connected (${JSON.stringify(stillAna)})`,
        );
        for (const t of [first, second]) assert.deepEqual(t.errors, []);
      },
    );
  }

  for (const shared of ['leader', '']) {
    test(
      `shared-connection="${shared}", short-lived tokens: each expiry reconnects every tab with a fresh token as the same person, never as the next one to sign in`,
      { timeout: 90_000 },
      async () => {
        const session = { user: 'chloe', ttl: 2 };
        const open = await signedInProfile(session, shared);
        const tabs = [await open(), await open(), await open()];
        const opens = (page: Page) =>
          page.evaluate(() => (window as unknown as { __opens: number }).__opens);
        for (const { page } of tabs) {
          await page.evaluate(() => {
            const w = window as unknown as { __opens: number };
            w.__opens = 0;
            const { client } = document.querySelector('crm-realtime-provider') as unknown as {
              client: { onStatus(f: (s: { state: string }) => void): void };
            };
            client.onStatus((s) => (w.__opens += s.state === 'open' ? 1 : 0));
          });
        }
        // Two expiries later, every tab is connected again, as Chloé.
        for (const { page } of tabs) {
          await waitUntil(
            () => opens(page),
            (n) => n >= 2,
            { what: 'two reconnects after tokens expired', timeout: 20_000 },
          );
          assert.deepEqual(await signedInAs(page), { user: 'chloe', state: 'open' });
        }

        // Chloé signs out and David signs in: at the next expiry her tabs must not become David.
        session.user = 'david';
        for (const { page } of tabs) {
          const now = await waitUntil(
            () => signedInAs(page),
            (s) => (s.state === 'open' && s.user !== 'chloe') || s.state === 'closed',
            { what: "Chloé's token to expire", timeout: 20_000 },
          );
          assert.ok(
            !(now.user === 'david' && now.state === 'open'),
            `Chloé's tab is not David (${JSON.stringify(now)})`,
          );
        }
        for (const t of tabs) assert.deepEqual(t.errors, []);
      },
    );
  }
  for (const shared of ['leader', '']) {
    test(
      `shared-connection="${shared}": signed out everywhere, then in again: a tab opened then connects`,
      { timeout: 90_000 },
      async () => {
        const session: { user: string | undefined; ttl: number } = { user: 'emma', ttl: 2 };
        const open = await signedInProfile(session, shared);
        const first = await open();
        session.user = undefined; // signed out: the next connect (the token expires) is refused
        await waitUntil(
          () => signedInAs(first.page),
          (s) => s.state === 'closed',
          { what: 'the tab to stop on the refusal', timeout: 20_000 },
        );

        session.user = 'emma'; // signed in again, in a new tab; the first still shows its refusal
        const second = await open();
        assert.equal((await signedInAs(second.page)).user, 'emma');
      },
    );
  }
});
