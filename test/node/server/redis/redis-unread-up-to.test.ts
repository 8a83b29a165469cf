/**
 * The unread badge across processes on one Redis when a count and a live notification cross:
 * the notification is sent from one process and reaches the watched tab, on another, through
 * Redis; the other tab of the user, on the sending process, marks read, and the watched tab's
 * process counts for it. Each notification is counted once, whichever arrives first.
 */
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { RealtimeClient } from '../../../../src/client/index.js';
import type { ServerFrame } from '../../../../src/protocol/index.js';
import { SqliteStorage } from '../../../../src/server/sqlite-storage.js';
import { holdingNotifications } from '../../helpers/holding-notifications.js';
import { realClientOptions, waitFor } from '../../helpers/real-client.js';
import {
  countAfterLiveEvent,
  countBeforeLiveEvent,
  notifyAlice,
  storedAfterReadAll,
  unreadOf,
  type Crossing,
} from '../../helpers/unread-crossing.js';
import { startCluster, type Cluster } from './cluster.js';

const alice = { id: 'alice', name: 'Alice' };
let cluster: Cluster;
let sending: ReturnType<typeof holdingNotifications>;
let watching: ReturnType<typeof holdingNotifications>;

before(async () => {
  // One database for both processes, each with its own holds on it.
  const shared = new SqliteStorage(':memory:');
  sending = holdingNotifications(shared);
  watching = holdingNotifications(shared);
  cluster = await startCluster(0);
  await cluster.add({ storage: sending.storage });
  await cluster.add({ storage: watching.storage });
});
after(async () => {
  await cluster?.close();
});

let client: RealtimeClient;
let crossing: Crossing;
let old: string;

beforeEach(async () => {
  const [p0, p1] = cluster.nodes;
  old = await notifyAlice(p0!.server, 'Older');
  client = new RealtimeClient(realClientOptions(p1!.url, { devUser: alice, clientId: 'tab-a' }));
  const frames: ServerFrame[] = [];
  client.onFrame((f) => void frames.push(f));
  const store = client.notifications();
  const truth = await unreadOf(p0!.server);
  await waitFor(() => store.snapshot().loaded && store.snapshot().unread === truth, 'loaded');
  crossing = {
    store,
    frames,
    other: await p0!.connect(alice, 'tab-b'),
    sender: p0!.server,
    holdDelivery: sending.holdDelivery,
    holdCount: watching.holdCount,
    holdRead: sending.holdRead,
  };
});
afterEach(() => client?.close());

describe('unread badge across processes: a count and a live notification crossing', () => {
  test('a count that has the notification, arriving before its live event: counted once', () =>
    countBeforeLiveEvent(crossing, old));
  test('a count begun before the notification was stored, arriving after it: still counted', () =>
    countAfterLiveEvent(crossing, old));
  test('a notification stored after a read of all in the other tab, before it is told: unread', () =>
    storedAfterReadAll(crossing));
});
