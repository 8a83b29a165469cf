/**
 * Debian's Chromium driven by playwright-core, and small helpers to open the demo as a person.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ROOT, startServer, type ServerOptions, type TestServer } from './server.js';
import { exampleServerEnv, startExample, stopExample } from '../../services/crm-example.js';

/** Screenshots land here (git-ignored), so anyone can look at what users see. */
export const ARTIFACTS = join(ROOT, 'test-artifacts');

export const CHROMIUM_PATH =
  process.env['CHROMIUM_PATH'] ?? process.env['CHROME_PATH'] ?? '/usr/bin/chromium';

/** Headless, as root, and kept off the (closed) network: every Chromium the tests start. */
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Debian's Chromium, headless, kept off the (closed) network. Shared by tests, benches, tools.
 * `extraArgs` adds flags, e.g. `--remote-debugging-port` for a tool (Lighthouse) that drives the
 * browser over CDP itself.
 */
export function launchBrowser(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_FLAGS, ...extraArgs],
  });
}

/**
 * Chromium whose first browser context (`browser.contexts()[0]`) can freeze its pages as Chrome
 * freezes background tabs (`Page.setWebLifecycleState`, see `setLifecycle`). A browser Playwright
 * launches cannot: it emulates focus on every page it opens, which keeps the page visible, and a
 * visible page is never frozen. So this one is started apart and reached over CDP without that
 * default. Other contexts (`browser.newContext()`) are as usual. `close` ends the process.
 */
export async function launchFreezableBrowser(): Promise<{
  browser: Browser;
  close(): Promise<void>;
}> {
  const profile = await mkdtemp(join(tmpdir(), 'crm-realtime-freezable-'));
  const child = spawn(
    CHROMIUM_PATH,
    [
      ...CHROMIUM_FLAGS,
      '--remote-debugging-address=127.0.0.1',
      '--remote-debugging-port=0',
      `--user-data-dir=${profile}`,
      'about:blank',
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const close = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill();
    await exited;
    // Chromium's helper processes can still be writing into the profile just after the browser
    // process exits (rmdir then fails ENOTEMPTY): removal is retried, a bounded few times.
    await rm(profile, { recursive: true, force: true, maxRetries: 10 });
  };
  try {
    // Chromium writes the port it listens on into the profile once it does.
    let port: string | undefined;
    for (let tries = 0; tries < 200 && !port; tries++) {
      port = await readFile(join(profile, 'DevToolsActivePort'), 'utf8').then(
        (text) => text.split('\n')[0] || undefined,
        () => undefined,
      );
      if (!port) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(port, 'Chromium did not open its DevTools port');
    const browser = await chromium.connectOverCDP(`http://127.0.0.1:${port}`, {
      noDefaults: true,
    });
    return { browser, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Freezes a page as Chrome freezes a background tab, or makes it active again. */
export async function setLifecycle(page: Page, state: 'frozen' | 'active'): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Page.setWebLifecycleState', { state });
  await cdp.detach();
}

export interface PersonPage {
  readonly page: Page;
  /** Uncaught errors and console errors seen on the page, for failure messages. */
  readonly errors: string[];
}

/**
 * Opens a demo page as one of the sample people (`?as=`). `reconnect` shortens the first
 * reconnect delay (the demo passes it to the provider's `reconnect-interval`).
 */
export async function openAs(
  context: BrowserContext,
  origin: string,
  path: string,
  person: string,
  params: Record<string, string> = {},
): Promise<PersonPage> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  const url = new URL(path, origin);
  url.searchParams.set('as', person);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  await page.goto(url.href);
  // A kit built without one of the demo's tags would otherwise fail later as a vague timeout.
  const missing = await page.evaluate(async () => {
    const tags = ['crm-realtime-provider', 'crm-connection-status', 'crm-presence'];
    const ready = await Promise.race([
      Promise.all(tags.map((tag) => customElements.whenDefined(tag))).then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), 10_000)),
    ]);
    return ready ? [] : tags.filter((tag) => !customElements.get(tag));
  });
  if (missing.length > 0) {
    throw new Error(
      `the kit the demo loads (/kit/crm-realtime.bundle.js) does not register ${missing.join(', ')} (${errors.join('; ')})`,
    );
  }
  return { page, errors };
}

export async function ensureArtifacts(): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  return ARTIFACTS;
}

/** What every end-to-end suite starts with: the real server on the built demo, and Chromium. */
export async function openDemo(
  options: ServerOptions = {},
): Promise<{ server: TestServer; browser: Browser }> {
  const server = await startServer(options);
  try {
    const kit = await fetch(`${server.origin}/kit/crm-realtime.bundle.js`);
    assert.equal(kit.status, 200, 'the built kit is missing: run `npm run build` first');
    return { server, browser: await launchBrowser() };
  } catch (error) {
    await server.dispose();
    throw error;
  }
}

/**
 * The demo as examples/crm-backend's README runs it: the reference server (no seed of its own)
 * in front of the example CRM backend, for write-through, the authorization callback and
 * webhooks. `close` stops all of it, pages included.
 */
export async function openDemoBehindExample(): Promise<{
  server: TestServer;
  browser: Browser;
  /** The example backend's URL, to ask it what it stored. */
  exampleUrl: string;
  close(contexts: readonly BrowserContext[]): Promise<void>;
}> {
  const example = await startExample();
  try {
    const { server, browser } = await openDemo({
      args: ['--no-seed'],
      env: exampleServerEnv(example.url),
    });
    return {
      server,
      browser,
      exampleUrl: example.url,
      async close(contexts) {
        await closeDemo(contexts, browser, server);
        await stopExample(example.child);
      },
    };
  } catch (error) {
    await stopExample(example.child);
    throw error;
  }
}

/** Always, even after a failure: no page, browser or server outlives the suite. */
export async function closeDemo(
  contexts: readonly BrowserContext[],
  browser: Browser | undefined,
  server: TestServer | undefined,
): Promise<void> {
  await Promise.allSettled(contexts.map((c) => c.close()));
  await browser?.close();
  await server?.dispose();
}

/**
 * Loads axe-core into the page. Evaluated through the DevTools protocol rather than added as a
 * `<script>`: the server's Content-Security-Policy rightly refuses inline scripts it has no hash
 * for, and the test tool must not need a weaker policy than the pages ship with.
 */
export async function injectAxe(page: Page): Promise<void> {
  const source = await readFile(
    createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
    'utf8',
  );
  await page.evaluate(source);
}
