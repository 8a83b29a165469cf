/**
 * The newest-first list under both stores, against a model server: opaque cursors only, pages
 * that overlap what we have, holes after a long gap, trimming, and walking back to dropped items.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PagedList } from '../../../../src/client/index.js';

interface Item {
  id: string;
  at: number;
}

/** A server holding `count` items (`i1` oldest), paging newest first with opaque cursors. */
function history(count: number, at = (i: number) => i) {
  const items: Item[] = [];
  for (let i = 1; i <= count; i++) items.push({ id: `i${i}`, at: at(i) });
  return {
    items,
    add(n = 1) {
      for (let k = 0; k < n; k++) {
        const i = items.length + 1;
        items.push({ id: `i${i}`, at: at(i) });
      }
      return items[items.length - 1]!;
    },
    page(before: string | undefined, limit: number) {
      const end = before === undefined ? items.length : Number(atob(before));
      const start = Math.max(0, end - limit);
      const page = items.slice(start, end).reverse();
      return { page, next: start > 0 ? btoa(String(start)) : undefined };
    },
  };
}

const ids = (list: PagedList<Item>) => list.items.map((i) => i.id);
const newest = (server: { items: Item[] }, n: number) =>
  server.items
    .slice(-n)
    .reverse()
    .map((i) => i.id);

describe('PagedList', () => {
  it('merges a first page under live items that overtook it, then pages to the end', () => {
    const server = history(25);
    const list = new PagedList<Item>((i) => i.at);
    assert.equal(list.hasMore, true);
    assert.equal(list.loaded, false);
    const live = server.add(); // arrives live before the first page
    list.addLive(live);
    const first = server.page(undefined, 10);
    const merged = list.mergeTop(first.page.slice(1), first.next); // without i26
    assert.equal(merged.unknown.length, 9);
    assert.deepEqual(merged.missed, [], 'a first page is history, not news');
    assert.deepEqual(ids(list), newest(server, 10));
    let next = server.page(list.olderCursor, 10);
    assert.equal(list.appendOlder(next.page, next.next), 10);
    next = server.page(list.olderCursor, 10);
    list.appendOlder(next.page, next.next);
    assert.equal(list.hasMore, false);
    assert.deepEqual(ids(list), newest(server, 26));
  });

  it('after a gap longer than a page, the page replaces what we had (no silent hole)', () => {
    const server = history(30);
    const list = new PagedList<Item>((i) => i.at);
    const first = server.page(undefined, 10);
    list.mergeTop(first.page, first.next);
    server.add(15); // missed while away
    const top = server.page(undefined, 10);
    const { unknown, missed } = list.mergeTop(top.page, top.next);
    assert.equal(unknown.length, 10);
    assert.equal(missed.length, 10, 'all newer than what we had: missed');
    assert.deepEqual(ids(list), newest(server, 10));
    // Paging on continues right after the page, so the missed items between come next.
    const next = server.page(list.olderCursor, 10);
    list.appendOlder(next.page, next.next);
    assert.deepEqual(ids(list), newest(server, 20));
  });

  it('a refetch that overlaps refreshes known items and keeps the deeper cursor', () => {
    const server = history(30);
    const list = new PagedList<Item & { read?: boolean }>((i) => i.at);
    for (let k = 0; k < 2; k++) {
      const p = server.page(list.olderCursor, 10);
      if (k === 0) list.mergeTop(p.page, p.next);
      else list.appendOlder(p.page, p.next);
    }
    server.add(3);
    const top = server.page(undefined, 10);
    const fresh = top.page.map((i) => (i.id === 'i28' ? { ...i, read: true } : i));
    assert.deepEqual(
      list.mergeTop(fresh, top.next).unknown.map((i) => i.id),
      ['i33', 'i32', 'i31'],
    );
    assert.equal(list.get('i28')?.read, true);
    const next = server.page(list.olderCursor, 10);
    assert.equal(next.page[0]!.id, 'i10', 'continues after the 20 loaded before');
  });

  it('drops the oldest beyond the cap and finds them again through a kept cursor or from the top', () => {
    const server = history(40);
    const list = new PagedList<Item>((i) => i.at);
    for (let k = 0; k < 3; k++) {
      const p = server.page(list.olderCursor, 10);
      if (k === 0) list.mergeTop(p.page, p.next);
      else list.appendOlder(p.page, p.next);
    }
    assert.equal(list.trim(25), 5);
    assert.equal(list.hasMore, true);
    // The cursor after i21 (end of the second page) is kept: i16…i20 are re-read, then i11…
    let p = server.page(list.olderCursor, 10);
    assert.equal(p.page[0]!.id, 'i20');
    assert.equal(list.appendOlder(p.page, p.next), 5);
    assert.deepEqual(ids(list), newest(server, 30));

    // So many live items that no page end is kept: walk from the top, skipping what we have.
    for (const item of [server.add(), server.add(), server.add()]) list.addLive(item);
    list.trim(3);
    assert.deepEqual(ids(list), newest(server, 3));
    assert.equal(list.olderCursor, undefined);
    p = server.page(list.olderCursor, 5);
    assert.equal(list.appendOlder(p.page, p.next), 2);
    assert.deepEqual(ids(list), newest(server, 5));
  });

  it('keeps server order among equal times: live items first, history pages after', () => {
    const server = history(6, () => 1000); // all in the same millisecond
    const list = new PagedList<Item>((i) => i.at);
    const first = server.page(undefined, 3);
    list.mergeTop(first.page, first.next);
    list.addLive(server.add());
    list.addLive(server.add());
    const older = server.page(list.olderCursor, 3);
    list.appendOlder(older.page, older.next);
    assert.deepEqual(ids(list), newest(server, 8));
  });

  it('ignores an item it already has, live or paged', () => {
    const server = history(3);
    const list = new PagedList<Item>((i) => i.at);
    const p = server.page(undefined, 10);
    list.mergeTop(p.page, p.next);
    assert.equal(list.addLive(server.items[2]!), false);
    assert.equal(list.appendOlder(p.page, undefined), 0);
    assert.deepEqual(ids(list), ['i3', 'i2', 'i1']);
  });
  it('reports as missed the unknown items newer than its oldest, even below a newer live one', () => {
    const server = history(30);
    const list = new PagedList<Item>((i) => i.at);
    const first = server.page(undefined, 10);
    list.mergeTop(first.page, first.next);
    server.add(2); // i31 and i32: stored, never delivered
    list.addLive(server.add()); // i33 arrived live after them
    const top = server.page(undefined, 10);
    const { unknown, missed } = list.mergeTop(top.page, top.next);
    assert.deepEqual(
      unknown.map((i) => i.id),
      ['i32', 'i31'],
    );
    assert.deepEqual(
      missed.map((i) => i.id),
      ['i31', 'i32'],
      'oldest first, as they would have arrived',
    );
    assert.deepEqual(ids(list), newest(server, 13));
  });

  it('does not report history dropped by trim, nor a re-listed item, as missed', () => {
    const server = history(30);
    const list = new PagedList<Item>((i) => i.at);
    const first = server.page(undefined, 10);
    list.mergeTop(first.page, first.next);
    list.trim(5); // i21…i25 dropped: older than what is kept
    let top = server.page(undefined, 10);
    let merged = list.mergeTop(top.page, top.next);
    assert.deepEqual(
      merged.unknown.map((i) => i.id),
      ['i25', 'i24', 'i23', 'i22', 'i21'],
    );
    assert.deepEqual(merged.missed, []);
    top = server.page(undefined, 10);
    merged = list.mergeTop(top.page, top.next);
    assert.deepEqual(merged.unknown, []);
    assert.deepEqual(merged.missed, []);
  });

  it('with the whole history loaded, any unknown item is missed, whatever its time', () => {
    const server = history(3, (i) => 1000 + i);
    const list = new PagedList<Item>((i) => i.at);
    const first = server.page(undefined, 10);
    list.mergeTop(first.page, first.next);
    assert.equal(list.hasMore, false);
    // Stamped earlier than everything we hold (another process's clock), never delivered.
    server.items.unshift({ id: 'early', at: 5 });
    const top = server.page(undefined, 10);
    assert.deepEqual(
      list.mergeTop(top.page, top.next).missed.map((i) => i.id),
      ['early'],
    );
  });

  describe('readAgain, after which entities the user may read changed', () => {
    /**
     * The server's pages as this user sees them now: the model server's, with what `hidden`
     * names left out (a page may come back short, or empty, with its cursor).
     */
    const redacted =
      (server: ReturnType<typeof history>, hidden: (item: Item) => boolean, asked: string[] = []) =>
      (before: string | undefined) => {
        asked.push(before ?? 'top');
        const { page, next } = server.page(before, 10);
        return Promise.resolve({ items: page.filter((i) => !hidden(i)), nextCursor: next });
      };
    const run = { maxPages: 50, current: () => true };

    it('removes what the re-read range leaves out, over several pages, and keeps the rest', async () => {
      const server = history(60);
      const list = new PagedList<Item>((i) => i.at);
      for (let before: string | undefined, k = 0; k < 3; k++) {
        const page = server.page(before, 10);
        if (k === 0) list.mergeTop(page.page, page.next);
        else list.appendOlder(page.page, page.next);
        before = page.next;
      }
      assert.equal(list.size, 30); // i60…i31
      // Every third item is about an entity the user may no longer read; i60…i51 all are.
      const hidden = (i: Item) => i.at > 50 || i.at % 3 === 0;
      assert.equal(await list.readAgain(redacted(server, hidden), run), true);
      const kept = newest(server, 30).filter((id) => !hidden({ id, at: Number(id.slice(1)) }));
      assert.deepEqual(ids(list), kept);
      // Paging on continues where the list left off, by the new rules.
      const next = server.page(list.olderCursor, 10);
      list.appendOlder(
        next.page.filter((i) => !hidden(i)),
        next.next,
      );
      assert.equal(ids(list).at(-1), 'i22');
    });

    it('after a trim keeps what is below the range and the items that arrived meanwhile', async () => {
      const server = history(40);
      const list = new PagedList<Item>((i) => i.at);
      const first = server.page(undefined, 10);
      list.mergeTop(first.page, first.next);
      const older = server.page(first.next, 10);
      list.appendOlder(older.page, older.next);
      list.trim(15); // i40…i26 held, i25…i21 dropped: loadable again
      const asked: string[] = [];
      const hidden = (i: Item) => i.at % 2 === 0;
      const fetch = redacted(server, hidden, asked);
      const during = (before: string | undefined) => {
        // Arrives live while the re-read runs: sent by the new rules, it stays.
        if (before === undefined) list.addLive(server.add());
        return fetch(before);
      };
      assert.equal(await list.readAgain(during, run), true);
      assert.deepEqual(ids(list), ['i41', 'i39', 'i37', 'i35', 'i33', 'i31', 'i29', 'i27']);
      // Down to the oldest held, and the page after it (which confirms what the one before left
      // out), not the whole history.
      assert.deepEqual(asked.length, 3, 'read down to the oldest held, not the whole history');
      assert.equal(list.hasMore, true);
    });

    it('does not take an item tied in time with the last one a page returned for gone', async () => {
      // Pairs share a time: i(2k-1) and i(2k) at k.
      const server = history(20, (i) => Math.ceil(i / 2));
      const list = new PagedList<Item>((i) => i.at);
      const first = server.page(undefined, 20);
      list.mergeTop(first.page, first.next);
      // The page of i20…i11 ends with i11 (at 6); i12 is hidden, i11 returned: i12 is in range,
      // gone. The next page starts with i10 (at 5).
      const hidden = (i: Item) => i.id === 'i12' || i.id === 'i10';
      assert.equal(await list.readAgain(redacted(server, hidden), run), true);
      assert.equal(list.has('i12'), false);
      assert.equal(list.has('i10'), false);
      assert.equal(list.has('i9'), true, 'tied with i10, returned');
      assert.equal(list.size, 18);
    });

    it('keeps an item the server pages a little out of time order, across a page boundary', async () => {
      // The server pages by its row order; times come from each writer's clock, so two items
      // written at once can be stored in the other order: i10 stamped after i11, stored before.
      const server = history(20, (i) => (i === 10 ? 11 : i === 11 ? 10 : i));
      const list = new PagedList<Item>((i) => i.at);
      const first = server.page(undefined, 20);
      list.mergeTop(first.page, first.next);
      const hidden = (i: Item) => i.id === 'i15';
      // Pages of ten: the first ends with i11 (at 10); i10 (at 11) opens the next.
      assert.equal(await list.readAgain(redacted(server, hidden), run), true);
      assert.equal(list.has('i15'), false);
      assert.equal(list.has('i10'), true, 'on the next page, still readable');
      assert.equal(list.size, 19);
    });

    it('goes on past a page the user may read none of, and stops short when cut', async () => {
      const server = history(30);
      const list = new PagedList<Item>((i) => i.at);
      const first = server.page(undefined, 30);
      list.mergeTop(first.page, first.next);
      const hidden = (i: Item) => i.at > 20; // the first page comes back empty
      let pages = 0;
      const cut = (before: string | undefined) =>
        ++pages > 1 ? Promise.resolve(undefined) : redacted(server, hidden)(before);
      assert.equal(await list.readAgain(cut, run), false);
      assert.equal(list.size, 30, 'an empty page with a cursor says nothing of what is below');
      assert.equal(await list.readAgain(redacted(server, hidden), run), true);
      assert.deepEqual(
        ids(list),
        Array.from({ length: 20 }, (_, k) => `i${20 - k}`),
      );
    });
  });
});
