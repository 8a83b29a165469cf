/**
 * Pictures of what users see, written to test-artifacts/ (git-ignored) on every end-to-end run:
 *
 * - `demo-customer.png`: the demo's customer page as Ana sees it, with four colleagues on it (three
 *   avatars and "+1"), one on two tabs and one editing the notes, and the tooltip of the one
 *   editing;
 * - `demo-customers.png`: the customer list with page-level presence;
 * - `storybook-presence-overflow.png`: the presence overflow story with its list of everyone open,
 *   from the built Storybook (dist/storybook, served by the same server at /storybook/). `npm
 *   test` builds Storybook after the end-to-end run, so on a clean checkout this one picture is
 *   skipped with a note; run `npm run storybook:build` first to get it.
 *
 * Each picture is also a test: the page must show what the picture is meant to show.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import { ensureArtifacts, closeDemo, openDemo, openAs } from './helpers/browser.js';
import { avatarLabels, avatarOf, presenceOf, waitUntil } from './helpers/presence.js';
import { ROOT, type TestServer } from './helpers/server.js';

const VIEWPORT = { width: 1280, height: 900 };

/** A PNG of some substance, not an empty or failed capture. */
async function assertPicture(path: string): Promise<void> {
  const info = await stat(path);
  assert.ok(info.size > 10_000, `${path} is only ${info.size} bytes`);
  const head = (await readFile(path)).subarray(0, 8);
  assert.deepEqual([...head], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'not a PNG');
}

describe('screenshots of what users see (test-artifacts/)', () => {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  let artifacts = '';
  const contexts: BrowserContext[] = [];

  before(async () => {
    artifacts = await ensureArtifacts();
    ({ server, browser } = await openDemo());
  });

  after(() => closeDemo(contexts, browser, server));

  async function person(): Promise<BrowserContext> {
    assert.ok(browser);
    const context = await browser.newContext({ viewport: VIEWPORT, reducedMotion: 'reduce' });
    contexts.push(context);
    return context;
  }

  test('the demo customer page with colleagues on it', { timeout: 45_000 }, async () => {
    assert.ok(server);
    const room = 'customer:42';
    const path = '/customer.html?id=42';
    const { page: ana } = await openAs(await person(), server.origin, path, 'ana');
    await openAs(await person(), server.origin, path, 'ben');
    const chloe = await person();
    await openAs(chloe, server.origin, path, 'chloe');
    await openAs(chloe, server.origin, path, 'chloe');
    const { page: david } = await openAs(await person(), server.origin, path, 'david');
    await david.locator('#notes').focus();
    await openAs(await person(), server.origin, path, 'emma');

    // The page shows three avatars (max-visible="3") and "+1" for the fourth, who came last.
    await waitUntil(
      () => avatarLabels(ana, room),
      (labels) => labels.length === 3 && !labels.some((l) => l.startsWith('Emma')),
      { what: 'three avatars, Emma behind "+1"' },
    );
    const overflow = presenceOf(ana, room).locator('[part~="overflow"]');
    await overflow.waitFor();
    assert.equal((await overflow.innerText()).trim(), '+1');
    await waitUntil(
      () => avatarOf(ana, room, 'David Okafor').getAttribute('aria-label'),
      (label) => label?.includes('Editing Notes') === true,
      { what: 'David editing the notes' },
    );
    await waitUntil(
      () => avatarOf(ana, room, 'Chloé Martin').getAttribute('aria-label'),
      (label) => label?.includes('2 tabs') === true,
      { what: 'Chloé on two tabs' },
    );
    await avatarOf(ana, room, 'David Okafor').hover();
    await presenceOf(ana, room).locator('[part~="tooltip"]').waitFor({ state: 'visible' });

    const file = join(artifacts, 'demo-customer.png');
    await ana.screenshot({ path: file, fullPage: true });
    await assertPicture(file);
  });

  test('the demo customer list with page-level presence', { timeout: 45_000 }, async () => {
    assert.ok(server);
    const { page: ben } = await openAs(await person(), server.origin, '/', 'ben');
    await openAs(await person(), server.origin, '/', 'emma');
    // Page-level presence: no room-id, the room is the page.
    const row = ben.locator('crm-presence:not([room-id])').getByRole('img');
    await waitUntil(
      () => row.evaluateAll((avatars) => avatars.map((a) => a.getAttribute('aria-label'))),
      (labels) => labels.length === 1 && labels[0] === 'Emma Lindqvist: Online, Viewing',
      { what: 'Emma on the customer list' },
    );
    // The table shows the customers the server stores once they are read.
    await ben.locator('[data-rows] tr').first().waitFor();

    const file = join(artifacts, 'demo-customers.png');
    await ben.screenshot({ path: file, fullPage: true });
    await assertPicture(file);
  });

  test('the presence overflow story from the built Storybook', { timeout: 45_000 }, async (t) => {
    assert.ok(server);
    const index = join(ROOT, 'dist/storybook/index.json');
    if (!existsSync(index)) {
      t.skip('dist/storybook is not built yet (npm test builds it after e2e): no overflow picture');
      return;
    }
    const { entries } = JSON.parse(await readFile(index, 'utf8')) as {
      entries: Record<string, { id: string; title: string; name: string; type: string }>;
    };
    const story = Object.values(entries).find(
      (e) => e.type === 'story' && /presence/i.test(e.title) && /overflow|many/i.test(e.name),
    );
    assert.ok(story, 'dist/storybook has no presence story named "overflow" or "many"');

    assert.ok(browser);
    const context = await browser.newContext({
      viewport: { width: 800, height: 1000 },
      deviceScaleFactor: 2,
      reducedMotion: 'reduce',
    });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${server.origin}/storybook/iframe.html?id=${story.id}&viewMode=story`);
    const presence = page.locator('crm-presence').first();
    const overflow = presence.locator('[part~="overflow"]');
    await overflow.waitFor({ state: 'visible', timeout: 15_000 });
    assert.match((await overflow.innerText()).trim(), /^\+\d+$/);
    await overflow.click();
    const panel = presence.locator('[part~="panel"]');
    await panel.waitFor({ state: 'visible' });

    // The avatars and the open list, with a margin: what a designer looks at.
    const boxes = [await presence.boundingBox(), await panel.boundingBox()];
    assert.ok(boxes[0] && boxes[1], 'presence or its list has no box');
    const margin = 24;
    const left = Math.max(0, Math.min(boxes[0].x, boxes[1].x) - margin);
    const top = Math.max(0, Math.min(boxes[0].y, boxes[1].y) - margin);
    const right = Math.max(boxes[0].x + boxes[0].width, boxes[1].x + boxes[1].width) + margin;
    const bottom = Math.max(boxes[0].y + boxes[0].height, boxes[1].y + boxes[1].height) + margin;
    const clip = { x: left, y: top, width: right - left, height: bottom - top };

    const file = join(artifacts, 'storybook-presence-overflow.png');
    await page.screenshot({ path: file, clip });
    await assertPicture(file);
  });
});
