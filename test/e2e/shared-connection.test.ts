/**
 * End to end: one socket per browser. Pages of one browser context are tabs of one browser; the
 * demo's `?shared` turns on the provider's `shared-connection`. Against the real server: five tabs
 * hold one socket (the server's own `crm_connections` gauge says so) and still count as five tabs
 * in presence, whether a SharedWorker (the default) or a leader tab holds it; a closed tab leaves
 * its rooms at once; and with a leader tab, closing the leader hands the socket to another tab,
 * which resumes: an event sent while it took over arrives, and a save made meanwhile is applied
 * once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { closeDemo, openAs, openDemo } from './helpers/browser.js';
import { waitUntil } from './helpers/presence.js';
import type { TestServer } from './helpers/server.js';

/** Open sockets, from the server's own metrics. */
async function socketsOpen(server: TestServer): Promise<number> {
  const text = await (await fetch(`${server.origin}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('crm_connections '));
  return Number(line?.split(' ')[1]);
}

/** How many tabs `userId` has in `room`, as the page's client sees it. */
function tabsOf(page: Page, room: string, userId: string): Promise<number | undefined> {
  return page.evaluate(
    ({ room, userId }) => {
      const provider = document.querySelector('crm-realtime-provider') as unknown as {
        client: {
          presence(room: string): {
            snapshot(): { people: { user: { id: string }; connections: number }[] };
            release(): void;
          };
        };
      };
      const presence = provider.client.presence(room);
      const count = presence.snapshot().people.find((p) => p.user.id === userId)?.connections;
      presence.release();
      return count;
    },
    { room, userId },
  );
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
    ({ server, browser } = await openDemo({ graceMs: 5_000 }));
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
});
