/**
 * The redaction rules on their own: what each outbound shape keeps of a hidden field, the
 * change-log filter other outbound paths (a per-user change feed or webhook) call, and that a
 * broadcast frame is redacted once per set of rules and left alone when nothing in it is hidden.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type {
  ActivityItem,
  Entity,
  EntityChange,
  Notification,
} from '../../../../src/protocol/index.js';
import { RoomGrants } from '../../../../src/server/permissions/claims.js';
import { FieldPolicy } from '../../../../src/server/permissions/field-policy.js';
import {
  redactChangeData,
  redactPrepared,
  type Visibility,
} from '../../../../src/server/permissions/redact.js';
import { PreparedFrame } from '../../../../src/server/wire.js';

function visibility(hidden: string[], rooms?: Record<string, ('join' | 'read')[]>): Visibility {
  const fields = new FieldPolicy();
  fields.merge({ customer: { hidden } });
  return rooms
    ? { fields, grants: new RoomGrants(rooms), grantsKey: JSON.stringify(rooms) }
    : { fields };
}

const entity: Entity = {
  type: 'customer',
  id: '42',
  version: 3,
  fields: { name: 'Acme', notes: 'secret' },
  updatedAt: 1,
};
const change: EntityChange = {
  entity,
  changed: ['notes', 'name'],
  previous: { notes: 'old secret', name: 'Acme Ltd' },
  source: 'client',
  by: { id: 'bob', name: 'Bob' },
};

describe('redaction', () => {
  test('an entity change loses the hidden field everywhere, keeps the rest', () => {
    const out = redactChangeData('entity.change', change, visibility(['notes'])) as EntityChange;
    assert.deepEqual(out.entity.fields, { name: 'Acme' });
    assert.deepEqual(out.changed, ['name']);
    assert.deepEqual(out.previous, { name: 'Acme Ltd' });
    assert.equal(out.entity.version, 3);
    assert.deepEqual(change.entity.fields, { name: 'Acme', notes: 'secret' }, 'input untouched');
  });

  test('nothing hidden: the very same object, no copy', () => {
    assert.equal(redactChangeData('entity.change', change, visibility(['revenue'])), change);
  });

  test('activity items and notifications about an unreadable entity are left out', () => {
    const item: ActivityItem = {
      id: 'a1',
      kind: 'entity.updated',
      entity: { type: 'customer', id: '42' },
      changes: [
        { field: 'notes', from: 'a', to: 'b' },
        { field: 'name', from: 'x', to: 'y' },
      ],
      at: 1,
    };
    const v = visibility(['notes']);
    assert.deepEqual(
      (redactChangeData('activity', item, v) as ActivityItem).changes?.map((c) => c.field),
      ['name'],
    );
    const closed = visibility([], { 'customer:7': ['join', 'read'] });
    assert.equal(redactChangeData('activity', item, closed), undefined);
    // A watcher notification, as the rule writes it for bob's change.
    const notification: Notification = {
      id: 'n1',
      target: { entity: { type: 'customer', id: '42', label: 'Acme' } },
      type: 'info',
      priority: 'normal',
      title: 'Bob updated Acme: Notes, Contact',
      entity: { type: 'customer', id: '42', label: 'Acme' },
      from: { id: 'bob', name: 'Bob' },
      createdAt: 1,
      read: false,
    };
    assert.equal(redactChangeData('notification', notification, closed), undefined);
    const titled = redactChangeData('notification', notification, v) as Notification;
    assert.equal(titled.title, 'Bob updated Acme: Contact');
    const onlyNotes = { ...notification, title: 'Bob updated Acme: Notes' };
    assert.equal(
      (redactChangeData('notification', onlyNotes, v) as Notification).title,
      'Bob updated Acme',
    );
  });

  describe('an entity labelled by a hidden field is named by its type and id', () => {
    const label = { type: 'customer', id: '42', label: 'Initech' };
    const item: ActivityItem = {
      id: 'a2',
      kind: 'entity.updated',
      actor: { id: 'ana', name: 'Ana' },
      entity: label,
      customerId: '42',
      changes: [
        { field: 'company', from: 'Initrode', to: 'Initech' },
        { field: 'nextStep', to: 'Call' },
      ],
      at: 1,
    };
    const notification: Notification = {
      id: 'n2',
      target: { entity: label },
      type: 'info',
      priority: 'normal',
      title: 'Ana updated Initech: Company, Next step',
      entity: label,
      from: { id: 'ana', name: 'Ana' },
      createdAt: 1,
      read: false,
    };

    test('an activity item loses the label with the change', () => {
      const out = redactChangeData('activity', item, visibility(['company'])) as ActivityItem;
      assert.deepEqual(out.entity, { type: 'customer', id: '42' });
      assert.deepEqual(out.changes, [{ field: 'nextStep', to: 'Call' }]);
      assert.doesNotMatch(JSON.stringify(out), /Init/);
      assert.equal(item.entity, label, 'input untouched');
    });

    test('a label from a field the user sees is kept, and the item is the same object', () => {
      const onlyCall = { ...item, changes: [{ field: 'nextStep', to: 'Call' }] };
      assert.equal(redactChangeData('activity', onlyCall, visibility(['notes'])), onlyCall);
    });

    test('a watcher notification names the entity by its type and id, in its title too', () => {
      const out = redactChangeData('notification', notification, visibility(['company']));
      assert.deepEqual(out, {
        ...notification,
        target: { entity: { type: 'customer', id: '42' } },
        entity: { type: 'customer', id: '42' },
        title: 'Ana updated customer 42: Next step',
      });
      assert.equal(
        redactChangeData('notification', notification, visibility(['notes'])),
        notification,
      );
    });

    test('a title cut at the limit is written again without its list', () => {
      const long = { ...label, label: `Initech ${'x'.repeat(190)}` };
      const cut = {
        ...notification,
        target: { entity: long },
        entity: long,
        title: `Ana updated ${long.label}`.slice(0, 199) + '…',
      };
      const out = redactChangeData('notification', cut, visibility(['company'])) as Notification;
      assert.equal(out.title, 'Ana updated customer 42');
    });

    test("a backend's own title passes as it is; the references still lose the label", () => {
      const own = { ...notification, title: 'Renewal due', from: undefined };
      const out = redactChangeData('notification', own, visibility(['company'])) as Notification;
      assert.equal(out.title, 'Renewal due');
      assert.deepEqual(out.entity, { type: 'customer', id: '42' });
    });

    test('a broadcast activity event loses the label for the user who may not see it', () => {
      const frame = PreparedFrame.of({
        type: 'event',
        room: 'activity:global',
        seq: 1,
        event: 'activity',
        payload: item,
        at: 1,
      });
      const out = redactPrepared(frame, visibility(['company']));
      assert.ok(out);
      assert.doesNotMatch(out.payload.toString(), /Initech/);
    });
  });

  test('a broadcast is redacted once per set of rules; an unrelated frame passes as it is', () => {
    const frame = PreparedFrame.of({
      type: 'event',
      room: 'customer:42',
      seq: 1,
      event: 'entity.change',
      payload: change,
      at: 1,
    });
    const a = redactPrepared(frame, visibility(['notes']));
    const b = redactPrepared(frame, visibility(['notes']));
    assert.ok(a && a !== frame);
    assert.equal(a, b, 'the second user with the same rules gets the cached frame');
    assert.doesNotMatch(a.payload.toString(), /secret/);
    const pong = PreparedFrame.of({ type: 'pong' });
    assert.equal(redactPrepared(pong, visibility(['notes'])), pong);
  });
});
