/**
 * Deliveries of different entities do not wait for each other, however many wait for retries: a
 * receiver that refuses every notification (a handler it lacks) or a hundred records of its own
 * must not hold up the changes it accepts until those retries are over (an hour and more). The
 * worker reads pending deliveries a page of 100 heads at a time; with every head of that page in
 * backoff, the due ones after it were left out until a retry in the page fell due. Time is the
 * server's manual clock and is never stepped here: what is delivered is what did not wait.
 *
 * Runs on SQLite by default and on PostgreSQL with `CRM_TEST_DATABASE=postgres`.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { until } from '../../helpers/server-client.js';
import { startHarness, type Harness } from '../../helpers/server-harness.js';
import { loadDocSnippet, Receiver } from './receiver.js';

const HANG_MS = 30_000;
const SECRET = 'whsec-test-0123456789abcdef';
/** More heads than the worker reads in one page. */
const REFUSED = 130;

let h: Harness;
let receiver: Receiver;

before(async () => {
  receiver = new Receiver(SECRET, await loadDocSnippet(), () => h.clock.now());
  await receiver.start();
  h = await startHarness({
    webhooks: { url: receiver.url, secret: SECRET, timeoutMs: 86_400_000, maxAttempts: 12 },
  });
});

after(async () => {
  await h.close();
  await receiver.close();
});

const accepted = (entityId: string, event: string): boolean =>
  receiver.accepted.some((r) => r.body.entity?.id === entityId && r.event === event);

test('changes the receiver accepts are not held up by over a hundred it refuses', async () => {
  receiver.failWhen = (r) =>
    r.event === 'notification' || (r.body.entity?.id.startsWith('refused-') ?? false);
  for (let i = 0; i < REFUSED; i++) {
    await h.server.notifications.send({
      target: { user: 'bob' },
      type: 'info',
      priority: 'normal',
      title: `Reminder ${i}`,
    });
  }
  for (let i = 0; i < REFUSED; i++) {
    await h.server.entities.update({
      type: 'customer',
      id: `refused-${i}`,
      fields: { name: `Refused ${i}` },
      source: 'backend',
      create: true,
    });
  }
  await until(
    () => new Set(receiver.requests.map((r) => r.id)).size === 2 * REFUSED,
    HANG_MS,
    'every refused head tried once (the clock stands still, so none is retried)',
  );
  assert.ok(
    receiver.requests.every((r) => r.attempt === 1 && r.status === 500),
    'all refused, each once, and now waiting for a retry',
  );

  await h.server.entities.update({
    type: 'customer',
    id: 'accepted-1',
    fields: { name: 'Acme' },
    source: 'backend',
    create: true,
  });
  await until(() => accepted('accepted-1', 'activity'), HANG_MS, 'accepted-1 delivered');
  assert.ok(accepted('accepted-1', 'entity.change'));

  // Once nothing is due past the first page, later writes are still found (only the rows after
  // what was walked are read again), and a refused head's retry is not forgotten either.
  await h.server.activity.append({ kind: 'call.logged', customerId: 'accepted-2' });
  await until(
    () =>
      receiver.accepted.some(
        (r) => r.event === 'activity' && r.body.data['customerId'] === 'accepted-2',
      ),
    HANG_MS,
    'a later item delivered',
  );
  receiver.failWhen = () => false;
  h.clock.advanceSync(2_000);
  await until(
    () => receiver.accepted.length === 3 * REFUSED + 3,
    HANG_MS,
    'every refused delivery delivered on its retry (notifications, changes and their activity)',
  );
});
