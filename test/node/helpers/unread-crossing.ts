/**
 * Two orders of arrival in which an unread count and a live notification cross on their way to
 * a tab, made with holds in the store (`holding-notifications.ts`), never with waits: the tab is
 * a real client's notification store on the reference server, another tab of the same user marks
 * read, and the badge must be the truth once everything arrived. Run on one process and across
 * processes on one Redis.
 */
import assert from 'node:assert/strict';
import type { NotificationStoreApi } from '../../../src/client/index.js';
import type { ServerFrame } from '../../../src/protocol/index.js';
import type { RealtimeServer } from '../../../src/server/server.js';
import type { Hold } from './holding-notifications.js';
import { waitFor } from './real-client.js';
import { nextId, type TestClient } from './server-client.js';

export interface Crossing {
  /** The watched tab: a store, and the frames its client received. */
  store: NotificationStoreApi;
  frames: ServerFrame[];
  /** Another tab of the same user (alice), which marks read. */
  other: TestClient;
  /** The process notifications are sent from, and its hold between storing and delivering. */
  sender: RealtimeServer;
  holdDelivery(): Hold;
  /** The hold of the counts the watched tab's process pushes after a read elsewhere. */
  holdCount(): Hold;
  /** The hold between the other tab's read and telling of it, on the other tab's process. */
  holdRead(): Hold;
}

/** Stores a notification for alice from `server`; resolves once it is delivered. */
export function notifyAlice(server: RealtimeServer, title: string): Promise<string> {
  return server.notifications
    .send({ target: { user: 'alice' }, type: 'info', priority: 'normal', title })
    .then((sent) => sent.notification.id);
}

/** Alice's unread count as the store has it now. */
export async function unreadOf(server: RealtimeServer): Promise<number> {
  return (await server.notifications.list('alice', undefined, 1)).unread;
}

const truth = (c: Crossing) => unreadOf(c.sender);

async function readElsewhere(c: Crossing, id: string): Promise<void> {
  const answer = await c.other.request({ type: 'notification.read', id: nextId('r'), ids: [id] });
  assert.equal(answer.type, 'notification.read-state', JSON.stringify(answer));
}

function pushed(c: Crossing, id: string): boolean {
  return c.frames.some(
    (f) => f.type === 'notification.read-state' && JSON.stringify(f.ids) === `["${id}"]`,
  );
}

const holds = (c: Crossing, title: string) =>
  c.store.snapshot().items.some((n) => n.title === title);

/**
 * A notification is stored; before its live event reaches the tab, a read in the other tab
 * sends the tab a count that has it. The live event then adds nothing.
 */
export async function countBeforeLiveEvent(c: Crossing, old: string): Promise<void> {
  const unread = c.store.snapshot().unread;
  const delivery = c.holdDelivery();
  const sending = notifyAlice(c.sender, 'New lead');
  await delivery.reached;
  await readElsewhere(c, old);
  await waitFor(() => pushed(c, old), 'the count after the read elsewhere');
  assert.equal(c.store.snapshot().unread, unread, 'one read, one new (in the count)');

  delivery.release();
  await sending;
  await waitFor(() => holds(c, 'New lead'), 'the live notification');
  assert.equal(c.store.snapshot().unread, unread, 'the live event adds nothing: the count had it');
  assert.equal(c.store.snapshot().unread, await truth(c));
}

/**
 * A read in the other tab; the count for this tab is read before a notification is stored and
 * sent after its live event arrived. The notification stays counted.
 */
export async function countAfterLiveEvent(c: Crossing, old: string): Promise<void> {
  const unread = c.store.snapshot().unread;
  const count = c.holdCount();
  await readElsewhere(c, old);
  await count.reached;
  await notifyAlice(c.sender, 'Call back');
  await waitFor(() => holds(c, 'Call back'), 'the live notification');
  assert.equal(c.store.snapshot().unread, unread + 1, 'the read is not known here yet');

  count.release();
  await waitFor(() => pushed(c, old), 'the count begun before the notification was stored');
  assert.equal(c.store.snapshot().unread, unread, 'one read, one new (not in the count)');
  assert.equal(c.store.snapshot().unread, await truth(c));
}

/**
 * The other tab reads all; a notification is stored after the read marked what it reached and
 * before the tab is told, which is sent a count that has it, unread. It stays unread there.
 */
export async function storedAfterReadAll(c: Crossing): Promise<void> {
  const read = c.holdRead();
  const answer = c.other.request({ type: 'notification.read', id: nextId('r'), ids: 'all' });
  await read.reached;
  await notifyAlice(c.sender, 'After the read');
  await waitFor(() => holds(c, 'After the read'), 'the live notification');
  read.release();
  assert.equal((await answer).type, 'notification.read-state');
  await waitFor(
    () => c.frames.some((f) => f.type === 'notification.read-state' && f.ids === 'all'),
    'the read of all, told',
  );
  const fresh = c.store.snapshot().items.find((n) => n.title === 'After the read')!;
  assert.equal(fresh.read, false, 'the read of all did not reach it');
  assert.equal(c.store.snapshot().unread, 1);
  assert.equal(c.store.snapshot().unread, await truth(c));
}
