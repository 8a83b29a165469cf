/**
 * The `notifyWatchersOnChange` rule (on in development mode): when a client's change to an entity
 * is accepted, the people in the entity's room other than its author get a notification
 * ("Ana Ortiz updated Acme Corp: Status, Notes"), targeted at the entity, so the other window of a
 * colleague looking at the same customer shows it in the notification center. Backend writes do
 * not notify (a CRM form saving through the HTTP API says nothing about who cares).
 */
import type { EntityChange, NotificationInput } from '../../protocol/index.js';
import { entityRefOf, type EntityChangeSource } from '../activity/entity-activity.js';
import { errorFields, type Logger } from '../log.js';
import type { NotificationService } from './notification-service.js';

const MAX_TITLE = 200;
const MAX_FIELDS_NAMED = 5;

/** `nextCallAt` → "Next call at", `customer_id` → "Customer id". */
export function humanizeField(field: string): string {
  const words = field
    .replace(/[_.-]+/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The notification for watchers of a change, or undefined when the rule does not apply. */
export function watcherNotification(change: EntityChange): NotificationInput | undefined {
  if (change.source !== 'client' || !change.by || change.changed.length === 0) return undefined;
  const entity = entityRefOf(change.entity);
  const named = change.changed.slice(0, MAX_FIELDS_NAMED).map(humanizeField);
  const more = change.changed.length - named.length;
  const fields = more > 0 ? `${named.join(', ')} and ${more} more` : named.join(', ');
  const what = entity.label ?? `${change.entity.type} ${change.entity.id}`;
  let title = `${change.by.name} updated ${what}: ${fields}`;
  if (title.length > MAX_TITLE) title = `${title.slice(0, MAX_TITLE - 1)}…`;
  return { target: { entity }, type: 'info', priority: 'normal', title, entity };
}

/** Subscribes the rule to accepted entity changes. Returns the unsubscribe. */
export function notifyWatchersOnChange(
  entities: EntityChangeSource,
  notifications: NotificationService,
  log: Logger,
): () => void {
  return entities.onChange((change) => {
    const input = watcherNotification(change);
    if (!input || !change.by) return;
    notifications.send(input, change.by).catch((err: unknown) => {
      log.error('watcher notification failed', {
        entity: `${change.entity.type}:${change.entity.id}`,
        ...errorFields(err),
      });
    });
  });
}
