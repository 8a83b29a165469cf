/**
 * A count leaves out the unread notifications about an entity the connection may not read, and
 * says how far it reaches (`unreadUpTo`). What it leaves out must be within that reach: a
 * notification about such an entity stored while the count is computed (after the count was
 * read, before the entities were) is neither in the count nor sent live, so taking it off the
 * count would leave the badge one too low, with nothing to put it right.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { SqliteStorage } from '../../../../src/server/sqlite-storage.js';
import { holdingNotifications } from '../../helpers/holding-notifications.js';
import { startHarness, type Harness } from '../../helpers/server-harness.js';
import { nextId } from '../../helpers/server-client.js';

const alice = { id: 'alice', name: 'Alice' };
let h: Harness;
afterEach(async () => {
  await h?.close();
});

const notify = (title: string, entity?: { type: string; id: string }) =>
  h.server.notifications.send({
    target: { user: 'alice' },
    type: 'info',
    priority: 'normal',
    title,
    ...(entity ? { entity } : {}),
  });

test('an unreadable notification stored while a count is computed is not taken off it', async () => {
  const held = holdingNotifications(new SqliteStorage(':memory:'));
  h = await startHarness({
    storage: held.storage,
    authorize: ({ room }) => room !== 'customer:secret',
  });
  const one = (await notify('One')).notification.id;
  await notify('Two');
  const watched = await h.connect(alice, 'tab-a');
  await watched.join('user:alice');
  const other = await h.connect(alice, 'tab-b');

  const count = held.holdCount();
  const read = await other.request({ type: 'notification.read', id: nextId('r'), ids: [one] });
  assert.equal(read.type, 'notification.read-state');
  await count.reached;
  // Stored after the count was read: not in it, and never sent to alice (she may not read it).
  await notify('About the secret customer', { type: 'customer', id: 'secret' });
  count.release();

  const pushed = await watched.next(
    (f) => f.type === 'notification.read-state' && !('replyTo' in f && f.replyTo),
  );
  assert.equal(pushed.type === 'notification.read-state' && pushed.unread, 1, 'Two is unread');
  await watched.sync();
  assert.equal(watched.frames.filter((f) => f.type === 'event').length, 0);
});
