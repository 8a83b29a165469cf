/**
 * End to end: the demo served under a path a reverse proxy gives it
 * (`https://crm.example.com/realtime-demo/`), as a team tries it out beside its CRM. Its pages
 * load the kit, its styles and the WebSocket beside themselves, so nothing asks the proxy's root:
 * two people on one customer see each other, and no request of the page fails.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import { startNginx, type NginxInstance } from '../services/nginx.js';
import { closeDemo, openAs, openDemo } from './helpers/browser.js';
import { connectionState, waitForPeople, waitUntil } from './helpers/presence.js';
import { freePort, type TestServer } from './helpers/server.js';

const PREFIX = '/realtime-demo/';

describe('the demo under a path of a reverse proxy', () => {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  let nginx: NginxInstance | undefined;
  let origin = '';
  const contexts: BrowserContext[] = [];

  before(async () => {
    ({ server, browser } = await openDemo());
    const port = await freePort();
    // The prefix is taken off on the way in: the server knows nothing of it.
    nginx = await startNginx(`
  server {
    listen 127.0.0.1:${port};
    location ${PREFIX} {
      proxy_pass http://127.0.0.1:${server.port}/;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection "upgrade";
    }
    location / { return 404; }
  }`);
    origin = `http://127.0.0.1:${port}`;
  });

  after(async () => {
    await closeDemo(contexts, browser, server);
    await nginx?.dispose();
  });

  test(
    'two people on one customer see each other, and nothing asks the root',
    { timeout: 60_000 },
    async () => {
      assert.ok(browser);
      const failed: string[] = [];
      const open = async (who: string) => {
        const context = await browser!.newContext();
        contexts.push(context);
        context.on('requestfailed', (request) => failed.push(`${request.url()} failed`));
        context.on('response', (response) => {
          if (response.status() >= 400) failed.push(`${response.url()} ${response.status()}`);
        });
        return openAs(context, origin, `${PREFIX}customer.html?id=18`, who);
      };
      const ana = await open('ana');
      const ben = await open('ben');
      await waitForPeople(ana.page, 'customer:18', ['Ben Carter']);
      await waitForPeople(ben.page, 'customer:18', ['Ana Souza']);
      await waitUntil(
        () => connectionState(ana.page),
        (state) => state === 'open',
        { what: 'connected' },
      );
      // The customers list, reached by the page's own link, works there too.
      await ana.page.goto(new URL(`${PREFIX}?as=ana`, origin).href);
      await waitUntil(
        () => connectionState(ana.page),
        (state) => state === 'open',
        {
          what: 'list connected',
        },
      );
      assert.deepEqual(failed, []);
      assert.deepEqual([...ana.errors, ...ben.errors], []);
    },
  );
});
