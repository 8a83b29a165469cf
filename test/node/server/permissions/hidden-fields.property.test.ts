/**
 * Property: whatever the claim and whatever others write, no frame a user receives carries a field
 * their claim hides (neither its name nor a value written to it, not even as an entity's label or
 * inside a notification's title), an event of a room they may not join, or an item about an entity
 * they may not read. Random claims (room patterns and field rules), random writes by unrestricted
 * users to random entities and fields, with the restricted user joined to every room the server
 * lets them join, their notifications on (watcher rule) and the activity feeds. Fixed seed,
 * bounded by count.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { ActivityItem, EntityChange, Notification } from '../../../../src/protocol/index.js';
import { nextId } from '../../helpers/server-client.js';
import { bob, carol } from '../../helpers/server-harness.js';
import { entityOfFeedRoom, entityOfRoom } from '../../../../src/server/authorize.js';
import { RoomGrants } from '../../../../src/server/permissions/claims.js';
import { connectWith, join, startPermissionHarness } from './permission-helpers.js';

const SEED = 11;
const RUNS = Number(process.env['PERMISSIONS_PROPERTY_RUNS'] ?? 25);

// `company` and `name` are label fields (`src/domain/entity-label.ts`): a label is a value too.
const FIELDS = ['alpha', 'bravo', 'charlie', 'notes', 'company', 'name'] as const;
const TYPES = ['customer', 'call'] as const;
const IDS = ['1', '2'] as const;
const ROOMS = TYPES.flatMap((t) => IDS.map((id) => `${t}:${id}`));
const FEEDS = ['activity:global', 'activity:customer:1', 'activity:customer:2'];

const actions = fc.subarray(['join', 'read', 'write', 'emit'] as const);
const pattern = fc.constantFrom('*', 'customer:*', 'call:*', 'customer:1', 'call:2', 'activity:*');
const fieldRules = fc.record(
  { readOnly: fc.subarray([...FIELDS]), hidden: fc.subarray([...FIELDS]) },
  { requiredKeys: [] },
);
const claim = fc.record(
  {
    rooms: fc.dictionary(pattern, actions, { maxKeys: 4 }),
    fields: fc.record({ customer: fieldRules, call: fieldRules }, { requiredKeys: [] }),
  },
  { requiredKeys: ['fields'] },
);
const write = fc.record({
  by: fc.constantFrom(bob, carol),
  room: fc.constantFrom(...ROOMS),
  fields: fc.subarray([...FIELDS], { minLength: 1 }),
});

describe('permissions property', () => {
  test(`${RUNS} random claims and write sequences: nothing hidden reaches the user`, async () => {
    await fc.assert(
      fc.asyncProperty(
        claim,
        fc.array(write, { minLength: 1, maxLength: 8 }),
        async (crm, writes) => {
          const h = await startPermissionHarness({
            notifications: { notifyWatchersOnChange: true },
          });
          try {
            const grants = crm.rooms ? new RoomGrants(crm.rooms) : undefined;
            const may = (room: string, action: 'join' | 'read'): boolean =>
              !grants || grants.allows(room, action);
            const hiddenOf = (type: string): string[] =>
              (crm.fields as Record<string, { hidden?: string[] } | undefined>)[type]?.hidden ?? [];
            for (const room of ROOMS) {
              const [type, id] = room.split(':') as [string, string];
              await h.server.entities.update({
                type,
                id,
                fields: Object.fromEntries(FIELDS.map((f) => [f, `seed-${room}-${f}`])),
                source: 'backend',
                create: true,
              });
            }
            const user = await connectWith(h, 'watcher', { crm });
            const writers = new Map([bob, carol].map((u) => [u.id, h.connect(u)]));
            await join(user, 'user:watcher');
            for (const room of [...ROOMS, ...FEEDS]) {
              const answer = await join(user, room);
              // A room named like an entity (`customer:1`, `activity:global`) also needs `read`;
              // an entity's feed (`activity:customer:1`) needs joining and reading the entity.
              const fed = entityOfFeedRoom(room);
              const entityRoom = fed && `${fed.type}:${fed.id}`;
              const allowed =
                may(room, 'join') &&
                (!entityOfRoom(room) || may(room, 'read')) &&
                (!entityRoom || (may(entityRoom, 'join') && may(entityRoom, 'read')));
              assert.equal(answer.type === 'joined', allowed, `${room}: ${JSON.stringify(answer)}`);
            }
            for (const room of ROOMS) {
              for (const writer of writers.values()) await (await writer).join(room);
            }
            // Values written to fields hidden from the user carry a marker to look for.
            const secrets: string[] = [];
            for (const [n, w] of writes.entries()) {
              const [type, id] = w.room.split(':') as [string, string];
              const fields = Object.fromEntries(
                w.fields.map((f) => {
                  const value = `${hiddenOf(type).includes(f) ? 'SECRET' : 'open'}-${n}-${type}-${f}`;
                  if (value.startsWith('SECRET')) secrets.push(value);
                  return [f, value];
                }),
              );
              const writer = await writers.get(w.by.id)!;
              const current = await h.server.entities.get(type, id);
              const answer = await writer.request({
                type: 'entity.update',
                id: nextId('u'),
                mutationId: nextId('mutation-').padEnd(8, '0'),
                entityType: type,
                entityId: id,
                baseVersion: current!.version,
                fields,
              });
              assert.equal(answer.type, 'entity.ack');
            }
            // Everything the user may read, asked for directly too.
            for (const room of ROOMS) {
              const [type, id] = room.split(':') as [string, string];
              await user.request({
                type: 'entity.get',
                id: nextId('g'),
                entityType: type,
                entityId: id,
              });
            }
            for (const feed of [
              { kind: 'global' as const },
              { kind: 'customer' as const, entityId: '1' },
            ]) {
              await user.request({ type: 'activity.list', id: nextId('a'), feed });
            }
            await user.request({ type: 'notification.list', id: nextId('n') });
            // Let the broadcasts of the last write arrive.
            for (const writer of writers.values()) await (await writer).sync();
            await user.sync();

            for (const frame of user.frames) {
              const text = JSON.stringify(frame);
              for (const secret of secrets)
                assert.ok(!text.includes(secret), `${secret} in ${text}`);
              if ('room' in frame && frame.type !== 'error' && frame.room !== 'user:watcher') {
                assert.ok(may(frame.room, 'join'), `a frame of ${frame.room}: ${text}`);
              }
              const entities: { type: string; id: string; fields?: Record<string, unknown> }[] = [];
              const fieldNames: { type: string; names: string[] }[] = [];
              if (frame.type === 'entity.snapshot' || frame.type === 'entity.ack')
                entities.push(frame.entity);
              if (frame.type === 'event' && frame.event === 'entity.change') {
                const change = frame.payload as unknown as EntityChange;
                entities.push(change.entity);
                fieldNames.push({
                  type: change.entity.type,
                  names: [...change.changed, ...Object.keys(change.previous)],
                });
              }
              const items: ActivityItem[] =
                frame.type === 'activity.page'
                  ? frame.items
                  : frame.type === 'event' && frame.event === 'activity'
                    ? [frame.payload as unknown as ActivityItem]
                    : [];
              for (const item of items) {
                if (!item.entity) continue;
                entities.push(item.entity);
                fieldNames.push({
                  type: item.entity.type,
                  names: (item.changes ?? []).map((c) => c.field),
                });
              }
              const notifications: Notification[] =
                frame.type === 'notification.page'
                  ? frame.items
                  : frame.type === 'event' && frame.event === 'notification'
                    ? [frame.payload as unknown as Notification]
                    : [];
              for (const n of notifications) if (n.entity) entities.push(n.entity);
              for (const entity of entities) {
                assert.ok(
                  may(`${entity.type}:${entity.id}`, 'read'),
                  `${entity.type}:${entity.id} in ${text}`,
                );
                if (entity.fields)
                  fieldNames.push({ type: entity.type, names: Object.keys(entity.fields) });
              }
              for (const { type, names } of fieldNames) {
                for (const name of names)
                  assert.ok(!hiddenOf(type).includes(name), `${type}.${name} in ${text}`);
              }
            }
          } finally {
            await h.close();
          }
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
