/**
 * End to end: the demo pages run under the server's strict Content-Security-Policy (scripts from
 * this origin and the pages' own inline modules by hash) without a single violation.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import { closeDemo, openAs, openDemo } from './helpers/browser.js';
import type { TestServer } from './helpers/server.js';

declare global {
  interface Window {
    cspViolations?: string[];
  }
}

describe('the demo under its Content-Security-Policy', () => {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];

  before(async () => {
    ({ server, browser } = await openDemo());
  });
  after(() => closeDemo(contexts, browser, server));

  for (const path of ['/', '/customer.html?id=52', '/dashboard.html']) {
    test(
      `${path} loads, connects and breaks no rule of its policy`,
      { timeout: 30_000 },
      async () => {
        assert.ok(server && browser);
        const context = await browser.newContext();
        contexts.push(context);
        // Recorded from the first script on, before the page's own run.
        await context.addInitScript(() => {
          window.cspViolations = [];
          document.addEventListener('securitypolicyviolation', (event) => {
            window.cspViolations?.push(`${event.violatedDirective} ${event.blockedURI}`);
          });
        });
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
});
