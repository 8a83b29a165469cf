/**
 * End to end: the demo pages run under the server's strict Content-Security-Policy (scripts from
 * this origin and the pages' own inline modules by hash) without a single violation; and the kit
 * runs under a host page's stricter one, with no `'unsafe-inline'` for styles, as many CRM pages
 * set: people, the feed and a toast drawn, nothing refused.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import { closeDemo, openAs, openDemo } from './helpers/browser.js';
import { startPolicyProxy, type PolicyProxy } from './helpers/policy-proxy.js';
import { waitForPeople, waitUntil } from './helpers/presence.js';
import type { TestServer } from './helpers/server.js';

declare global {
  interface Window {
    cspViolations?: string[];
  }
}

const API_KEY = 'e2e-csp-key-0123456789abcdef';

/** A CRM page's policy: the server's, without `'unsafe-inline'` for styles. */
const HOST_POLICY =
  "default-src 'self'; script-src 'self' {hashes}; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/** Records the page's policy violations from its first script on, before the page's own run. */
async function recordViolations(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (event) => {
      window.cspViolations?.push(
        `${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`,
      );
    });
  });
}

describe('the demo under its Content-Security-Policy', () => {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  let proxy: PolicyProxy | undefined;
  const contexts: BrowserContext[] = [];

  before(async () => {
    ({ server, browser } = await openDemo({ env: { CRM_API_KEYS: API_KEY } }));
    proxy = await startPolicyProxy(server.port, HOST_POLICY);
  });
  after(async () => {
    await closeDemo(contexts, browser, server);
    await proxy?.close();
  });

  for (const path of ['/', '/customer.html?id=52', '/dashboard.html']) {
    test(
      `${path} loads, connects and breaks no rule of its policy`,
      { timeout: 30_000 },
      async () => {
        assert.ok(server && browser);
        const context = await browser.newContext();
        contexts.push(context);
        await recordViolations(context);
        const response = await fetch(new URL(path, server.origin));
        const policy = response.headers.get('content-security-policy') ?? '';
        assert.match(policy, /script-src 'self' 'sha256-/);
        assert.match(policy, /frame-ancestors 'none'/);

        const { page, errors } = await openAs(context, server.origin, path, 'ana');
        // Connected: the kit ran, and its WebSocket was allowed by `connect-src`.
        await page
          .locator('crm-connection-status [part~="label"]')
          .first()
          .getByText('Connected')
          .waitFor({ timeout: 15_000 });
        await page.waitForLoadState('networkidle');
        const violations = await page.evaluate(() => window.cspViolations ?? []);
        assert.deepEqual(violations, [], errors.join('\n'));
        assert.deepEqual(
          errors.filter((e) => /Content Security Policy|Refused to/i.test(e)),
          [],
        );
      },
    );
  }

  test(
    "under a host page's policy with no 'unsafe-inline' for styles, the kit draws avatars, the feed and a toast and breaks no rule",
    { timeout: 60_000 },
    async () => {
      assert.ok(server && browser && proxy);
      const page = async (path: string, person: string) => {
        const context = await browser!.newContext();
        contexts.push(context);
        await recordViolations(context);
        return openAs(context, proxy!.origin, path, person);
      };
      const policy = (await fetch(new URL('/dashboard.html', proxy.origin))).headers.get(
        'content-security-policy',
      );
      assert.match(policy ?? '', /style-src 'self';/);

      // Two people on one record: each sees the other's avatar, coloured by an inline property.
      const ana = await page('/customer.html?id=52', 'ana');
      const ben = await page('/customer.html?id=52', 'ben');
      await waitForPeople(ana.page, 'customer:52', ['Ben Carter']);
      await waitForPeople(ben.page, 'customer:52', ['Ana Souza']);
      const avatarColor = await ana.page
        .locator('crm-presence [part~="avatar"]')
        .first()
        .evaluate((el) => getComputedStyle(el).getPropertyValue('--_avatar-bg').trim());
      assert.notEqual(avatarColor, '', 'the avatar has its colour');

      // The dashboard's feed lays out its window with inline padding; a toast counts down with an
      // inline duration.
      const chloe = await page('/dashboard.html', 'chloe');
      await waitUntil(
        () =>
          chloe.page.evaluate(
            () =>
              (
                document.querySelector('crm-activity-feed') as unknown as {
                  snapshot?: { loaded: boolean };
                } | null
              )?.snapshot?.loaded === true,
          ),
        (loaded) => loaded,
        { what: 'the feed loaded' },
      );
      const sent = await fetch(`${server.origin}/api/notifications`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          target: { user: 'chloe' },
          type: 'info',
          priority: 'high',
          title: 'Renewal due',
        }),
        signal: AbortSignal.timeout(5000),
      });
      assert.equal(sent.status, 201);
      await chloe.page.locator('crm-notification-center [part~="toast"]').first().waitFor();

      for (const { page: shown, errors } of [ana, ben, chloe]) {
        const violations = await shown.evaluate(() => window.cspViolations ?? []);
        assert.deepEqual(violations, [], errors.join('\n'));
        assert.deepEqual(
          errors.filter((e) => /Content Security Policy|Refused to/i.test(e)),
          [],
        );
      }
    },
  );
});
