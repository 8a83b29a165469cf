/**
 * What an accepted entity change says: its activity item, and the notification for the people
 * watching the entity. The reference server (`src/server/activity/`, `src/server/notifications/`)
 * and the fake server (`src/testing/`) both import these rules, so the fake cannot drift from the
 * server.
 *
 * - Activity: `entity.created` for version 1, `entity.updated` otherwise; who made it; the entity
 *   with its label (`entity-label.ts`); each changed field old → new; and the customer it belongs
 *   to: the entity itself for a customer, else its `customerId` field (calls, meetings, …).
 * - Watcher notification (`notifyWatchersOnChange`): a client's accepted change tells the others
 *   on the entity "Ana Souza updated Difference Ltd: Next step, Contact", fields named by their
 *   form labels (`field-labels.ts`). Backend writes do not notify.
 */
import {
  hasField,
  type ActivityInput,
  type Entity,
  type EntityChange,
  type NotificationInput,
} from '../protocol/index.js';
import { entityName, entityRefOf } from './entity-label.js';
import { fieldLabel } from './field-labels.js';

const MAX_CHANGES = 100;
const MAX_TITLE = 200;
const MAX_FIELDS_NAMED = 5;

/** The customer a change belongs to, for the customer feed. */
export function customerOf(entity: Entity): string | undefined {
  if (entity.type === 'customer') return entity.id;
  const id = entity.fields.customerId;
  if (typeof id === 'string' && /^[A-Za-z0-9_\-.]{1,128}$/.test(id)) return id;
  if (typeof id === 'number' && Number.isSafeInteger(id)) return String(id);
  return undefined;
}

/** The activity item of one accepted change. */
export function activityOfChange(change: EntityChange): ActivityInput {
  const { entity } = change;
  const input: ActivityInput = {
    kind: entity.version === 1 ? 'entity.created' : 'entity.updated',
    entity: entityRefOf(entity),
    // Field names are the protocol's; the change list is capped like ActivityInput's.
    changes: change.changed.slice(0, MAX_CHANGES).map((field) => {
      const fieldChange: NonNullable<ActivityInput['changes']>[number] = { field };
      // Own fields only: `constructor` or `toString` are field names, not inherited members.
      if (hasField(change.previous, field)) fieldChange.from = change.previous[field]!;
      if (hasField(entity.fields, field)) fieldChange.to = entity.fields[field]!;
      return fieldChange;
    }),
  };
  if (change.by) input.actor = change.by;
  const customerId = customerOf(entity);
  if (customerId !== undefined) input.customerId = customerId;
  return input;
}

/** The notification for the watchers of a change, or undefined when the rule does not apply. */
export function watcherNotification(change: EntityChange): NotificationInput | undefined {
  if (change.source !== 'client' || !change.by || change.changed.length === 0) return undefined;
  const entity = entityRefOf(change.entity);
  const named = change.changed
    .slice(0, MAX_FIELDS_NAMED)
    .map((field) => fieldLabel(change.entity.type, field));
  const more = change.changed.length - named.length;
  const fields = more > 0 ? `${named.join(', ')} and ${more} more` : named.join(', ');
  let title = `${change.by.name} updated ${entityName(entity)}: ${fields}`;
  if (title.length > MAX_TITLE) title = `${title.slice(0, MAX_TITLE - 1)}…`;
  return { target: { entity }, type: 'info', priority: 'normal', title, entity };
}
