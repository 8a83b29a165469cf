/**
 * A filtered activity page reads a bounded window of its feed. A filter matching little on a large
 * log (a kind nobody logged, fifty actors and a rare kind) made the store walk every row for one
 * `activity.list`: on a million rows, a second and a half of a blocked event loop per frame. A page
 * now reads at most `FILTER_WINDOW_ROWS` rows below its cursor, and its cursor goes on from there,
 * so walking the pages still finds every matching item once, in order.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type Database from 'better-sqlite3';
import type { ActivityFilter, FeedRef } from '../../../../src/protocol/index.js';
import { FILTER_WINDOW_ROWS } from '../../../../src/server/activity/activity-rows.js';
import { SqliteActivity } from '../../../../src/server/activity/sqlite-activity.js';
import { SqliteStorage } from '../../../../src/server/sqlite-storage.js';

/** A log of `rows` items, one in `every` of them a `call.logged`, the rest `entity.updated`. */
function log(rows: number, every: number): { activity: SqliteActivity; storage: SqliteStorage } {
  const storage = new SqliteStorage(':memory:');
  const db = (storage as unknown as { db: Database.Database }).db;
  const activity = new SqliteActivity(db);
  db.transaction(() => {
    for (let i = 1; i <= rows; i++) {
      activity.appendNow({
        kind: i % every === 0 ? 'call.logged' : 'entity.updated',
        actor: { id: `u${i % 7}`, name: 'U' },
        customerId: String(i % 3),
        at: i,
      });
    }
  })();
  return { activity, storage };
}

/** Every page of a feed, following the cursors. */
async function walk(
  activity: SqliteActivity,
  feed: FeedRef,
  filter: ActivityFilter,
  limit: number,
): Promise<{ pages: number; ids: number[]; first: number[] }> {
  const ids: number[] = [];
  let first: number[] = [];
  let before: number | undefined;
  let pages = 0;
  for (;;) {
    const page = await activity.page(feed, filter, before, limit);
    if (pages === 0) first = page.items.map((item) => Number(item.id));
    pages++;
    ids.push(...page.items.map((item) => Number(item.id)));
    if (page.next === undefined) break;
    before = page.next;
    assert.ok(pages < 100, 'the walk ends');
  }
  return { pages, ids, first };
}

describe('a filtered activity page', () => {
  test('reads a window of its feed, and its cursor goes on below it', async () => {
    const rows = FILTER_WINDOW_ROWS * 2 + 500;
    const { activity, storage } = log(rows, 1000);
    const matching = Array.from({ length: Math.floor(rows / 1000) }, (_, i) => (i + 1) * 1000)
      .reverse()
      .filter((id) => id <= rows);
    const { pages, ids, first } = await walk(
      activity,
      { kind: 'global' },
      { kinds: ['call.logged'] },
      50,
    );
    // The first page holds only what its window (the newest rows) had, and says there is more.
    const oldestRead = rows - FILTER_WINDOW_ROWS;
    assert.ok(
      first.every((id) => id >= oldestRead),
      `the first page reached below its window: ${first.join(', ')}`,
    );
    assert.ok(pages >= 3, `${pages} pages`);
    // Every match once, newest first, however the windows fell.
    assert.deepEqual(ids, matching);
    await storage.close();
  });

  test('a feed of its own (a user, a customer) is windowed over its own rows', async () => {
    const rows = FILTER_WINDOW_ROWS * 3;
    const { activity, storage } = log(rows, 500);
    for (const feed of [
      { kind: 'user', userId: 'u3' },
      { kind: 'customer', entityId: '2' },
    ] as const) {
      const expected: number[] = [];
      for (let i = rows; i >= 1; i--) {
        if (i % 500 !== 0) continue;
        if (feed.kind === 'user' ? i % 7 === 3 : i % 3 === 2) expected.push(i);
      }
      const { ids } = await walk(activity, feed, { kinds: ['call.logged'] }, 20);
      assert.deepEqual(ids, expected, feed.kind);
    }
    // Without a filter a page is as before: full, one query, no window.
    const page = await activity.page({ kind: 'global' }, undefined, undefined, 50);
    assert.equal(page.items.length, 50);
    assert.equal(page.next, rows - 49);
    await storage.close();
  });
});
