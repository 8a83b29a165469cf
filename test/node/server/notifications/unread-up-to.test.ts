/**
 * The unread badge of a real client on the reference server (one process) when a count and a
 * live notification cross: each notification is counted once, whichever reaches the tab first
 * (`unreadUpTo` on counts, `order` on notifications). The same scenarios across processes on
 * one Redis are in ../redis/redis-unread-up-to.test.ts.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import { RealtimeClient } from '../../../../src/client/index.js';
import type { ServerFrame } from '../../../../src/protocol/index.js';
import { SqliteStorage } from '../../../../src/server/sqlite-storage.js';
import { holdingNotifications } from '../../helpers/holding-notifications.js';
import { realClientOptions, waitFor } from '../../helpers/real-client.js';
import { startHarness, type Harness } from '../../helpers/server-harness.js';
import {
  countAfterLiveEvent,
  countBeforeLiveEvent,
  notifyAlice,
  storedAfterReadAll,
  type Crossing,
} from '../../helpers/unread-crossing.js';

const alice = { id: 'alice', name: 'Alice' };
let h: Harness;
let client: RealtimeClient;
let crossing: Crossing;
let old: string[];

beforeEach(async () => {
  const held = holdingNotifications(new SqliteStorage(':memory:'));
  h = await startHarness({ storage: held.storage });
  old = [await notifyAlice(h.server, 'One'), await notifyAlice(h.server, 'Two')];
  client = new RealtimeClient(realClientOptions(h.url, { devUser: alice, clientId: 'tab-a' }));
  const frames: ServerFrame[] = [];
  client.onFrame((f) => void frames.push(f));
  const store = client.notifications();
  await waitFor(() => store.snapshot().loaded && store.snapshot().unread === 2, 'two unread');
  const other = await h.connect(alice, 'tab-b');
  crossing = { store, frames, other, sender: h.server, ...held };
});
afterEach(async () => {
  client?.close();
  await h?.close();
});

describe('unread badge on one process: a count and a live notification crossing', () => {
  test('a count that has the notification, arriving before its live event: counted once', () =>
    countBeforeLiveEvent(crossing, old[0]!));
  test('a count begun before the notification was stored, arriving after it: still counted', () =>
    countAfterLiveEvent(crossing, old[0]!));
  test('a notification stored after a read of all in the other tab, before it is told: unread', () =>
    storedAfterReadAll(crossing));
});
