/**
 * A backend team writes its receiver from docs/webhooks.md alone, in any language: the example
 * bodies there must be what a delivery carries, key for key, and valid by the protocol's own
 * schemas (a receiver validating with the published JSON Schema must accept them). Each example
 * is compared with the body of the same kind of change made on a real server.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import * as z from 'zod/mini';
import { ActivityItem, EntityChange, Notification } from '../../../../src/protocol/index.js';
import { startHarness, type Harness } from '../../helpers/server-harness.js';

const KEY = 'api-key-for-webhook-doc-examples';

type Json = Record<string, unknown>;

/** The JSON examples of the "A delivery" section, in order. */
async function deliveryExamples(): Promise<Json[]> {
  const doc = await readFile(new URL('../../../../docs/webhooks.md', import.meta.url), 'utf8');
  const section = /## A delivery\n([\s\S]*?)\n## /.exec(doc)?.[1];
  assert.ok(section, 'docs/webhooks.md has its "A delivery" section');
  return [...section.matchAll(/```json\n([\s\S]*?)```/g)].map(
    ([, text]) => JSON.parse(text!) as Json,
  );
}

/** Every key path of a JSON value (array items merged), to compare shapes, not values. */
function shape(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return [...new Set(value.flatMap((item) => shape(item, `${path}[]`)))];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => [
    `${path}.${key}`,
    ...shape(inner, `${path}.${key}`),
  ]);
}

let h: Harness;

before(async () => {
  h = await startHarness({ apiKeys: [KEY] });
});
after(() => h.close());

test('the example deliveries are what the server sends, and valid by the protocol', async () => {
  const alice = { id: 'alice', name: 'Alice Martin' };
  await h.server.entities.update({
    type: 'customer',
    id: '42',
    fields: { name: 'Acme', phone: '030 1234567' },
    source: 'backend',
    create: true,
  });
  await h.server.entities.update({
    type: 'customer',
    id: '42',
    fields: { phone: '+49 30 1234567' },
    baseVersion: 1,
    mutationId: 'm-7-0001',
    by: alice,
    source: 'client',
  });
  await h.server.notifications.send({
    target: { user: 'bob' },
    type: 'info',
    priority: 'normal',
    title: 'Call Acme back',
  });
  const res = await fetch(`http://127.0.0.1:${h.server.port}/api/changes?limit=1000`, {
    headers: { authorization: `Bearer ${KEY}` },
  });
  const items = ((await res.json()) as { items: Json[] }).items;
  const sent = {
    change: items.filter((i) => i.kind === 'entity.change')[1]!,
    activity: items.filter((i) => i.kind === 'activity')[1]!,
    notification: items.find((i) => i.kind === 'notification')!,
  };

  const [change, activity, notification] = await deliveryExamples();
  assert.ok(change && activity && notification, 'three examples');
  const examples = { change, activity, notification };
  for (const name of ['change', 'activity', 'notification'] as const) {
    assert.deepEqual(shape(examples[name]), shape(sent[name]), `the ${name} example's keys`);
  }

  const valid = (schema: z.ZodMiniType, value: unknown, what: string): void => {
    const result = z.safeParse(schema, value);
    assert.ok(result.success, `${what}: ${JSON.stringify(result.error?.issues)}`);
  };
  valid(EntityChange, change.data, 'the entity change example');
  valid(ActivityItem, activity.data, 'the activity example');
  const { recipients, ...stored } = notification.data as Json;
  valid(Notification, { ...stored, read: false }, 'the notification example');
  valid(z.array(z.string()), recipients, 'the notification example’s recipients');
});
