/**
 * Reading `<crm-presence>` the way a user (or a screen reader) does: avatars are `role="img"`
 * with an accessible name such as "Ana Souza: Online, Viewing, 2 tabs". Playwright's CSS and role
 * locators pierce open shadow roots, and role locators skip avatars that are animating out
 * (`aria-hidden`), so what they find is what the page says is there.
 */
import type { Locator, Page } from 'playwright-core';

/** The `<crm-presence>` element of a room on a page. */
export function presenceOf(page: Page, room: string): Locator {
  return page.locator(`crm-presence[room-id="${room}"]`);
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The avatar of one person (by display name) in a room's presence row. */
export function avatarOf(page: Page, room: string, name: string): Locator {
  return presenceOf(page, room).getByRole('img', { name: new RegExp(`^${escape(name)}\\b`) });
}

/** The accessible names of every avatar in the row, in order. */
export async function avatarLabels(page: Page, room: string): Promise<string[]> {
  return presenceOf(page, room)
    .getByRole('img')
    .evaluateAll((avatars) => avatars.map((a) => a.getAttribute('aria-label') ?? ''));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `probe` until `ok` accepts its value; fails after `timeout` ms with the last value seen,
 * so a failure says what the page showed instead of "timed out".
 */
export async function waitUntil<T>(
  probe: () => Promise<T>,
  ok: (value: T) => boolean,
  { timeout = 10_000, what = 'condition', interval = 100 } = {},
): Promise<T> {
  const deadline = Date.now() + timeout;
  let last: T | undefined;
  let error: unknown;
  for (;;) {
    try {
      last = await probe();
      error = undefined;
      if (ok(last)) return last;
    } catch (err) {
      error = err;
    }
    if (Date.now() > deadline) {
      const seen = error ? `error ${String(error)}` : JSON.stringify(last);
      throw new Error(`timed out after ${timeout} ms waiting for ${what}; last seen: ${seen}`);
    }
    await sleep(interval);
  }
}

/** Waits until the room's row shows exactly these people (by name, any order). */
export function waitForPeople(
  page: Page,
  room: string,
  names: readonly string[],
  timeout = 10_000,
): Promise<string[]> {
  const expected = [...names].sort();
  return waitUntil(
    () => avatarLabels(page, room),
    (labels) => {
      const shown = labels.map((l) => l.split(':')[0] ?? '').sort();
      return JSON.stringify(shown) === JSON.stringify(expected);
    },
    { timeout, what: `${room} to show [${expected.join(', ')}]` },
  );
}

/** The state the header's `<crm-connection-status>` reflects (`open`, `reconnecting`, …). */
export function connectionState(page: Page): Promise<string | null> {
  return page.locator('crm-connection-status').getAttribute('state');
}
