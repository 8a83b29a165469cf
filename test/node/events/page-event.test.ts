/**
 * The events the kit fires for the page reach it from inside shadow roots (they bubble and are
 * composed), and only the requests the page may veto are cancelable.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CrmActivityFilterChangeEvent,
  CrmActivityOpenEvent,
  CrmFormChangeEvent,
  CrmFormConflictEvent,
  CrmFormDeletedEvent,
  CrmFormErrorEvent,
  CrmFormRefusedEvent,
  CrmFormSavedEvent,
  CrmFormSaveEvent,
  CrmNotificationActionEvent,
  CrmNotificationOpenEvent,
  CrmNotificationReadEvent,
} from '../../../src/events/index.js';
import type { LiveConflict, ChangeInfo } from '../../../src/client/live-data/live-data-types.js';
import { RealtimeError } from '../../../src/client/realtime-error.js';
import type { Notification } from '../../../src/client/types.js';

const note = { id: 'n1' } as Notification;
const item = { id: '1', kind: 'entity.updated', at: 0 };
const entity = { type: 'customer', id: '42' };
const error = new RealtimeError('forbidden', 'no');

const cases: [Event, string, boolean][] = [
  [new CrmActivityFilterChangeEvent({}), 'crm-activity-filter-change', false],
  [new CrmActivityOpenEvent(item, entity, '/c/42'), 'crm-activity-open', true],
  [new CrmFormSaveEvent('customer', '42', {}), 'crm-form-save', true],
  [new CrmFormSavedEvent('customer', '42', {}, 2, {} as ChangeInfo), 'crm-form-saved', false],
  [new CrmFormConflictEvent('customer', '42', {} as LiveConflict), 'crm-form-conflict', true],
  [new CrmFormErrorEvent('customer', '42', 'save', error), 'crm-form-error', false],
  [
    new CrmFormRefusedEvent('customer', '42', {}, error, {} as ChangeInfo, true),
    'crm-form-refused',
    false,
  ],
  [new CrmFormChangeEvent('customer', '42', {}, [], 'load'), 'crm-form-change', false],
  [new CrmFormDeletedEvent('customer', '42'), 'crm-form-deleted', false],
  [
    new CrmNotificationActionEvent(note, { label: 'Call', event: 'call' }, 'panel'),
    'crm-notification-action',
    false,
  ],
  [new CrmNotificationOpenEvent(note, undefined, 'toast'), 'crm-notification-open', true],
  [new CrmNotificationReadEvent('all', 'all'), 'crm-notification-read', false],
];

describe('page events', () => {
  for (const [event, type, cancelable] of cases) {
    it(`${type} bubbles, is composed, and is ${cancelable ? '' : 'not '}cancelable`, () => {
      assert.equal(event.type, type);
      assert.equal((event.constructor as unknown as { eventName: string }).eventName, type);
      assert.equal(event.bubbles, true);
      assert.equal(event.composed, true);
      assert.equal(event.cancelable, cancelable);
    });
  }

  it('form events carry the entity they are about', () => {
    const event = new CrmFormErrorEvent('customer', '42', 'load', error);
    assert.deepEqual([event.entityType, event.entityId, event.fields], ['customer', '42', {}]);
  });
});
